package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/impact"
)

const diffLong = `Show what a policy change does to the activities already in use: decide every activity
under PATH with the base policy and with the new one, and list each whose decision or reasons
change, with a summary (N activities: X newly denied, Y newly allowed, Z with other reasons).

Each side is a policy directory, or the embedded Confect policy when its flag is left out. Both
decide as at the same time (--now, default the time the run starts). PATH is as for check.

Output: text (each changed activity with the findings added (+) and removed (-), then the
summary) or json ({"base_revision", "revision", "changes", "errors", "summary"}).

Exit codes: 0 no activity changes; 1 some do; 2 a usage error, a policy that cannot be loaded
(named with its file and line), or an activity or file that could not be decided (the report
still lists it and every change found: the comparison is incomplete).`

func newDiffCmd(e env) *cobra.Command {
	var base, next, now, out string
	cmd := &cobra.Command{
		Use:     "diff [--base-policy DIR] [--policy DIR] PATH...",
		Short:   "Show what a policy change does to existing manifests",
		Long:    diffLong,
		Example: "  policyengine diff --policy policies/next examples/manifests\n  policyengine diff --base-policy policies/v1 --policy policies/v2 -o json manifests/",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				return usageError("diff needs at least one PATH")
			}
			if out != "text" && out != "json" {
				return usageError("--output: unknown format %q (want text or json)", out)
			}
			if now == "" {
				now = time.Now().UTC().Format(time.RFC3339Nano) // one time for both sides
			}
			engines := make([]*policyengine.Engine, 2)
			for i, dir := range []string{base, next} {
				opts, err := engineOptions(checkFlags{policyDir: dir, now: now})
				if err != nil {
					return err
				}
				if engines[i], err = policyengine.New(cmd.Context(), opts...); err != nil {
					return &exit{code: exitError, err: err}
				}
			}
			rep, err := impact.Compare(cmd.Context(), engines[0], engines[1], paths, check.Options{Stdin: e.stdin})
			if err != nil {
				return &exit{code: exitError, err: err}
			}
			warnSkipped(e.stderr, rep.Skipped)
			if err := rep.Write(e.stdout, out); err != nil {
				return &exit{code: exitError, err: err}
			}
			switch {
			case rep.Summary.Errors > 0:
				return &exit{code: exitError}
			case rep.Changed():
				return &exit{code: exitDenied}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&base, "base-policy", "", "the policy before the change (default: the embedded Confect policy)")
	fl.StringVar(&next, "policy", "", "the policy after the change (default: the embedded Confect policy)")
	fl.StringVar(&now, "now", "", "evaluation time, RFC 3339 (default: the current time)")
	fl.StringVarP(&out, "output", "o", "text", "output format: text|json")
	return cmd
}
