package output

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/confect/policyengine/check"
)

// checkTable writes a check report as an aligned table for a person: a row per reason, warning and
// error (and one per allowed activity), with its place, the activity, the outcome, the rule and the
// message; a row per condition specific to a declaration, and the rights every person has once
// after the table (every condition in its row with Options.AllConditions).
func checkTable(w io.Writer, r *check.Report, o Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLACE\tACTIVITY\tDECISION\tRULE\tFIELD\tMESSAGE")
	row := func(file string, line int, activity, decision, rule, path, msg string) {
		rule, path, msg = orDash(Printable(rule)), orDash(Printable(path)), orDash(Printable(msg))
		activity, place := Printable(activity), Printable(file)
		if line > 0 {
			place = fmt.Sprintf("%s:%d", place, line)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", place, activity, decision, rule, path, msg)
	}
	for _, res := range r.Results {
		switch {
		case res.Failed():
			for _, p := range res.Errors {
				row(res.File, p.Line, res.Activity, "error", check.InputRule, pathOrRoot(p.Pointer), p.Message)
			}
		case res.Allow:
			row(res.File, res.Line, res.Activity, "allow", "", "", "")
		default:
			for _, f := range res.Reasons {
				row(res.File, f.Line, res.Activity, "deny", f.Rule, pathOrRoot(f.Path), f.Message)
			}
		}
		for _, f := range res.Warnings {
			row(res.File, f.Line, res.Activity, warningLevel(r, "warning", "warning (fails)"), f.Rule, pathOrRoot(f.Path), f.Message)
		}
		for _, c := range conditions(&res, o.AllConditions) {
			row(res.File, c.Line, res.Activity, "condition", c.Rule, pathOrRoot(c.Path), "requires "+c.Requires)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rs := rights(r, o.AllConditions); len(rs) > 0 {
		fmt.Fprintf(w, "\n%s\n", rightsHeading)
		for _, c := range rs {
			fmt.Fprintf(w, "  %s  requires %s, on %s\n", Printable(c.Rule), Printable(c.Requires), Plural(c.declarations, "declaration"))
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n%s", summary(r.Summary), warningsFail(r))
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
