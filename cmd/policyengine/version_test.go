package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// version and --version print the build's module version; SARIF's tool.driver.version is that
// same version, and the policy revision goes in the run's properties, as version -o json says.
func TestVersion(t *testing.T) {
	t.Parallel()
	code, flag, stderr := runCLI(t, "--version")
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasPrefix(flag, "policyengine "), flag)
	built := strings.TrimSpace(strings.TrimPrefix(flag, "policyengine "))
	require.NotEmpty(t, built)

	code, text, _ := runCLI(t, "version")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(text, flag), "version starts with what --version prints")
	assert.Contains(t, text, "module    github.com/confect/policyengine ")

	code, out, _ := runCLI(t, "version", "-o", "json")
	require.Equal(t, 0, code)
	var v struct {
		Version, Module, Go string
		PolicyRevision      string `json:"policy_revision"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.Equal(t, "github.com/confect/policyengine", v.Module)
	assert.True(t, strings.HasPrefix(built, v.Version))
	assert.Len(t, v.PolicyRevision, 64)
	assert.Contains(t, text, "policy    "+v.PolicyRevision)

	code, sarif, _ := runCLI(t, "check", "-o", "sarif", write(t, t.TempDir(), "a.json", allowed))
	require.Equal(t, 0, code)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version string `json:"version"`
				} `json:"driver"`
			} `json:"tool"`
			Properties map[string]any `json:"properties"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(sarif), &log))
	assert.Equal(t, built, log.Runs[0].Tool.Driver.Version)
	assert.Equal(t, v.PolicyRevision, log.Runs[0].Properties["policyRevision"])

	code, _, _ = runCLI(t, "version", "-o", "xml")
	assert.Equal(t, 2, code)
}

// A JSON manifest may name its schema with $schema, as a lone activity or beside an activities
// list, and is decided as without it.
func TestManifestWithSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ref := `"$schema": "https://raw.githubusercontent.com/confect/policyengine/main/schema/manifest.schema.json"`
	lone := write(t, dir, "lone.json", `{`+ref+`, `+strings.TrimPrefix(allowed, "{"))
	list := write(t, dir, "list.json", `{`+ref+`, "activities": [`+denied+`]}`)
	code, stdout, stderr := runCLI(t, "check", "--now", now, lone)
	assert.Equal(t, 0, code, stdout+stderr)
	code, stdout, _ = runCLI(t, "check", "--now", now, list)
	assert.Equal(t, 1, code, stdout)
	assert.Contains(t, stdout, "legal_basis.missing")
	code, stdout, _ = runCLI(t, "check", "--now", now, write(t, dir, "bad.json", `{"$schema": 1, "activities": [`+allowed+`]}`))
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, "/$schema: expected the URL of a JSON Schema")
}

// No user-facing text cites a document the repository does not hold ("contract §4"): every
// command's help, the rule catalogue and the SARIF rule help say it in words.
func TestNoContractSections(t *testing.T) {
	t.Parallel()
	outputs := []string{}
	for _, args := range [][]string{
		{"--help"}, {"check", "--help"}, {"test", "--help"}, {"diff", "--help"}, {"rules", "--help"},
		{"explain", "--help"}, {"vocabulary", "--help"}, {"version", "--help"}, {"bundle", "--help"},
		{"rules", "-o", "json"},
		{"check", "-o", "sarif", write(t, t.TempDir(), "a.json", allowed)},
	} {
		_, stdout, stderr := runCLI(t, args...)
		outputs = append(outputs, stdout+stderr)
	}
	for _, out := range outputs {
		assert.NotContains(t, out, "§")
	}
}
