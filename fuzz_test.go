package policyengine_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
)

// FuzzEvaluateJSON: whatever the bytes, the engine returns a decision or an error, never panics,
// and never allows on an error or with a reason.
func FuzzEvaluateJSON(f *testing.F) {
	files, _ := filepath.Glob("examples/manifests/*")
	for _, file := range files {
		m, err := manifest.ReadFile(file, manifest.Options{})
		if err != nil {
			continue
		}
		for _, e := range m.Entries {
			f.Add(e.JSON)
		}
	}
	bad, _ := filepath.Glob("testdata/bad-input/*.json")
	for _, file := range bad {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	e := newEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := e.EvaluateJSON(context.Background(), data)
		if d.Revision != e.Revision() {
			t.Fatalf("decision without the policy revision")
		}
		if err != nil {
			if d.Allow {
				t.Fatalf("allowed with an error: %v", err)
			}
			if !errors.Is(err, policyengine.ErrInvalidInput) && !errors.Is(err, policyengine.ErrEvaluation) {
				t.Fatalf("error outside the documented kinds: %v", err)
			}
			return
		}
		if d.Allow && len(d.Reasons) > 0 {
			t.Fatalf("allowed with reasons: %v", d.Reasons)
		}
		if !d.Allow && len(d.Reasons) == 0 {
			t.Fatalf("denied without a reason")
		}
	})
}

// FuzzDecideJSON: whatever the person's state, the per-person decision (a compiled residual,
// with the one-pass decoder) is the decision OPA makes on the full activity (declaration and
// state), or both refuse it; it never allows on an error. The seeds are varied people from the
// generator the differential tests and benchmarks use, and malformed states.
func FuzzDecideJSON(f *testing.F) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for _, seed := range []string{
		`{}`, `{"subject": {"age": "x"}}`, `[]`, `{"purposes": []}`, `{"consent": {"status": "given", "given_at": "2026-01-02t03:04:05z"}}`,
		`{"consent": {"status": "given", "status": "given"}}`, `{"subject": {"age": 12.0}}`, `{"consent": {"status": "giv\u0065n"}}`,
	} {
		f.Add([]byte(seed))
	}
	g := gentree.New(11, policy.Default().Document, now)
	for range 40 {
		f.Add(mustJSON(f, g.Person()))
	}
	e := newEngine(f)
	topdown := newEngine(f) // declares nothing: OPA's full evaluation
	ctx := at(context.Background(), now)
	decl, err := e.DeclareJSON(ctx, []byte(gentree.NewsletterDeclaration))
	if err != nil {
		f.Fatal(err)
	}
	var declared map[string]any
	if err := json.Unmarshal([]byte(gentree.NewsletterDeclaration), &declared); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		got, err := decl.DecideJSON(ctx, state)
		if err != nil {
			if got.Allow {
				t.Fatalf("allowed with an error: %v", err)
			}
			return
		}
		var person map[string]any
		if json.Unmarshal(state, &person) != nil {
			t.Fatalf("decided a state that is not JSON: %q", state)
		}
		full := maps.Clone(declared)
		maps.Copy(full, person)
		raw, _ := json.Marshal(full)
		want, err := topdown.EvaluateJSON(ctx, raw)
		if err != nil {
			t.Fatalf("the per-person call decided what the full call refuses (%v): %q", err, state)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("per person %v, in full %v: %q", got, want, state)
		}
		if s := e.Stats(); s.Fallbacks != 0 || s.Topdown != 0 {
			t.Fatalf("decided other than by the compiled residual (%+v): %q", s, state)
		}
	})
}
