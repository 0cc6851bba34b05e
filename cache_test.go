package policyengine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
)

// The same, with the decision cache on: a repeated activity is answered from it.
func BenchmarkTypicalCached(b *testing.B) {
	benchmarkEvaluate(b, typical(), policyengine.WithDecisionCache(1024))
}

func TestDecisionCache(t *testing.T) {
	t.Parallel()
	e := newEngine(t, policyengine.WithDecisionCache(100))
	uncached := sharedEngine(t)
	for _, a := range []policyengine.Activity{typical(), denied(), large()} {
		want, err := uncached.Evaluate(context.Background(), a)
		require.NoError(t, err)
		for i := 0; i < 3; i++ {
			got, err := e.Evaluate(context.Background(), a)
			require.NoError(t, err)
			assert.Equal(t, want, got, "a cached decision is the decision")
			raw := mustJSON(t, a)
			got, err = e.EvaluateJSON(context.Background(), raw)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
	}

	// What the caller gets is its own: changing it does not change the next answer.
	d, err := e.Evaluate(context.Background(), denied())
	require.NoError(t, err)
	d.Reasons[0].Rule = "tampered"
	again, err := e.Evaluate(context.Background(), denied())
	require.NoError(t, err)
	assert.NotEqual(t, "tampered", again.Reasons[0].Rule)

	// Invalid input is never cached, and still fails.
	for i := 0; i < 2; i++ {
		_, err := e.EvaluateJSON(context.Background(), []byte(`{"id": "x", "data_categories": []}`))
		assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
	}
}

// A decision that depends on the evaluation time follows the clock, cache or not.
func TestDecisionCacheFollowsTheClock(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC)
	e, err := policyengine.New(context.Background(), policyengine.WithDecisionCache(100),
		policyengine.WithClock(func(ctx context.Context) time.Time {
			if t, ok := ctx.Value(testTimeKey{}).(time.Time); ok {
				return t
			}
			mu.Lock()
			defer mu.Unlock()
			return clock
		}))
	require.NoError(t, err)
	a := application()
	a.Subject.LastApplicationAt = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	mu.Lock()
	clock = clock.AddDate(0, 0, 2)
	mu.Unlock()
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "the six months have passed: not an answer from the cache")

	c := newsletter()
	c.Subject = nil
	c.Retention.Period = "P12M"
	c.Consent.GivenAt = time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	d, err = e.Evaluate(at(context.Background(), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), c)
	require.NoError(t, err)
	assert.Empty(t, d.Warnings)
	d, err = e.Evaluate(at(context.Background(), time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)), c)
	require.NoError(t, err)
	require.Len(t, d.Warnings, 1, "consent became stale: not an answer from the cache")
	assert.Equal(t, "consent.stale", d.Warnings[0].Rule)
}

// A policy whose own rules read the clock is never answered from the cache.
func TestDecisionCacheOffForClockRules(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"office.rego": `package policyengine.rules.office

import data.policyengine.lib

# METADATA
# title: Only in office hours
# description: Processing is decided only between 08:00 and 18:00 UTC.
# custom:
#   id: office.hours
#   clause: purposes
deny contains reason if {
	[hour, _, _] := time.clock(time.now_ns())
	not hour >= 8
	reason := lib.reason(rego.metadata.rule(), "", "outside office hours")
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionCache(100))
	a := typical()
	d, err := e.Evaluate(at(context.Background(), time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	d, err = e.Evaluate(at(context.Background(), time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
}

// Activities alike in every field the rules read share a decision; a field some rule reads is
// always part of the key.
func TestDecisionCacheKeysOnWhatTheRulesRead(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"blocked.rego": `package policyengine.rules.blocked

import data.policyengine.lib

# METADATA
# title: Blocked ids
# description: An activity whose id is "blocked" is denied.
# custom:
#   id: blocked.id
#   clause: purposes
deny contains reason if {
	input.id == "blocked"
	reason := lib.reason(rego.metadata.rule(), "/id", "blocked")
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionCache(100))
	a := typical()
	d, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	require.True(t, d.Allow)
	a.ID = "blocked"
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "the id is read by a rule: it is part of the key")
	// That the id and the description are left out of the key under the built-in rules, which
	// never read them: TestDecisionCacheSharesWhatNoRuleReads (cache_internal_test.go).
}

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
	d, err := e.Evaluate(at(context.Background(), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.True(t, d.Allow, "before the freeze")
	d, err = e.Evaluate(at(context.Background(), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "after the freeze, not the cached allow")
}
