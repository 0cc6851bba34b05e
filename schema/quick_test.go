package schema_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/schema"
)

// agree fails when the fast check accepts what the schema refuses.
func agree(t testing.TB, data []byte) (fast bool) {
	doc, err := jsonpos.ParseJSON(data, jsonpos.Options{})
	if err != nil {
		return false
	}
	fast = schema.ActivityValid(doc.Value)
	if fast {
		if err := schema.ValidateActivity(doc.Value); err != nil {
			t.Fatalf("the fast check accepts what the schema refuses (%v): %s", err, data)
		}
	}
	return fast
}

// The fast check takes every well-formed example, and never a document the schema refuses.
func TestActivityValidAgreesWithTheSchema(t *testing.T) {
	var docs [][]byte
	for _, glob := range []string{"../examples/manifests/*.json", "../testdata/bad-input/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			docs = append(docs, data)
		}
	}
	docs = append(docs, []byte(full))
	valid := 0
	for _, d := range docs {
		var list []json.RawMessage
		if json.Unmarshal(d, &list) == nil {
			for _, item := range list {
				if agree(t, item) {
					valid++
				}
			}
			continue
		}
		if agree(t, d) {
			valid++
		}
	}
	assert.GreaterOrEqual(t, valid, 4, "the fast check takes the well-formed examples")

	// Each field at the edge of what the schema allows, both sides.
	base := `"data_categories": ["email"], "purposes": ["purchase.orders"]`
	for _, tc := range []struct {
		doc  string
		fast bool
	}{
		{`{"id": "x", ` + base + `}`, true},
		{`{"id": " \t", ` + base + `}`, false},
		{`{"id": "` + strings.Repeat("x", 200) + `", ` + base + `}`, true},
		{`{"id": "` + strings.Repeat("x", 201) + `", ` + base + `}`, false},
		{`{"id": "x", "data_categories": [], "purposes": ["purchase.orders"]}`, false},
		{`{"id": "x", "data_categories": ["Email"], "purposes": ["purchase.orders"]}`, false},
		{`{"id": "x", "data_categories": ["email"], "purposes": ["a.b.c.d"]}`, true},
		{`{"id": "x", "data_categories": ["email"], "purposes": ["a.b.c.d.e"]}`, false},
		{`{"id": "x", "data_categories": ["email"], "purposes": ["a..b"]}`, false},
		{`{"id": "x", ` + base + `, "retention": {"period": "P1Y2M3D"}}`, true},
		{`{"id": "x", ` + base + `, "retention": {"period": "PT1H30M"}}`, true},
		{`{"id": "x", ` + base + `, "retention": {"period": "P2W"}}`, true},
		{`{"id": "x", ` + base + `, "retention": {"period": "P1Y1D"}}`, true},
		{`{"id": "x", ` + base + `, "retention": {"period": "P1W1D"}}`, false},
		{`{"id": "x", ` + base + `, "retention": {"period": "PT"}}`, false},
		{`{"id": "x", ` + base + `, "retention": {"period": "P1DT"}}`, false},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "given_at": "2026-02-28T23:59:59.5+01:00"}}`, true},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "given_at": "2026-02-30T00:00:00Z"}}`, false},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "given_at": "2026-01-01T00:00:00,5Z"}}`, false},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "given_at": "2026-01-01t00:00:00z"}}`, true},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "given_at": "2026-01-01t00:00:60z"}}`, false},
		{`{"id": "x", ` + base + `, "retention": {"period": "P2M10DT36H"}}`, true},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "purposes": ["a.b"]}, "subject": {"erasure_requested_at": "2026-01-01T00:00:00Z"}}`, true},
		{`{"id": "x", ` + base + `, "consent": {"status": "given", "given_at": "2026-01-01T00:00:00+24:00"}}`, false},
		{`{"id": "x", ` + base + `, "subject": {"age": 150}}`, true},
		{`{"id": "x", ` + base + `, "subject": {"age": 151}}`, false},
		{`{"id": "x", ` + base + `, "subject": {"age": 3e1}}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "authority", "country": "SE", "court_order": {"reference": "r", "jurisdiction": "SE"}}]}`, true},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "authority", "court_order": {"reference": "r"}}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "", "type": "public"}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": ["stripe.com", "api.eu-1.stripe.com", "x1.io"]}]}`, true},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": ["localhost"]}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": ["Stripe.com"]}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": ["-a.com"]}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": ["a..com"]}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": ["https://a.com"]}]}`, false},
		{`{"id": "x", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "domains": "a.com"}]}`, false},
		{`{"id": "x", ` + base + `, "colour": "red"}`, false},
	} {
		assert.Equal(t, tc.fast, agree(t, []byte(tc.doc)), tc.doc)
	}
}

// FuzzActivityValid: under fuzzing too, the fast check never accepts what the schema refuses.
func FuzzActivityValid(f *testing.F) {
	f.Add([]byte(full))
	files, _ := filepath.Glob("../testdata/bad-input/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "retention": {"period": "P1Y2M"}, "subject": {"age": 7}}`))
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}
