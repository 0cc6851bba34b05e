package policyengine_test

import (
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
)

// recorder is a decision logger that keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	logs []policyengine.DecisionLog
}

func (r *recorder) log(_ context.Context, d policyengine.DecisionLog) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, d)
}

// personal holds what may identify the person or say something about them.
var personal = []string{"Ada Lovelace", "7946", "2026-09-01", "2026-03-02", "B 1234-26", "opted_out_profiling", "last_activity_at", `"age"`}

func TestDecisionLogsAreMasked(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEngine(t, policyengine.WithDecisionLogger(rec.log))

	allowed := personalActivity()
	denied := personalActivity()
	denied.ID = "newsletter-to-opted-out"
	denied.Subject.OptedOutMarketing = true

	d1, err := e.Evaluate(context.Background(), allowed)
	require.NoError(t, err)
	require.True(t, d1.Allow)
	d2, err := e.EvaluateJSON(context.Background(), mustJSON(t, denied))
	require.NoError(t, err)
	require.False(t, d2.Allow)

	require.Len(t, rec.logs, 2)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for i, want := range []policyengine.Decision{d1, d2} {
		l := rec.logs[i]
		assert.Regexp(t, uuid, l.DecisionID)
		assert.Equal(t, now, l.Time, "the engine's clock")
		assert.Equal(t, e.Revision(), l.Revision)
		assert.Equal(t, want.Allow, l.Allow)
		assert.Equal(t, want.Reasons, l.Reasons)
		assert.Empty(t, l.Error)

		raw, err := json.Marshal(l)
		require.NoError(t, err)
		for _, p := range personal {
			assert.NotContains(t, string(raw), p, "log %d holds personal data", i)
		}
		// What stays: what kind of processing was decided, and how.
		assert.Equal(t, []any{"name", "email"}, l.Input["data_categories"])
		assert.Equal(t, "Polismyndigheten", l.Input["recipients"].([]any)[0].(map[string]any)["name"])
		assert.NotContains(t, l.Input, "subject")
		assert.NotContains(t, l.Input, "consent")
		assert.NotContains(t, l.Input, "description")
	}
	assert.Equal(t, "newsletter", rec.logs[0].ActivityID)
	assert.Equal(t, "newsletter-to-opted-out", rec.logs[1].ActivityID)
	assert.NotEqual(t, rec.logs[0].DecisionID, rec.logs[1].DecisionID)

	// The caller's activity is not touched by masking.
	assert.Equal(t, "Newsletter to Ada Lovelace, +44 20 7946 0958", allowed.Description)
}

func TestDecisionLogsOfErrors(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEngine(t, policyengine.WithDecisionLogger(rec.log))
	_, err := e.EvaluateJSON(context.Background(), []byte(`{"id": "broken", "description": "Ada Lovelace", "purposes": []`))
	require.Error(t, err)
	_, err = e.EvaluateJSON(context.Background(), []byte(`{"id": "invalid", "description": "Ada Lovelace", "data_categories": [], "purposes": ["x"]}`))
	require.Error(t, err)
	require.Len(t, rec.logs, 2)
	assert.Nil(t, rec.logs[0].Input, "malformed JSON: nothing of it is logged")
	assert.False(t, rec.logs[0].Allow)
	assert.NotEmpty(t, rec.logs[0].Error)
	assert.Equal(t, "invalid", rec.logs[1].ActivityID)
	assert.False(t, rec.logs[1].Allow)
	assert.Contains(t, rec.logs[1].Error, "/data_categories")
	for _, l := range rec.logs {
		raw, _ := json.Marshal(l)
		assert.NotContains(t, string(raw), "Ada Lovelace")
	}
}

func TestUnmaskedDecisionLogs(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEngine(t, policyengine.WithDecisionLogger(rec.log), policyengine.WithUnmaskedDecisionLogs())
	_, err := e.Evaluate(context.Background(), personalActivity())
	require.NoError(t, err)
	require.Len(t, rec.logs, 1)
	assert.Equal(t, "Newsletter to Ada Lovelace, +44 20 7946 0958", rec.logs[0].Input["description"])
	assert.Contains(t, rec.logs[0].Input, "subject")
}
