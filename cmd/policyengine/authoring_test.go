package main

import (
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	confectCases     = "../../testdata/policy-cases"
	brightpathPolicy = "../../examples/policies/brightpath"
	brightpathCases  = "../../examples/policies/brightpath/tests"
	twoPolicies      = "../../testdata/two-policies"
	exampleManifests = "../../examples/manifests"
)

// confectVariant writes Confect's document, with edits, into a new policy directory.
func confectVariant(t *testing.T, edits ...[2]string) string {
	t.Helper()
	doc := string(mustRead(t, "../../policy/confect.yaml"))
	for _, e := range edits {
		require.Contains(t, doc, e[0])
		doc = strings.Replace(doc, e[0], e[1], 1)
	}
	dir := t.TempDir()
	write(t, dir, "policy.yaml", doc)
	return dir
}

// acceptAdequacy is the edit that makes Confect's policy accept adequacy decisions.
func acceptAdequacy() [2]string {
	return [2]string{"  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n"}
}

func TestTestCommand(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, "test", "--coverage", "--min-coverage", "100", confectCases)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "coverage: rules 100.0%, clauses 100.0%, Rego lines ")
	assert.NotContains(t, stdout, "uncovered rules")
	assert.NotContains(t, stdout, "uncovered clauses")
	assert.Regexp(t, `cases: \d+ passed, 0 failed; Rego tests: \d{3} passed, 0 failed`, stdout)

	// --run selects cases and Rego tests by name.
	code, stdout, _ = runCLI(t, "test", "--run", "court order", confectCases)
	assert.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(stdout, "PASS"), stdout)
	assert.Contains(t, stdout, "Rego tests: 0 passed", "no Rego test is named for court orders")

	// JUnit: one test case per case and Rego test.
	code, stdout, _ = runCLI(t, "test", "-o", "junit", "--run", "retention|court order", confectCases)
	assert.Equal(t, 0, code)
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal([]byte(stdout), &junit))
	assert.Greater(t, junit.Tests, 10)
	assert.Zero(t, junit.Failures)
}

// Brightpath's policy runs through test with its own cases and Rego tests, and through check
// and diff with its own results.
func TestBrightpath(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, "test", "--policy", brightpathPolicy, "-o", "json", brightpathCases)
	require.Equal(t, 0, code, stderr)
	var rep struct {
		Cases []struct{ Name string } `json:"cases"`
		Rego  []struct{ Name string } `json:"rego"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Len(t, rep.Cases, 21)
	assert.Len(t, rep.Rego, 4)
	for _, r := range rep.Rego {
		assert.Contains(t, r.Name, "minors_test", "only Brightpath's own Rego tests run against its document")
	}

	// Below the minimum coverage: exit 1, and it says why.
	code, stdout, stderr = runCLI(t, "test", "--policy", brightpathPolicy, "--min-coverage", "90", brightpathCases)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "coverage below 90.0%")
	assert.Contains(t, stdout, "uncovered rules: category.sensitive, ")

	// The built-in rules' tests are written against Confect's document: under Brightpath's
	// they fail, and --builtin-tests shows it.
	code, stdout, _ = runCLI(t, "test", "--policy", brightpathPolicy, "--builtin-tests", brightpathCases)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "FAIL  rego/purposes_test.rego:")
	assert.Regexp(t, `cases: 21 passed, 0 failed; Rego tests: \d+ passed, [1-9]\d* failed`, stdout)

	// The same manifest, decided under each policy.
	code, stdout, _ = runCLI(t, "check", "--now", now, "-o", "json", twoPolicies)
	assert.Equal(t, 1, code)
	assert.Equal(t, map[string]string{
		"applicant-tracking-uk": "DENY transfer.without_scc", "applications-inbox": "allow", "talent-pool-agreed": "allow",
		"open-applications": "allow", "applicant-access-request": "allow",
	}, verdicts(t, stdout))
	code, stdout, _ = runCLI(t, "check", "--policy", brightpathPolicy, "--now", now, "-o", "json", twoPolicies)
	assert.Equal(t, 1, code)
	assert.Equal(t, map[string]string{
		"applicant-tracking-uk": "allow", "applications-inbox": "DENY retention.exceeds_limit", "talent-pool-agreed": "allow",
		"open-applications": "allow", "applicant-access-request": "allow",
	}, verdicts(t, stdout))

	code, stdout, _ = runCLI(t, "diff", "--policy", brightpathPolicy, "--now", now, twoPolicies)
	assert.Equal(t, 1, code)
	// impact is the same command under the contract's other name: the same report, the same exit.
	impactCode, impactOut, _ := runCLI(t, "impact", "--policy", brightpathPolicy, "--now", now, twoPolicies)
	assert.Equal(t, code, impactCode)
	assert.Equal(t, stdout, impactOut)
	assert.Contains(t, stdout, "recruitment.yaml:6  applicant-tracking-uk  DENY -> allow\n"+
		"    + condition minors.parental_consent at /data_subjects: requires the person is of the age of digital consent, or a parent has consented\n"+
		"    + warning retention.at_limit at /retention/period: retention P3M is exactly the policy's recruitment limit of P3M: deletion has no margin\n"+
		"    - transfer.without_scc at /recipients/0/transfer_safeguard: ")
	assert.Contains(t, stdout, "recruitment.yaml:17  applications-inbox  allow -> DENY\n"+
		"    + condition minors.parental_consent at /data_subjects: requires the person is of the age of digital consent, or a parent has consented\n"+
		"    + retention.exceeds_limit at /retention/period: retention P6M is longer than the policy's recruitment limit of P3M from last_application_date\n")
	assert.Contains(t, stdout, "recruitment.yaml:39  open-applications  allow -> allow\n"+
		"    + warning consent.stale at /consent/given_at: consent was given more than P12M ago; renew it\n")
	assert.Contains(t, stdout, "5 activities: 1 newly denied, 1 newly allowed, 2 with other reasons")
}

// verdicts reads check's JSON output into "allow" or "DENY rule rule..." per activity.
func verdicts(t *testing.T, out string) map[string]string {
	t.Helper()
	var rep struct {
		Results []struct {
			Activity string `json:"activity"`
			Allow    bool   `json:"allow"`
			Reasons  []struct {
				Rule string `json:"rule"`
			} `json:"reasons"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	got := map[string]string{}
	for _, r := range rep.Results {
		v := "allow"
		if !r.Allow {
			v = "DENY"
			for _, reason := range r.Reasons {
				v += " " + reason.Rule
			}
		}
		got[r.Activity] = v
	}
	return got
}

// A deliberately broken rule, in a copy of Brightpath's policy, fails its own cases and tests.
func TestTestCommandCatchesABrokenRule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"policy.yaml", "minors.rego", "minors_test.rego"} {
		src := string(mustRead(t, filepath.Join(brightpathPolicy, name)))
		write(t, dir, name, strings.Replace(src, "age < policy.extensions", "age <= policy.extensions", 1))
	}
	code, stdout, _ := runCLI(t, "test", "--policy", dir, brightpathCases)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "FAIL  "+brightpathCases+"/cases.yaml:")
	assert.Contains(t, stdout, "A learner of 13 is no longer a child, and needs no parent's consent\n"+
		"        allow: expected true, got false\n"+
		"        + minors.parental_consent at /subject/age (expected not to fire): ")
	assert.Contains(t, stdout, "FAIL  "+filepath.Join(dir, "minors_test.rego"))
	assert.Contains(t, stdout, "cases: 20 passed, 1 failed; Rego tests: 3 passed, 1 failed")
}

func TestTestCommandFailures(t *testing.T) {
	t.Parallel()
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

	for name, tc := range map[string]struct{ args, want []string }{
		"a case file without an activity": {[]string{"test", write(t, dir, "bad.yaml", "cases:\n  - name: x\n    expect: {allow: true}\n")},
			[]string{filepath.Join(dir, "bad.yaml") + `:2: case "x": give an activity or a manifest`}},
		"a rule the policy does not have": {[]string{"test", write(t, dir, "typo.yaml", "cases:\n  - name: x\n    activity: {id: a, data_categories: [name], purposes: [purchase.orders]}\n    expect: {allow: false, fires: [legal_basis.mising]}\n")},
			[]string{filepath.Join(dir, "typo.yaml") + `:4: case "x": the policy has no rule "legal_basis.mising"`}},
		"a directory without case files": {[]string{"test", t.TempDir()}, []string{"no case files"}},
		"a path that does not exist":     {[]string{"test", filepath.Join(dir, "missing")}, []string{"no such file"}},
		"no path":                        {[]string{"test"}, []string{"test needs at least one PATH"}},
		"a bad --run":                    {[]string{"test", "--run", "(", confectCases}, []string{"--run: "}},
		"an unknown format":              {[]string{"test", "-o", "xml", confectCases}, []string{`--output: unknown format "xml"`}},
		"a coverage beyond 100":          {[]string{"test", "--min-coverage", "101", confectCases}, []string{"--min-coverage"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, 2, code, stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
}

// A policy whose document is invalid, whose module does not compile or fails a strict check, or
// that has two rules with one id, is an error naming the file and line, for test, diff and
// check alike (exit 2); so is a Rego test module that does not compile, for test.
func TestPolicyErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		file, src, want string
	}{
		"invalid document": {"policy.yaml", strings.Replace(string(mustRead(t, "../../policy/confect.yaml")), "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: maybe\n", 1),
			`policy.yaml:\d+:\d+: /privacy_policy/transfer_safeguards/scc: `},
		"module does not compile": {"acme.rego", "package policyengine.rules.acme\n\ndeny contains x if {\n", `acme.rego:4: unexpected eof token`},
		"strict check":            {"acme.rego", "package policyengine.rules.acme\n\nimport data.privacy_policy\n\nx := 1\n", `acme.rego:3`},
		"duplicate id": {"acme.rego", `package policyengine.rules.acme

# METADATA
# title: Twice
# description: Claims a built-in id.
# custom:
#   id: consent.not_given
#   clause: consent
deny contains "x" if false
`, `acme.rego:9:1: rule id consent\.not_given is already claimed by the rule at rego/consent\.rego:`},
		// A policy's own person rule without a title once panicked the compiler.
		"person rule without a title": {"acme.rego", `package policyengine.rules.acme

import data.policyengine.lib

# METADATA
# description: Reads the person's state and has no title.
# custom:
#   id: acme.untitled
#   clause: consent
deny contains lib.reason(rego.metadata.rule(), "/subject", "restricted") if input.subject.restricted
`, `acme.rego:10:1: rule acme\.untitled: its METADATA lacks title`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := confectVariant(t)
			write(t, dir, tc.file, tc.src)
			want := regexp.MustCompile(regexp.QuoteMeta(dir+string(filepath.Separator)) + tc.want)
			for _, args := range [][]string{
				{"test", "--policy", dir, confectCases},
				{"diff", "--policy", dir, exampleManifests},
				{"diff", "--base-policy", dir, exampleManifests},
				{"check", "--policy", dir, exampleManifests},
			} {
				code, stdout, stderr := runCLI(t, args...)
				assert.Equal(t, 2, code, "%v", args)
				assert.Regexp(t, want, stderr, "%v", args)
				assert.Empty(t, stdout, "%v", args)
			}
		})
	}

	dir := confectVariant(t)
	write(t, dir, "acme_test.rego", "package policyengine.rules.acme_test\n\ntest_x if {\n\tinput.x ==\n}\n")
	code, _, stderr := runCLI(t, "test", "--policy", dir, confectCases)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, filepath.Join(dir, "acme_test.rego")+":5")
}

// A change to Confect's policy, tested against Confect's cases and the built-in Rego tests: the
// cases that assert the old policy fail, naming what changed; the built-in Rego tests read the
// facts from the document, so they hold.
func TestTestCommandOnAPolicyChange(t *testing.T) {
	t.Parallel()
	same := confectVariant(t)
	code, stdout, stderr := runCLI(t, "test", "--policy", same, "--builtin-tests", confectCases)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `Rego tests: \d{3} passed, 0 failed`, stdout)

	next := confectVariant(t, acceptAdequacy())
	code, stdout, _ = runCLI(t, "test", "--policy", next, "--builtin-tests", confectCases)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "FAIL  "+confectCases+"/transfers.yaml:43  The policy names SCCs, so an adequacy decision is not accepted\n"+
		"        allow: expected false, got true\n"+
		"        - transfer.without_scc (expected to fire, did not)\n")
	assert.NotContains(t, stdout, "FAIL  rego/")
	assert.Regexp(t, `Rego tests: \d{3} passed, 0 failed`, stdout)
}

func TestDiffCommand(t *testing.T) {
	t.Parallel()
	next := confectVariant(t, acceptAdequacy())

	code, stdout, stderr := runCLI(t, "diff", "--policy", next, "--now", now, exampleManifests)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "crash-reports-uk  DENY -> allow\n    - transfer.without_scc at /recipients/0/transfer_safeguard")
	assert.Contains(t, stdout, "33 activities: 0 newly denied, 1 newly allowed, 0 with other reasons")

	// The other way round: the same activity newly denied.
	code, stdout, _ = runCLI(t, "diff", "--base-policy", next, "--now", now, exampleManifests)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "crash-reports-uk  allow -> DENY\n    + transfer.without_scc at /recipients/0/transfer_safeguard")
	assert.Contains(t, stdout, "33 activities: 1 newly denied, 0 newly allowed, 0 with other reasons")

	code, stdout, _ = runCLI(t, "diff", "--base-policy", next, "--policy", next, "-o", "json", "--now", now, exampleManifests)
	assert.Equal(t, 0, code, "no change")
	var rep struct {
		Changes []any          `json:"changes"`
		Errors  []any          `json:"errors"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Empty(t, rep.Changes)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, 33, rep.Summary["activities"])

	// Standard input, read once for both sides.
	code, stdout, _ = runWith(t, `{"id":"uk","data_categories":["device"],"purposes":["security.maintenance"],"legal_basis":"legitimate_interest","retention":{"period":"P90D"},
		"recipients":[{"name":"CrashDesk","type":"subprocessor","country":"GB","dpa":true,"transfer_safeguard":"adequacy"}]}`, nil, "diff", "--policy", next, "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "-:1  uk  DENY -> allow")

	// An activity that cannot be decided leaves the comparison incomplete: exit 2, and it is
	// listed with the changes that were found.
	dir := t.TempDir()
	broken := write(t, dir, "broken.yaml", "id: [\n")
	code, stdout, _ = runCLI(t, "diff", "--policy", next, "--now", now, exampleManifests+"/analytics-subprocessors.yaml", broken)
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, "crash-reports-uk  DENY -> allow")
	assert.Regexp(t, regexp.QuoteMeta(broken)+`:\d+  could not be decided: malformed YAML`, stdout)
	assert.Contains(t, stdout, "(1 could not be decided)")

	for _, args := range [][]string{{"diff"}, {"diff", "-o", "xml", exampleManifests}, {"diff", "--now", "soon", exampleManifests}, {"diff", "--policy", filepath.Join(dir, "missing"), exampleManifests}} {
		code, _, _ := runCLI(t, args...)
		assert.Equal(t, 2, code, "%v", args)
	}
}
