package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/internal/encode"
	"github.com/confect/policyengine/internal/suggest"
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
			engine, err := readPolicy(cmd, f, out)
			if err != nil {
				return err
			}
			// The policy's rules, then the Fides import's own findings (fides.*).
			rules := append(engine.Rules(), fides.Rules(engine.Policy())...)
			if out == "json" {
				return encode.JSON(e.stdout, rules)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RULE\tKIND\tTITLE\tCLAUSE")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Title, r.Clause)
			}
			return tw.Flush()
		},
	}
	addReaderFlags(cmd, &f, &out)
	return cmd
}

const explainLong = `Explain a rule: what it checks, why (the clause of the policy it enforces, quoted), and what a
manifest must change to pass it.`

func newExplainCmd(e env) *cobra.Command {
	var f engineFlags
	cmd := &cobra.Command{
		Use:     "explain [--policy DIR] RULE",
		Short:   "Explain a rule: what it checks, why, and how to pass it",
		Long:    explainLong,
		Example: "  policyengine explain transfer.without_scc",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			engine, err := newEngine(cmd.Context(), f)
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
				return fmt.Errorf("no rule %q in the policy%s (policyengine rules lists them)", args[0], nearRules(engine.Rules(), args[0]))
			}
			kind := "denies"
			if r.Kind == "warn" {
				kind = "warns (never denies)"
			}
			w := e.stdout
			fmt.Fprintf(w, "%s: %s\n\n", r.ID, r.Title)
			fmt.Fprintf(w, "What it checks (it %s)\n%s\n\n", kind, indent(wrap(r.Description, 88)))
			fmt.Fprintf(w, "Why: the policy, %s\n%s\n\n", r.Clause, indent(wrap("\""+r.ClauseText+"\"", 88)))
			if r.Remedy != "" {
				fmt.Fprintf(w, "To pass\n%s\n\n", indent(wrap(r.Remedy, 88)))
			}
			if r.File == "" {
				fmt.Fprintf(w, "Source: the %s reader (Go)\n", r.Package)
				return nil
			}
			fmt.Fprintf(w, "Source: %s:%d (%s)\n", r.File, r.Line, strings.TrimPrefix(r.Package, "data."))
			return nil
		},
	}
	addPolicyFlags(cmd, &f)
	return cmd
}

// readerFormats are the formats of a command that prints what the policy holds.
func readerFormats() []string { return []string{"text", "json"} }

// readPolicy prepares the engine for a command that prints what the policy holds, as text or
// JSON (--output).
func readPolicy(cmd *cobra.Command, f engineFlags, out string) (*policyengine.Engine, error) {
	if out != "text" && out != "json" {
		return nil, fmt.Errorf("--output: unknown format %q (want text or json)", out)
	}
	return newEngine(cmd.Context(), f)
}

// addReaderFlags adds the flags of a command that prints what the policy holds.
func addReaderFlags(cmd *cobra.Command, f *engineFlags, out *string) {
	addPolicyFlags(cmd, f)
	addOutputFlag(cmd, out, readerFormats())
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

func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func indent(text string) string {
	return "  " + strings.ReplaceAll(text, "\n", "\n  ")
}
