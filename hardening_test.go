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

// A policy's own rule that reads the clock through the library (lib.now_ns), not time.now_ns(),
// is not answered from the cache: a freeze after a date denies once the date has passed.
func TestDecisionCacheOffForLibraryClock(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"freeze.rego": `package policyengine.rules.freeze

import data.policyengine.lib

# METADATA
# title: Frozen after the first of June 2026
# description: No processing is decided after the freeze.
# custom:
#   id: freeze.after_date
#   clause: purposes
deny contains reason if {
	lib.now_ns > time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
	reason := lib.reason(rego.metadata.rule(), "", "frozen")
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionCache(100))
	a := typical()
	d, err := e.Evaluate(policyengine.AtTime(context.Background(), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.True(t, d.Allow, "before the freeze")
	d, err = e.Evaluate(policyengine.AtTime(context.Background(), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "after the freeze, not the cached allow")
}

// An evaluation error names the builtin and the rule's place, never the value it failed on.
func TestEvaluationErrorsDoNotQuoteInput(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"parse.rego": `package policyengine.rules.parse

import data.policyengine.lib

# METADATA
# title: Parses the description
# description: Fails on every description that is not a timestamp.
# custom:
#   id: parse.description
#   clause: purposes
deny contains reason if {
	time.parse_rfc3339_ns(input.description) > 0
	reason := lib.reason(rego.metadata.rule(), "", "parsed")
}
`})
	rec := &recorder{}
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionLogger(rec.log))
	a := typical()
	a.Description = "Ada Lovelace, 1815-12-10"
	d, err := e.Evaluate(context.Background(), a)
	require.Error(t, err)
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.Contains(t, err.Error(), "parse.rego:12")
	assert.Contains(t, err.Error(), "time.parse_rfc3339_ns failed")
	assert.NotContains(t, err.Error(), "Ada")
	assert.NotContains(t, err.Error(), "1815")
	require.Len(t, rec.logs, 1)
	assert.NotContains(t, rec.logs[0].Error, "Ada")

	// The built-in rules read a lower-case RFC 3339 time, as the schema accepts it.
	n := newsletter()
	raw := strings.Replace(string(mustJSON(t, n)), "T", "t", -1)
	_, err = newEngine(t).EvaluateJSON(context.Background(), []byte(raw))
	assert.NoError(t, err)
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
