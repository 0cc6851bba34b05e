package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/confect/policyengine/check"
)

// jsonOf writes a report of any kind as one indented JSON object, its fields as the report's
// types name them. A check report (the report format the README describes): {"results":
// [{"file", "activity", "allow", "reasons", "warnings", ...}], "summary": {"activities",
// "allowed", "denied", "errors", ...}, "revision"}; reasons carry their line and column. A test
// report: {"cases", "rego", "coverage", "summary"}. A diff: {"base_revision", "revision",
// "changes", "errors", "summary"}. The rule catalogue: an array of rules. A record:
// schema/ropa.schema.json. The vocabularies: an array of {"name", "title", "fields", "terms",
// ...}. The Fides mapping: {"attribution", "kinds", "legal_bases", "transfer_bases"}. The
// version: {"version", "revision", "time", "modified", "go", "module", "policy_revision"}.
func jsonOf[R any](w io.Writer, r R, _ Options) error { return writeJSON(w, r) }

// writeJSON writes v as indented JSON, "<" and "&" left as they are, ending with a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// startJSONCheck begins a check report's object, written as writeJSON would write it, its
// results one at a time.
func startJSONCheck(w io.Writer, _ *check.Report, _ Options) CheckStream { return &jsonCheck{w: w} }

// jsonCheck writes the results array as the results come, then the report's other fields.
type jsonCheck struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
}

// Result writes one result, an element of the array.
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

// End closes the array and writes the report's other fields, as encoding it whole would.
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
