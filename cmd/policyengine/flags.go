package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policy"
)

// The flags several commands share are defined here, each once: one name, one help text, one
// meaning. A command adds the ones it takes with the add* functions below; the engine they
// describe is built by newEngine alone.

// engineFlags say which policy a command decides under, and as at when.
type engineFlags struct {
	policyDir  string // --policy
	bundle     string // --bundle, verified with the three below
	verifyKey  string
	keyID      string
	requireSig bool
	now        string        // --now
	config     string        // --config; "" looks for the project config file from the working directory
	found      *config       // the project config file, once a command has read it
	timeout    time.Duration // --decision-timeout of check and drift (0: no limit)
	cacheSize  int           // --cache-size of check and drift (0: no decision cache)

	// stderr is where the config file used is named: the command's stderr.
	stderr func() io.Writer
}

// addPolicyFlags adds --policy DIR and --config FILE, the project config file whose policy is
// the default.
func addPolicyFlags(cmd *cobra.Command, f *engineFlags) {
	cmd.Flags().StringVar(&f.policyDir, "policy", "", "policy directory: one policy document and any Rego modules (default: the project config file's policy, else the embedded Confect policy)")
	cmd.Flags().StringVar(&f.config, "config", "", "the project config file (default: "+ConfigFile+" in the working directory or above, up to the repository's root; none for no config)")
	f.stderr = cmd.ErrOrStderr
}

// addBundleFlags adds --bundle FILE and the flags that verify its signature.
// addDecisionFlags adds the flags of a command that decides many manifests: how long one
// activity's decision may take, and how many decisions are kept for activities alike.
func addDecisionFlags(cmd *cobra.Command, f *engineFlags) {
	fl := cmd.Flags()
	fl.DurationVar(&f.timeout, "decision-timeout", 10*time.Second, "the longest one activity's decision may take; past it, the activity is an error (0: no limit)")
	fl.IntVar(&f.cacheSize, "cache-size", 4096, "decisions kept for activities alike in everything the rules read (0: none)")
}

func addBundleFlags(cmd *cobra.Command, f *engineFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.bundle, "bundle", "", "decide under the policy in an OPA bundle (as bundle build writes it) instead")
	fl.StringVar(&f.verifyKey, "verification-key", "", "PEM public key to verify the bundle's signature with")
	addKeyIDFlag(cmd, &f.keyID)
	fl.BoolVar(&f.requireSig, "require-signature", false, "refuse a bundle unless it is verified with --verification-key")
}

// addKeyIDFlag adds --key-id, the id of the key a bundle is signed or verified with.
func addKeyIDFlag(cmd *cobra.Command, id *string) {
	cmd.Flags().StringVar(id, "key-id", "", "the id of the key the bundle is signed or verified with, as the servers' configuration names it")
}

// addNowFlag adds --now, the evaluation time.
func addNowFlag(cmd *cobra.Command, now *string) {
	cmd.Flags().StringVar(now, "now", "", "evaluation time, RFC 3339 (default: the time the run starts)")
}

// addOutputFlag adds --output (-o), the format of what the command prints: *format by default,
// else text.
func addOutputFlag(cmd *cobra.Command, format *string, kind output.Kind) {
	cmd.Flags().StringVarP(format, "output", "o", cmp.Or(*format, "text"), "output format: "+strings.Join(output.Formats(kind), "|"))
}

// addOutputDirFlag adds --output (-o) DIR, the folder a command writes what into (import fides,
// export fides), with --output-dir, its name before version 3, as a hidden alias.
func addOutputDirFlag(cmd *cobra.Command, dir *string, what string) {
	help := "the directory to write " + what + " to (created if missing; inside the working directory)"
	cmd.Flags().StringVarP(dir, "output", "o", "", help)
	cmd.Flags().StringVar(dir, "output-dir", "", help)
	_ = cmd.Flags().MarkHidden("output-dir")
}

// manifestFlags say which files a command that reads manifests reads, as check.Select decides
// for every such command: the paths named, else the project config's manifests; the config's
// ignore globs and --ignore in every directory walk; --include instead of the config's
// manifests. And whether finding no activity is an error.
type manifestFlags struct {
	ignore     []string
	include    []string
	allowEmpty bool
}

// addManifestFlags adds --ignore, --include and --allow-empty.
func addManifestFlags(cmd *cobra.Command, f *manifestFlags) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.ignore, "ignore", nil, "leave out files and directories matching this glob in every directory walk, besides the config file's ignore (repeatable)")
	fl.StringArrayVar(&f.include, "include", nil, "keep only the files matching this glob when walking a directory (repeatable; ** for any directories; default: with no PATH, the config file's manifests, else all)")
	fl.BoolVar(&f.allowEmpty, "allow-empty", false, "exit 0 when the paths hold no activity at all (default: exit 2, a gate pointed at nothing)")
}

// options are the check options that select the files: the flags, and the project config c.
func (f *manifestFlags) options(cmd *cobra.Command, c *config) check.Options {
	if !cmd.Flags().Changed("allow-empty") {
		f.allowEmpty = f.allowEmpty || c.AllowEmpty
	}
	return check.Options{Project: c.project(), Ignore: f.ignore, Include: f.include}
}

// nothingFound is the error of a command whose walks found no activity, saying why, unless
// --allow-empty accepts that (nil).
func (f *manifestFlags) nothingFound(sel *check.Selection, done string) error {
	if f.allowEmpty {
		return nil
	}
	paths := make([]string, len(sel.Paths))
	for i, p := range sel.Paths {
		paths[i] = output.Printable(p)
	}
	return fmt.Errorf("no activity found in %s: nothing was %s (%s; --allow-empty to accept that)", strings.Join(paths, ", "), done, sel.Why())
}

// selectFiles chooses the files a command that reads manifests reads, as check.Select does for
// every such command: the paths named, else the manifests the project config lists; the
// config's ignore and --ignore in every walk; --include. It fails as they all fail: a path that
// cannot be read, no path and no config that lists manifests (the command's usage error), or
// (unless --allow-empty) no file to read, saying what left what out; done is what the command
// would have done with them ("checked", "put in the bundle"). With --allow-empty, the selection
// may hold no file.
func (f *manifestFlags) selectFiles(cmd *cobra.Command, e *engineFlags, paths []string, done string) (*check.Selection, error) {
	c, err := e.project()
	if err != nil {
		return nil, err
	}
	sel, err := check.Select(paths, f.options(cmd, c))
	if err != nil {
		return nil, needsPaths(cmd, err)
	}
	if err := sel.Err(); err != nil {
		return nil, err
	}
	if len(sel.Files) == 0 {
		if err := f.nothingFound(sel, done); err != nil {
			return nil, err
		}
	}
	warnUnread(cmd.ErrOrStderr(), sel)
	return sel, nil
}

// needsPaths turns check.ErrNoPaths into the command's usage error.
func needsPaths(cmd *cobra.Command, err error) error {
	if errors.Is(err, check.ErrNoPaths) {
		return fmt.Errorf("%s needs at least one PATH (a file, a directory, or - for standard input), or a %s that lists manifests", cmd.Name(), ConfigFile)
	}
	return err
}

// project is the project config file --config names, or the one found from the working
// directory; read once.
func (f *engineFlags) project() (*config, error) {
	if f.found == nil {
		stderr := io.Discard // flags made in code, not on a command: --config none
		if f.stderr != nil {
			stderr = f.stderr()
		}
		c, err := findConfig(f.config, stderr)
		if err != nil {
			return nil, err
		}
		f.found = c
	}
	return f.found, nil
}

// dir is the policy directory the flags name: --policy, else (with no --bundle) the project
// config file's policy, else "" for the embedded Confect policy.
func (f *engineFlags) dir() (string, error) {
	if f.policyDir != "" || f.bundle != "" {
		return f.policyDir, nil
	}
	c, err := f.project()
	if err != nil {
		return "", err
	}
	return c.rel(c.Policy), nil
}

// loadPolicy loads the policy the flags name, for a command that needs the policy itself (its
// modules and tests) rather than an engine.
func (f *engineFlags) loadPolicy() (*policy.Policy, error) {
	dir, err := f.dir()
	switch {
	case err != nil:
		return nil, err
	case dir == "":
		return policy.Default(), nil
	}
	return policy.LoadDir(dir)
}

// options turns the flags into engine options.
func (f *engineFlags) options() ([]policyengine.Option, error) {
	if f.policyDir != "" && f.bundle != "" {
		return nil, fmt.Errorf("--policy and --bundle: give one")
	}
	dir, err := f.dir()
	if err != nil {
		return nil, err
	}
	var opts []policyengine.Option
	if dir != "" {
		opts = append(opts, policyengine.WithPolicyDir(dir))
	}
	if f.bundle != "" {
		verify := bundle.ReadOptions{KeyID: f.keyID, RequireSignature: f.requireSig}
		if f.verifyKey != "" {
			key, err := os.ReadFile(f.verifyKey)
			if err != nil {
				return nil, fmt.Errorf("--verification-key: %w", err)
			}
			verify.PublicKey = key
		}
		opts = append(opts, policyengine.WithBundle(f.bundle, verify))
	} else if f.verifyKey != "" || f.keyID != "" || f.requireSig {
		return nil, fmt.Errorf("--verification-key, --key-id and --require-signature go with --bundle")
	}
	// One evaluation time for the whole run: every activity is decided as at the same moment.
	at := time.Now()
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return nil, fmt.Errorf("--now: expected an RFC 3339 time such as 2026-11-28T09:00:00Z")
		}
		at = t
	}
	opts = append(opts, policyengine.WithClock(func(context.Context) time.Time { return at }))
	switch {
	case f.timeout < 0:
		return nil, fmt.Errorf("--decision-timeout: expected 0 (no limit) or a duration such as 5s")
	case f.timeout > 0:
		opts = append(opts, policyengine.WithEvaluationTimeout(f.timeout))
	}
	switch {
	case f.cacheSize < 0:
		return nil, fmt.Errorf("--cache-size: expected 0 or more")
	case f.cacheSize > 0:
		opts = append(opts, policyengine.WithDecisionCache(f.cacheSize))
	}
	return opts, nil
}

// newEngine prepares the engine the flags describe.
func newEngine(ctx context.Context, f *engineFlags) (*policyengine.Engine, error) {
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	return policyengine.New(ctx, opts...)
}

// engine prepares the engine the flags describe: newEngine's, unless the env builds engines
// its own way.
func (e env) engine(ctx context.Context, f *engineFlags) (*policyengine.Engine, error) {
	if e.engines != nil {
		return e.engines(ctx, f)
	}
	return newEngine(ctx, f)
}

// addInputFormatFlag adds --input-format, how the manifest files are written.
func addInputFormatFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVar(format, "input-format", "", "how the files are written: fides (fideslang resource files), manifest, or auto (each file by its shape, the default)")
}

// scannerFlags name code scanners' reports: --privado FILE and --bearer FILE, each repeatable.
type scannerFlags struct {
	privado, bearer []string
}

// addScannerFlags adds --privado and --bearer, the scanners' reports drift reads.
func addScannerFlags(cmd *cobra.Command, f *scannerFlags) {
	cmd.Flags().StringArrayVar(&f.privado, "privado", nil, "a Privado report (privado.json, as privado scan writes it) of the code (repeatable)")
	cmd.Flags().StringArrayVar(&f.bearer, "bearer", nil, "a Bearer privacy report (bearer scan --report privacy --format json) of the code (repeatable)")
}

// inputs are the reports the flags name, Privado's first.
func (f scannerFlags) inputs() []drift.Input {
	var in []drift.Input
	for _, p := range f.privado {
		in = append(in, drift.Input{Scanner: drift.Privado, File: p})
	}
	for _, p := range f.bearer {
		in = append(in, drift.Input{Scanner: drift.Bearer, File: p})
	}
	return in
}
