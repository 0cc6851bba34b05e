package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With --fail-on-warn a warning fails the run, and every format says so: JUnit counts it as a
// failure, GitHub annotates it as an error, SARIF gives it the level error, the text and table
// end with why the run failed, and JSON carries fail_on_warn. Without the flag none does.
func TestFailOnWarnEveryFormatAgrees(t *testing.T) {
	t.Parallel()
	warn := write(t, t.TempDir(), "warn.json", warned)

	for _, tc := range []struct {
		format        string
		failing, pass func(t *testing.T, out string)
	}{
		{"text", func(t *testing.T, out string) {
			assert.Contains(t, out, "FAILED: 1 warning fails the run (--fail-on-warn)")
		}, func(t *testing.T, out string) { assert.NotContains(t, out, "FAILED") }},
		{"table", func(t *testing.T, out string) {
			assert.Contains(t, out, "warning (fails)")
			assert.Contains(t, out, "FAILED: 1 warning fails the run (--fail-on-warn)")
		}, func(t *testing.T, out string) { assert.NotContains(t, out, "FAILED") }},
		{"github", func(t *testing.T, out string) {
			assert.Contains(t, out, "::error file="+warn)
			assert.NotContains(t, out, "::warning")
			assert.Contains(t, out, "policyengine: FAILED: 1 warning fails the run")
		}, func(t *testing.T, out string) {
			assert.Contains(t, out, "::warning file="+warn)
			assert.NotContains(t, out, "::error")
		}},
		{"junit", func(t *testing.T, out string) {
			assert.Equal(t, 1, junitFailures(t, out))
			assert.Contains(t, out, `type="warning"`)
		}, func(t *testing.T, out string) { assert.Equal(t, 0, junitFailures(t, out)) }},
		{"sarif", func(t *testing.T, out string) {
			assert.Equal(t, []string{"error"}, notNotes(sarifLevels(t, out)), "a declaration's conditions stay notes")
		}, func(t *testing.T, out string) { assert.Equal(t, []string{"warning"}, notNotes(sarifLevels(t, out))) }},
		{"json", func(t *testing.T, out string) {
			assert.Contains(t, out, `"fail_on_warn": true`)
		}, func(t *testing.T, out string) { assert.NotContains(t, out, "fail_on_warn") }},
	} {
		t.Run(tc.format, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "check", "--fail-on-warn", "-o", tc.format, "--now", now, warn)
			require.Equal(t, 1, code, stderr)
			tc.failing(t, stdout)
			code, stdout, stderr = runCLI(t, "check", "-o", tc.format, "--now", now, warn)
			require.Equal(t, 0, code, stderr)
			tc.pass(t, stdout)
		})
	}
}

// junitFailures counts the failures of a JUnit report as a CI system does: over its suites.
func junitFailures(t *testing.T, out string) int {
	t.Helper()
	var doc struct {
		Suites []struct {
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))
	n := 0
	for _, s := range doc.Suites {
		n += s.Failures
	}
	return n
}

func sarifLevels(t *testing.T, out string) []string {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				Level string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	var levels []string
	for _, r := range log.Runs[0].Results {
		levels = append(levels, r.Level)
	}
	return levels
}

// A gate pointed at nothing fails: no activity found in any path given is exit 2, naming the
// paths, unless --allow-empty.
func TestEmptyGateFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	list := write(t, dir, "list.json", "[]")
	none := write(t, dir, "none.yaml", "activities: []\n")
	for name, args := range map[string][]string{
		"an empty directory":   {empty},
		"an empty list":        {list},
		"activities: []":       {none},
		"all three":            {empty, list, none},
		"an empty stdin list":  {"-"},
		"a directory of other": {write(t, dir, "other/README.md", "# not a manifest\n")[:len(dir)+len("/other")]},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runWith(t, "[]", nil, append([]string{"check"}, args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, "no activity found in "+strings.Join(args, ", "))
			code, _, stderr = runWith(t, "[]", nil, append([]string{"check", "--allow-empty"}, args...)...)
			assert.Equal(t, 0, code, stderr)
		})
	}
}

// A YAML syntax error is reported at the line the parser names, not at 1:1.
func TestYAMLSyntaxErrorLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		src  string
		line string
	}{
		"an unclosed flow mapping": {"id: x\ndata_categories: [name]\npurposes: [purchase.orders]\nretention: {period: P1Y\nlegal_basis: contract\n", "4:"},
		"a bad indentation":        {"id: x\ndata_categories:\n  - name\n - email\n", "4:"},
		"a tab":                    {"id: x\n\tdata: 1\n", "2:"},
		"an unclosed quote":        {"id: x\npurposes: [purchase.orders]\ndescription: \"open\n", "3:"},
	} {
		t.Run(name, func(t *testing.T) {
			code, stdout, _ := runCLI(t, "check", "-o", "github", write(t, dir, strings.ReplaceAll(name, " ", "-")+".yaml", tc.src))
			assert.Equal(t, 2, code)
			assert.Contains(t, stdout, ",line="+strings.TrimSuffix(tc.line, ":")+",")
			assert.Contains(t, stdout, "malformed YAML")
		})
	}
}

// notNotes leaves out the SARIF level of conditions, which never fail a run.
func notNotes(levels []string) []string {
	var out []string
	for _, l := range levels {
		if l != "note" {
			out = append(out, l)
		}
	}
	return out
}
