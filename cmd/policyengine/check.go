package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
)

const checkLong = `Decide every processing activity in the given manifests.

PATH is a manifest file, a directory (walked for .json, .yaml and .yml files, hidden
directories but .fides skipped) or - for standard input. A manifest holds one activity, a list
of activities, {"activities": [...]}, or (YAML) several documents.

Fides (fideslang) resource files are recognised by their shape (top-level system, dataset,
policy, data_category, ... lists, or a lone system object), or all files are read as Fides
with --input-format fides. Each privacy declaration of each system is decided as a declaration
named <system fides_key>/<name>, its keys mapped through the policy's fides_mapping table and
its vendors described by the policy's recipient_register; every finding names the Fides key
and points at the Fides file and line (a category from a dataset at the dataset's line).

The project config file, .policyengine.yaml in the working directory or the nearest one above
it (--config FILE, or none), lists the project's manifests (globs: with no PATH, check reads
those), ignore globs (left out of every directory walk, as --ignore), the policy and output
defaults. A directory named is walked whatever the manifests globs say; a file named is always
read. Every command that reads manifests (ropa, diff, bundle build --declarations) reads the
same files the same way.

A declaration's conditions (what a person must meet at run time) are listed under it, but the
rights every person has (the rules whose METADATA says every_person: erasure, restriction) are
said once for the run; --all-conditions lists them under each declaration too. JSON keeps every
condition.

Output formats: text (for people; colour on a terminal unless NO_COLOR is set), table, json
({"results", "summary", "revision"}), sarif (SARIF 2.1.0 for code scanning), junit (JUnit XML for CI test reports),
github (GitHub Actions annotations on the file and line), html (one self-contained page: the
summary, a picture of the data flows, every declaration and finding with the clause it enforces).

Exit codes: 0 every activity allowed; 1 at least one denied (or, with --fail-on-warn, a
warning, which every format then reports as what failed the run); 2 a usage, input or policy
error (a malformed manifest is reported with its line and the other files are still decided),
or no activity found in any PATH (unless --allow-empty).`

const checkExample = `  policyengine check examples/manifests
  policyengine check --output json --now 2026-11-28T00:00:00Z manifests/
  cat activity.json | policyengine check -
  policyengine check --output github .fides/`

type checkFlags struct {
	engineFlags
	manifestFlags
	output     string
	color      string
	workers    int
	failOnWarn bool
	allConds   bool
	format     string // --input-format
}

func newCheckCmd(e env) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:     "check [flags] [PATH...]",
		Short:   "Decide the activities in manifest files",
		Long:    checkLong,
		Example: checkExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, e, f, args)
		},
	}
	addOutputFlag(cmd, &f.output, output.Check)
	addPolicyFlags(cmd, &f.engineFlags)
	addBundleFlags(cmd, &f.engineFlags)
	addNowFlag(cmd, &f.now)
	addManifestFlags(cmd, &f.manifestFlags)
	addDecisionFlags(cmd, &f.engineFlags)
	fl := cmd.Flags()
	fl.StringVar(&f.color, "color", "auto", "colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	fl.IntVarP(&f.workers, "jobs", "j", 0, fmt.Sprintf("files decided at once, at most %d (default: one per CPU)", check.MaxWorkers))
	fl.BoolVar(&f.failOnWarn, "fail-on-warn", false, "exit 1 on a warning too, not only on a denial")
	fl.BoolVar(&f.allConds, "all-conditions", false, "list every condition under its declaration, the rights every person has (said once by default) included")
	addInputFormatFlag(cmd, &f.format)
	fl.StringVar(&f.format, "format", "", "the same as --input-format")
	_ = fl.MarkHidden("format") // its former name: a note on stderr says so
	return cmd
}

func runCheck(cmd *cobra.Command, e env, f checkFlags, paths []string) error {
	c, err := f.project()
	if err != nil {
		return err
	}
	applyConfig(cmd, &f, c)
	if cmd.Flags().Changed("format") {
		fmt.Fprintln(e.stderr, "policyengine: note: --format is now --input-format; the old name will go")
	}
	if c.Format != "" {
		fmt.Fprintf(e.stderr, "policyengine: note: %s: format is now input_format; the old key will go\n", output.Printable(c.path))
	}
	files := f.manifestFlags.options(cmd, c)
	writeOpts, err := checkOptions(f, e)
	if err != nil {
		return err
	}
	writeOpts.AllConditions = f.allConds
	if f.bundle != "" && f.verifyKey == "" {
		fmt.Fprintf(e.stderr, "policyengine: WARNING: the bundle is not verified: no --verification-key, so whoever can replace %q decides what is allowed (--require-signature refuses it)\n", f.bundle)
	}
	if f.workers < 0 || f.workers > check.MaxWorkers {
		return fmt.Errorf("--jobs: expected 0 (one per CPU) to %d", check.MaxWorkers)
	}
	if f.format != "" && !slices.Contains(check.Formats(), f.format) {
		return fmt.Errorf("--input-format: expected %s", strings.Join(check.Formats(), ", "))
	}
	engine, err := e.engine(cmd.Context(), &f.engineFlags)
	if err != nil {
		return err
	}
	files.Workers, files.Stdin, files.KeepEntries, files.Format = f.workers, e.stdin, output.NeedsEntries(f.output), f.format
	// The report is written as the files are decided, in a format that can: the run then holds
	// only what is in flight, not every result.
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	head := &check.Report{Revision: engine.Revision(), Rules: check.Rules(engine), Policy: engine.Document(), FailOnWarn: f.failOnWarn}
	stream, err := output.StreamCheck(out, f.output, head, writeOpts)
	if err != nil {
		return fmt.Errorf("--output: %v", err)
	}
	files.Results = stream.Result
	report, err := check.Run(cmd.Context(), engine, paths, files)
	if err != nil {
		return needsPaths(cmd, err)
	}
	report.FailOnWarn = f.failOnWarn
	warnUnread(e.stderr, report.Selection)
	err = stream.End(report)
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	switch {
	case report.Summary.Errors > 0:
		return errReported
	case report.Empty() && f.nothingFound(report.Selection, "checked") != nil:
		return f.nothingFound(report.Selection, "checked")
	case report.Summary.Denied > 0, f.failOnWarn && report.Summary.Warnings > 0:
		return errDenied
	}
	return nil
}

func useColor(mode string, e env) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if e.getenv("NO_COLOR") != "" {
			return false, nil
		}
		f, ok := e.stdout.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())), nil
	}
	return false, fmt.Errorf("--color: expected auto, always or never")
}

// warnUnread says on stderr which files a directory walk left unread, and why; and, when other
// paths gave files, which directories gave none, and what left out what they hold (when no
// path gave a file, the command's error says it).
func warnUnread(w io.Writer, sel *check.Selection) {
	if sel == nil {
		return
	}
	for _, s := range sel.Skipped {
		fmt.Fprintf(w, "policyengine: warning: %s skipped: %s\n", output.Printable(s.File), s.Reason)
	}
	if len(sel.Files) == 0 {
		return
	}
	for _, e := range sel.EmptyWalks {
		fmt.Fprintf(w, "policyengine: no file found in %s: %s\n", output.Printable(e.Path), output.Printable(e.Why()))
	}
}
