package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
)

// startTextCheck begins a check report in text, written as the results come.
func startTextCheck(w io.Writer, _ *check.Report, o Options) CheckStream {
	return &textCheck{t: painter(o.Color), bw: bufio.NewWriter(w), rights: rightsTally{all: o.AllConditions}}
}

// textCheck writes a check report's results as they come, a file's name before its first, and
// the rights every person has after them.
type textCheck struct {
	t      painter
	bw     *bufio.Writer
	file   string
	n      int
	rights rightsTally
}

// Result writes one result: its file's name first when it starts a file, its verdict, then its
// findings, carried fields and conditions a line each.
func (tc *textCheck) Result(r check.Result) error {
	t, bw, res := tc.t, tc.bw, &r
	if res.File != tc.file || tc.n == 0 {
		if tc.n > 0 {
			fmt.Fprintln(bw)
		}
		tc.file = res.File
		fmt.Fprintln(bw, t.paint(bold, Printable(tc.file)))
	}
	tc.n++
	name := Printable(res.Activity)
	if name == "" && res.Index >= 0 {
		name = fmt.Sprintf("(activity %d, no id)", res.Index+1)
	}
	switch {
	case res.Failed():
		if res.Index < 0 {
			fmt.Fprintf(bw, "  %s  the file could not be read\n", t.paint(red, "ERROR"))
		} else {
			fmt.Fprintf(bw, "  %s  %s\n", t.paint(red, "ERROR"), name)
		}
		for _, p := range res.Errors {
			fmt.Fprintf(bw, "         %s%s\n", placeIn(p.File, p.Line, p.Column), problem(p.Pointer, p.Message))
		}
	case res.Index < 0: // findings about the file itself, or (drift) at a line of it
		what := "the file itself"
		if name != "" {
			what = name
		}
		fmt.Fprintf(bw, "  %s   %s\n", t.paint(yellow, "file"), what)
		for _, f := range res.Reasons {
			t.finding(bw, "", f)
		}
	case res.Allow:
		fmt.Fprintf(bw, "  %s  %s\n", t.paint(green, "allow"), name)
	default:
		fmt.Fprintf(bw, "  %s   %s\n", t.paint(red, "DENY"), name)
		for _, f := range res.Reasons {
			t.finding(bw, "", f)
		}
	}
	for _, f := range res.Warnings {
		t.finding(bw, t.paint(yellow, "warning")+" ", f)
	}
	for _, c := range res.Carried {
		fmt.Fprintf(bw, "         %s%s %s: %s  %s\n", placeIn(c.File, c.Line, c.Column), t.paint(dim, "carried"), Printable(c.Field), Printable(c.Value),
			t.paint(dim, "[Fides, not judged]"))
	}
	for _, c := range tc.rights.listed(res) {
		fmt.Fprintf(bw, "         %s%s%s  requires %s  %s\n", placeIn(c.File, c.Line, c.Column), t.paint(cyan, "if")+" ", t.paint(bold, Printable(c.Rule)), Printable(c.Requires),
			t.paint(dim, "["+Printable(pathOrRoot(c.Path))+" · "+Printable(c.Clause)+"]"))
	}
	tc.rights.add(res)
	return nil
}

// End writes the rights every person has, once, and the summary.
func (tc *textCheck) End(r *check.Report) error {
	t, bw := tc.t, tc.bw
	if tc.n > 0 {
		fmt.Fprintln(bw)
	}
	if rs := tc.rights.rights; len(rs) > 0 {
		fmt.Fprintln(bw, rightsHeading)
		for _, c := range rs {
			fmt.Fprintf(bw, "         %s%s  requires %s, on %s  %s\n", t.paint(cyan, "if")+" ", t.paint(bold, Printable(c.Rule)), Printable(c.Requires),
				Plural(c.declarations, "declaration"), t.paint(dim, "["+Printable(c.Clause)+"]"))
		}
		fmt.Fprintln(bw)
	}
	s := r.Summary
	parts := []string{
		t.paint(green, fmt.Sprintf("%d allowed", s.Allowed)),
		t.paint(red, fmt.Sprintf("%d denied", s.Denied)),
	}
	if s.Errors > 0 {
		parts = append(parts, t.paint(red, Plural(s.Errors, "error")))
	}
	if s.Warnings > 0 {
		parts = append(parts, t.paint(yellow, Plural(s.Warnings, "warning")))
	}
	if s.Conditions > 0 {
		parts = append(parts, t.paint(cyan, Plural(s.Conditions, "condition")+" to meet per person"))
	}
	fmt.Fprintf(bw, "%s in %s: %s %s\n", Plural(s.Activities, "activity"), Plural(s.Files, "file"),
		strings.Join(parts, ", "), t.paint(dim, "(policy "+shortRevision(r.Revision)+")"))
	if r.WarningsFail() {
		fmt.Fprintf(bw, "%s: %s (--fail-on-warn)\n", t.paint(red, "FAILED"), warningsFailing(s.Warnings))
	}
	return bw.Flush()
}

// finding writes one reason or warning on one line: place, label, rule, message, field and clause.
func (p painter) finding(w io.Writer, label string, f finding.Finding) {
	fmt.Fprintf(w, "         %s%s%s  %s  %s\n", placeIn(f.File, f.Line, f.Column), label, p.paint(bold, Printable(f.Rule)), Printable(f.Message),
		p.paint(dim, "["+Printable(pathOrRoot(f.Path))+" · "+Printable(f.Clause)+"]"))
}

// placeIn is place, preceded by the file when a finding stands in another file than its
// result's (a Fides category from a dataset file).
func placeIn(file string, line, col int) string {
	if file == "" {
		return place(line, col)
	}
	if line <= 0 {
		return Printable(file) + "  "
	}
	return fmt.Sprintf("%s:%d:%d  ", Printable(file), line, col)
}

func place(line, col int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf("%-7s", fmt.Sprintf("%d:%d", line, col))
}
