package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/confect/policyengine/problem"
)

// seeds adds the example manifests and the bad-input corpus to a fuzz target's corpus.
func seeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParseJSON: no input panics; what parses is valid JSON once a leading byte order mark is
// set aside (the parser only refuses more, such as duplicate keys), encodes again, and has positions; what fails says where.
func FuzzParseJSON(f *testing.F) {
	seeds(f, "../../examples/manifests/*.json", "../../testdata/bad-input/*.json")
	f.Add([]byte(`{"a": [1, -2.5e3, true, null, "\u00e9\ud83d\ude00"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseJSON(data, Options{Positions: true})
		if err != nil {
			var de *problem.Problem
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// A leading UTF-8 byte order mark is ignored, as RFC 8259 section 8.1 allows a parser to.
		if !json.Valid(bytes.TrimPrefix(data, []byte("\ufeff"))) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if _, err := json.Marshal(doc.Value); err != nil {
			t.Fatalf("parsed value does not encode: %v", err)
		}
		if doc.Locate("").Line < 1 {
			t.Fatalf("no position for the document")
		}
		// Parsing without positions gives the same value.
		fast, err := ParseJSON(data, Options{})
		if err != nil {
			t.Fatalf("parses with positions, not without: %v", err)
		}
		a, _ := json.Marshal(doc.Value)
		b, _ := json.Marshal(fast.Value)
		if string(a) != string(b) {
			t.Fatalf("positions change the value: %s vs %s", a, b)
		}
		// Known strings change nothing but allocations.
		known, err := ParseJSON(data, Options{Known: fuzzKnown})
		if err != nil {
			t.Fatalf("parses without known strings, not with: %v", err)
		}
		if c, _ := json.Marshal(known.Value); string(a) != string(c) {
			t.Fatalf("known strings change the value: %s vs %s", a, c)
		}
	})
}

// fuzzKnown are known strings for FuzzParseJSON: keys and values of the seeds, and strings with
// what a string may hold.
var fuzzKnown = map[string]any{"id": "id", "a": "a", "purposes": "purposes", "email": "email", "": "", "\\": "\\", "é": "é"}

// FuzzParseYAML: no input panics or hangs (aliases are bounded); what parses encodes as JSON.
func FuzzParseYAML(f *testing.F) {
	seeds(f, "../../examples/manifests/*.yaml", "../../testdata/bad-input/*.yaml")
	f.Add([]byte("a: &x [1, 2]\nb: *x\n---\n- c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := ParseYAML(data, Options{Positions: true})
		if err != nil {
			var de *problem.Problem
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, d := range docs {
			if _, err := json.Marshal(d.Value); err != nil {
				t.Fatalf("parsed value does not encode: %v", err)
			}
		}
	})
}
