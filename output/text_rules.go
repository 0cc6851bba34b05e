package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/confect/policyengine"
)

// rulesText writes the rule catalogue as a table: id, kind, title and clause.
func rulesText(w io.Writer, rules []policyengine.Rule, _ Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tKIND\tTITLE\tCLAUSE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", Printable(r.ID), r.Kind, Printable(r.Title), Printable(r.Clause))
	}
	return tw.Flush()
}

// explainText explains a rule: what it checks, why (its clause, quoted), how to pass it, and
// where it is written.
func explainText(w io.Writer, r policyengine.Rule, _ Options) error {
	bw := bufio.NewWriter(w)
	kind := "denies"
	if r.Kind == "warn" {
		kind = "warns (never denies)"
	}
	fmt.Fprintf(bw, "%s: %s\n\n", Printable(r.ID), Printable(r.Title))
	fmt.Fprintf(bw, "What it checks (it %s)\n%s\n\n", kind, indent(wrap(r.Description, 88)))
	fmt.Fprintf(bw, "Why: the policy, %s\n%s\n\n", Printable(r.Clause), indent(wrap("\""+r.ClauseText+"\"", 88)))
	if r.Remedy != "" {
		fmt.Fprintf(bw, "To pass\n%s\n\n", indent(wrap(r.Remedy, 88)))
	}
	if r.File == "" {
		fmt.Fprintf(bw, "Source: the %s reader (Go)\n", Printable(r.Package))
	} else {
		fmt.Fprintf(bw, "Source: %s (%s)\n", fileLine(Printable(r.File), r.Line), Printable(strings.TrimPrefix(r.Package, "data.")))
	}
	return bw.Flush()
}

// wrap breaks text into lines of at most width characters, at spaces (a longer word stands
// alone). Each word is Printable, so that no line it makes starts a workflow command.
func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		word = Printable(word)
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
