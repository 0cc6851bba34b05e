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

const (
	confectCases     = "../../testdata/policy-cases"
	brightpathPolicy = "../../examples/policies/brightpath/policy"
	brightpathCases  = "../../examples/policies/brightpath/cases"
)

func TestTestCommand(t *testing.T) {
	code, stdout, stderr := runCLI(t, "test", "--coverage", "--min-coverage", "100", confectCases)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "coverage: rules 100.0%, clauses 100.0%")
	assert.Regexp(t, `cases: \d+ passed, 0 failed; Rego tests: \d+ passed, 0 failed`, stdout)

	// Another company's policy, its own cases and Rego tests.
	code, stdout, stderr = runCLI(t, "test", "--policy", brightpathPolicy, "-o", "json", brightpathCases)
	require.Equal(t, 0, code, stderr)
	var rep struct {
		Cases []struct{ Name string } `json:"cases"`
		Rego  []struct{ Name string } `json:"rego"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.NotEmpty(t, rep.Cases)
	for _, r := range rep.Rego {
		assert.Contains(t, r.Name, "minors_test", "only Brightpath's own Rego tests run against its document")
	}

	// Below the minimum coverage: exit 1, and it says why.
	code, _, stderr = runCLI(t, "test", "--policy", brightpathPolicy, "--min-coverage", "90", brightpathCases)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "coverage below 90.0%")

	// --run selects cases and Rego tests by name.
	code, stdout, _ = runCLI(t, "test", "--run", "court order", confectCases)
	assert.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(stdout, "PASS"), stdout)
	assert.Contains(t, stdout, "Rego tests: 0 passed", "no Rego test is named for court orders")
}

func TestTestCommandFailures(t *testing.T) {
	dir := t.TempDir()
	failing := write(t, dir, "failing.yaml", `cases:
  - name: Checkout on contract is allowed
    activity: {id: checkout, data_categories: [name], purposes: [purchase.orders], legal_basis: consent, retention: {period: P1Y}}
    expect:
      allow: true
`)
	code, stdout, _ := runCLI(t, "test", failing)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "FAIL  "+failing+":2  Checkout on contract is allowed")
	assert.Contains(t, stdout, "+ consent.not_given at /consent:")
	assert.Contains(t, stdout, "got: deny: consent.not_given at /consent")

	bad := write(t, dir, "bad.yaml", "cases:\n  - name: x\n    expect: {allow: true}\n")
	code, _, stderr := runCLI(t, "test", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, bad+":2")

	for _, args := range [][]string{
		{"test", "--run", "(", confectCases},
		{"test", "-o", "xml", confectCases},
		{"test", "--min-coverage", "101", confectCases},
		{"test", filepath.Join(dir, "missing")},
	} {
		code, _, stderr := runCLI(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}

// A policy that does not compile, fails a strict check, or has two rules with one id is an
// error naming the file and line, for test and diff alike.
func TestPolicyErrorsNameFileAndLine(t *testing.T) {
	for name, tc := range map[string]struct{ module, want string }{
		"does not compile": {"package policyengine.rules.acme\n\ndeny contains x if {\n", "acme.rego:4: unexpected eof token"},
		"strict check":     {"package policyengine.rules.acme\n\nimport data.privacy_policy\n\nx := 1\n", "acme.rego:3"},
		"duplicate id": {`package policyengine.rules.acme

# METADATA
# title: Twice
# description: Claims a built-in id.
# custom:
#   id: consent.not_given
#   clause: consent
deny contains "x" if false
`, "acme.rego:9:1: rule id consent.not_given is already claimed by the rule at rego/consent.rego:"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), mustRead(t, "../../policy/confect.yaml"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "acme.rego"), []byte(tc.module), 0o644))
			for _, args := range [][]string{
				{"test", "--policy", dir, confectCases},
				{"diff", "--policy", dir, "../../examples/manifests"},
				{"check", "--policy", dir, "../../examples/manifests"},
			} {
				code, _, stderr := runCLI(t, args...)
				assert.Equal(t, 2, code, "%v", args)
				assert.Contains(t, stderr, filepath.Join(dir, tc.want), "%v", args)
			}
		})
	}
}

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	doc := strings.Replace(string(mustRead(t, "../../policy/confect.yaml")), "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n", 1)
	write(t, dir, "policy.yaml", doc)
	manifests := "../../examples/manifests"

	code, stdout, stderr := runCLI(t, "diff", "--policy", dir, "--now", now, manifests)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "crash-reports-uk  DENY -> allow")
	assert.Contains(t, stdout, "39 activities: 0 newly denied, 1 newly allowed, 0 with other reasons")

	code, stdout, _ = runCLI(t, "diff", "--base-policy", dir, "--policy", dir, "-o", "json", "--now", now, manifests)
	assert.Equal(t, 0, code, "no change")
	var rep struct {
		Changes []any          `json:"changes"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Empty(t, rep.Changes)
	assert.Equal(t, 39, rep.Summary["activities"])

	for _, args := range [][]string{{"diff"}, {"diff", "-o", "xml", manifests}, {"diff", "--now", "soon", manifests}} {
		code, _, _ := runCLI(t, args...)
		assert.Equal(t, 2, code, "%v", args)
	}
}
