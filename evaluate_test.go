package policyengine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// badInput is the exact error each file of testdata/bad-input must produce, as "line:column
// pointer: message" (the place left out where there is none). Nothing is ever allowed.
var badInput = map[string][]string{
	"alias-bomb.yaml":            {"1:29 /f/0/2/0/6/0/3: YAML aliases expand to too many values (limit 100000)"},
	"bad-duration-and-date.json": {"1:145 /consent/given_at: expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z", "1:90 /retention/period: expected an ISO 8601 duration such as P6M or P2Y"},
	"deeply-nested.json":         {"1:49 /x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: nesting deeper than 32 levels"},
	"duplicate-key.json":         {"5:3 /id: duplicate key"},
	"duplicate-key.yaml":         {"5:1 /legal_basis: duplicate key"},
	"empty.json":                 {"1:1 the document is empty"},
	"empty.yaml":                 {"the document is empty"},
	"malformed.yaml":             {"2:1 malformed YAML: did not find expected ',' or ']'"},
	"merge-key.yaml":             {"4:1 YAML merge keys (<<) are not supported; write the keys out"},
	"non-utf8.json":              {"1:12 /id: invalid UTF-8 in a string"},
	"not-an-activity.json":       {"1:1 expected an activity, a list of activities or {activities: [...]}"},
	"nul-byte.json":              {"2:19 /description: NUL byte in the document"},
	"number-out-of-range.json":   {"1:88 /subject/age: out of range: must be <= 150"},
	"number-out-of-range.yaml":   {"4:11 /subject/age: out of range: must be <= 150"},
	"truncated.json":             {"3:1 /purposes: unexpected end of JSON inside an array"},
	"unknown-key.json":           {"1:76 /owner: unknown key: not part of the format"},
	"wrong-types.json":           {"1:13 /data_categories: expected array, but got string", "1:74 /profiling: expected boolean, but got string"},
}

func located(line, col int, path, msg string) string {
	s := msg
	if path != "" {
		s = path + ": " + msg
	}
	if line > 0 {
		s = fmt.Sprintf("%d:%d %s", line, col, s)
	}
	return s
}

func TestBadInputCorpus(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	files, err := filepath.Glob("testdata/bad-input/*")
	require.NoError(t, err)
	require.Len(t, files, len(badInput), "every file of the corpus has its expected error, and every expectation its file")
	for _, file := range files {
		want, ok := badInput[filepath.Base(file)]
		require.True(t, ok, file)
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			rep, err := check.Run(context.Background(), e, []string{file}, check.Options{})
			require.NoError(t, err)
			require.Len(t, rep.Results, 1)
			r := rep.Results[0]
			assert.False(t, r.Allow)
			var got []string
			for _, p := range r.Errors {
				got = append(got, located(p.Line, p.Column, p.Pointer, p.Message))
			}
			assert.Equal(t, want, got)

			// A JSON document fails EvaluateJSON the same way, and the decision denies.
			if strings.HasSuffix(file, ".json") {
				data, err := os.ReadFile(file)
				require.NoError(t, err)
				d, err := e.EvaluateJSON(context.Background(), data)
				assert.False(t, d.Allow)
				if filepath.Base(file) == "not-an-activity.json" {
					assert.ErrorContains(t, err, "expected object, but got string")
					return
				}
				require.ErrorIs(t, err, policyengine.ErrInvalidInput)
				var evalGot []string
				for _, p := range problem.All(err) {
					evalGot = append(evalGot, located(p.Line, p.Column, p.Pointer, p.Message))
				}
				for i := range want {
					// EvaluateJSON knows lines for syntax errors, not for schema errors.
					assert.True(t, strings.HasSuffix(want[i], evalGot[i]), "%q vs %q", want[i], evalGot[i])
				}
			}
		})
	}
}

// typical is the benchmarks' typical activity: 3 recipients, 2 purposes, 6 categories, allowed.
func typical() policyengine.Activity {
	return policyengine.Activity{
		ID:             "checkout",
		DataSubjects:   []string{"customer"},
		DataCategories: []string{"name", "email", "postal_address", "phone", "login_id", "username"},
		Sources:        []string{"data_subject"},
		Purposes:       []string{"purchase.orders", "purchase.accounts"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P5Y", From: "end_of_contract"},
		Recipients: []policyengine.Recipient{
			{Name: "Confect Logistics AB", Type: "group_company", Country: "SE"},
			{Name: "PayFlow Inc.", Type: "subprocessor", Country: "US", DPA: true, TransferSafeguard: "scc"},
			{Name: "Mail Delivery EU", Type: "subprocessor", Country: "IE", DPA: true},
		},
	}
}

// denied is the typical activity with four reasons to deny it.
func denied() policyengine.Activity {
	a := typical()
	a.DataCategories = append(a.DataCategories, "health")
	a.Purposes = append(a.Purposes, "security.maintenance")
	a.Recipients[1].TransferSafeguard = ""
	a.Recipients[2].DPA = false
	return a
}

// large is the typical activity with 50 recipients.
func large() policyengine.Activity {
	a := typical()
	a.Recipients = nil
	for i := 0; i < 50; i++ {
		a.Recipients = append(a.Recipients, policyengine.Recipient{Name: fmt.Sprintf("Vendor %d", i), Type: "subprocessor", Country: "DE", DPA: true})
	}
	return a
}

func benchmarkEvaluate(b *testing.B, a policyengine.Activity, opts ...policyengine.Option) {
	e := newEngine(b, opts...)
	ctx := context.Background()
	raw, err := json.Marshal(a)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Evaluate(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EvaluateJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.EvaluateJSON(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EvaluateJSON/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.EvaluateJSON(ctx, raw); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkTypical(b *testing.B) { benchmarkEvaluate(b, typical()) }

func BenchmarkDenied(b *testing.B) { benchmarkEvaluate(b, denied()) }

func BenchmarkLarge(b *testing.B) { benchmarkEvaluate(b, large()) }

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
	e := sharedEngine(f)
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

// One set of string rules on every entry point: NUL (raw or escaped) and invalid UTF-8 are
// refused by Evaluate, EvaluateDocument and EvaluateJSON alike; a lone surrogate escape reads as
// U+FFFD and keeps the character after it; an id of Unicode white space alone is blank, as stock
// OPA finds it.
func TestOneSetOfStringRules(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	ctx := context.Background()
	for name, bad := range map[string]string{"NUL": "order\x00s", "invalid UTF-8": "order\xffs"} {
		t.Run(name, func(t *testing.T) {
			a := typical()
			a.Description = bad
			_, err := e.Evaluate(ctx, a)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "Evaluate")
			assert.ErrorContains(t, err, "/description")

			doc := map[string]any{}
			require.NoError(t, json.Unmarshal(mustJSON(t, typical()), &doc))
			doc["description"] = bad
			_, err = e.EvaluateDocument(ctx, doc)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "EvaluateDocument")
			doc["description"] = "x"
			doc["key"+bad] = "x"
			_, err = e.EvaluateDocument(ctx, doc)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "EvaluateDocument, in a key")
		})
	}
	raw := strings.Replace(string(mustJSON(t, typical())), `"id":`, `"description": "a\u0000b", "id":`, 1)
	_, err := e.EvaluateJSON(ctx, []byte(raw))
	assert.ErrorIs(t, err, policyengine.ErrInvalidInput, `EvaluateJSON, "\u0000"`)
	assert.ErrorContains(t, err, "NUL character in a string")

	rec := &recorder{}
	logged := newEngine(t, policyengine.WithDecisionLogger(rec.log), policyengine.WithUnmaskedDecisionLogs())
	raw = strings.Replace(string(mustJSON(t, typical())), `"id":`, `"description": "\ud800\u0041", "id":`, 1)
	_, err = logged.EvaluateJSON(ctx, []byte(raw))
	require.NoError(t, err)
	assert.Equal(t, "\uFFFDA", rec.logs[0].Input["description"], "the A after a lone surrogate stays")

	for _, blank := range []string{"\u00a0", "\u3000", "\u2028", "\u0085", "\v", " \u00a0\t"} {
		a := typical()
		a.ID = blank
		_, err := e.Evaluate(ctx, a)
		assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "id %q", blank)
	}
}
