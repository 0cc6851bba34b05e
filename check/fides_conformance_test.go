package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/internal/fidescorpus"
)

// refused are the files of the corpus fideslang 3's own models refuse, with the JSON pointers of
// what they refuse: the admin UI's test fixture of a system writes single values where the System
// model has lists (responsibility, legal_basis_for_profiling), lists where it has text
// (data_security_practices, a declaration's third_parties), null where a list may not be
// (legal_basis_for_transfers) and a special-category basis outside the model's enumeration
// ("Explicit Consent", where fideslang 3 has "Explicit consent"). Every other file decides with
// no input error.
var refused = map[string][]string{
	"fides/clients/admin-ui/cypress/fixtures/systems/system.json": {
		"/data_security_practices", "/legal_basis_for_profiling", "/legal_basis_for_transfers", "/responsibility",
		"/privacy_declarations/0/special_category_legal_basis", "/privacy_declarations/0/third_parties",
	},
}

// Every file of the real Fides corpus, folder by folder and all at once: no input errors but
// where fideslang itself refuses the file (refused), every finding located, no
// consent.not_given denial; political opinion in the passing fixtures is category.sensitive; the
// 1.x-key fixture is upgraded and judged.
func TestFidesConformance(t *testing.T) {
	corpus := fidescorpus.Dir(t)
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
		assert.Positive(t, rep.Summary.FidesFiles, "%s: read as Fides", folder)
		if folder == "." {
			files = rep.Summary.Files
		}
		for _, r := range rep.Results {
			rel, _ := filepath.Rel(corpus, r.File)
			var at []string
			for _, p := range r.Errors {
				assert.Positive(t, p.Line, "%s: %s is located", rel, p.Pointer)
				at = append(at, strings.TrimPrefix(p.Pointer, ""))
			}
			if len(at) > 0 {
				assert.Subset(t, refused[filepath.ToSlash(rel)], at, "%s %s: only what fideslang refuses is an input error", rel, r.Activity)
			}
			for _, f := range append(append([]finding.Finding{}, r.Reasons...), r.Warnings...) {
				assert.Positive(t, f.Line, "%s %s: %s is located", rel, r.Activity, f.Rule)
				assert.NotEqual(t, "consent.not_given", f.Rule)
			}
			for _, c := range r.Conditions {
				assert.Positive(t, c.Line, "%s %s: condition %s is located", rel, r.Activity, c.Rule)
			}
		}
	}
	for file, pointers := range refused {
		rep := runFides(t, nil, fidescorpus.File(t, file))
		var at []string
		for _, r := range rep.Results {
			for _, p := range r.Errors {
				at = append(at, p.Pointer)
			}
		}
		assert.ElementsMatch(t, pointers, at, "%s is refused at exactly what fideslang refuses", file)
	}
	assert.Equal(t, want, files, "every .yml and .json file of the corpus is read")

	for _, passing := range []string{"fides/tests/ctl/data/passing_declaration_taxonomy.yml", "fideslang/tests/data/passing_declaration_taxonomy.yml"} {
		rep := runFides(t, nil, fidescorpus.File(t, passing))
		require.Len(t, rep.Results, 1, passing)
		r := rep.Results[0]
		assert.Equal(t, "customer_data_sharing_system/Share Political Opinions", r.Activity)
		f, ok := findingOf(r.Reasons, "category.sensitive")
		require.True(t, ok, "%s: %v", passing, rules(r.Reasons))
		assert.Equal(t, 9, f.Line, passing)
		assert.Contains(t, f.Message, "user.demographic.political_opinion (Political Opinion)")
	}

	rep := runFides(t, nil, fidescorpus.File(t, "fideslang/tests/data/passing_declaration_taxonomy.yml"))
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

}

// A system as the Fides API writes one (JSON, every field of fideslang 3's System present, nulls
// where the model allows them): its flags are judged (uses_profiling of its one declaration makes
// it profiling; special-category processing with no special category is a warning), and the facts
// no rule judges are in the result, located.
func TestFidesAPISystem(t *testing.T) {
	rep := runFides(t, nil, "testdata/fides/apisystem/system.json")
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	assert.Empty(t, r.Errors)
	assert.Contains(t, conditionRules(r.Conditions), "profiling.opted_out", "uses_profiling: true")
	flag, ok := findingOf(r.Warnings, "fides.flag_mismatch")
	require.True(t, ok, "processes_special_category_data: true with an email address and a device id")
	assert.Equal(t, 24, flag.Line)
	facts := map[string]check.Carried{}
	for _, c := range r.Carried {
		assert.Positive(t, c.Line, c.Field)
		facts[c.Field] = c
	}
	assert.Equal(t, "Explicit consent", facts["special_category_legal_basis"].Value)
	assert.Equal(t, "true", facts["requires_data_protection_assessments"].Value)
	assert.Equal(t, 42, facts["requires_data_protection_assessments"].Line)
	assert.Equal(t, "(given)", facts["dpa_location"].Value, "a URL is free text: not quoted")
}
