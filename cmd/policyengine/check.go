package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
)

const checkLong = `Decide every processing activity in the given manifests.

PATH is a manifest file, a directory (walked for .json, .yaml and .yml files, hidden
directories but .fides skipped) or - for standard input. A manifest holds one activity, a list
of activities, {"activities": [...]}, or (YAML) several documents.

Fides (fideslang) resource files are recognised by their shape (top-level system, dataset,
policy, data_category, ... lists, or a lone system object), or all files are read as Fides
with --format fides. Each privacy declaration of each system is decided as a declaration
named <system fides_key>/<name>, its keys mapped through the policy's fides_mapping table and
its vendors described by the policy's recipient_register; every finding names the Fides key
and points at the Fides file and line (a category from a dataset at the dataset's line).

The project config file, .policyengine.yaml in the working directory or the nearest one above
it (--config FILE, or none), lists the project's manifests (globs: a walk keeps only those, and
with no PATH check walks the config's directory), ignore globs, the policy and output defaults.

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
	output     string
	color      string
	ignore     []string
	include    []string
	workers    int
	failOnWarn bool
	allowEmpty bool
	cacheSize  int
	timeout    time.Duration
	format     string
}

func newCheckCmd(e env) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:     "check [flags] PATH...",
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
	addIgnoreFlag(cmd, &f.ignore)
	addAllowEmptyFlag(cmd, &f.allowEmpty)
	fl := cmd.Flags()
	fl.StringVar(&f.color, "color", "auto", "colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	fl.IntVarP(&f.workers, "jobs", "j", 0, fmt.Sprintf("files decided at once, at most %d (default: one per CPU)", check.MaxWorkers))
	fl.BoolVar(&f.failOnWarn, "fail-on-warn", false, "exit 1 on a warning too, not only on a denial")
	fl.StringArrayVar(&f.include, "include", nil, "decide only the files matching this glob when walking (repeatable; ** for any directories; default: the config file's manifests, else all)")
	fl.IntVar(&f.cacheSize, "cache-size", 4096, "decisions kept for activities alike in everything the rules read (0: none)")
	fl.StringVar(&f.format, "format", "", "how the files are written: fides (fideslang resource files), manifest, or auto (each file by its shape, the default)")
	fl.DurationVar(&f.timeout, "decision-timeout", 10*time.Second, "the longest one activity's decision may take; past it, the activity is an error (0: no limit)")
	return cmd
}

func runCheck(cmd *cobra.Command, e env, f checkFlags, paths []string) error {
	c, err := findConfig(f.config, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	applyConfig(cmd, &f, c)
	f.found = c
	if len(paths) == 0 && len(c.Manifests) > 0 {
		paths = []string{relToWd(c.dir)} // the project, as its config file says
	}
	if len(paths) == 0 {
		return fmt.Errorf("check needs at least one PATH (a file, a directory, or - for standard input), or a %s that lists manifests", ConfigFile)
	}
	color, err := useColor(f.color, e)
	if err != nil {
		return err
	}
	formatter, err := output.New(f.output, output.Options{Color: color})
	if err != nil {
		return fmt.Errorf("--output: %v", err)
	}
	if f.bundle != "" && f.verifyKey == "" {
		fmt.Fprintf(e.stderr, "policyengine: WARNING: the bundle is not verified: no --verification-key, so whoever can replace %q decides what is allowed (--require-signature refuses it)\n", f.bundle)
	}
	if f.cacheSize < 0 {
		return fmt.Errorf("--cache-size: expected 0 or more")
	}
	if f.workers < 0 || f.workers > check.MaxWorkers {
		return fmt.Errorf("--jobs: expected 0 (one per CPU) to %d", check.MaxWorkers)
	}
	if f.format != "" && !slices.Contains(check.Formats(), f.format) {
		return fmt.Errorf("--format: expected %s", strings.Join(check.Formats(), ", "))
	}
	if f.timeout < 0 {
		return fmt.Errorf("--decision-timeout: expected 0 (no limit) or a duration such as 5s")
	}
	var opts []policyengine.Option
	if f.timeout > 0 {
		opts = append(opts, policyengine.WithEvaluationTimeout(f.timeout))
	}
	if f.cacheSize > 0 {
		opts = append(opts, policyengine.WithDecisionCache(f.cacheSize))
	}
	engine, err := newEngine(cmd.Context(), f.engineFlags, opts...)
	if err != nil {
		return err
	}
	report, err := check.Run(cmd.Context(), engine, paths, check.Options{Workers: f.workers, Ignore: f.ignore, Include: f.include, Stdin: e.stdin,
		KeepEntries: output.NeedsEntries(formatter), Format: f.format})
	if err != nil {
		return err
	}
	report.FailOnWarn = f.failOnWarn
	warnSkipped(e.stderr, report.Skipped)
	if err := formatter.FormatCheck(e.stdout, report); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	switch {
	case report.Summary.Errors > 0:
		return errReported
	case report.Summary.Activities == 0 && report.Summary.FidesFiles == 0 && !f.allowEmpty:
		return fmt.Errorf("no activity found in %s: nothing was checked (--allow-empty to accept that)", strings.Join(paths, ", "))
	case report.Summary.Denied > 0, f.failOnWarn && report.Summary.Warnings > 0:
		return errDenied
	}
	return nil
}

// relToWd names a directory relative to the working directory when it is below or above it, so
// that reports name files as the user sees them.
func relToWd(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	if rel, err := filepath.Rel(wd, abs); err == nil {
		return rel
	}
	return dir
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

// warnSkipped says on stderr which files a directory walk left unread, and why.
func warnSkipped(w io.Writer, skipped []check.Skipped) {
	for _, s := range skipped {
		fmt.Fprintf(w, "policyengine: warning: %s skipped: %s\n", output.Printable(s.File), s.Reason)
	}
}
