package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/ropa"
)

const ropaLong = `Write the record of processing activities (GDPR art. 30(1)) from the declarations in the
manifests: one entry per declaration, with its purposes in the policy's words, legal basis,
categories of data subjects and of personal data, sources, recipients by category with third
countries and the safeguard of each transfer, retention and the event it runs from, and the
decision with its findings. The controller, its contact, the DPO and the security measures come
from the policy document. Fields the record needs and a declaration leaves out are listed per
declaration.

With --privado FILE or --bearer FILE (as drift takes them), each declaration also lists the code
paths that feed it: the flows the scanner found that the declaration covers.

PATH is as for check (with none, the manifests the project config file lists). Formats (-o): markdown (a table for a pull request), csv (one row per
declaration, for a spreadsheet), json (schema/ropa.schema.json), html (one self-contained page).

Exit codes: 0 the record is written; 2 a usage or policy error, a manifest or declaration that
could not be read or decided (the record is still written and lists it), or no activity found in
any PATH (unless --allow-empty).`

func newROPACmd(e env) *cobra.Command {
	var f engineFlags
	var files manifestFlags
	var scanners scannerFlags
	format := "markdown"
	cmd := &cobra.Command{
		Use:     "ropa [--policy DIR] [-o markdown|csv|html|json] [PATH...]",
		Short:   "Write the record of processing activities (GDPR art. 30) from the manifests",
		Long:    ropaLong,
		Example: "  policyengine ropa -o markdown examples/manifests > ROPA.md\n  policyengine ropa -o csv manifests/ > ropa.csv",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := output.Validate(output.Record, format); err != nil {
				return fmt.Errorf("--output: %w", err)
			}
			c, err := f.project()
			if err != nil {
				return err
			}
			opts := files.options(cmd, c)
			engine, err := e.engine(cmd.Context(), &f)
			if err != nil {
				return err
			}
			opts.Stdin, opts.KeepEntries = e.stdin, true
			rep, err := check.Run(cmd.Context(), engine, paths, opts)
			if err != nil {
				return needsPaths(cmd, err)
			}
			warnUnread(e.stderr, rep.Selection)
			rec, err := ropa.Build(rep)
			if err != nil {
				return err
			}
			if in := scanners.inputs(); len(in) > 0 { // the code paths that feed each declaration
				res, err := drift.Judge(rep, in, drift.Limits{})
				if err != nil {
					return err
				}
				if len(res.Unread) > 0 {
					return &res.Unread[0]
				}
				res.Annotate(rec)
			}
			if err := output.WriteRecord(e.stdout, format, rec, output.Options{}); err != nil {
				return fmt.Errorf("writing the record: %w", err)
			}
			switch {
			case rep.Summary.Errors > 0:
				return errReported
			case rep.Empty():
				return files.nothingFound(rep.Selection, "recorded")
			}
			return nil
		},
	}
	addOutputFlag(cmd, &format, output.Record)
	cmd.Flags().StringVarP(&format, "format", "f", format, "the same as --output")
	_ = cmd.Flags().MarkHidden("format")
	addPolicyFlags(cmd, &f)
	addNowFlag(cmd, &f.now)
	addManifestFlags(cmd, &files)
	addScannerFlags(cmd, &scanners)
	return cmd
}
