package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

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
func startJSONCheck(w io.Writer, _ *check.Report, _ Options) CheckStream {
	return &jsonCheck{results: newJSONStream(w, &check.Report{Results: []check.Result{}}, 1, "results")}
}

// jsonCheck writes the results array as the results come, then the report's other fields.
type jsonCheck struct{ results *jsonStream }

// Result writes one result, an element of the array.
func (j *jsonCheck) Result(r check.Result) error { return j.results.element(r) }

// End closes the array and writes the report's other fields, as encoding it whole would.
func (j *jsonCheck) End(r *check.Report) error {
	rest := *r
	rest.Results = []check.Result{}
	return j.results.end(&rest)
}

// jsonStream writes a JSON document as writeJSON writes it, the elements of one array in it one
// at a time: what precedes the array's elements when they begin, each element as it comes, then
// what follows them. The document is encoded twice with its array empty: at the start, for what
// precedes the array, and at the end, for what follows it.
type jsonStream struct {
	w     io.Writer
	key   string // the array's key as it stands in the document: its line's indentation and name
	depth int    // the array's depth: its elements are indented one level more
	head  []byte // the document up to the array's "[" included
	err   error  // from encoding the document at the start
	n     int    // the elements written
	buf   bytes.Buffer
}

// newJSONStream starts writing doc, whose array named name, at depth levels of indentation, is
// empty and is the first of that name at that depth (a string holding the name is escaped).
func newJSONStream(w io.Writer, doc any, depth int, name string) *jsonStream {
	s := &jsonStream{w: w, key: "\n" + strings.Repeat("  ", depth) + strconv.Quote(name) + ": [", depth: depth}
	s.head, _, s.err = s.split(doc)
	return s
}

// split encodes doc, its array empty, and cuts it at the array: up to its "[" included, and from
// its "]".
func (s *jsonStream) split(doc any) (before, after []byte, err error) {
	var b bytes.Buffer
	if err := writeJSON(&b, doc); err != nil {
		return nil, nil, err
	}
	i := bytes.Index(b.Bytes(), []byte(s.key+"]"))
	if i < 0 {
		return nil, nil, fmt.Errorf("output: the document has no empty array %s", strings.TrimSpace(s.key))
	}
	i += len(s.key)
	return b.Bytes()[:i], b.Bytes()[i:], nil
}

// element writes one element of the array, and first what precedes the array.
func (s *jsonStream) element(v any) error {
	if s.err != nil {
		return s.err
	}
	indent := strings.Repeat("  ", s.depth+1)
	s.buf.Reset()
	if s.n == 0 {
		s.buf.Write(s.head)
	} else {
		s.buf.WriteByte(',')
	}
	s.buf.WriteString("\n" + indent)
	s.n++
	enc := json.NewEncoder(&s.buf)
	enc.SetIndent(indent, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	s.buf.Truncate(s.buf.Len() - 1) // the encoder's newline
	_, err := s.w.Write(s.buf.Bytes())
	return err
}

// end closes the array and writes what follows it in doc, the document as it ends, its array
// empty (what precedes the array is the start's).
func (s *jsonStream) end(doc any) error {
	if s.err != nil {
		return s.err
	}
	_, after, err := s.split(doc)
	if err != nil {
		return err
	}
	if s.n == 0 {
		_, err = s.w.Write(append(s.head, after...))
		return err
	}
	if _, err := io.WriteString(s.w, "\n"+strings.Repeat("  ", s.depth)); err != nil {
		return err
	}
	_, err = s.w.Write(after)
	return err
}
