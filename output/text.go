package output

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
)

// Text writes a report for a person. A check report: grouped by file and activity, each reason
// on one line with its place, rule, message, field and clause, a declaration's conditions under
// it ("if rule requires ..."; the rights every person has once, after the results), and a
// summary. A test report: PASS or FAIL per case and per
// failing Rego test, the coverage tables when measured, and the counts. A diff: each changed
// activity with the findings added (+) and removed (-), then a summary. The rule catalogue: a
// table of the rules. An explanation: what a rule checks, why, and how to pass it. The
// vocabularies, the Fides mapping and the version: a listing each.
type Text struct {
	unsupported
	// Color uses ANSI colours (check reports).
	Color bool
	// AllConditions lists every condition under its declaration, the rights every person has
	// included (check reports).
	AllConditions bool
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

// FormatCheck writes a check report.
func (t *Text) FormatCheck(w io.Writer, r *check.Report) error {
	return formatStreamed(t.streamCheck(w, r), r)
}

func (t *Text) streamCheck(w io.Writer, _ *check.Report) CheckStream {
	return &textCheck{t: t, bw: bufio.NewWriter(w), rights: rightsTally{all: t.AllConditions}}
}

// textCheck writes a check report's results as they come, a file's name before its first, and
// the rights every person has after them.
type textCheck struct {
	t      *Text
	bw     *bufio.Writer
	file   string
	n      int
	rights rightsTally
}

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
	for _, c := range conditions(res, t.AllConditions) {
		fmt.Fprintf(bw, "         %s%s%s  requires %s  %s\n", placeIn(c.File, c.Line, c.Column), t.paint(cyan, "if")+" ", t.paint(bold, Printable(c.Rule)), Printable(c.Requires),
			t.paint(dim, "["+Printable(pathOrRoot(c.Path))+" · "+Printable(c.Clause)+"]"))
	}
	tc.rights.add(res)
	return nil
}

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

// Plural counts a word: "1 activity", "2 activities", "0 files".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// FormatTest writes a test report.
func (*Text) FormatTest(w io.Writer, r *policytest.Report) error {
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

// FormatDiff writes what a policy change does.
func (*Text) FormatDiff(w io.Writer, r *impact.Report) error {
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
func describeChange(f impact.Finding) string {
	label := ""
	switch f.Kind {
	case "warn":
		label = "warning "
	case "condition":
		label = "condition "
	}
	return fmt.Sprintf("%s%s at %s: %s", label, Printable(f.Rule), Printable(pathOrRoot(f.Path)), Printable(f.Message))
}

// FormatRules writes the rule catalogue as a table: id, kind, title and clause.
func (*Text) FormatRules(w io.Writer, rules []policyengine.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tKIND\tTITLE\tCLAUSE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", Printable(r.ID), r.Kind, Printable(r.Title), Printable(r.Clause))
	}
	return tw.Flush()
}

// FormatExplain explains a rule: what it checks, why (its clause, quoted), how to pass it, and
// where it is written.
func (*Text) FormatExplain(w io.Writer, r policyengine.Rule) error {
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

func indent(text string) string {
	return "  " + strings.ReplaceAll(text, "\n", "\n  ")
}

// FormatVocabulary writes the policy's vocabularies: each with its title, the fields its terms go
// in and its note, then a line per term with its group, GDPR article or legal bases, and
// description.
func (*Text) FormatVocabulary(w io.Writer, vocabularies []policy.Vocabulary) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, v := range vocabularies {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\n", Printable(v.Title))
		fmt.Fprintf(tw, "  %s in %s\n", v.Name, strings.Join(v.Fields, ", "))
		if v.Note != "" {
			fmt.Fprintf(tw, "  %s\n", Printable(v.Note))
		}
		for _, t := range v.Terms {
			extra := t.Group
			if t.Article > 0 {
				extra = fmt.Sprintf("art. %d", t.Article)
			}
			if len(t.LegalBases) > 0 {
				extra = strings.Join(t.LegalBases, ", ")
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", Printable(t.Term), Printable(extra), Printable(t.Description))
		}
	}
	return tw.Flush()
}

// FormatFidesMapping writes how the policy reads the Fides taxonomy: per kind, a line per key
// with what it resolves to (and the ancestor whose entry it takes), then the legal bases, the
// transfer bases and the taxonomy's attribution.
func (*Text) FormatFidesMapping(w io.Writer, m *fides.Mapping) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range m.Kinds {
		fmt.Fprintf(tw, "Fides %s → the policy's %s\n", strings.ReplaceAll(k.Kind, "_", " "), fidesVocabulary(k.Kind))
		for _, r := range k.Keys {
			from := ""
			if r.Mapped && r.From != r.Key {
				from = "  (as " + r.From + ")"
			}
			fmt.Fprintf(tw, "    %s\t%s%s\n", r.Key, describeEntry(r), from)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "Fides legal bases → the policy's legal bases\n")
	for _, b := range slices.Sorted(maps.Keys(m.LegalBases)) {
		fmt.Fprintf(tw, "    %s\t%s\n", b, m.LegalBases[b])
	}
	fmt.Fprintf(tw, "\nFides legal bases for transfers → transfer safeguards\n")
	for _, b := range slices.Sorted(maps.Keys(m.TransferBases)) {
		fmt.Fprintf(tw, "    %s\t%s\n", b, m.TransferBases[b])
	}
	if m.Attribution != "" {
		fmt.Fprintf(tw, "\n%s\n", m.Attribution)
	}
	return tw.Flush()
}

// fidesVocabulary names the policy's vocabulary a kind of Fides key maps to.
func fidesVocabulary(kind string) string {
	switch kind {
	case "data_uses":
		return "purposes"
	case "data_categories":
		return "data categories"
	case "data_subjects":
		return "data subjects"
	}
	return ""
}

// describeEntry says what a Fides key resolves to: the terms (and the channel, profiling or
// recipient a data use implies), not personal data, not in this policy, or unmapped.
func describeEntry(r fides.Resolution) string {
	switch {
	case !r.Mapped:
		return "unmapped: read as a term outside the policy (add an entry to fides_mapping)"
	case r.Entry.NotPersonalData:
		return "not personal data"
	case r.Entry.NotInPolicy:
		return "not in this policy: refused"
	}
	s := strings.Join(r.Entry.To, ", ")
	if r.Entry.Channel != nil {
		s += "; channel " + r.Entry.Channel.Type + " (" + r.Entry.Channel.Content + ")"
	}
	if r.Entry.Profiling {
		s += "; profiling"
	}
	if r.Entry.Recipient != "" {
		s += "; recipient " + r.Entry.Recipient
	}
	return s
}

// FormatVersion writes the version: the build in one line, then the module, the commit (when
// known), the Go version and the policy revision.
func (*Text) FormatVersion(w io.Writer, v VersionInfo) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "policyengine %s\n", v.Info)
	fmt.Fprintf(bw, "  module    %s %s\n", v.Module, v.Version)
	if v.Revision != "" {
		fmt.Fprintf(bw, "  commit    %s %s\n", v.Revision, v.Time)
	}
	fmt.Fprintf(bw, "  go        %s\n", v.Go)
	fmt.Fprintf(bw, "  policy    %s\n", v.PolicyRevision)
	return bw.Flush()
}
