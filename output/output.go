// Package output renders every report policyengine writes, in the formats a person or a pipeline
// reads: check reports, test reports, what a policy change does (diff), the rule catalogue and a
// rule's explanation, the record of processing activities, the policy's vocabularies, how its
// Fides mapping reads the Fides taxonomy, and the version. The libraries that make the
// reports (check, policytest, impact, ropa) return data only; this package alone renders them.
//
// Each kind of report has one table of its formats, name to renderer, and one function that
// writes it (WriteCheck, WriteTest, ...); the formats a kind has are that table's names
// (Formats). Each format is its own file (text by kind of report: text_check.go, ...). An
// unknown name, or one of a format that does not apply to the kind, is an error naming the
// formats that do (Validate), never a fallback.
package output

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
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

// Kind is a kind of report.
type Kind string

// The kinds of report.
const (
	// Check is a check report (WriteCheck).
	Check Kind = "check"
	// Test is a test report (WriteTest).
	Test Kind = "test"
	// Diff is a policy change's impact (WriteDiff).
	Diff Kind = "diff"
	// Rules is the rule catalogue (WriteRules).
	Rules Kind = "rules"
	// Explain is one rule explained (WriteExplain).
	Explain Kind = "explain"
	// Record is the record of processing activities (WriteRecord).
	Record Kind = "record"
	// Vocabulary is the policy's vocabularies (WriteVocabulary).
	Vocabulary Kind = "vocabulary"
	// FidesMapping is how the policy reads the Fides taxonomy (WriteFidesMapping).
	FidesMapping Kind = "fides-mapping"
	// Version is the version (WriteVersion).
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

// Options tune what a format writes.
type Options struct {
	// Color uses ANSI colours (text only). The CLI sets it on a terminal, unless NO_COLOR is set.
	Color bool
	// AllConditions lists every condition under its declaration in the formats a person reads
	// (text, table, github, sarif), the rights every person has included; by default those are
	// said once for the run. JSON, JUnit and HTML list every condition either way.
	AllConditions bool
}

// ErrUnknownFormat is wrapped by the error for a name that is no format of a kind of report.
var ErrUnknownFormat = errors.New("unknown format")

// table is a kind of report's formats: each name with what renders it.
type table[F any] map[string]F

// names are the table's format names, sorted.
func (t table[F]) names() []string { return slices.Sorted(maps.Keys(t)) }

// get returns the named format, or Validate's error.
func (t table[F]) get(name string) (F, error) {
	f, ok := t[name]
	if !ok {
		return f, unknown(name, t.names())
	}
	return f, nil
}

// render writes a whole report of one kind.
type render[R any] func(w io.Writer, r R, o Options) error

// write renders r in the named format of the table, or returns Validate's error.
func write[R any](t table[render[R]], w io.Writer, name string, r R, o Options) error {
	f, err := t.get(name)
	if err != nil {
		return err
	}
	return f(w, r, o)
}

// The formats of each kind of report: the one place that says which formats a kind has.
var (
	checkFormats = table[checkFormat]{
		"text": streams(startTextCheck), "json": streams(startJSONCheck), "github": streams(startGitHubCheck),
		"sarif": streams(startSARIFCheck), "junit": streams(startJUnitCheck), "table": whole(checkTable), "html": whole(checkHTML),
	}
	testFormats    = table[render[*policytest.Report]]{"text": testText, "json": jsonOf[*policytest.Report], "junit": testJUnit}
	diffFormats    = table[render[*impact.Report]]{"text": diffText, "json": jsonOf[*impact.Report], "html": diffHTML}
	rulesFormats   = table[render[[]policyengine.Rule]]{"text": rulesText, "json": jsonOf[[]policyengine.Rule]}
	explainFormats = table[render[policyengine.Rule]]{"text": explainText}
	recordFormats  = table[render[*ropa.Record]]{
		"json": jsonOf[*ropa.Record], "html": recordHTML, "markdown": recordMarkdown, "csv": recordCSV,
	}
	vocabularyFormats   = table[render[[]policy.Vocabulary]]{"text": vocabularyText, "json": jsonOf[[]policy.Vocabulary]}
	fidesMappingFormats = table[render[*fides.Mapping]]{"text": fidesMappingText, "json": jsonOf[*fides.Mapping]}
	versionFormats      = table[render[VersionInfo]]{"text": versionText, "json": jsonOf[VersionInfo]}
)

// kinds are the tables by kind of report, for what every table answers alike.
var kinds = map[Kind]interface{ names() []string }{
	Check: checkFormats, Test: testFormats, Diff: diffFormats, Rules: rulesFormats, Explain: explainFormats,
	Record: recordFormats, Vocabulary: vocabularyFormats, FidesMapping: fidesMappingFormats, Version: versionFormats,
}

// Formats returns the names of the formats of a kind of report, sorted.
func Formats(kind Kind) []string {
	if t, ok := kinds[kind]; ok {
		return t.names()
	}
	return nil
}

// Validate returns nil when name is a format of the kind of report, else an error wrapping
// ErrUnknownFormat that names the formats which are. A command validates its format name here
// before it does the work the report is of.
func Validate(kind Kind, name string) error {
	names := Formats(kind)
	if slices.Contains(names, name) {
		return nil
	}
	return unknown(name, names)
}

// unknown is the error for a name that is no format of a kind of report.
func unknown(name string, names []string) error {
	return fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, name, strings.Join(names, ", "))
}

// WriteCheck writes a whole check report (policyengine check) in the named format: text, json,
// sarif, junit, github, table or html (which needs the activities: NeedsEntries). StreamCheck
// writes one as its results come.
func WriteCheck(w io.Writer, format string, r *check.Report, o Options) error {
	f, err := checkFormats.get(format)
	if err != nil {
		return err
	}
	return f.write(w, r, o)
}

// CheckStream writes a check report result by result, so that a run need not hold its results:
// Result for each, in the report's order, then End with the report (its summary complete, its
// results left out, as check.Run returns it with check.Options.Results). What it writes is what
// WriteCheck writes for the same report.
type CheckStream interface {
	// Result writes one result.
	Result(r check.Result) error
	// End writes what follows the results.
	End(r *check.Report) error
}

// StreamCheck starts writing a check report to w in the named format, or returns Validate's
// error; head is the report as known before any result (its revision, rules, policy,
// FailOnWarn). A format that can (text, json, github, sarif, junit) writes each result as it
// comes (JUnit a file's suite once its results are in); one that needs every result first (a
// table's widths, a page's picture) keeps them, and writes the report at End.
func StreamCheck(w io.Writer, format string, head *check.Report, o Options) (CheckStream, error) {
	f, err := checkFormats.get(format)
	if err != nil {
		return nil, err
	}
	if f.start == nil {
		return &wholeCheck{w: w, o: o, write: f.write}, nil
	}
	return f.start(w, head, o), nil
}

// checkFormat is a format of a check report: write writes a whole report; start, where the
// format can, begins one written as its results come.
type checkFormat struct {
	write render[*check.Report]
	start func(w io.Writer, head *check.Report, o Options) CheckStream
}

// whole is a format that needs every result of a check report first.
func whole(write render[*check.Report]) checkFormat { return checkFormat{write: write} }

// streams is a format that writes a check report as its results come, and a whole report
// through the same stream: one way to write it, streamed or not.
func streams(start func(w io.Writer, head *check.Report, o Options) CheckStream) checkFormat {
	return checkFormat{start: start, write: func(w io.Writer, r *check.Report, o Options) error {
		s := start(w, r, o)
		for _, res := range r.Results {
			if err := s.Result(res); err != nil {
				return err
			}
		}
		return s.End(r)
	}}
}

// wholeCheck is the stream of a format that needs every result first: it keeps them, and
// writes the report at End.
type wholeCheck struct {
	w       io.Writer
	o       Options
	write   render[*check.Report]
	results []check.Result
}

// Result keeps one result.
func (s *wholeCheck) Result(r check.Result) error {
	s.results = append(s.results, r)
	return nil
}

// End writes the report with the results kept, then those it holds itself.
func (s *wholeCheck) End(r *check.Report) error {
	whole := *r
	if len(s.results) > 0 {
		whole.Results = append(s.results, r.Results...)
	}
	return s.write(s.w, &whole, s.o)
}

// WriteTest writes the outcome of a policy's test suite (policyengine test).
func WriteTest(w io.Writer, format string, r *policytest.Report, o Options) error {
	return write(testFormats, w, format, r, o)
}

// WriteDiff writes what a policy change does to the manifests (policyengine diff).
func WriteDiff(w io.Writer, format string, r *impact.Report, o Options) error {
	return write(diffFormats, w, format, r, o)
}

// WriteRules writes the rule catalogue (policyengine rules).
func WriteRules(w io.Writer, format string, rules []policyengine.Rule, o Options) error {
	return write(rulesFormats, w, format, rules, o)
}

// WriteExplain explains one rule (policyengine explain).
func WriteExplain(w io.Writer, format string, r policyengine.Rule, o Options) error {
	return write(explainFormats, w, format, r, o)
}

// WriteRecord writes the record of processing activities (policyengine ropa).
func WriteRecord(w io.Writer, format string, r *ropa.Record, o Options) error {
	return write(recordFormats, w, format, r, o)
}

// WriteVocabulary writes the policy's vocabularies (policyengine vocabulary).
func WriteVocabulary(w io.Writer, format string, vocabularies []policy.Vocabulary, o Options) error {
	return write(vocabularyFormats, w, format, vocabularies, o)
}

// WriteFidesMapping writes how the policy reads the Fides taxonomy (policyengine vocabulary
// --fides).
func WriteFidesMapping(w io.Writer, format string, m *fides.Mapping, o Options) error {
	return write(fidesMappingFormats, w, format, m, o)
}

// WriteVersion writes the version (policyengine version).
func WriteVersion(w io.Writer, format string, v VersionInfo, o Options) error {
	return write(versionFormats, w, format, v, o)
}

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
