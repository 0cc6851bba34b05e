package policyengine_test

import (
	"context"
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
