package policyengine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/confect/policyengine"
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
