package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

// import fides writes manifests that check decides as it decides the Fides files: the same
// allow and the same reasons of the policy's rules per declaration.
func TestImportFides(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "import", "fides", "-o", dir, "../../check/testdata/fides/project")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "6 declarations written to 1 manifests")

	decisions := func(args ...string) map[string][2]any {
		_, out, stderr := runCLI(t, append([]string{"check", "-o", "json"}, args...)...)
		var rep struct {
			Results []struct {
				Activity string `json:"activity"`
				Allow    bool   `json:"allow"`
				Reasons  []struct {
					Rule string `json:"rule"`
				} `json:"reasons"`
				Errors []any `json:"errors"`
			} `json:"results"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &rep), stderr)
		m := map[string][2]any{}
		for _, r := range rep.Results {
			require.Empty(t, r.Errors, r.Activity)
			var rules []string
			for _, x := range r.Reasons {
				if !strings.HasPrefix(x.Rule, "fides.") {
					rules = append(rules, x.Rule)
				}
			}
			m[r.Activity] = [2]any{r.Allow, strings.Join(rules, " ")}
		}
		return m
	}
	fromFides := decisions("../../check/testdata/fides/project")
	delete(fromFides, "logs/system logs") // no personal data: not written
	assert.Equal(t, fromFides, decisions(dir))

	data, err := os.ReadFile(filepath.Join(dir, "systems.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "# From ../../check/testdata/fides/project/systems.yml:11 (Fides system webshop).")
	assert.Contains(t, string(data), "fides.renamed_key")
}

// explain knows the Fides import's own findings.
func TestExplainFidesFinding(t *testing.T) {
	code, out, stderr := runCLI(t, "explain", "fides.unmapped_key")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "fides_mapping")
	assert.Contains(t, out, "warns (never denies)")
}

// The record of processing reads Fides files too: one entry per declaration of personal data.
func TestROPAFromFides(t *testing.T) {
	code, out, stderr := runCLI(t, "ropa", "--format", "json", "../../check/testdata/fides/project")
	require.Equal(t, 0, code, stderr)
	var rec struct {
		Entries []struct {
			ID string `json:"id"`
		} `json:"entries"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rec))
	var ids []string
	for _, e := range rec.Entries {
		ids = append(ids, e.ID)
	}
	assert.Contains(t, ids, "webshop/orders")
	assert.NotContains(t, ids, "logs/system logs", "no personal data, no record")
	assert.Len(t, ids, 6)
}

// A finding about a Fides file with no declaration (an organization's unknown key) shows in
// every output format at the file's line, and counts as a warning does for the exit code.
func TestFidesFileFindings(t *testing.T) {
	dir := t.TempDir()
	org := write(t, dir, "organization.yml", "organization:\n  - fides_key: acme\n    name: Acme\n    head_office: somewhere\n")
	code, stdout, stderr := runCLI(t, "check", "--now", now, "-o", "text", org)
	assert.Equal(t, 0, code, stdout+stderr)
	assert.Contains(t, stdout, "the file itself")
	assert.Regexp(t, `4:5 +warning fides\.unknown_key`, stdout)
	assert.Contains(t, stdout, "0 activities in 1 file: 0 allowed, 0 denied, 1 warning")
	assert.NotContains(t, stdout, "somewhere", "no value is quoted")

	code, _, _ = runCLI(t, "check", "--now", now, "--fail-on-warn", org)
	assert.Equal(t, 1, code, "a file's warning fails the run as a declaration's does")

	for format, want := range map[string]string{
		"json":   `"rule": "fides.unknown_key"`,
		"sarif":  `"startLine": 4`,
		"junit":  `line 4: fides.unknown_key`,
		"github": "::warning file=" + escapeForGitHub(org) + ",line=4,col=5,title=fides.unknown_key::",
		"table":  "fides.unknown_key",
		"html":   "<code>fides.unknown_key</code>",
	} {
		code, stdout, stderr := runCLI(t, "check", "--now", now, "-o", format, org)
		assert.Equal(t, 0, code, format+stderr)
		assert.Contains(t, stdout, want, format)
		assert.Contains(t, stdout, "organization.yml", format)
	}
}

func escapeForGitHub(s string) string { return strings.NewReplacer(":", "%3A", ",", "%2C").Replace(s) }
