package ropa_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/ropa"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func TestEveryDeclarationIsAnEntry(t *testing.T) {
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return now }))
	require.NoError(t, err)
	rep, err := check.Run(context.Background(), e, []string{"../examples/manifests"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	rec, err := ropa.Build(rep)
	require.NoError(t, err)
	require.Len(t, rec.Entries, rep.Summary.Activities)
	for i, res := range rep.Results {
		entry := rec.Entries[i]
		assert.Equal(t, res.Activity, entry.ID)
		assert.Equal(t, res.File, entry.File)
		assert.Equal(t, res.Line, entry.Line)
		assert.Len(t, entry.Decision.Reasons, len(res.Reasons), entry.ID)
		assert.Equal(t, res.Allow, entry.Decision.Outcome == ropa.Allow, entry.ID)
	}
	assert.Equal(t, rep.Summary.Allowed, rec.Summary.Allowed)
	assert.Equal(t, rep.Summary.Denied, rec.Summary.Denied)
}

func TestBuildNeedsTheEntries(t *testing.T) {
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return now }))
	require.NoError(t, err)
	rep, err := check.Run(context.Background(), e, []string{"../examples/manifests"}, check.Options{})
	require.NoError(t, err)
	_, err = ropa.Build(rep)
	assert.ErrorIs(t, err, ropa.ErrNoEntries)
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"P6M": "6 months", "P1Y": "1 year", "P1Y15D": "1 year 15 days", "P90D": "90 days", "P2W": "2 weeks",
		"PT36H": "36 hours", "P1DT1M": "1 day 1 minute", "P": "P", "P1H": "P1H", "6 months": "6 months", "P1.5Y": "P1.5Y",
	} {
		assert.Equal(t, want, ropa.Words(in), in)
	}
}

// The record writes a finding by its line alone, an error without a clause, a condition with
// what it requires, and every character of a message as it is; it reads back as written.
func TestFindingsJSON(t *testing.T) {
	fs := ropa.Findings{
		{Reason: policyengine.Reason{Rule: "consent.not_given", Message: "consent <given> & kept", Clause: "Consent", ClauseID: "consent", Path: "/legal_basis"}, Requires: "consent given", Line: 7},
		{Reason: policyengine.Reason{Rule: check.InputRule, Message: "expected a string", Path: "/id"}, Line: 2},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(fs))
	assert.JSONEq(t, `[{"rule":"consent.not_given","message":"consent <given> & kept","clause":"Consent","clause_id":"consent","path":"/legal_basis","line":7,"requires":"consent given"},
		{"rule":"input.invalid","message":"expected a string","path":"/id","line":2}]`, buf.String())
	assert.Contains(t, buf.String(), `"message":"consent <given> & kept","clause":"Consent","clause_id":"consent","path":"/legal_basis","line":7,"requires"`, "in the schema's order, < and & as they are")
	var back ropa.Findings
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, fs, back)
}
