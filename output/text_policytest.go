package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/confect/policyengine/policytest"
)

// testText writes a test report.
func testText(w io.Writer, r *policytest.Report, _ Options) error {
	bw := bufio.NewWriter(w)
	for _, c := range r.Cases {
		verdict := "PASS"
		if !c.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(bw, "%s  %s  %s\n", verdict, fileLine(Printable(c.File), c.Line), Printable(c.Name))
		if !c.Passed {
			for _, f := range c.Failures {
				fmt.Fprintf(bw, "        %s\n", printableLines(f, "        "))
			}
			if c.Err == "" {
				fmt.Fprintf(bw, "        got: %s\n", printableLines(c.Got(), "        "))
			}
		}
	}
	for _, t := range r.Rego {
		if !t.Passed {
			fmt.Fprintf(bw, "FAIL  %s  %s\n        %s\n", fileLine(Printable(t.File), t.Line), Printable(t.Name), printableLines(t.Failure, "        "))
		}
	}
	if c := r.Coverage; c != nil {
		if err := coverage(bw, c); err != nil {
			return err
		}
	}
	s := r.Summary
	fmt.Fprintf(bw, "\ncases: %d passed, %d failed; Rego tests: %d passed, %d failed\n",
		s.Cases-s.CasesFailed, s.CasesFailed, s.Rego-s.RegoFailed, s.RegoFailed)
	fmt.Fprintln(bw, regoRan(r.Rego))
	return bw.Flush()
}

// coverage writes a test report's coverage: a table of rules, one of clauses, one of Rego files
// when measured, the percentages, and what is left uncovered.
func coverage(bw *bufio.Writer, c *policytest.Coverage) error {
	fmt.Fprintln(bw)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tKIND\tFIRES\tHELD BACK\tCOVERED")
	for _, rc := range c.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", Printable(rc.ID), rc.Kind, rc.Fires, rc.HeldBack, yes(rc.Covered))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(bw)
	tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLAUSE\tSECTION\tFIRES\tHELD BACK\tCOVERED")
	for _, cc := range c.Clauses {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", Printable(cc.ID), Printable(cc.Section), yes(cc.Fires), yes(cc.HeldBack), yes(cc.Covered))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var lines []string // one entry per file: "file: 12, 14-16"
	if c.Rego != nil {
		fmt.Fprintln(bw)
		tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REGO FILE\tLINES\tCOVERED\tPERCENT")
		for _, f := range c.Rego.Files {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f%%\n", Printable(f.File), f.Covered+f.NotCovered, f.Covered, f.Percent)
			if len(f.Uncovered) > 0 {
				lines = append(lines, Printable(f.File)+": "+strings.Join(f.Uncovered, ", "))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	rules, clauses := c.Uncovered()
	fmt.Fprintf(bw, "\ncoverage: rules %.1f%%, clauses %.1f%%", c.RulesPercent, c.ClausesPercent)
	if c.Rego != nil {
		fmt.Fprintf(bw, ", Rego lines %.1f%%", c.Rego.Percent)
	}
	fmt.Fprintln(bw)
	if len(rules) > 0 {
		fmt.Fprintf(bw, "uncovered rules: %s\n", strings.Join(printables(rules), ", "))
	}
	if len(clauses) > 0 {
		fmt.Fprintf(bw, "uncovered clauses: %s\n", strings.Join(printables(clauses), ", "))
	}
	if len(lines) > 0 {
		fmt.Fprintf(bw, "uncovered Rego lines:\n    %s\n", strings.Join(lines, "\n    "))
	}
	return nil
}

// regoRan says which Rego tests ran: the built-in rules' and the policy's own.
func regoRan(tests []policytest.RegoResult) string {
	builtin, own := 0, 0
	for _, t := range tests {
		if t.Builtin() {
			builtin++
		} else {
			own++
		}
	}
	switch {
	case builtin == 0 && own == 0:
		return "no Rego test ran (--builtin-tests runs the built-in rules' tests against the policy's document)"
	case own == 0:
		return fmt.Sprintf("Rego tests run: %d of the built-in rules, against the policy's document", builtin)
	case builtin == 0:
		return fmt.Sprintf("Rego tests run: %d of the policy's own (--builtin-tests adds the built-in rules')", own)
	}
	return fmt.Sprintf("Rego tests run: %d of the built-in rules and %d of the policy's own, against its document", builtin, own)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// printableLines makes each line of a text of several lines (a failure, with what was got and
// expected) Printable, and joins them again with indent before each line after the first.
func printableLines(text, indent string) string {
	return strings.Join(printables(strings.Split(text, "\n")), "\n"+indent)
}

// printables makes each of a list Printable.
func printables(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = Printable(s)
	}
	return out
}
