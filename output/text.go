package output

// The text format writes a report for a person, one file per kind of report. A check report
// (text_check.go): grouped by file and activity, each reason on one line with its place, rule,
// message, field and clause, a declaration's conditions under it ("if rule requires ..."; the
// rights every person has once, after the results), and a summary. A test report
// (text_policytest.go): PASS or FAIL per case and per failing Rego test, the coverage tables when
// measured, and the counts. A diff (text_diff.go): each changed activity with the findings added
// (+) and removed (-), then a summary. The rule catalogue and an explanation (text_rules.go): a
// table of the rules; what a rule checks, why, and how to pass it. The vocabularies and the Fides
// mapping (text_vocabulary.go), and the version (text_version.go): a listing each.

const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	dim    = "\x1b[2m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// painter paints text in ANSI colours when true (Options.Color).
type painter bool

// paint wraps s in a colour, when the painter paints.
func (p painter) paint(color, s string) string {
	if !p {
		return s
	}
	return color + s + reset
}
