package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
	"github.com/confect/policyengine/ropa"
)

// JSON writes a report as one indented JSON object, its fields as the report's types name them.
// A check report (the report format the README describes): {"results": [{"file", "activity",
// "allow", "reasons", "warnings", ...}], "summary": {"activities", "allowed", "denied",
// "errors", ...}, "revision"}; reasons carry their line and column. A test report: {"cases",
// "rego", "coverage", "summary"}. A diff: {"base_revision", "revision", "changes", "errors",
// "summary"}. The rule catalogue: an array of rules. A record: schema/ropa.schema.json. The
// vocabularies: an array of {"name", "title", "fields", "terms", ...}. The Fides mapping:
// {"attribution", "kinds", "legal_bases", "transfer_bases"}. The version: {"version", "revision",
// "time", "modified", "go", "module", "policy_revision"}.
type JSON struct{ unsupported }

// FormatCheck writes a check report.
func (j JSON) FormatCheck(w io.Writer, r *check.Report) error {
	return formatStreamed(j.streamCheck(w, r), r)
}

// streamCheck writes the report's object as writeJSON would, its results one at a time.
func (JSON) streamCheck(w io.Writer, _ *check.Report) CheckStream { return &jsonCheck{w: w} }

type jsonCheck struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
}

func (j *jsonCheck) Result(r check.Result) error {
	j.buf.Reset()
	if j.n == 0 {
		j.buf.WriteString("{\n  \"results\": [\n    ")
	} else {
		j.buf.WriteString(",\n    ")
	}
	j.n++
	enc := json.NewEncoder(&j.buf)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	j.buf.Truncate(j.buf.Len() - 1) // the encoder's newline
	_, err := j.w.Write(j.buf.Bytes())
	return err
}

func (j *jsonCheck) End(r *check.Report) error {
	rest := *r
	rest.Results = []check.Result{}
	var b bytes.Buffer
	if err := writeJSON(&b, &rest); err != nil {
		return err
	}
	const empty = "{\n  \"results\": []"
	tail, ok := bytes.CutPrefix(b.Bytes(), []byte(empty))
	if !ok {
		return errors.New("output: a check report's JSON does not begin with its results")
	}
	if j.n == 0 {
		_, err := j.w.Write(b.Bytes())
		return err
	}
	if _, err := io.WriteString(j.w, "\n  ]"); err != nil {
		return err
	}
	_, err := j.w.Write(tail)
	return err
}

// FormatTest writes a test report.
func (JSON) FormatTest(w io.Writer, r *policytest.Report) error { return writeJSON(w, r) }

// FormatDiff writes what a policy change does.
func (JSON) FormatDiff(w io.Writer, r *impact.Report) error { return writeJSON(w, r) }

// FormatRules writes the rule catalogue.
func (JSON) FormatRules(w io.Writer, rules []policyengine.Rule) error { return writeJSON(w, rules) }

// FormatRecord writes the record of processing activities.
func (JSON) FormatRecord(w io.Writer, r *ropa.Record) error { return writeJSON(w, r) }

// FormatVocabulary writes the policy's vocabularies.
func (JSON) FormatVocabulary(w io.Writer, vocabularies []policy.Vocabulary) error {
	return writeJSON(w, vocabularies)
}

// FormatFidesMapping writes how the policy reads the Fides taxonomy.
func (JSON) FormatFidesMapping(w io.Writer, m *fides.Mapping) error { return writeJSON(w, m) }

// FormatVersion writes the version.
func (JSON) FormatVersion(w io.Writer, v VersionInfo) error { return writeJSON(w, v) }

// writeJSON writes v as indented JSON, "<" and "&" left as they are, ending with a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
