package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/output"
)

const rulesLong = `List the policy's rules: every rule that can deny or warn, with its id, title, the clause
of the policy it enforces, and what it checks. The catalogue comes from the rules' METADATA
and the policy document; the Fides import's own findings (fides.*) follow it.`

func newRulesCmd(e env) *cobra.Command {
	var f engineFlags
	var out string
	cmd := &cobra.Command{
		Use:   "rules [--policy DIR] [-o text|json]",
		Short: "List the policy's rules and the clauses they enforce",
		Long:  rulesLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			engine, err := readPolicy(cmd, e, &f, output.Rules, out)
			if err != nil {
				return err
			}
			// The policy's rules, then the Fides import's own findings (fides.*).
			return output.WriteRules(e.stdout, out, check.Rules(engine), output.Options{})
		},
	}
	addReaderFlags(cmd, &f, &out, output.Rules)
	return cmd
}

const explainLong = `Explain a rule: what it checks, why (the clause of the policy it enforces, quoted), and what a
manifest must change to pass it.`

func newExplainCmd(e env) *cobra.Command {
	var f engineFlags
	var out string
	cmd := &cobra.Command{
		Use:     "explain [--policy DIR] [-o text] RULE",
		Short:   "Explain a rule: what it checks, why, and how to pass it",
		Long:    explainLong,
		Example: "  policyengine explain transfer.without_scc",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			engine, err := readPolicy(cmd, e, &f, output.Explain, out)
			if err != nil {
				return err
			}
			r, ok := engine.Rule(args[0])
			for _, fr := range fides.Rules(engine.Document()) { // the Fides import's own findings
				if !ok && fr.ID == args[0] {
					r, ok = fr, true
				}
			}
			if !ok {
				return fmt.Errorf("no rule %q in the policy%s (policyengine rules lists them)", args[0], nearRules(engine.Rules(), args[0]))
			}
			return output.WriteExplain(e.stdout, out, r, output.Options{})
		},
	}
	addReaderFlags(cmd, &f, &out, output.Explain)
	return cmd
}

// readPolicy prepares the engine for a command that prints what the policy holds, once it has
// checked that --output names a format of that kind of report.
func readPolicy(cmd *cobra.Command, e env, f *engineFlags, kind output.Kind, out string) (*policyengine.Engine, error) {
	if err := output.Validate(kind, out); err != nil {
		return nil, fmt.Errorf("--output: %w", err)
	}
	return e.engine(cmd.Context(), f)
}

// addReaderFlags adds the flags of a command that prints what the policy holds, as a kind of
// report.
func addReaderFlags(cmd *cobra.Command, f *engineFlags, out *string, kind output.Kind) {
	addPolicyFlags(cmd, f)
	addOutputFlag(cmd, out, kind)
}

// nearRules names the rule whose id is a near miss of the one asked for, or else those whose ids
// share a part with it.
func nearRules(rules []policyengine.Rule, id string) string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	near := suggest.Nearest(id, ids) // a near miss says enough
	if len(near) == 0 {
		for _, r := range rules {
			for _, part := range strings.FieldsFunc(id, func(c rune) bool { return c == '.' || c == '_' }) {
				if len(part) > 2 && strings.Contains(r.ID, part) {
					near = append(near, r.ID)
					break
				}
			}
		}
	}
	if len(near) == 0 {
		return ""
	}
	sort.Strings(near)
	return "; did you mean " + strings.Join(near, ", ") + "?"
}
