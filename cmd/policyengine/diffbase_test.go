package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --base DIR names the policy before the change, as --base-policy did.
func TestDiffBase(t *testing.T) {
	t.Parallel()
	next := confectVariant(t, acceptAdequacy())
	code, stdout, _ := runCLI(t, "diff", "--base", next, "--now", now, exampleManifests)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "crash-reports-uk  allow -> DENY")

	// A path that cannot be read is an error naming it, not a pass.
	missing := filepath.Join(t.TempDir(), "missing")
	code, stdout, _ = runCLI(t, "diff", "--policy", next, "--now", now, missing)
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, missing+"  could not be decided: no such file or directory")

	code, _, stderr := runCLI(t, "diff", "--base", next, "--base-ref", "HEAD", "--policy", next, exampleManifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--base and --base-ref: give one")
	code, _, stderr = runCLI(t, "diff", "--base-ref", "HEAD", exampleManifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "give --policy DIR")
}

// --base-ref REV diffs a policy edited in place against itself at a git revision, as a pull
// request's check does against the branch it targets.
func TestDiffBaseRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is needed for --base-ref")
		}
		t.Skip("no git on PATH")
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	git("init", "-q", "-b", "main")
	doc := string(mustRead(t, "../../policy/confect.yaml"))
	dir := filepath.Join(repo, "policies", "confect")
	write(t, dir, "policy.yaml", doc)
	git("add", ".")
	git("commit", "-q", "-m", "the policy")

	// Edited in place: without a base the change is compared with the embedded policy only.
	write(t, dir, "policy.yaml", strings.Replace(doc, acceptAdequacy()[0], acceptAdequacy()[1], 1))
	code, stdout, stderr := runCLI(t, "diff", "--base-ref", "main", "--policy", dir, "--now", now, exampleManifests)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "crash-reports-uk  DENY -> allow")
	assert.Contains(t, stdout, "33 activities: 0 newly denied, 1 newly allowed, 0 with other reasons")

	// From inside the repository, the directory relative; after the change is committed, HEAD
	// is the changed policy and nothing differs.
	manifests, err := filepath.Abs(exampleManifests)
	require.NoError(t, err)
	t.Chdir(filepath.Join(repo, "policies"))
	code, stdout, stderr = runCLI(t, "diff", "--base-ref", "HEAD", "--policy", "confect", "--now", now, manifests)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "1 newly allowed")
	git("commit", "-q", "-am", "accept adequacy")
	code, stdout, stderr = runCLI(t, "diff", "--base-ref", "HEAD", "--policy", "confect", "--now", now, manifests)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "33 activities: 0 newly denied, 0 newly allowed, 0 with other reasons")
	code, stdout, _ = runCLI(t, "diff", "--base-ref", "HEAD~1", "--policy", "confect", "--now", now, manifests)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "1 newly allowed")

	for rev, want := range map[string]string{
		"no-such-branch": "--base-ref no-such-branch: git archive: ",
		"--output=x":     `is not a revision`,
	} {
		code, _, stderr := runCLI(t, "diff", "--base-ref", rev, "--policy", "confect", exampleManifests)
		assert.Equal(t, 2, code, rev)
		assert.Contains(t, stderr, want, rev)
	}
	code, _, stderr = runCLI(t, "diff", "--base-ref", "HEAD", "--policy", t.TempDir(), exampleManifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--base-ref HEAD: git rev-parse: ")

	// A policy at the base revision that cannot be loaded is named as the user names it, REV:DIR,
	// not by the temporary copy it was read from.
	write(t, filepath.Join(repo, "policies", "confect"), "policy.yaml", strings.Replace(doc, "legal_bases: {contract: true, consent: true}", "legal_bases: {contract: yes}", 1))
	git("commit", "-q", "-am", "a broken policy")
	write(t, filepath.Join(repo, "policies", "confect"), "policy.yaml", doc)
	code, _, stderr = runCLI(t, "diff", "--base-ref", "HEAD", "--policy", "confect", "--now", now, manifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "HEAD:confect/policy.yaml:")
	assert.NotContains(t, stderr, "policyengine-diff-")
}

// A diff gate pointed at nothing fails, as check does, unless --allow-empty.
func TestDiffOfNothing(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	code, _, stderr := runCLI(t, "diff", "--now", now, empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "no activity found in "+empty)
	code, _, stderr = runCLI(t, "diff", "--allow-empty", "--now", now, empty)
	assert.Equal(t, 0, code, stderr)
}

// test --policy COPY, for a copy of Confect's policy with one fact changed: the built-in Rego
// tests run against the copy's document without asking, and hold, as they read the limits from
// it; the summary says which ran; only the cases that assert Confect's 24 months fail.
func TestTestCommandOnACopy(t *testing.T) {
	t.Parallel()
	copied := confectVariant(t, [2]string{"        period: P24M\n", "        period: P12M\n"})
	code, stdout, _ := runCLI(t, "test", "--policy", copied, confectCases)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `Rego tests: \d{3} passed, 0 failed\nRego tests run: \d{3} of the built-in rules, against the policy's document`, stdout)
	assert.Contains(t, stdout, "FAIL  "+confectCases+"/retention.yaml:")
	assert.NotContains(t, stdout, "FAIL  rego/")

	code, stdout, _ = runCLI(t, "test", "--policy", copied, "--builtin-tests=false", confectCases)
	assert.Equal(t, 1, code, "the cases still assert Confect's 24 months")
	assert.Contains(t, stdout, "no Rego test ran (--builtin-tests runs the built-in rules' tests against the policy's document)")

	code, stdout, _ = runCLI(t, "test", "--policy", brightpathPolicy, brightpathCases)
	assert.Equal(t, 0, code)
	assert.Regexp(t, `Rego tests run: \d+ of the policy's own \(--builtin-tests adds the built-in rules'\)`, stdout)
}

// A failing Rego test names the expression that failed, with what it got and what it expected.
func TestFailingRegoTestSaysWhatItGot(t *testing.T) {
	t.Parallel()
	dir := confectVariant(t)
	write(t, dir, "acme_test.rego", `package policyengine.rules.acme_test

test_one_purpose if {
	count(data.privacy_policy.purposes) == 1
}
`)
	code, stdout, _ := runCLI(t, "test", "--policy", dir, confectCases)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `FAIL  `+regexp.QuoteMeta(filepath.Join(dir, "acme_test.rego"))+`:3  data.policyengine.rules.acme_test.test_one_purpose\n`+
		`        failed at line 4: count\(data.privacy_policy.purposes\) == 1\n`+
		`        got:      \d+\n`+
		`        expected: 1\n`, stdout)
}
