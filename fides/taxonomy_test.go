package fides

import (
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/fidescorpus"
	"github.com/confect/policyengine/policy"
)

// defaultTaxonomy reads the fideslang default taxonomy of the shared corpus: its keys by kind
// (data_uses, data_categories, data_subjects).
func defaultTaxonomy(t *testing.T) map[string][]string {
	t.Helper()
	path := fidescorpus.File(t, "taxonomy/fideslang_3.1_default_taxonomy.yml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	f, err := Parse(path, data, Limits{})
	require.NoError(t, err)
	out := map[string][]string{}
	top := f.Docs[0].Value.(map[string]any)
	for list, kind := range customKinds {
		for _, item := range top[list].([]any) {
			out[kind] = append(out[kind], item.(map[string]any)["fides_key"].(string))
		}
	}
	return out
}

// Confect's table has an entry for every key of the default taxonomy, each naming terms of the
// policy's own vocabularies, and every purpose of the policy is reachable from a data use.
func TestConfectTableCoversTheDefaultTaxonomy(t *testing.T) {
	tax := defaultTaxonomy(t)
	assert.Len(t, tax[kindCategory], 85)
	assert.Len(t, tax[kindUse], 56)
	assert.Len(t, tax[kindSubject], 15)
	for kind, keys := range tax {
		assert.Equal(t, keys, DefaultKeys(kind), "the built-in list of %s is the taxonomy's", kind)
	}
	doc := policy.Default().Document
	m := doc.FidesMapping
	require.NotNil(t, m)
	assert.Contains(t, m.Attribution, "CC BY 4.0")
	assert.Contains(t, m.Attribution, "Ethyca")

	for _, k := range tax[kindUse] {
		assert.Contains(t, m.DataUses, k, "data use %s has an entry", k)
	}
	for _, k := range tax[kindCategory] {
		assert.Contains(t, m.DataCategories, k, "data category %s has an entry", k)
	}
	for _, k := range tax[kindSubject] {
		assert.Contains(t, m.DataSubjects, k, "data subject %s has an entry", k)
	}

	reached := map[string]bool{}
	for k, e := range m.DataUses {
		for _, p := range e.To {
			assert.Contains(t, doc.Purposes, p, "%s maps to a purpose of the policy", k)
			reached[p] = true
		}
		if e.Recipient != "" {
			assert.Contains(t, doc.RecipientTypes, e.Recipient, k)
		}
	}
	var unreached []string
	for p := range doc.Purposes {
		if !reached[p] {
			unreached = append(unreached, p)
		}
	}
	sort.Strings(unreached)
	assert.Empty(t, unreached, "every purpose is reachable from a data use")

	for k, e := range m.DataCategories {
		for _, c := range e.To {
			_, listed := doc.DataCategories[c]
			_, special := doc.SpecialCategories[c]
			assert.True(t, listed || special, "%s maps to %s, a category of the policy", k, c)
		}
	}
	for k, e := range m.DataSubjects {
		for _, s := range e.To {
			assert.Contains(t, doc.DataSubjects, s, k)
		}
	}
	for _, b := range []string{"Consent", "Contract", "Legal obligations", "Vital interests", "Public interest", "Legitimate interests"} {
		assert.Contains(t, m.LegalBases, b)
	}
	for _, b := range []string{"SCCs", "Adequacy Decision", "BCRs"} {
		assert.Contains(t, m.TransferBases, b)
	}
}
