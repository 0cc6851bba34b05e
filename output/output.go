// Package output renders every report policyengine writes, in the formats a person or a pipeline
// reads: check reports, test reports, what a policy change does (diff), the rule catalogue and a
// rule's explanation, the record of processing activities, the policy's vocabularies, how its
// Fides mapping reads the Fides taxonomy, and the version. The libraries that make the
// reports (check, policytest, impact, ropa) return data only; this package alone renders them.
//
// One interface, Formatter, has a method per kind of report; each format is its own file and
// renders the kinds it applies to. For every kind, Formats lists the format names that apply and
// Validate refuses any other: an unknown name is an error, never a fallback.
package output

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/internal/buildinfo"
	"github.com/confect/policyengine/internal/printable"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
	"github.com/confect/policyengine/ropa"
)

// Formatter writes reports in one format: a method per kind of report. A format that does not
// apply to a kind returns an error wrapping ErrUnsupported (Formats(kind) leaves it out).
type Formatter interface {
	// FormatCheck writes a check report (policyengine check).
	FormatCheck(w io.Writer, r *check.Report) error
	// FormatTest writes the outcome of a policy's test suite (policyengine test).
	FormatTest(w io.Writer, r *policytest.Report) error
	// FormatDiff writes what a policy change does to the manifests (policyengine diff).
	FormatDiff(w io.Writer, r *impact.Report) error
	// FormatRules writes the rule catalogue (policyengine rules).
	FormatRules(w io.Writer, rules []policyengine.Rule) error
	// FormatExplain explains one rule (policyengine explain).
	FormatExplain(w io.Writer, r policyengine.Rule) error
	// FormatRecord writes the record of processing activities (policyengine ropa).
	FormatRecord(w io.Writer, r *ropa.Record) error
	// FormatVocabulary writes the policy's vocabularies (policyengine vocabulary).
	FormatVocabulary(w io.Writer, vocabularies []policy.Vocabulary) error
	// FormatFidesMapping writes how the policy reads the Fides taxonomy (policyengine
	// vocabulary --fides).
	FormatFidesMapping(w io.Writer, m *fides.Mapping) error
	// FormatVersion writes the version (policyengine version).
	FormatVersion(w io.Writer, v VersionInfo) error
}

// Kind is a kind of report.
type Kind string

// The kinds of report.
const (
	// Check is a check report (Formatter.FormatCheck).
	Check Kind = "check"
	// Test is a test report (Formatter.FormatTest).
	Test Kind = "test"
	// Diff is a policy change's impact (Formatter.FormatDiff).
	Diff Kind = "diff"
	// Rules is the rule catalogue (Formatter.FormatRules).
	Rules Kind = "rules"
	// Explain is one rule explained (Formatter.FormatExplain).
	Explain Kind = "explain"
	// Record is the record of processing activities (Formatter.FormatRecord).
	Record Kind = "record"
	// Vocabulary is the policy's vocabularies (Formatter.FormatVocabulary).
	Vocabulary Kind = "vocabulary"
	// FidesMapping is how the policy reads the Fides taxonomy (Formatter.FormatFidesMapping).
	FidesMapping Kind = "fides-mapping"
	// Version is the version (Formatter.FormatVersion).
	Version Kind = "version"
)

// VersionInfo is what policyengine version says: the build, as the Go toolchain records it, the
// module and the revision of the policy it decides under.
type VersionInfo struct {
	buildinfo.Info
	// Module is the module path of policyengine.
	Module string `json:"module"`
	// PolicyRevision is the revision of the policy, as every report names it.
	PolicyRevision string `json:"policy_revision"`
}

// Options tune what a formatter writes.
type Options struct {
	// Color uses ANSI colours (text only). The CLI sets it on a terminal, unless NO_COLOR is set.
	Color bool
	// AllConditions lists every condition under its declaration in the formats a person reads
	// (text, table, github, sarif), the rights every person has included; by default those are
	// said once for the run. JSON, JUnit and HTML list every condition either way.
	AllConditions bool
}

// ErrUnknownFormat is wrapped by the error Validate returns for a name that is no format of a
// kind of report.
var ErrUnknownFormat = errors.New("unknown format")

// ErrUnsupported is wrapped by the error a formatter returns for a kind of report its format does
// not apply to.
var ErrUnsupported = errors.New("output: the format does not apply to this kind of report")

// format is a format by name: how to make it, and the kinds of report it applies to.
type format struct {
	make  func(Options) Formatter
	kinds []Kind
}

// formats are every format, with the kinds of report each renders: the one place that says so.
var formats = map[string]format{
	"text":     {func(o Options) Formatter { return &Text{Color: o.Color, AllConditions: o.AllConditions} }, []Kind{Check, Test, Diff, Rules, Explain, Vocabulary, FidesMapping, Version}},
	"json":     {func(Options) Formatter { return JSON{} }, []Kind{Check, Test, Diff, Rules, Record, Vocabulary, FidesMapping, Version}},
	"sarif":    {func(o Options) Formatter { return SARIF{AllConditions: o.AllConditions} }, []Kind{Check}},
	"junit":    {func(Options) Formatter { return JUnit{} }, []Kind{Check, Test}},
	"github":   {func(o Options) Formatter { return GitHub{AllConditions: o.AllConditions} }, []Kind{Check}},
	"table":    {func(o Options) Formatter { return Table{AllConditions: o.AllConditions} }, []Kind{Check}},
	"html":     {func(Options) Formatter { return HTML{} }, []Kind{Check, Diff, Record}},
	"markdown": {func(Options) Formatter { return Markdown{} }, []Kind{Record}},
	"csv":      {func(Options) Formatter { return CSV{} }, []Kind{Record}},
}

// Formats returns the names of the formats that apply to a kind of report, sorted.
func Formats(kind Kind) []string {
	var names []string
	for n, f := range formats {
		if slices.Contains(f.kinds, kind) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Names returns the formats of a check report, sorted: Formats(Check).
func Names() []string { return Formats(Check) }

// Validate returns nil when name is a format of the kind of report, else an error wrapping
// ErrUnknownFormat that names the formats which are. Every command that takes a format name
// validates it here.
func Validate(kind Kind, name string) error {
	if f, ok := formats[name]; ok && slices.Contains(f.kinds, kind) {
		return nil
	}
	return fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, name, strings.Join(Formats(kind), ", "))
}

// For returns the formatter of the given name for a kind of report, or Validate's error.
func For(kind Kind, name string, opts Options) (Formatter, error) {
	if err := Validate(kind, name); err != nil {
		return nil, err
	}
	return formats[name].make(opts), nil
}

// New returns the formatter of the given name for a check report: For(Check, name, opts).
func New(name string, opts Options) (Formatter, error) { return For(Check, name, opts) }

// unsupported is what a format embeds for the kinds of report it does not render: each method
// returns ErrUnsupported.
type unsupported struct{}

// FormatCheck returns ErrUnsupported.
func (unsupported) FormatCheck(io.Writer, *check.Report) error { return ErrUnsupported }

// FormatTest returns ErrUnsupported.
func (unsupported) FormatTest(io.Writer, *policytest.Report) error { return ErrUnsupported }

// FormatDiff returns ErrUnsupported.
func (unsupported) FormatDiff(io.Writer, *impact.Report) error { return ErrUnsupported }

// FormatRules returns ErrUnsupported.
func (unsupported) FormatRules(io.Writer, []policyengine.Rule) error { return ErrUnsupported }

// FormatExplain returns ErrUnsupported.
func (unsupported) FormatExplain(io.Writer, policyengine.Rule) error { return ErrUnsupported }

// FormatRecord returns ErrUnsupported.
func (unsupported) FormatRecord(io.Writer, *ropa.Record) error { return ErrUnsupported }

// FormatVocabulary returns ErrUnsupported.
func (unsupported) FormatVocabulary(io.Writer, []policy.Vocabulary) error { return ErrUnsupported }

// FormatFidesMapping returns ErrUnsupported.
func (unsupported) FormatFidesMapping(io.Writer, *fides.Mapping) error { return ErrUnsupported }

// FormatVersion returns ErrUnsupported.
func (unsupported) FormatVersion(io.Writer, VersionInfo) error { return ErrUnsupported }

// warningLevel is how a format names a warning: usual, or failing when warnings fail the run.
func warningLevel(r *check.Report, usual, failing string) string {
	return levelOf(r.WarningsFail(), usual, failing)
}

// levelOf is warningLevel known before the results: a report with a warning to name has
// warnings, so they fail it exactly when FailOnWarn is set.
func levelOf(fail bool, usual, failing string) string {
	if fail {
		return failing
	}
	return usual
}

// warningsFail is the line a format ends with when warnings failed the run, or "".
func warningsFail(r *check.Report) string {
	if !r.WarningsFail() {
		return ""
	}
	return fmt.Sprintf("FAILED: %s (--fail-on-warn)\n", warningsFailing(r.Summary.Warnings))
}

// warningsFailing says that n warnings fail the run: "1 warning fails the run".
func warningsFailing(n int) string {
	if n == 1 {
		return "1 warning fails the run"
	}
	return Plural(n, "warning") + " fail the run"
}

// summary says what a report holds in one line, as the machine-readable formats end.
func summary(s check.Summary) string {
	return fmt.Sprintf("%s in %s: %d allowed, %d denied, %s, %s, %s", Plural(s.Activities, "activity"), Plural(s.Files, "file"),
		s.Allowed, s.Denied, Plural(s.Errors, "error"), Plural(s.Warnings, "warning"), Plural(s.Conditions, "condition"))
}

// shortRevision is a policy revision as the reports name it: its first 12 characters.
func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// oneLine puts a text that may hold line breaks on one line (a line break or tab becomes a
// space), then makes it Printable: for a table cell, which a line break would end.
func oneLine(s string) string {
	return Printable(lineBreaks.Replace(s))
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// Printable renders a value from a manifest or its name (a file name, an id, a key in a JSON
// pointer, a message) for the human formats: as it is when every character is graphic, else
// quoted with Go's escapes, so that no newline, carriage return, NUL, ANSI escape or
// bidirectional control reaches a terminal or a CI log raw. A value holding "::" is quoted too:
// at the start of a line, a CI log (GitHub Actions) would read it as a workflow command.
func Printable(s string) string { return printable.String(s) }

// CheckStream writes a check report result by result, so that a run need not hold its results:
// Result for each, in the report's order, then End with the report (its summary complete, its
// results left out). What it writes is what FormatCheck writes for the same report.
type CheckStream interface {
	// Result writes one result.
	Result(r check.Result) error
	// End writes what follows the results.
	End(r *check.Report) error
}

// StreamCheck starts writing a check report to w result by result, in a format that can (ok);
// head is the report as known before any result (its revision, rules, policy, FailOnWarn);
// a format that needs every result first (a table's widths, a page's picture, counts in a
// header) returns false, and is given the whole report through FormatCheck.
func StreamCheck(f Formatter, w io.Writer, head *check.Report) (s CheckStream, ok bool) {
	if st, ok := f.(checkStreamer); ok {
		return st.streamCheck(w, head), true
	}
	return nil, false
}

type checkStreamer interface {
	streamCheck(w io.Writer, head *check.Report) CheckStream
}

// formatStreamed writes a whole report through a stream: one way to write it, streamed or not.
func formatStreamed(s CheckStream, r *check.Report) error {
	for _, res := range r.Results {
		if err := s.Result(res); err != nil {
			return err
		}
	}
	return s.End(r)
}
