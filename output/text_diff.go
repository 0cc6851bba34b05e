package output

import (
	"bufio"
	"fmt"
	"io"

	"github.com/confect/policyengine/impact"
)

// diffText writes what a policy change does.
func diffText(w io.Writer, r *impact.Report, _ Options) error {
	bw := bufio.NewWriter(w)
	for _, c := range r.Changes {
		fmt.Fprintf(bw, "%s  %s  %s -> %s\n", fileLine(Printable(c.File), c.Line), Printable(c.Activity), verdict(c.Before), verdict(c.After))
		for _, f := range c.Added {
			fmt.Fprintf(bw, "    + %s\n", describeChange(f))
		}
		for _, f := range c.Removed {
			fmt.Fprintf(bw, "    - %s\n", describeChange(f))
		}
	}
	for _, f := range r.Errors {
		activity := Printable(f.Activity)
		if activity != "" {
			activity += "  "
		}
		fmt.Fprintf(bw, "%s  %scould not be decided: %s\n", fileLine(Printable(f.File), f.Line), activity, Printable(f.Message))
	}
	if len(r.Changes)+len(r.Errors) > 0 {
		fmt.Fprintln(bw)
	}
	s := r.Summary
	fmt.Fprintf(bw, "%s: %d newly denied, %d newly allowed, %d with other reasons", Plural(s.Activities, "activity"), s.NewlyDenied, s.NewlyAllowed, s.OtherReasons)
	if s.Errors > 0 {
		fmt.Fprintf(bw, " (%d could not be decided)", s.Errors)
	}
	fmt.Fprintf(bw, " (policy %s -> %s)\n", shortRevision(r.BaseRevision), shortRevision(r.Revision))
	return bw.Flush()
}

// verdict names a decision in a diff: allow, or DENY.
func verdict(allow bool) string {
	if allow {
		return "allow"
	}
	return "DENY"
}

// describeChange says a finding a change adds or removes in one line: its kind (for a warning or
// a condition), rule, field and message, each Printable.
func describeChange(f impact.Item) string {
	label := ""
	switch f.Kind {
	case "warn":
		label = "warning "
	case "condition":
		label = "condition "
	}
	return fmt.Sprintf("%s%s at %s: %s", label, Printable(f.Rule), Printable(pathOrRoot(f.Path)), Printable(f.Message))
}
