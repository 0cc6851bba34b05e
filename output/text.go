package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/confect/policyengine/check"
)

// Text writes the report for a person: grouped by file and activity, each reason on one line
// with its place, rule, message, field and clause, a declaration's conditions under it ("if
// rule requires ..."), and a summary.
type Text struct {
	// Color uses ANSI colours.
	Color bool
}

const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	dim    = "\x1b[2m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func (t *Text) paint(color, s string) string {
	if !t.Color {
		return s
	}
	return color + s + reset
}

// Format writes the report.
func (t *Text) Format(w io.Writer, r *check.Report) error {
	bw := bufio.NewWriter(w)
	file := ""
	for i := range r.Results {
		res := &r.Results[i]
		if res.File != file || i == 0 {
			if i > 0 {
				fmt.Fprintln(bw)
			}
			file = res.File
			fmt.Fprintln(bw, t.paint(bold, Printable(file)))
		}
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
		case res.Index < 0: // findings about the file itself
			fmt.Fprintf(bw, "  %s   the file itself\n", t.paint(yellow, "file"))
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
		for _, c := range res.Conditions {
			fmt.Fprintf(bw, "         %s%s%s  requires %s  %s\n", placeIn(c.File, c.Line, c.Column), t.paint(cyan, "if")+" ", t.paint(bold, c.Rule), c.Requires,
				t.paint(dim, "["+pathOrRoot(c.Path)+" · "+c.Clause+"]"))
		}
	}
	if len(r.Results) > 0 {
		fmt.Fprintln(bw)
	}
	s := r.Summary
	parts := []string{
		t.paint(green, fmt.Sprintf("%d allowed", s.Allowed)),
		t.paint(red, fmt.Sprintf("%d denied", s.Denied)),
	}
	if s.Errors > 0 {
		parts = append(parts, t.paint(red, plural(s.Errors, "error")))
	}
	if s.Warnings > 0 {
		parts = append(parts, t.paint(yellow, plural(s.Warnings, "warning")))
	}
	if s.Conditions > 0 {
		parts = append(parts, t.paint(cyan, plural(s.Conditions, "condition")+" to meet per person"))
	}
	rev := r.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	fmt.Fprintf(bw, "%s in %s: %s %s\n", plural(s.Activities, "activity"), plural(s.Files, "file"),
		strings.Join(parts, ", "), t.paint(dim, "(policy "+rev+")"))
	if r.WarningsFail() {
		fmt.Fprintf(bw, "%s: %s fail the run (--fail-on-warn)\n", t.paint(red, "FAILED"), plural(s.Warnings, "warning"))
	}
	return bw.Flush()
}

// finding writes one reason or warning on one line: place, label, rule, message, field and clause.
func (t *Text) finding(w io.Writer, label string, f check.Finding) {
	fmt.Fprintf(w, "         %s%s%s  %s  %s\n", placeIn(f.File, f.Line, f.Column), label, t.paint(bold, Printable(f.Rule)), Printable(f.Message),
		t.paint(dim, "["+Printable(pathOrRoot(f.Path))+" · "+Printable(f.Clause)+"]"))
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

func problem(path, msg string) string {
	if path == "" {
		return Printable(msg)
	}
	return Printable(path) + ": " + Printable(msg)
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
