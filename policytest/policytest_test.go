package policytest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
	"github.com/confect/policyengine/problem"
)

const brightpath = "../examples/policies/brightpath"

// Confect's own cases pass, each as a subtest: the way a Go service runs them in go test.
func TestConfectCases(t *testing.T) {
	e, err := policyengine.New(t.Context(), policyengine.WithClock(policytest.Clock))
	require.NoError(t, err)
	policytest.Run(t, e, "../testdata/policy-cases")
}

// Brightpath's cases pass under Brightpath's policy: another company, no code of its own.
func TestBrightpathCases(t *testing.T) {
	e, err := policyengine.New(t.Context(), policyengine.WithPolicyDir(brightpath), policyengine.WithClock(policytest.Clock))
	require.NoError(t, err)
	policytest.Run(t, e, filepath.Join(brightpath, "tests"))
}

// Confect's cases cover every rule and every clause of its policy, firing and held back.
func TestConfectCoverage(t *testing.T) {
	p, e := engineFor(t, "")
	cases, err := policytest.Load("../testdata/policy-cases")
	require.NoError(t, err)
	rep, err := policytest.RunSuite(t.Context(), p, cases, policytest.Options{BuiltinRegoTests: true, Coverage: true})
	require.NoError(t, err)
	require.True(t, rep.Passed())
	rules, clauses := rep.Coverage.Uncovered()
	assert.Empty(t, rules)
	assert.Empty(t, clauses)
	assert.Equal(t, 100.0, rep.Coverage.RulesPercent)
	assert.Equal(t, 100.0, rep.Coverage.ClausesPercent)
	assert.Len(t, rep.Coverage.Rules, len(e.Rules()))
	assert.Len(t, rep.Coverage.Clauses, len(p.Document.Clauses))
	require.NotNil(t, rep.Coverage.Rego)
	assert.Greater(t, rep.Coverage.Rego.Percent, 95.0)
	assert.Greater(t, rep.Summary.Rego, 200, "the built-in Rego tests run too")
}

// Coverage counts only what passing cases assert.
func TestCoverageCountsAssertions(t *testing.T) {
	p, _ := engineFor(t, "")
	cases, err := policytest.Load("../testdata/policy-cases/consent.yaml")
	require.NoError(t, err)
	rep, err := policytest.RunSuite(t.Context(), p, cases, policytest.Options{Coverage: true})
	require.NoError(t, err)
	byID := map[string]policytest.RuleCoverage{}
	for _, r := range rep.Coverage.Rules {
		byID[r.ID] = r
	}
	assert.True(t, byID["consent.not_given"].Covered)
	assert.Equal(t, 2, byID["consent.not_given"].Fires)
	assert.True(t, byID["consent.stale"].Covered)
	assert.False(t, byID["transfer.without_scc"].Covered, "held back, never asserted firing")
	assert.Positive(t, byID["transfer.without_scc"].HeldBack)
	assert.Less(t, rep.Coverage.RulesPercent, 100.0)
}

// engineFor loads the policy in dir ("" for the embedded one) and prepares an engine under it.
func engineFor(t *testing.T, dir string) (*policy.Policy, *policyengine.Engine) {
	t.Helper()
	p := policy.Default()
	if dir != "" {
		var err error
		p, err = policy.LoadDir(dir)
		require.NoError(t, err)
	}
	e, err := policyengine.New(t.Context(), policyengine.WithPolicy(p), policyengine.WithClock(policytest.Clock))
	require.NoError(t, err)
	return p, e
}

// copyDir copies a policy directory's files (not its subdirectories) so a test can break it.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), data, 0o644))
	}
	return to
}

// A deliberately broken rule is caught: Brightpath's rule about children, off by one in a copy
// of its policy, fails the example's own case at the boundary and the rule's own Rego test.
func TestBrokenRuleIsCaught(t *testing.T) {
	dir := copyDir(t, brightpath)
	src, err := os.ReadFile(filepath.Join(dir, "minors.rego"))
	require.NoError(t, err)
	broken := strings.Replace(string(src), "age < policy.extensions", "age <= policy.extensions", 1)
	require.NotEqual(t, string(src), broken)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "minors.rego"), []byte(broken), 0o644))

	p, _ := engineFor(t, dir)
	cases, err := policytest.Load(filepath.Join(brightpath, "tests"))
	require.NoError(t, err)
	rep, err := policytest.RunSuite(t.Context(), p, cases, policytest.Options{})
	require.NoError(t, err)
	assert.False(t, rep.Passed())
	var failed []string
	for _, r := range rep.Cases {
		if !r.Passed {
			failed = append(failed, r.Name+"\n"+strings.Join(r.Failures, "\n"))
		}
	}
	assert.Equal(t, []string{"A learner of 13 is no longer a child, and needs no parent's consent\n" +
		"allow: expected true, got false\n" +
		"+ minors.parental_consent at /subject/age (expected not to fire): the person is a child under 13; processing needs a parent's consent, given"}, failed)
	assert.Equal(t, 1, rep.Summary.RegoFailed, "the rule's own Rego test catches it too")
	for _, r := range rep.Rego {
		if !r.Passed {
			assert.Equal(t, "data.policyengine.rules.minors_test.test_a_learner_of_13_or_older_is_allowed", r.Name)
			assert.Equal(t, filepath.Join(dir, "minors_test.rego"), r.File)
		}
	}
}

func TestFailureDiff(t *testing.T) {
	e, err := policyengine.New(t.Context())
	require.NoError(t, err)
	activity := []byte(`{"id":"x","data_categories":["name"],"purposes":["purchase.orders"],"retention":{"period":"P1Y"}}`)
	missing := "legal_basis.missing at /legal_basis: the activity names no legal basis; as controller, Confect must process on one"
	for _, tc := range []struct {
		name   string
		expect policytest.Expect
		want   []string
	}{
		{"as expected", policytest.Expect{Fires: []policytest.Expectation{{Rule: "legal_basis.missing", Path: "/legal_basis"}}, NotFires: []policytest.Expectation{{Rule: "consent.not_given"}}}, nil},
		{"allowed, and a rule expected that does not fire", policytest.Expect{Allow: true, Fires: []policytest.Expectation{{Rule: "consent.not_given"}}},
			[]string{"allow: expected true, got false", "- consent.not_given (expected to fire, did not)", "+ " + missing}},
		{"a rule that must not fire is listed once", policytest.Expect{Allow: true, NotFires: []policytest.Expectation{{Rule: "legal_basis.missing"}}},
			[]string{"allow: expected true, got false", "+ legal_basis.missing at /legal_basis (expected not to fire): the activity names no legal basis; as controller, Confect must process on one"}},
		{"at another path it does not fire", policytest.Expect{NotFires: []policytest.Expectation{{Rule: "legal_basis.missing", Path: "/purposes/0"}}}, nil},
		{"at its path it does", policytest.Expect{NotFires: []policytest.Expectation{{Rule: "legal_basis.missing", Path: "/legal_basis"}}},
			[]string{"+ legal_basis.missing at /legal_basis (expected not to fire): the activity names no legal basis; as controller, Confect must process on one"}},
		{"the wrong path", policytest.Expect{Fires: []policytest.Expectation{{Rule: "legal_basis.missing", Path: "/purposes"}}},
			[]string{"- legal_basis.missing at /purposes (expected to fire, did not)"}},
		{"a valid_until the decision does not have", policytest.Expect{ValidUntil: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
			[]string{"valid_until: expected 2027-01-01T00:00:00Z, got none"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := policytest.Check(t.Context(), e, &policytest.Case{Name: tc.name, Activity: activity, Expect: tc.expect})
			assert.Equal(t, tc.want, r.Failures)
			assert.Equal(t, tc.want == nil, r.Passed)
		})
	}

	r := policytest.Check(t.Context(), e, &policytest.Case{Name: "invalid", Activity: []byte(`{"id": "x", "colour": "red"}`)})
	assert.False(t, r.Passed)
	assert.Contains(t, r.Err, "invalid input")
}

// A case's now decides the evaluation time, over the file's; without either, the engine's clock.
func TestEvaluationTime(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "time.yaml")
	lead := `{id: lead, data_subjects: [lead], data_categories: [email], purposes: [marketing.materials], legal_basis: legitimate_interest,
      retention: {period: P12M, from: last_activity}, subject: {last_activity_at: "2025-01-01T00:00:00Z"}}`
	require.NoError(t, os.WriteFile(file, []byte(`now: "2027-06-01T00:00:00Z"
cases:
  - name: After 24 months the lead should already be deleted
    activity: `+lead+`
    expect: {allow: false, fires: [retention.expired]}
  - name: Within 24 months it may be kept
    now: "2026-06-01T00:00:00Z"
    activity: `+lead+`
    expect: {allow: true, not_fires: [retention.expired]}
`), 0o644))
	cases, err := policytest.Load(file)
	require.NoError(t, err)
	require.Len(t, cases, 2)
	assert.Equal(t, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), cases[0].Now)
	assert.Equal(t, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), cases[1].Now)

	// On an engine of policytest.Clock, each case is decided at its own time: both pass, a year
	// apart.
	e, err := policyengine.New(t.Context(), policyengine.WithClock(policytest.Clock))
	require.NoError(t, err)
	for _, c := range cases {
		r := policytest.Check(t.Context(), e, c)
		assert.True(t, r.Passed, "%s: %v", c.Name, r.Failures)
	}

	// An engine whose clock does not give a case its time cannot decide the case as written:
	// the case fails, saying so, rather than passing or failing at the wrong time.
	fixed, err := policyengine.New(t.Context(), policyengine.WithClock(func(context.Context) time.Time { return time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	r := policytest.Check(t.Context(), fixed, cases[0])
	assert.False(t, r.Passed)
	assert.Equal(t, []string{"the case's now is not the engine's evaluation time: make the engine with policyengine.WithClock(policytest.Clock)"}, r.Failures)
	cases[0].Now = time.Time{}
	assert.False(t, policytest.Check(t.Context(), fixed, cases[0]).Passed, "without a time of its own, the case runs at the engine's")
}

// A rule id the policy does not have is an error in the case file, named with its line: a
// misspelt not_fires would otherwise pass forever.
func TestUnknownRule(t *testing.T) {
	file := filepath.Join(t.TempDir(), "typo.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`cases:
  - name: Checkout
    activity: {id: a, data_categories: [name], purposes: [purchase.orders], legal_basis: contract, retention: {period: P1Y}}
    expect:
      allow: true
      not_fires:
        - consent.not_given
        - consent.not_givn
`), 0o644))
	cases, err := policytest.Load(file)
	require.NoError(t, err)
	e, err := policyengine.New(t.Context())
	require.NoError(t, err)
	err = policytest.Validate(e, cases)
	require.ErrorIs(t, err, policytest.ErrInvalidCase)
	assert.Equal(t, "invalid test case: "+file+`:8: case "Checkout": the policy has no rule "consent.not_givn" (did you mean "consent.not_given"?)`, err.Error())
	_, err = policytest.RunSuite(t.Context(), policy.Default(), cases, policytest.Options{})
	assert.ErrorIs(t, err, policytest.ErrInvalidCase)
}

func TestInvalidCaseFiles(t *testing.T) {
	activity := "    activity: {id: a, data_categories: [name], purposes: [purchase.orders]}\n"
	for name, tc := range map[string]struct{ src, want string }{
		"unknown key":        {"cases:\n  - name: x\n" + activity + "    expect: {allow: true, deny: [x]}\n", `:4: unknown key "deny"`},
		"no expect":          {"cases:\n  - name: x\n" + activity, ":2: case \"x\": expect {allow, fires, not_fires} is required"},
		"allow not a bool":   {"cases:\n  - name: x\n" + activity + "    expect: {allow: yes}\n", ":4: case \"x\": expect.allow must be true or false"},
		"no name":            {"cases:\n  - " + strings.TrimSpace(activity) + "\n    expect: {allow: true}\n", ":2: a case needs a name"},
		"bad now":            {"now: tomorrow\ncases:\n  - name: x\n" + activity + "    expect: {allow: true}\n", ":1: now: expected an RFC 3339 time"},
		"both sources":       {"cases:\n  - name: x\n    manifest: m.yaml#a\n" + activity + "    expect: {allow: true}\n", "give an activity or a manifest, not both"},
		"missing manifest":   {"cases:\n  - name: x\n    manifest: nowhere.yaml#a\n    expect: {allow: true}\n", ":3: case \"x\": "},
		"no activity id":     {"cases:\n  - name: x\n    manifest: nowhere.yaml\n    expect: {allow: true}\n", "expected path#activity-id"},
		"duplicate names":    {"cases:\n  - name: x\n" + activity + "    expect: {allow: true}\n  - name: x\n" + activity + "    expect: {allow: true}\n", ":5: case \"x\" is already at line 2"},
		"not YAML":           {"cases: [\n", "malformed YAML"},
		"fires not a list":   {"cases:\n  - name: x\n" + activity + "    expect: {allow: true, fires: consent.not_given}\n", ":4: case \"x\": fires: expected a list of rule ids"},
		"bad entry":          {"cases:\n  - name: x\n" + activity + "    expect:\n      allow: true\n      not_fires:\n        - consent.not_given\n        - [x]\n", ":8: case \"x\": not_fires: expected a rule id"},
		"path not a pointer": {"cases:\n  - name: x\n" + activity + "    expect: {allow: true, fires: [consent.not_given at consent]}\n", ":4: case \"x\": fires: expected a rule id"},
		"no cases":           {"now: \"2026-01-01T00:00:00Z\"\n", "expected a non-empty list of cases"},
		"bad valid_until":    {"cases:\n  - name: x\n" + activity + "    expect: {allow: true, valid_until: 2027}\n", ":4: case \"x\": valid_until: expected an RFC 3339 time"},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "cases.yaml")
			require.NoError(t, os.WriteFile(file, []byte(tc.src), 0o644))
			_, err := policytest.Load(file)
			require.ErrorIs(t, err, policytest.ErrInvalidCase)
			assert.Contains(t, err.Error(), file)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A policy's Rego test module that does not parse, or that a strict check rejects, stops the
// suite with a policy error naming its file and line.
func TestRegoTestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		line int
	}{
		"does not parse": {"package policyengine.rules.minors_test\n\ntest_x if {\n\tinput.x ==\n}\n", 5},
		"strict check":   {"package policyengine.rules.minors_test\n\nimport data.policyengine.fixtures\n\ntest_x if true\n", 3},
	} {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, brightpath)
			file := filepath.Join(dir, "extra_test.rego")
			require.NoError(t, os.WriteFile(file, []byte(tc.src), 0o644))
			p, _ := engineFor(t, dir) // tests are not part of the policy the engine decides under
			_, err := policytest.RunSuite(t.Context(), p, nil, policytest.Options{})
			require.ErrorIs(t, err, policy.ErrInvalid)
			var pe *problem.Problem
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, file, pe.File)
			assert.Equal(t, tc.line, pe.Line, pe.Error())
		})
	}
}

// Coverage of another company's policy: its own rule and clause by its own cases, its own
// module's Rego lines by its cases and tests, and what is left uncovered, named.
func TestBrightpathCoverage(t *testing.T) {
	p, _ := engineFor(t, brightpath)
	cases, err := policytest.Load(filepath.Join(brightpath, "tests"))
	require.NoError(t, err)
	rep, err := policytest.RunSuite(t.Context(), p, cases, policytest.Options{Coverage: true})
	require.NoError(t, err)
	require.True(t, rep.Passed())
	assert.Equal(t, 4, rep.Summary.Rego, "its own Rego tests only")

	rules, clauses := rep.Coverage.Uncovered()
	assert.NotContains(t, rules, "minors.parental_consent")
	assert.Contains(t, rules, "category.sensitive", "no case of Brightpath's lists a special category")
	assert.NotContains(t, clauses, "children")
	assert.NotContains(t, clauses, "retention-recruitment")
	assert.Contains(t, clauses, "authorities", "no case of Brightpath's shares with an authority")

	var files []string
	for _, f := range rep.Coverage.Rego.Files {
		files = append(files, f.File)
		if f.File == filepath.Join(brightpath, "minors.rego") {
			assert.Equal(t, 100.0, f.Percent)
			assert.Empty(t, f.Uncovered)
		}
	}
	assert.Contains(t, files, filepath.Join(brightpath, "minors.rego"))
	assert.IsNonDecreasing(t, files)
	assert.NotContains(t, strings.Join(files, " "), "_test.rego")
}

func TestLoadEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := policytest.Load(dir)
	require.ErrorIs(t, err, policytest.ErrInvalidCase)
	assert.Contains(t, err.Error(), dir+": no case files")
}

// Every case is decided through every entry point of the engine, and one that decides otherwise
// fails the case: here a rule that reads an explicit `"dpa": false`, which the typed Activity
// (and so the declaration decided per person) cannot carry.
func TestEveryEntryPoint(t *testing.T) {
	dir := copyDir(t, brightpath)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "explicit.rego"), []byte(`package policyengine.rules.explicit

# METADATA
# title: An explicit no
# description: Denies a recipient whose DPA is stated as absent.
# custom:
#   id: explicit.no_dpa
#   clause: subprocessors
deny contains {"rule": "explicit.no_dpa", "path": "/recipients/0/dpa", "message": "no DPA"} if {
	input.recipients[0].dpa == false
}
`), 0o644))
	_, e := engineFor(t, dir)
	activity := []byte(`{"id":"x","data_categories":["name"],"purposes":["learning.courses"],"legal_basis":"contract",` +
		`"retention":{"period":"P1Y"},"recipients":[{"name":"Mailer","type":"subprocessor","country":"SE","dpa":false}]}`)
	r := policytest.Check(t.Context(), e, &policytest.Case{Name: "explicit", Activity: activity,
		Expect: policytest.Expect{Fires: []policytest.Expectation{{Rule: "explicit.no_dpa"}}}})
	assert.False(t, r.Passed)
	require.Len(t, r.Failures, 2, "%q", r.Failures)
	assert.Contains(t, r.Failures[0], "the typed activity (Evaluate) decided otherwise: deny: sharing.subprocessor_without_dpa at /recipients/0/dpa (as JSON: deny: explicit.no_dpa at /recipients/0/dpa, sharing.subprocessor_without_dpa at /recipients/0/dpa)")
	assert.Contains(t, r.Failures[1], "the declaration decided for the person (Declare, Decide) decided otherwise")
}
