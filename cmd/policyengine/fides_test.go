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
	t.Parallel()
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
// allow and the same reasons of the policy's rules per declaration written; the declarations
// check denies for a key outside the policy are not written, and the exit code says so.
func TestImportFides(t *testing.T) {
	src, err := filepath.Abs("../../check/testdata/fides/project")
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	code, out, stderr := runCLI(t, "import", "fides", "-o", "manifests", src)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "3 declarations written to 1 manifest; 3 not written (check denies them)")
	assert.Regexp(t, `systems\.yml:33:9: webshop/loyalty: not written: check denies it\n.*systems\.yml:36:25: fides\.unmapped_key: "member" has no entry in the policy's fides_mapping\.data_subjects`, stderr)

	decisions := func(args ...string) map[string][2]any {
		_, out, stderr := runCLI(t, append([]string{"check", "-o", "json"}, args...)...)
		var rep struct {
			Results []struct {
				Activity string `json:"activity"`
				Index    int    `json:"index"`
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
			if r.Index < 0 {
				continue
			}
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
	fromFides := decisions(src)
	imported := decisions("manifests")
	assert.Len(t, imported, 3)
	for id, d := range imported {
		assert.Equal(t, fromFides[id], d, id)
	}

	data, err := os.ReadFile(filepath.Join("manifests", "systems.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "# From "+src+"/systems.yml:11 (Fides system webshop).")
	assert.Contains(t, string(data), `id: "webshop/orders"`)
	assert.Contains(t, string(data), "fides.renamed_key")
	assert.Contains(t, string(data), "# Not written: webshop/loyalty")
	assert.NotContains(t, string(data), "fides_member", "no term outside the policy is written")
}

// export fides writes fideslang from manifests; check reads it back as the manifests decide, and
// import fides turns it back into manifests.
func TestExportFides(t *testing.T) {
	src, err := filepath.Abs("../../examples/manifests/newsletter.yaml")
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	code, out, stderr := runCLI(t, "export", "fides", "-o", "fides", src)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "fides/newsletter.yml: 2 declarations from "+src)
	assert.Contains(t, out, "2 activities written as privacy declarations to 1 Fides file")
	data, err := os.ReadFile(filepath.Join("fides", "newsletter.yml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `data_use: "marketing.communications.email"`)

	_, before, _ := runCLI(t, "check", "--now", now, "-o", "json", src)
	_, after, _ := runCLI(t, "check", "--now", now, "-o", "json", "fides")
	var a, b struct {
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(before), &a))
	require.NoError(t, json.Unmarshal([]byte(after), &b))
	for _, k := range []string{"activities", "allowed", "denied", "conditions", "errors"} {
		assert.Equal(t, a.Summary[k], b.Summary[k], k)
	}
	code, out, stderr = runCLI(t, "import", "fides", "--output", "back", "fides")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "2 declarations written to 1 manifest")

	code, _, stderr = runCLI(t, "export", "fides", src)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "needs -o DIR")
}

// explain knows the Fides import's own findings.
func TestExplainFidesFinding(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, "explain", "fides.unmapped_key")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "fides_mapping")
	assert.Contains(t, out, "warns (never denies)")
}

// The record of processing reads Fides files too: one entry per declaration of personal data.
func TestROPAFromFides(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
