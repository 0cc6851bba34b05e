package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vocabulary --fides shows how every default-taxonomy key resolves: Confect's table maps each,
// a policy without a table leaves each unmapped, and the JSON names the entry that applied.
func TestVocabularyFides(t *testing.T) {
	code, text, stderr := runCLI(t, "vocabulary", "--fides")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `essential\.service\.payment_processing\s+purchase\.orders`, text)
	assert.Regexp(t, `user\.demographic\.political_opinion\s+political_opinion`, text)
	assert.Regexp(t, `system\.operations\s+not personal data`, text)
	assert.Regexp(t, `user\.financial\s+not in this policy`, text)
	assert.Contains(t, text, "CC BY 4.0")

	code, out, stderr := runCLI(t, "vocabulary", "--fides", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var view struct {
		Kinds []struct {
			Kind string `json:"kind"`
			Keys []struct {
				Key    string `json:"key"`
				From   string `json:"from"`
				Mapped bool   `json:"mapped"`
			} `json:"keys"`
		} `json:"kinds"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &view))
	require.Len(t, view.Kinds, 3)
	counts := map[string]int{}
	for _, k := range view.Kinds {
		for _, r := range k.Keys {
			assert.True(t, r.Mapped, "%s %s", k.Kind, r.Key)
			counts[k.Kind]++
		}
	}
	assert.GreaterOrEqual(t, counts["data_categories"], 85)
	assert.GreaterOrEqual(t, counts["data_uses"], 56)
	assert.GreaterOrEqual(t, counts["data_subjects"], 15)

	code, text, stderr = runCLI(t, "vocabulary", "--fides", "--policy", "../../examples/policies/brightpath")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `customer\s+unmapped`, text, "a policy without a table maps nothing")
}
