package policytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
)

const brightpath = "../examples/policies/brightpath"

// Confect's own cases pass, each as a subtest: the way a Go service runs them in go test.
func TestConfectCases(t *testing.T) {
	e, err := policyengine.New(context.Background())
	require.NoError(t, err)
	policytest.Run(t, e, "../testdata/policy-cases")
}

// Brightpath's cases pass under Brightpath's policy: another company, no code of its own.
func TestBrightpathCases(t *testing.T) {
	e, err := policyengine.New(context.Background(), policyengine.WithPolicyDir(filepath.Join(brightpath, "policy")))
	require.NoError(t, err)
	policytest.Run(t, e, filepath.Join(brightpath, "cases"))
}

// Confect's cases cover every rule and every clause of its policy, firing and held back.
func TestConfectCoverage(t *testing.T) {
	p := policy.Default()
	e, err := policyengine.New(context.Background(), policyengine.WithPolicy(p))
	require.NoError(t, err)
	cases, err := policytest.Load("../testdata/policy-cases")
	require.NoError(t, err)
	rep, err := policytest.RunSuite(context.Background(), e, p, cases, policytest.Options{BuiltinRegoTests: true, Coverage: true})
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
	p := policy.Default()
	e, err := policyengine.New(context.Background(), policyengine.WithPolicy(p))
	require.NoError(t, err)
	cases, err := policytest.Load("../testdata/policy-cases/consent.yaml")
	require.NoError(t, err)
	rep, err := policytest.RunSuite(context.Background(), e, p, cases, policytest.Options{Coverage: true})
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

// copyDir copies a policy directory so a test can break it.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), data, 0o644))
	}
	return to
}

// A deliberately broken rule is caught: by the policy's Rego tests and by its cases.
func TestBrokenRuleIsCaught(t *testing.T) {
	dir := copyDir(t, filepath.Join(brightpath, "policy"))
	src, err := os.ReadFile(filepath.Join(dir, "minors.rego"))
	require.NoError(t, err)
	broken := strings.Replace(string(src), "age < policy.extensions", "age <= policy.extensions", 1)
	require.NotEqual(t, string(src), broken)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "minors.rego"), []byte(broken), 0o644))

	p, err := policy.LoadDir(dir)
	require.NoError(t, err)
	e, err := policyengine.New(context.Background(), policyengine.WithPolicy(p))
	require.NoError(t, err)
	caseFile := filepath.Join(t.TempDir(), "thirteen.yaml")
	require.NoError(t, os.WriteFile(caseFile, []byte(`cases:
  - name: A learner of 13 enrols on contract
    activity:
      id: course
      data_subjects: [learner]
      data_categories: [name, course_progress]
      purposes: [learning.courses]
      legal_basis: contract
      retention: {period: P24M, from: account_closure}
      subject: {age: 13}
    expect:
      allow: true
      not_fires: [minors.parental_consent]
`), 0o644))
	cases, err := policytest.Load(caseFile)
	require.NoError(t, err)
	rep, err := policytest.RunSuite(context.Background(), e, p, cases, policytest.Options{})
	require.NoError(t, err)
	assert.False(t, rep.Passed())
	assert.Equal(t, 1, rep.Summary.CasesFailed)
	assert.Contains(t, strings.Join(rep.Cases[0].Failures, "\n"), "+ minors.parental_consent at /subject/age (expected not to fire)")
	assert.Equal(t, 1, rep.Summary.RegoFailed, "the rule's own Rego test catches it too")
	for _, r := range rep.Rego {
		if !r.Passed {
			assert.Contains(t, r.Name, "test_a_learner_of_13_or_older_is_allowed")
		}
	}
}

func TestFailureDiff(t *testing.T) {
	e, err := policyengine.New(context.Background())
	require.NoError(t, err)
	c := &policytest.Case{
		Name:     "wrong on purpose",
		Activity: []byte(`{"id":"x","data_categories":["name"],"purposes":["purchase.orders"],"retention":{"period":"P1Y"}}`),
		Expect:   policytest.Expect{Allow: true, Fires: []policytest.Finding{{Rule: "consent.not_given"}}, NotFires: []string{"legal_basis.missing"}},
	}
	r := policytest.Check(context.Background(), e, c)
	assert.False(t, r.Passed)
	assert.Equal(t, []string{
		"allow: expected true, got false",
		"- consent.not_given (expected to fire, did not)",
		"+ legal_basis.missing at /legal_basis (expected not to fire): the activity names no legal basis; as controller, Confect must process on one",
		"+ legal_basis.missing at /legal_basis: the activity names no legal basis; as controller, Confect must process on one",
	}, r.Failures)

	c.Activity = []byte(`{"id": "x", "colour": "red"}`)
	r = policytest.Check(context.Background(), e, c)
	assert.False(t, r.Passed)
	assert.Contains(t, r.Err, "invalid input")
}

func TestInvalidCaseFiles(t *testing.T) {
	activity := "    activity: {id: a, data_categories: [name], purposes: [purchase.orders]}\n"
	for name, tc := range map[string]struct{ src, want string }{
		"unknown key":      {"cases:\n  - name: x\n" + activity + "    expect: {allow: true, deny: [x]}\n", `:4: unknown key "deny"`},
		"no expect":        {"cases:\n  - name: x\n" + activity, ":2: case \"x\": expect {allow, fires, not_fires} is required"},
		"allow not a bool": {"cases:\n  - name: x\n" + activity + "    expect: {allow: yes}\n", ":4: case \"x\": expect.allow must be true or false"},
		"no name":          {"cases:\n  - " + strings.TrimSpace(activity) + "\n    expect: {allow: true}\n", ":2: a case needs a name"},
		"bad now":          {"now: tomorrow\ncases:\n  - name: x\n" + activity + "    expect: {allow: true}\n", ":1: now: expected an RFC 3339 time"},
		"both sources":     {"cases:\n  - name: x\n    manifest: m.yaml#a\n" + activity + "    expect: {allow: true}\n", "give an activity or a manifest, not both"},
		"missing manifest": {"cases:\n  - name: x\n    manifest: nowhere.yaml#a\n    expect: {allow: true}\n", ":3: case \"x\": "},
		"no activity id":   {"cases:\n  - name: x\n    manifest: nowhere.yaml\n    expect: {allow: true}\n", "expected path#activity-id"},
		"duplicate names":  {"cases:\n  - name: x\n" + activity + "    expect: {allow: true}\n  - name: x\n" + activity + "    expect: {allow: true}\n", ":5: case \"x\" is already at line 2"},
		"not YAML":         {"cases: [\n", "malformed YAML"},
		"fires not a list": {"cases:\n  - name: x\n" + activity + "    expect: {allow: true, fires: consent.not_given}\n", "fires: expected a list of rule ids"},
		"no cases":         {"now: \"2026-01-01T00:00:00Z\"\n", "expected a non-empty list of cases"},
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

func TestReportFormats(t *testing.T) {
	p := policy.Default()
	e, err := policyengine.New(context.Background(), policyengine.WithPolicy(p))
	require.NoError(t, err)
	cases, err := policytest.Load("../testdata/policy-cases/rights.yaml")
	require.NoError(t, err)
	cases[0].Expect.Allow = true // break one
	rep, err := policytest.RunSuite(context.Background(), e, p, cases, policytest.Options{Filter: regexp.MustCompile("object|restrict"), Coverage: true})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Summary.CasesFailed)

	var text bytes.Buffer
	require.NoError(t, rep.Write(&text, "text"))
	assert.Contains(t, text.String(), "FAIL  ../testdata/policy-cases/rights.yaml:4  You have the right to object to processing based on legitimate interest")
	assert.Contains(t, text.String(), "allow: expected true, got false")
	assert.Contains(t, text.String(), "coverage: rules ")
	assert.Contains(t, text.String(), "cases: 2 passed, 1 failed")

	var js struct {
		Cases []struct {
			Name     string   `json:"name"`
			Passed   bool     `json:"passed"`
			Failures []string `json:"failures"`
		} `json:"cases"`
		Summary map[string]int `json:"summary"`
	}
	var buf bytes.Buffer
	require.NoError(t, rep.Write(&buf, "json"))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &js))
	assert.Len(t, js.Cases, 3, "--run keeps the cases whose name matches")
	assert.Equal(t, 1, js.Summary["cases_failed"])

	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	buf.Reset()
	require.NoError(t, rep.Write(&buf, "junit"))
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &junit))
	assert.Equal(t, 1, junit.Failures)
	assert.Equal(t, rep.Summary.Cases+rep.Summary.Rego, junit.Tests)
	assert.Error(t, rep.Write(&buf, "yaml"))
}
