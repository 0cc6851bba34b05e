package policyengine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonicalTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2026-01-28T12:00:00Z":         "2026-01-28T12:00:00Z",
		"2026-01-28t12:00:00.5z":       "2026-01-28T12:00:00.5Z",
		"2026-01-28t12:00:00+01:00":    "2026-01-28T12:00:00+01:00",
		"2016-12-31T23:59:60Z":         "2017-01-01T00:00:00Z",
		"2016-12-31t18:59:60.25-05:00": "2017-01-01T00:00:00.25Z",
		"0000-01-01T00:00:00Z":         earliestTime,
		"1677-12-31T23:59:59Z":         earliestTime,
		"1678-01-01T00:00:00+05:00":    "1678-01-01T00:00:00+05:00",
		"2261-12-31T23:59:59-23:59":    "2261-12-31T23:59:59-23:59",
		"2262-01-01T00:00:00Z":         latestTime,
		"9999-12-31t23:59:60z":         latestTime,
	} {
		assert.Equal(t, want, canonicalTime(in), in)
	}
}

func TestCanonicalTimesCopiesWhatItRewrites(t *testing.T) {
	t.Parallel()
	subject := map[string]any{"last_activity_at": "2026-01-28t12:00:00z", "age": 30}
	doc := map[string]any{"id": "x", "subject": subject, "consent": map[string]any{"status": "given", "given_at": "2026-01-28T12:00:00Z"}}
	out := canonicalTimes(doc)
	assert.Equal(t, "2026-01-28T12:00:00Z", out["subject"].(map[string]any)["last_activity_at"])
	assert.Equal(t, 30, out["subject"].(map[string]any)["age"])
	assert.Equal(t, "2026-01-28t12:00:00z", subject["last_activity_at"], "the caller's activity is left as it was")
	assert.Equal(t, doc["consent"], out["consent"])

	same := map[string]any{"id": "y", "subject": map[string]any{"last_activity_at": "2026-01-28T12:00:00Z"}}
	out = canonicalTimes(same)
	out["id"] = "changed"
	assert.Equal(t, "changed", same["id"], "an activity with nothing to rewrite is not copied")
}

func TestTimesInAnyFormAreDecided(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	e, err := New(context.Background(), WithClock(func(context.Context) time.Time { return now }))
	require.NoError(t, err)
	decl, err := e.DeclareJSON(context.Background(), []byte(`{"id":"n","data_categories":["email"],"purposes":["purchase.accounts"],"legal_basis":"consent","retention":{"period":"P1Y","from":"collection"}}`))
	require.NoError(t, err)
	for consent, allow := range map[string]bool{
		`{"status":"given","given_at":"2025-01-01t00:00:00z"}`:                                       true,
		`{"status":"given","given_at":"2025-01-01T00:00:00Z","withdrawn_at":"2026-11-28t07:00:00z"}`: false,
		`{"status":"given","given_at":"2015-01-01T00:00:00Z","withdrawn_at":"2016-12-31T23:59:60Z"}`: false,
		`{"status":"given","given_at":"2017-01-01T00:00:00Z","withdrawn_at":"2016-12-31T23:59:60Z"}`: false, // the same instant
		`{"status":"given","given_at":"9999-01-01T00:00:00Z"}`:                                       false,
		`{"status":"given","given_at":"0001-01-01T00:00:00Z","withdrawn_at":"1001-01-01t00:00:00z"}`: false,
	} {
		full, err := e.EvaluateJSON(context.Background(), []byte(`{"id":"n","data_categories":["email"],"purposes":["purchase.accounts"],"legal_basis":"consent","retention":{"period":"P1Y","from":"collection"},"consent":`+consent+`}`))
		require.NoError(t, err, consent)
		assert.Equal(t, allow, full.Allow, consent)
		person, err := decl.DecideJSON(context.Background(), []byte(`{"consent":`+consent+`}`))
		require.NoError(t, err, consent)
		assert.Equal(t, full, person, consent)
	}

	// A lower-case time in a typed activity's JSON form, which OPA's parser fails on (quoting
	// it), is decided: the engine puts times in one form before the rules read them.
	raw, err := json.Marshal(Activity{ID: "newsletter", DataSubjects: []string{"lead"}, DataCategories: []string{"name", "email"},
		Purposes: []string{"marketing.materials"}, LegalBasis: "consent", Consent: &Consent{Status: "given"},
		Channel: &Channel{Type: "email", Content: "marketing"}, Retention: &Retention{Period: "P24M", From: "last_activity"},
		Subject: &Subject{LastActivityAt: now.AddDate(0, -3, 0)}})
	require.NoError(t, err)
	lower := strings.Replace(string(raw), "T", "t", 1)
	require.Contains(t, lower, `"last_activity_at":"2026-08-28t12:00:00Z"`)
	_, err = e.EvaluateJSON(context.Background(), []byte(lower))
	assert.NoError(t, err)
}
