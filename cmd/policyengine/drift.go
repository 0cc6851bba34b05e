package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/output"
)

const driftLong = `Judge what the code does, as a code scanner found it, against the declarations in the
manifests: every flow of personal data to a third party the scanner reports must be covered by a
declaration, decided by the policy.

--privado FILE is Privado's privado.json (privado scan; .privado/privado.json): each data
element, the third party it reaches (its name and domains) and the path through the code with
file and line. --bearer FILE is Bearer's privacy report (bearer scan --report privacy --format
json): the data types each third party receives, with no line. Give one or both.

Each element is mapped to the policy's data categories by the policy document's scanner_mapping.
A flow is covered when one declaration lists its category and names a recipient matching its
sink: by the recipient's domains (a sink's domain is one of them or a subdomain of one), or,
where either has none, by name. Findings stand in the code, at the last step of the path, where
the data leaves (for Bearer, at the data type in its report):
  drift.uncovered_flow    a declaration names the recipient but none of them lists the category
                          (or the policy marks the element as data it does not process)
  drift.unmatched_sink    no declaration names a recipient matching the third party
  drift.unmapped_element  the policy's scanner_mapping has no entry for the element
A covered flow's declarations are decided by the policy as check decides them, and reported with
their denials and conditions. Declarations that cover no flow are check's business.

PATH, the project config file and the manifests read are as for check. Output formats as for check.

Exit codes: 0 every flow covered by an allowed declaration; 1 a finding, or a covering declaration
denied; 2 a usage, input or policy error, or a report or manifest that could not be read.`

const driftExample = `  privado scan . && policyengine drift --privado .privado/privado.json --output sarif manifests/
  bearer scan . --report privacy --format json --output bearer.json && policyengine drift --bearer bearer.json`

type driftFlags struct {
	checkFlags
	scanners scannerFlags
}

func newDriftCmd(e env) *cobra.Command {
	var f driftFlags
	f.color = "auto"
	cmd := &cobra.Command{
		Use:     "drift (--privado FILE | --bearer FILE)... [flags] [PATH...]",
		Short:   "Judge what code scanners found the code sending against the declarations",
		Long:    driftLong,
		Example: driftExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDrift(cmd, e, f, args)
		},
	}
	addScannerFlags(cmd, &f.scanners)
	addOutputFlag(cmd, &f.output, output.Check)
	addPolicyFlags(cmd, &f.engineFlags)
	addBundleFlags(cmd, &f.engineFlags)
	addNowFlag(cmd, &f.now)
	addManifestFlags(cmd, &f.manifestFlags)
	addDecisionFlags(cmd, &f.engineFlags)
	addInputFormatFlag(cmd, &f.format)
	return cmd
}

func runDrift(cmd *cobra.Command, e env, f driftFlags, paths []string) error {
	inputs := f.scanners.inputs()
	if len(inputs) == 0 {
		return fmt.Errorf("drift needs a scanner's report: --privado FILE or --bearer FILE")
	}
	c, err := f.project()
	if err != nil {
		return err
	}
	applyConfig(cmd, &f.checkFlags, c)
	opts, err := checkOptions(f.checkFlags, e) // before deciding anything: a bad --output fails at once
	if err != nil {
		return err
	}
	rep, err := manifestsAsCheck(cmd, e, &f.checkFlags, c, paths, true)
	if err != nil {
		return err
	}
	res, err := drift.Judge(rep, inputs, drift.Limits{})
	if err != nil {
		return err
	}
	if err := output.WriteCheck(e.stdout, f.output, res.Report, opts); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	switch {
	case res.Report.Summary.Errors > 0:
		return errReported
	case res.Report.Summary.Denied > 0:
		return errDenied
	}
	return nil
}

// manifestsAsCheck decides the manifests check would, as check chooses them (the project config
// file c, applied to the flags, its manifests and ignore globs, --ignore, --include, the paths
// given) and reads them (--input-format, the config's input_format).
func manifestsAsCheck(cmd *cobra.Command, e env, f *checkFlags, c *config, paths []string, keepEntries bool) (*check.Report, error) {
	if f.format != "" && !slices.Contains(check.Formats(), f.format) {
		return nil, fmt.Errorf("--input-format: expected %s", strings.Join(check.Formats(), ", "))
	}
	files := f.manifestFlags.options(cmd, c)
	engine, err := e.engine(cmd.Context(), &f.engineFlags)
	if err != nil {
		return nil, err
	}
	files.Stdin, files.KeepEntries, files.Format = e.stdin, keepEntries, f.format
	rep, err := check.Run(cmd.Context(), engine, paths, files)
	if err != nil {
		return nil, needsPaths(cmd, err)
	}
	warnUnread(e.stderr, rep.Selection)
	return rep, nil
}

// checkOptions checks that the flags name a format of a check report, and returns the options
// they write it with.
func checkOptions(f checkFlags, e env) (output.Options, error) {
	color, err := useColor(f.color, e)
	if err != nil {
		return output.Options{}, err
	}
	if err := output.Validate(output.Check, f.output); err != nil {
		return output.Options{}, fmt.Errorf("--output: %w", err)
	}
	return output.Options{Color: color}, nil
}
