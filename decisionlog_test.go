package policyengine_test

import (
	"bufio"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/opatest"
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

// Decision logs keep what an allow-list names, for valid and refused input: an agreed
// extension's reference, unknown and misspelt keys and values of the wrong shape are left out.
func TestDecisionLogsMaskByAllowList(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEngine(t, policyengine.WithDecisionLogger(rec.log))

	a := typical()
	a.Retention = &policyengine.Retention{Period: "P6M", From: "end_of_contract",
		AgreedExtension: &policyengine.Extension{Reference: "Agreement with Ada Lovelace", Period: "P3M"}}
	_, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)

	refused := []map[string]any{
		{"id": "misspelt", "data_categories": []any{"name"}, "purposes": []any{"purchase.orders"}, "legal_basis": "contract",
			"subjcet": map[string]any{"name": "Ada Lovelace"}, "retention": map[string]any{"period": "P6M", "note": "Ada Lovelace"}},
		{"id": "wrong-shapes", "data_categories": []any{"name", []any{"Ada Lovelace"}}, "channel": "Ada Lovelace's phone",
			"recipients": []any{map[string]any{"name": "Vendor", "type": "subprocessor", "contact": "Ada Lovelace"}}},
		{"id": "unspellable", "Ada Lovelace": true},
	}
	for _, doc := range refused {
		_, err := e.EvaluateDocument(context.Background(), doc)
		require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	}
	_, err = e.EvaluateJSON(context.Background(), []byte(`{"id": "json", "data_categories": ["name"], "notes": "Ada Lovelace"}`))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)

	require.Len(t, rec.logs, 5)
	for _, l := range rec.logs {
		raw, err := json.Marshal(l)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "Ada", "log of %s", l.ActivityID)
	}
	assert.Equal(t, "P3M", rec.logs[0].Input["retention"].(map[string]any)["agreed_extension"].(map[string]any)["period"], "the extension's period stays")
	assert.Equal(t, []any{"name"}, rec.logs[1].Input["data_categories"], "what the allow-list names stays")
	assert.Equal(t, "Vendor", rec.logs[2].Input["recipients"].([]any)[0].(map[string]any)["name"])
	assert.Nil(t, rec.logs[3].Input, "a key no mask pointer spells takes the whole input")
	assert.Contains(t, rec.logs[1].Error, "/*: unknown key", "the error names a key the format does not define as *")
	assert.Contains(t, rec.logs[1].Error, "/retention/*: unknown key")
	assert.Equal(t, "json", rec.logs[4].ActivityID)
}

// The decision logger gets its own copy of the reasons: what it changes, the caller does not see.
func TestDecisionLoggerGetsACopy(t *testing.T) {
	t.Parallel()
	e := newEngine(t, policyengine.WithDecisionLogger(func(_ context.Context, l policyengine.DecisionLog) {
		for i := range l.Reasons {
			l.Reasons[i].Message = "changed by the logger"
		}
		for i := range l.Warnings {
			l.Warnings[i].Message = "changed by the logger"
		}
	}))
	d, err := e.Evaluate(context.Background(), denied())
	require.NoError(t, err)
	require.NotEmpty(t, d.Reasons)
	for _, r := range d.Reasons {
		assert.NotEqual(t, "changed by the logger", r.Message)
	}
}

// The fleet logs what the library logs: the server's decision log, masked by the bundle's mask
// policy, holds the same activity as the library's masked log entry.
func TestStockOPADecisionLogParity(t *testing.T) {
	t.Parallel()
	signed, _, public := signedBundle(t)
	server := opatest.Start(t, opatest.Binary(t), opaConfig, signed, public)

	var logged []policyengine.DecisionLog
	engine, err := policyengine.New(context.Background(), policyengine.WithDecisionLogger(func(_ context.Context, d policyengine.DecisionLog) {
		logged = append(logged, d)
	}))
	require.NoError(t, err)

	// A valid activity full of personal data, and a refused one whose unknown keys and values of
	// the wrong shape hold it: both are masked alike by the library and the server.
	refused := `{"id":"refused","data_categories":["name",["Ada Lovelace"]],"purposes":["purchase.orders"],` +
		`"notes":"Ada Lovelace","retention":{"period":"P6M","agreed_extension":{"reference":"Ada Lovelace","period":"P1M"}},"channel":"Ada's phone"}`
	docs := []json.RawMessage{mustJSON(t, personalActivity()), json.RawMessage(refused)}
	for i, doc := range docs {
		_, err = engine.EvaluateJSON(context.Background(), doc)
		if i == 0 {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, policyengine.ErrInvalidInput)
		}
		decide(t, server, doc)
	}
	require.Len(t, logged, len(docs))

	type event struct {
		Input    map[string]any `json:"input"`
		Path     string         `json:"path"`
		Revision string         `json:"revision"`
		Bundles  map[string]struct {
			Revision string `json:"revision"`
		} `json:"bundles"`
	}
	var events []event
	deadline := time.Now().Add(30 * time.Second)
	for len(events) < len(docs) {
		require.True(t, time.Now().Before(deadline), "no decision logs from the server:\n%s", server.Output.String())
		events = events[:0]
		sc := bufio.NewScanner(strings.NewReader(server.Output.String()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), `"Decision Log"`) {
				continue
			}
			var e event
			require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
			events = append(events, e)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range docs {
		var libInput map[string]any
		raw, err := json.Marshal(logged[i].Input)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &libInput))
		assert.Equal(t, libInput, events[i].Input, "the server logs activity %d as the library does", i)
		assert.Equal(t, logged[i].Revision, events[i].Bundles["policyengine"].Revision)
		assert.NotContains(t, string(raw), "Ada")
	}
	assert.NotContains(t, server.Output.String(), "Ada Lovelace")
}

// personalActivity holds personal data in every field a decision log must leave out.
func personalActivity() policyengine.Activity {
	a := newsletter()
	a.Description = "Newsletter to Ada Lovelace, +44 20 7946 0958"
	a.Consent.GivenAt = time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)
	a.Subject = &policyengine.Subject{OptedOutProfiling: true, LastActivityAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Age: 37}
	a.Recipients = []policyengine.Recipient{{Name: "Polismyndigheten", Type: "authority", Country: "SE",
		CourtOrder: &policyengine.CourtOrder{Reference: "B 1234-26 (Ada Lovelace)", Jurisdiction: "SE"}}}
	return a
}
