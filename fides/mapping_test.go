package fides

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// Resolutions lists, per kind, the default taxonomy's keys in its order and then the table's
// other keys, sorted, each resolved as Resolve resolves it; a document without a table resolves
// none, and its bases are empty, never nil.
func TestResolutions(t *testing.T) {
	doc := *policy.Default().Document
	m := doc.FidesMapping
	require.NotNil(t, m)
	table := *m
	table.DataUses = map[string]policy.FidesUse{"zz.own_use": {}, "aa.own_use": {}}
	for k, v := range m.DataUses {
		table.DataUses[k] = v
	}
	doc.FidesMapping = &table

	got := Resolutions(&doc)
	require.Len(t, got.Kinds, 3)
	assert.Equal(t, []string{kindUse, kindCategory, kindSubject}, []string{got.Kinds[0].Kind, got.Kinds[1].Kind, got.Kinds[2].Kind})
	assert.Equal(t, m.Attribution, got.Attribution)
	assert.Equal(t, m.LegalBases, got.LegalBases)
	for _, k := range got.Kinds {
		var keys []string
		for _, r := range k.Keys {
			keys = append(keys, r.Key)
			assert.Equal(t, tableOf(&doc).resolve(k.Kind, r.Key), r)
		}
		want := DefaultKeys(k.Kind)
		require.GreaterOrEqual(t, len(keys), len(want))
		assert.Equal(t, want, keys[:len(want)], "the default taxonomy first, in its order")
		extra := keys[len(want):]
		assert.True(t, slices.IsSorted(extra), "then the table's own keys, sorted: %v", extra)
		if k.Kind == kindUse {
			assert.Equal(t, "aa.own_use", extra[0])
			assert.Equal(t, "zz.own_use", extra[len(extra)-1])
		}
	}

	none := Resolutions(&policy.Document{})
	require.Len(t, none.Kinds, 3)
	assert.NotNil(t, none.LegalBases)
	assert.NotNil(t, none.TransferBases)
	for _, k := range none.Kinds {
		assert.Len(t, k.Keys, len(DefaultKeys(k.Kind)))
		for _, r := range k.Keys {
			assert.False(t, r.Mapped, r.Key)
		}
	}
}
