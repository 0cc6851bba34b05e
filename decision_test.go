package policyengine_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
)

func TestDecisionShape(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	a := orderHandling()
	a.DataCategories = append(a.DataCategories, "health", "shoe_size")
	a.LegalBasis = ""
	d, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
	assert.Equal(t, e.Revision(), d.Revision)
	assert.Len(t, d.Revision, 64)
	assert.Equal(t, []finding{{"category.sensitive", "/data_categories/3"}, {"category.unlisted", "/data_categories/4"}, {"legal_basis.missing", "/legal_basis"}}, findings(d))
	r := d.Reasons[0]
	assert.Equal(t, "What personal data does Confect process?", r.Clause)
	assert.Equal(t, "sensitive-data", r.ClauseID)
	assert.Contains(t, r.Message, `"health"`)
	assert.Equal(t, `category.sensitive at /data_categories/3: `+r.Message, r.String())
	assert.True(t, strings.HasPrefix(d.String(), "deny: category.sensitive at /data_categories/3"))

	raw, err := json.Marshal(d)
	require.NoError(t, err)
	var shape map[string]any
	require.NoError(t, json.Unmarshal(raw, &shape))
	assert.ElementsMatch(t, []string{"allow", "reasons", "warnings", "revision"}, keys(shape))
	reason := shape["reasons"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"rule", "message", "clause", "clause_id", "path"}, keys(reason))

	allowed, err := e.Evaluate(context.Background(), orderHandling())
	require.NoError(t, err)
	assert.Equal(t, "allow", allowed.String())
	raw, err = json.Marshal(allowed)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"reasons":[]`)
	assert.Contains(t, string(raw), `"warnings":[]`)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Warnings flag without denying.
func TestWarnings(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	atLimit := newsletter() // P24M from last_activity: exactly the marketing limit
	atLimit.Consent.GivenAt = now.AddDate(-3, 0, 0)
	d, err := e.Evaluate(context.Background(), atLimit)
	require.NoError(t, err)
	assert.True(t, d.Allow, "warnings never deny")
	assert.Empty(t, d.Reasons)
	var got []finding
	for _, w := range d.Warnings {
		got = append(got, finding{w.Rule, w.Path})
		assert.NotEmpty(t, w.Message)
		assert.NotEmpty(t, w.Clause)
	}
	assert.Equal(t, []finding{{"consent.stale", "/consent/given_at"}, {"retention.at_limit", "/retention/period"}}, got)

	within := with(newsletter(), func(a *policyengine.Activity) {
		a.Retention.Period = "P12M"
		a.Consent.GivenAt = now.AddDate(-1, 0, 0)
	})
	d, err = e.Evaluate(context.Background(), within)
	require.NoError(t, err)
	assert.Empty(t, d.Warnings)

	rule, ok := e.Rule("retention.at_limit")
	require.True(t, ok)
	assert.Equal(t, "warn", rule.Kind)
}

// The same input and policy give byte-identical output, run after run: sorted reasons, no map
// order leaking.
func TestDeterministicDecisions(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	ctx := at(context.Background(), time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	doc := []byte(`{"id": "x", "data_subjects": ["child", "customer", "robot"], "data_categories": ["health", "shoe_size", "email", "genetic"],
		"sources": ["rumour", "cookies"], "purposes": ["resale", "security.maintenance", "marketing.materials"], "legal_basis": "consent",
		"consent": {"status": "withdrawn"}, "channel": {"type": "email", "content": "marketing"}, "retention": {"period": "P5Y", "from": "collection"},
		"subject": {"opted_out_marketing": true, "restricted": true, "last_activity_at": "2020-01-01T00:00:00Z"},
		"recipients": [{"name": "A", "type": "public"}, {"name": "B", "type": "subprocessor", "country": "US"}, {"name": "C", "type": "authority"}]}`)
	var first []byte
	for i := 0; i < 50; i++ {
		d, err := e.EvaluateJSON(ctx, doc)
		require.NoError(t, err)
		out, err := json.Marshal(d)
		require.NoError(t, err)
		if first == nil {
			first = out
			require.Greater(t, len(d.Reasons), 15)
			continue
		}
		require.Equal(t, string(first), string(out), "run %d", i)
	}
	assert.True(t, strings.Contains(string(first), `"rule":"category.sensitive"`))
}
