package policyengine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under the built-in rules, which never read the id or the description, activities that differ
// only there share one decision: the second is answered from the cache.
func TestDecisionCacheSharesWhatNoRuleReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := New(ctx, WithDecisionCache(100))
	require.NoError(t, err)
	st := e.state.Load()
	activity := func(id, description string) []byte {
		return []byte(`{"id": "` + id + `", "description": "` + description + `", "data_categories": ["email", "health"],
			"purposes": ["support.tickets"], "legal_basis": "contract", "retention": {"period": "P1Y", "from": "collection"}}`)
	}
	first, err := e.EvaluateJSON(ctx, activity("one", "some words"))
	require.NoError(t, err)
	require.False(t, first.Allow, "a health category on a contract is denied: a decision worth keeping")
	hits := st.cache.hits.Load()
	second, err := e.EvaluateJSON(ctx, activity("another", "other words"))
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, hits+1, st.cache.hits.Load(), "the second decision came from the cache")
	_, err = e.EvaluateJSON(ctx, []byte(`{"id": "x", "data_categories": ["email"], "purposes": ["support.tickets"], "legal_basis": "contract", "retention": {"period": "P1Y", "from": "collection"}}`))
	require.NoError(t, err)
	assert.Equal(t, hits+1, st.cache.hits.Load(), "a field a rule reads is in the key")
}
