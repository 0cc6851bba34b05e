package residual_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/internal/residual"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/schema"
)

var limits = residual.Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxValues: 1 << 16}

// fullPath reads a person's state as the engine does without the one-pass decoder: our JSON
// parser, the keys of a person, the activity schema (on a skeleton activity), the times put in
// canonical form. ok is false where the engine refuses the state.
func fullPath(t testing.TB, l *residual.Layout, data []byte, lim residual.Limits) (*residual.State, bool) {
	if len(data) > lim.MaxBytes {
		return nil, false
	}
	doc, err := jsonpos.ParseJSON(data, jsonpos.Options{MaxDepth: lim.MaxDepth, MaxValues: lim.MaxValues})
	if err != nil {
		return nil, false
	}
	person, ok := doc.Value.(map[string]any)
	if !ok {
		return nil, false
	}
	skeleton := map[string]any{"id": "a", "data_categories": []any{"email"}, "purposes": []any{"marketing.materials"}}
	for k, v := range person {
		if k != "consent" && k != "subject" {
			return nil, false
		}
		skeleton[k] = v
	}
	if !schema.ActivityValid(skeleton) && schema.ValidateActivity(skeleton) != nil {
		return nil, false
	}
	for object, fields := range person {
		for name, v := range fields.(map[string]any) {
			if s, ok := v.(string); ok && schema.ActivityTime(object, name) {
				fields.(map[string]any)[name] = canonical(s)
			}
		}
	}
	s := l.NewState()
	require.True(t, s.FromMap(person), "a valid state the evaluator cannot hold: %s", data)
	return s, true
}

func canonical(s string) string { return strings.ToUpper(s) + "!" }

// sameState fails when two states differ in anything a residual reads.
func sameState(t testing.TB, want, got *residual.State, data []byte) {
	for i, name := range residual.Objects {
		w, g := want.Object(i), got.Object(i)
		require.Equal(t, w == nil, g == nil, "%s present in one reading only: %s", name, data)
		if w != nil {
			require.Zero(t, w.Compare(g), "%s read as %v, not %v: %s", name, g, w, data)
		}
	}
}

// check holds the one-pass decoder to the full path: what it accepts, the full path accepts and
// reads the same.
func check(t testing.TB, l *residual.Layout, data []byte, lim residual.Limits) bool {
	got := l.NewState()
	defer got.Release()
	if !l.Decode(data, got, lim) {
		assert.False(t, got.Has(0) || got.Has(1), "a declined state is left empty")
		return false
	}
	want, ok := fullPath(t, l, data, lim)
	require.True(t, ok, "the decoder accepts what the engine refuses: %s", data)
	defer want.Release()
	sameState(t, want, got, data)
	return true
}

func seeds() [][]byte {
	out := [][]byte{
		[]byte(`{}`), []byte(` { "consent" : { "status" : "given" } } `),
		[]byte(`{"consent": {"status": "given", "given_at": "2026-01-02T03:04:05Z", "withdrawn_at": "2026-02-01T00:00:00.5+01:00", "purposes": ["marketing.materials", "a.b.c.d"]}}`),
		[]byte(`{"subject": {"opted_out_marketing": true, "restricted": false, "age": 0, "last_activity_at": "1500-01-01T00:00:00Z", "erasure_requested_at": "9999-12-31T23:59:59Z"}}`),
		[]byte(`{"consent": {"status": "withdrawn", "purposes": []}, "subject": {"age": 150}}`),
	}
	g := gentree.New(3, policy.Default().Document, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	for range 200 {
		b, _ := json.Marshal(g.Person())
		out = append(out, b)
	}
	return out
}

// The decoder takes the common shapes of a valid state (every generated person's, in
// encoding/json's form, times in lower case included), and declines every unusual one, leaving
// it to the full parser and the schema (which give the errors).
func TestDecode(t *testing.T) {
	t.Parallel()
	l, err := residual.NewLayout(canonical)
	require.NoError(t, err)
	for _, data := range seeds() {
		assert.True(t, check(t, l, data, limits), "declined %s", data)
	}
	assert.True(t, check(t, l, []byte(`{"consent": {"status": "given", "given_at": "2026-01-02t03:04:05z"}}`), limits))
	for _, data := range []string{
		`{"consent": {"status": "given", "status": "given"}}`,                  // a duplicate key
		`{"consent": {"status": "giv\u0065n"}}`,                                // an escape
		`{"consent": {"status": "maybe"}}`,                                     // not in the enum
		`{"consent": {"given_at": "2026-01-02T03:04:05Z"}}`,                    // no status
		`{"consent": {"status": "given", "given_at": "2016-12-31T23:59:60Z"}}`, // a leap second
		`{"subject": {"age": 12.0}}`, `{"subject": {"age": 1e1}}`, `{"subject": {"age": -0}}`, `{"subject": {"age": 151}}`,
		`{"subject": {"age": 012}}`, `{"subject": {"restricted": "true"}}`, `{"subject": {"colour": "red"}}`,
		`{"consent": null}`, `{"purposes": []}`, `[]`, `{"subject": {}} x`, "\xef\xbb\xbf{}", `{"subject": {"age": 1}`,
		`{"consent": {"status": "given", "purposes": ["Marketing"]}}`, `{"consent": {"status": "given", "purposes": "marketing.materials"}}`,
	} {
		assert.False(t, check(t, l, []byte(data), limits), "accepted %s", data)
	}
	// Limits the full parser would hit are left to it.
	assert.False(t, check(t, l, []byte(`{"consent": {"status": "given", "purposes": ["a", "b"]}}`), residual.Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxValues: 5}))
	assert.True(t, check(t, l, []byte(`{"consent": {"status": "given", "purposes": ["a", "b"]}}`), residual.Limits{MaxBytes: 1 << 20, MaxDepth: 32, MaxValues: 6}))
	assert.False(t, check(t, l, []byte(`{"consent": {"status": "given"}}`), residual.Limits{MaxBytes: 10, MaxDepth: 32, MaxValues: 100}))
	assert.False(t, check(t, l, []byte(`{"consent": {"status": "given"}}`), residual.Limits{MaxBytes: 100, MaxDepth: 2, MaxValues: 100}))
}

// FuzzDecode: whatever the bytes, what the one-pass decoder accepts the engine's full path
// (parser, schema, canonical times) accepts too, and reads the same.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	l, err := residual.NewLayout(canonical)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, l, data, limits)
		check(t, l, data, residual.Limits{MaxBytes: 200, MaxDepth: 3, MaxValues: 12})
	})
}
