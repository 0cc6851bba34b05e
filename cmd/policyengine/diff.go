package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/output"
)

const diffLong = `Show what a policy change does to the activities already in use: decide every activity
under PATH with the base policy and with the new one, and list each whose decision or reasons
change, with a summary (N activities: X newly denied, Y newly allowed, Z with other reasons).

The new side is --policy DIR, else the project config file's policy, else the embedded Confect
policy. The base is --base DIR, or --base-ref REV: the --policy directory as it was at a git
revision (read with the git on PATH), so that a pull request's change to a policy edited in
place is diffed against the branch it targets; or else the embedded Confect policy. Both decide as at the same time (--now,
default the time the run starts). PATH is as for check (with none, the manifests the project
config file lists).

Output: text (each changed activity with the findings added (+) and removed (-), then the
summary), json ({"base_revision", "revision", "changes", "errors", "summary"}) or html (one
self-contained page: a picture of the flows the change newly denies or allows, and the changes).

Exit codes: 0 no activity changes; 1 some do; 2 a usage error, a policy that cannot be loaded
(named with its file and line; a --base-ref policy's as REV:DIR), an activity or file that could
not be decided (the report still lists it and every change found: the comparison is incomplete),
or no activity found in any PATH (unless --allow-empty): a gate pointed at nothing.`

// diffFlags are diff's flags: the new side's policy (engineFlags), the base's, the files.
type diffFlags struct {
	engineFlags // the policy after the change
	manifestFlags
	base, baseRef, output string
}

func newDiffCmd(e env) *cobra.Command {
	var f diffFlags
	cmd := &cobra.Command{
		Use:     "diff [--base DIR | --base-ref REV] [--policy DIR] [PATH...]",
		Aliases: []string{"impact"}, // the contract's name for the same report
		Short:   "Show what a policy change does to existing manifests (alias: impact)",
		Long:    diffLong,
		Example: "  policyengine diff --policy policies/next examples/manifests\n  policyengine diff --base policies/v1 --policy policies/v2 -o json manifests/\n  policyengine diff --base-ref origin/main --policy policies/acme manifests/",
		RunE: func(cmd *cobra.Command, paths []string) error {
			return runDiff(cmd, e, f, paths)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.base, "base", "", "the policy before the change (default: the embedded Confect policy)")
	fl.StringVar(&f.base, "base-policy", "", "the same as --base")
	_ = fl.MarkHidden("base-policy")
	fl.StringVar(&f.baseRef, "base-ref", "", "the policy before the change is the --policy directory at this git revision")
	addPolicyFlags(cmd, &f.engineFlags)
	addNowFlag(cmd, &f.now)
	addOutputFlag(cmd, &f.output, output.Diff)
	addManifestFlags(cmd, &f.manifestFlags)
	return cmd
}

func runDiff(cmd *cobra.Command, e env, f diffFlags, paths []string) error {
	if err := output.Validate(output.Diff, f.output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	c, err := f.project()
	if err != nil {
		return err
	}
	opts := f.manifestFlags.options(cmd, c)
	if f.now == "" {
		f.now = time.Now().UTC().Format(time.RFC3339Nano) // one time for both sides
	}
	engines, cleanup, err := diffEngines(cmd, e, f)
	defer cleanup()
	if err != nil {
		return err
	}
	opts.Stdin, opts.KeepEntries = e.stdin, output.NeedsEntries(f.output)
	rep, err := impact.Compare(cmd.Context(), engines[0], engines[1], paths, opts)
	if err != nil {
		return needsPaths(cmd, err)
	}
	warnUnread(e.stderr, rep.Selection)
	if err := output.WriteDiff(e.stdout, f.output, rep, output.Options{}); err != nil {
		return err
	}
	switch {
	case rep.Summary.Activities == 0 && f.nothingFound(rep.Selection, "compared") != nil:
		return f.nothingFound(rep.Selection, "compared")
	case rep.Summary.Errors > 0:
		return errReported
	case rep.Changed():
		return errDenied
	}
	return nil
}

// diffEngines makes the engines of both sides: the base (--base DIR, the --policy directory at
// --base-ref REV, or the embedded policy; never the project config file's) and the new one.
// cleanup removes what --base-ref read, once the run is over.
func diffEngines(cmd *cobra.Command, e env, f diffFlags) (engines [2]*policyengine.Engine, cleanup func(), err error) {
	cleanup = func() {}
	base := f.base
	if f.baseRef != "" {
		if base != "" {
			return engines, cleanup, fmt.Errorf("--base and --base-ref: give one")
		}
		if f.policyDir == "" {
			return engines, cleanup, fmt.Errorf("--base-ref REV compares the --policy directory with itself at REV: give --policy DIR")
		}
		tmp, err := os.MkdirTemp("", "policyengine-diff-") // where --base-ref's policy is read into
		if err != nil {
			return engines, cleanup, err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if base, err = policyAtRevision(cmd.Context(), f.policyDir, f.baseRef, tmp); err != nil {
			return engines, cleanup, err
		}
	}
	for i, side := range []engineFlags{{policyDir: base, now: f.now, config: "none"}, f.engineFlags} {
		if engines[i], err = e.engine(cmd.Context(), &side); err != nil {
			if f.baseRef != "" && i == 0 {
				// The base policy was read from a temporary copy: name it as the user does.
				err = errors.New(strings.ReplaceAll(err.Error(), base, f.baseRef+":"+filepath.ToSlash(f.policyDir)))
			}
			return engines, cleanup, err
		}
	}
	return engines, cleanup, nil
}
