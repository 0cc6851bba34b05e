package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/logtest"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/output"
)

// The same policy gives the same verdict whatever its folder is called: --policy rules (or
// policy: rules in the config) once made its own person rules count as built-in ones, so that a
// rule denying every person was a mere condition and the gate passed.
func TestPolicyFolderNameChangesNothing(t *testing.T) {
	root := t.TempDir()
	doc := mustRead(t, "../../policy/confect.yaml")
	write(t, root, "consent.yaml", testpolicy.OnConsent)
	write(t, root, "cases/ok.yaml", "cases:\n  - name: an order\n    activity: "+allowed+"\n    expect: {allow: true}\n")
	for _, folder := range []string{"own", "rules", "rego"} {
		write(t, root, filepath.Join(folder, "policy.yaml"), string(doc))
		write(t, root, filepath.Join(folder, "never.rego"), testpolicy.NeverOnConsent)
		write(t, root, filepath.Join(folder, "never_test.rego"), "package policyengine.rules.never_test\n\nimport data.policyengine.rules.never\n\ntest_consent if count(never.deny) == 1 with input as {\"legal_basis\": \"consent\"}\n")
	}
	t.Chdir(root)
	for _, folder := range []string{"own", "rules", "rego"} {
		code, stdout, stderr := runCLI(t, "check", "--config", "none", "--now", now, "--policy", folder, "-o", "text", "consent.yaml")
		assert.Equal(t, 1, code, "--policy %s: %s%s", folder, stdout, stderr)
		assert.Contains(t, stdout, "never.consent", "--policy %s", folder)

		code, stdout, stderr = runCLI(t, "test", "--config", "none", "--policy", folder, "cases")
		assert.Equal(t, 0, code, "--policy %s: %s%s", folder, stdout, stderr)
		assert.Contains(t, stdout, "Rego tests run: 1 of the policy's own", "--policy %s", folder)

		require.NoError(t, os.WriteFile(".policyengine.yaml", []byte("policy: "+folder+"\n"), 0o644))
		code, stdout, stderr = runCLI(t, "check", "--now", now, "-o", "text", "consent.yaml")
		assert.Equal(t, 1, code, "policy: %s in the config: %s%s", folder, stdout, stderr)
	}
}

// A hostile policy or case file cannot inject into a CI log or repaint a terminal through rules,
// explain, test or vocabulary: the policy's text (a rule's title and description, a clause's
// section and text, a term's description) and the case file's (its name, its cases' names and
// expectations) are printed escaped, as check prints a manifest's.
func TestPolicyTextIsPrintedEscaped(t *testing.T) {
	t.Parallel()
	dir := confectVariant(t,
		[2]string{"      section: What personal data does Confect process?\n", "      section: \"What \\e[2J data\\n::error::section\"\n"},
		[2]string{"    name: {group: basic}\n", "    name: {group: basic, description: \"a name\\n::error::vocabulary \\e[2J\"}\n"},
		[2]string{"        For the purposes mentioned in the section", "        Sensitive \\e]8;;https://evil.example\\e\\\\ data.\n\n        ::error::clause\n\n        For the purposes mentioned in the section"})
	write(t, dir, "evil.rego", `package policyengine.rules.evil

import data.policyengine.lib

# METADATA
# title: "Evil \e[31m title\t::warning::tab"
# description: |-
#   Reads nothing.
#   ::error file=x.go::description
#   Ends here: `+"\u202e"+`txt.exe. To pass: "\e[2J" and
#   ::add-mask::remedy
# custom:
#   id: evil.rule
#   clause: sensitive-data
deny contains lib.reason(rego.metadata.rule(), "", "never") if false
`)
	cases := t.TempDir()
	write(t, cases, "evil\n::error::file.yaml", `now: "2026-11-28T00:00:00Z"
cases:
  - name: "a name\n::error::case \e[2J"
    activity: {id: "x", data_categories: [name], purposes: [purchase.orders], legal_basis: contract, retention: {period: P5Y, from: end_of_contract}}
    expect:
      allow: false
`)
	for _, args := range [][]string{
		{"rules", "--policy", dir},
		{"explain", "--policy", dir, "evil.rule"},
		{"explain", "--policy", dir, "category.sensitive"},
		{"test", "--policy", dir, "--coverage", cases},
		{"vocabulary", "--policy", dir},
	} {
		code, stdout, stderr := runCLI(t, args...)
		assert.NotEqual(t, 2, code, "%v: %s", args, stderr)
		assert.Empty(t, logtest.Unsafe(stdout), "%v", args)
		assert.Empty(t, logtest.Unsafe(stderr), "%v", args)
	}
	_, stdout, _ := runCLI(t, "explain", "--policy", dir, "evil.rule")
	assert.Contains(t, stdout, `"Evil \x1b[31m title\t::warning::tab"`, "escaped, and still legible")
}

// repository makes a repository (a directory holding .git) inside a shared parent directory and
// returns both; the repository holds one manifest that the policy denies.
func repository(t *testing.T, gitFile bool) (parent, repo string) {
	t.Helper()
	parent = t.TempDir()
	repo = filepath.Join(parent, "repo")
	if gitFile { // a worktree's or a submodule's .git is a file
		write(t, repo, ".git", "gitdir: /elsewhere\n")
	} else {
		require.NoError(t, os.MkdirAll(filepath.Join(repo, ".git"), 0o755))
	}
	write(t, repo, "services/billing/privacy.yaml", "id: no-basis\ndata_categories: [name]\npurposes: [purchase.orders]\nretention: {period: P5Y}\n")
	return parent, repo
}

// A config file above the repository is not the repository's: the search stops at the
// directory that holds .git. One in a shared parent directory that ignores every manifest and
// allows an empty gate once turned a failing gate into exit 0.
func TestConfigAboveTheRepositoryIsNotUsed(t *testing.T) {
	for _, gitFile := range []bool{false, true} {
		parent, repo := repository(t, gitFile)
		write(t, parent, ".policyengine.yaml", "ignore: [\"*.yaml\"]\nallow_empty: true\n")
		t.Chdir(filepath.Join(repo, "services"))
		code, stdout, stderr := runCLI(t, "check", "--now", now, ".")
		assert.Equal(t, 1, code, "the denied manifest is read and denied: %s%s", stdout, stderr)
		assert.NotContains(t, stderr, ".policyengine.yaml", "no config was used")

		// The repository's own config, at its root, is found from below and named on stderr.
		write(t, repo, ".policyengine.yaml", "allow_empty: true\n")
		code, _, stderr = runCLI(t, "check", "--now", now, ".")
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "policyengine: config file: "+filepath.Join(repo, ".policyengine.yaml")+"\n")
	}
}

// Which config file was used is said on stderr, its name escaped.
func TestConfigUsedIsNamedEscaped(t *testing.T) {
	_, repo := repository(t, false)
	odd := filepath.Join(repo, "odd\n::error::dir\x1b[2J")
	write(t, odd, ".policyengine.yaml", "allow_empty: true\n")
	write(t, odd, "ok.json", allowed)
	t.Chdir(odd)
	code, _, stderr := runCLI(t, "check", "--now", now, "ok.json")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "policyengine: config file: "+output.Printable(filepath.Join(odd, ".policyengine.yaml")))
	assert.Empty(t, logtest.Unsafe(stderr))
}
