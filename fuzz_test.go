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

// FuzzDecideJSON: whatever the person's state, the per-person decision is the decision on the
// full activity (declaration and state), or both refuse it; it never allows on an error.
func FuzzDecideJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"consent": {"status": "given"}}`, `{"consent": {"status": "withdrawn", "withdrawn_at": "2026-01-01T00:00:00Z"}}`,
		`{"subject": {"opted_out_marketing": true, "last_activity_at": "2020-01-01T00:00:00Z"}}`,
		`{"consent": {"status": "given", "given_at": "2023-05-04T08:00:00Z"}, "subject": {"restricted": true, "age": 12}}`,
		`{"subject": {"age": "x"}}`, `[]`, `{"purposes": []}`,
	} {
		f.Add([]byte(seed))
	}
	e := newEngine(f)
	ctx := at(context.Background(), time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
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
		want, err := e.EvaluateJSON(ctx, raw)
		if err != nil {
			t.Fatalf("the per-person call decided what the full call refuses (%v): %q", err, state)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("per person %v, in full %v: %q", got, want, state)
		}
	})
}
