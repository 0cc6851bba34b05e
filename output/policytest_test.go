package output_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
)

// testReport writes a test report in a format.
func testReport(t *testing.T, rep *policytest.Report, format string) string {
	t.Helper()
	return string(render(t, output.WriteTest, format, rep))
}

func TestTestReportFormats(t *testing.T) {
	p := policy.Default()
	cases, err := policytest.Load("../testdata/policy-cases/rights.yaml")
	require.NoError(t, err)
	cases[0].Expect.Allow = true // break one
	rep, err := policytest.RunSuite(t.Context(), p, cases, policytest.Options{Filter: regexp.MustCompile("object|restrict"), Coverage: true})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Summary.CasesFailed)

	text := testReport(t, rep, "text")
	assert.Contains(t, text, "FAIL  ../testdata/policy-cases/rights.yaml:4  You have the right to object to processing based on legitimate interest")
	assert.Contains(t, text, "allow: expected true, got false")
	assert.Contains(t, text, "coverage: rules ")
	assert.Regexp(t, `\nREGO FILE +LINES +COVERED +PERCENT\n`, text)
	assert.Regexp(t, `\nrego/rights.rego +\d+ +\d+ +\d+\.\d%\n`, text)
	assert.Contains(t, text, "\nuncovered rules: category.sensitive, ")
	assert.Regexp(t, `\nuncovered Rego lines:\n(    rego/\S+: .*\n)*    rego/categories.rego: \d+`, text)
	assert.Contains(t, text, "cases: 2 passed, 1 failed")

	var js struct {
		Cases []struct {
			Name     string   `json:"name"`
			Passed   bool     `json:"passed"`
			Failures []string `json:"failures"`
			Expect   struct {
				Allow    bool `json:"allow"`
				NotFires []struct {
					Rule string `json:"rule"`
				} `json:"not_fires"`
			} `json:"expect"`
		} `json:"cases"`
		Coverage struct {
			Rego struct {
				Files []struct {
					File    string  `json:"file"`
					Percent float64 `json:"percent"`
				} `json:"files"`
			} `json:"rego"`
		} `json:"coverage"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(testReport(t, rep, "json")), &js))
	assert.Len(t, js.Cases, 3, "--run keeps the cases whose name matches")
	assert.Equal(t, 1, js.Summary["cases_failed"])
	assert.True(t, js.Cases[0].Expect.Allow, "the expectation as run")
	assert.NotEmpty(t, js.Coverage.Rego.Files)

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
	require.NoError(t, xml.Unmarshal([]byte(testReport(t, rep, "junit")), &junit))
	assert.Equal(t, 1, junit.Failures)
	assert.Equal(t, rep.Summary.Cases+rep.Summary.Rego, junit.Tests)
	assert.ErrorIs(t, output.WriteTest(&bytes.Buffer{}, "yaml", rep, output.Options{}), output.ErrUnknownFormat)
}
