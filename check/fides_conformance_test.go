package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
)

// fidesCorpus is the outside corpus of real Fides files (../shared/fides beside the
// repository). Under CI it must be there.
func fidesCorpus(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "fides")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Fides corpus is missing at %s (CI has ../shared beside the clone): %v", dir, err)
		}
		t.Skipf("the Fides corpus is not at %s", dir)
	}
	return dir
}

// Every file of the real Fides corpus, folder by folder and all at once: no input errors, every
// finding located, no consent.not_given denial; political opinion in the passing fixtures is
// category.sensitive; the 1.x-key fixture is upgraded and judged.
func TestFidesConformance(t *testing.T) {
	corpus := fidesCorpus(t)
	folders := []string{"."}
	want := 0
	err := filepath.WalkDir(corpus, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".json")) {
			want++
			if rel, _ := filepath.Rel(corpus, filepath.Dir(path)); folders[len(folders)-1] != rel {
				folders = append(folders, rel)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, len(folders), 5)
	files := 0
	for _, folder := range folders {
		rep := runFides(t, nil, filepath.Join(corpus, folder))
		assert.Zero(t, rep.Summary.Errors, "%s: no input errors", folder)
		assert.Positive(t, rep.Summary.FidesFiles, "%s: read as Fides", folder)
		if folder == "." {
			files = rep.Summary.Files
		}
		for _, r := range rep.Results {
			assert.Empty(t, r.Errors, "%s %s", r.File, r.Activity)
			for _, f := range append(append([]check.Finding{}, r.Reasons...), r.Warnings...) {
				assert.Positive(t, f.Line, "%s %s: %s is located", r.File, r.Activity, f.Rule)
				assert.NotEqual(t, "consent.not_given", f.Rule)
			}
			for _, c := range r.Conditions {
				assert.Positive(t, c.Line, "%s %s: condition %s is located", r.File, r.Activity, c.Rule)
			}
		}
	}
	assert.Equal(t, want, files, "every .yml and .json file of the corpus is read")

	for _, passing := range []string{"fides/tests/ctl/data/passing_declaration_taxonomy.yml", "fideslang/tests/data/passing_declaration_taxonomy.yml"} {
		rep := runFides(t, nil, filepath.Join(corpus, passing))
		require.Len(t, rep.Results, 1, passing)
		r := rep.Results[0]
		assert.Equal(t, "customer_data_sharing_system/Share Political Opinions", r.Activity)
		f, ok := findingOf(r.Reasons, "category.sensitive")
		require.True(t, ok, "%s: %v", passing, rules(r.Reasons))
		assert.Equal(t, 9, f.Line, passing)
		assert.Contains(t, f.Message, "user.demographic.political_opinion (Political Opinion)")
	}

	rep := runFides(t, nil, filepath.Join(corpus, "fideslang/tests/data/passing_declaration_taxonomy.yml"))
	r := rep.Results[0]
	var renamed []string
	for _, w := range r.Warnings {
		if w.Rule == "fides.renamed_key" {
			renamed = append(renamed, w.Message)
		}
	}
	require.Len(t, renamed, 2, "the 1.x data use and category are upgraded")
	assert.Contains(t, strings.Join(renamed, "\n"), `"third_party_sharing.payment_processing" is "essential.service.payment_processing"`)
	assert.NotContains(t, rules(r.Reasons), "purpose.unlisted", "the upgraded use is judged: payment processing is purchase.orders")

	// The Fides API's own system: its flags are judged (uses_profiling of its one declaration
	// makes it profiling; special-category processing with no special category is a warning), and
	// the facts no rule judges are in the result, located.
	rep = runFides(t, nil, filepath.Join(corpus, "fides/clients/admin-ui/cypress/fixtures/systems/system.json"))
	require.Len(t, rep.Results, 1)
	r = rep.Results[0]
	assert.Contains(t, conditionRules(r.Conditions), "profiling.opted_out", "uses_profiling: true")
	flag, ok := findingOf(r.Warnings, "fides.flag_mismatch")
	require.True(t, ok, "processes_special_category_data: true with user.contact and a cookie id")
	assert.Equal(t, 22, flag.Line)
	facts := map[string]check.Carried{}
	for _, c := range r.Carried {
		assert.Positive(t, c.Line, c.Field)
		facts[c.Field] = c
	}
	assert.Equal(t, "Explicit Consent", facts["special_category_legal_basis"].Value)
	assert.Equal(t, "true", facts["requires_data_protection_assessments"].Value)
	assert.Equal(t, 37, facts["requires_data_protection_assessments"].Line)
	assert.Equal(t, "(given)", facts["dpa_location"].Value, "a URL is free text: not quoted")
}
