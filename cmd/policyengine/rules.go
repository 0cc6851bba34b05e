package main

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policy"
)

const rulesLong = `List the policy's rules: every rule that can deny or warn, with its id, title, the clause
of the policy it enforces, and what it checks. The catalogue comes from the rules' METADATA
and the policy document; the Fides import's own findings (fides.*) follow it.`

func newRulesCmd(e env) *cobra.Command {
	var policyDir, out string
	cmd := &cobra.Command{
		Use:   "rules [--policy DIR] [-o text|json]",
		Short: "List the policy's rules and the clauses they enforce",
		Long:  rulesLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			engine, err := readPolicy(cmd, policyDir, out)
			if err != nil {
				return err
			}
			// The policy's rules, then the Fides import's own findings (fides.*).
			rules := append(engine.Rules(), fides.Rules(engine.Policy())...)
			formatter, err := output.For(output.Rules, out, output.Options{})
			if err != nil {
				return usageError("--output: %v", err)
			}
			return formatter.FormatRules(e.stdout, rules)
		},
	}
	policyReaderFlags(cmd, &policyDir, &out)
	return cmd
}

const explainLong = `Explain a rule: what it checks, why (the clause of the policy it enforces, quoted), and what a
manifest must change to pass it.`

func newExplainCmd(e env) *cobra.Command {
	var policyDir string
	cmd := &cobra.Command{
		Use:     "explain [--policy DIR] RULE",
		Short:   "Explain a rule: what it checks, why, and how to pass it",
		Long:    explainLong,
		Example: "  policyengine explain transfer.without_scc",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			engine, err := newEngine(cmd, policyDir)
			if err != nil {
				return err
			}
			r, ok := engine.Rule(args[0])
			for _, fr := range fides.Rules(engine.Policy()) { // the Fides import's own findings
				if !ok && fr.ID == args[0] {
					r, ok = fr, true
				}
			}
			if !ok {
				return usageError("no rule %q in the policy%s (policyengine rules lists them)", args[0], nearRules(engine.Rules(), args[0]))
			}
			return (&output.Text{}).FormatExplain(e.stdout, r)
		},
	}
	cmd.Flags().StringVar(&policyDir, "policy", "", "policy directory (default: the embedded Confect policy)")
	return cmd
}

// loadPolicy loads the policy in dir, or the embedded Confect policy when dir is empty.
func loadPolicy(dir string) (*policy.Policy, error) {
	if dir == "" {
		return policy.Default(), nil
	}
	p, err := policy.LoadDir(dir)
	if err != nil {
		return nil, &exit{code: exitError, err: err}
	}
	return p, nil
}

// newEngine prepares the engine for a command that only reads the policy: --policy DIR, else the
// project config file's policy, else the embedded one.
func newEngine(cmd *cobra.Command, policyDir string) (*policyengine.Engine, error) {
	if policyDir == "" {
		c, err := findConfig("")
		if err != nil {
			return nil, err
		}
		policyDir = c.rel(c.Policy)
	}
	var opts []policyengine.Option
	if policyDir != "" {
		opts = append(opts, policyengine.WithPolicyDir(policyDir))
	}
	engine, err := policyengine.New(cmd.Context(), opts...)
	if err != nil {
		return nil, &exit{code: exitError, err: err}
	}
	return engine, nil
}

// readPolicy prepares the engine for a command that prints what the policy holds, as text or
// JSON (--output).
func readPolicy(cmd *cobra.Command, policyDir, out string) (*policyengine.Engine, error) {
	if err := output.Validate(output.Rules, out); err != nil {
		return nil, usageError("--output: %v", err)
	}
	return newEngine(cmd, policyDir)
}

// policyReaderFlags adds the flags of a command that prints what the policy holds.
func policyReaderFlags(cmd *cobra.Command, policyDir, out *string) {
	cmd.Flags().StringVar(policyDir, "policy", "", "policy directory (default: the project config file's, else the embedded Confect policy)")
	cmd.Flags().StringVarP(out, "output", "o", "text", "output format: "+strings.Join(output.Formats(output.Rules), "|"))
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
