package output_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/output"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// A small tree: a denied declaration (with conditions: two specific to it, on consent, and the
// two rights every person has), an allowed activity of one person (with a warning), and a
// malformed manifest.
const (
	ordersYAML = `activities:
  - id: checkout
    data_categories: [name, email]
    purposes: [purchase.orders]
    legal_basis: consent
    retention: {period: P5Y, from: end_of_contract}
    recipients:
      - name: PayFlow Inc.
        type: subprocessor
        country: US
        dpa: true
  - id: newsletter
    data_categories: [name, email]
    purposes: [marketing.materials]
    legal_basis: consent
    consent: {status: given}
    channel: {type: email, content: marketing}
    retention: {period: P24M, from: last_activity}
`
	brokenJSON = "{\n  \"id\": \"x\",\n  \"purposes\": [\"purchase.orders\"\n}\n"
)

func report(t *testing.T) *check.Report {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "orders.yaml"), []byte(ordersYAML), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.json"), []byte(brokenJSON), 0o644))
	e := engine(t)
	rep, err := check.Run(context.Background(), e, []string{dir}, check.Options{})
	require.NoError(t, err)
	// Paths relative to the tree, so golden files do not hold a temporary directory.
	for i := range rep.Results {
		rep.Results[i].File = filepath.ToSlash(strings.TrimPrefix(rep.Results[i].File, dir+string(filepath.Separator)))
	}
	require.Len(t, rep.Results, 3)
	return rep
}

func format(t *testing.T, name string, rep *check.Report) []byte {
	t.Helper()
	return formatWith(t, name, rep, output.Options{})
}

func formatWith(t *testing.T, name string, rep *check.Report, opts output.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, output.WriteCheck(&buf, name, rep, opts))
	return buf.Bytes()
}

func TestWriteCheckUnknownFormat(t *testing.T) {
	assert.Equal(t, []string{"github", "html", "json", "junit", "sarif", "table", "text"}, output.Formats(output.Check))
	var buf bytes.Buffer
	err := output.WriteCheck(&buf, "yaml", report(t), output.Options{})
	require.Error(t, err, "an unknown format is an error, never a fallback")
	assert.Empty(t, buf.String())
	assert.Contains(t, err.Error(), "github, html, json, junit, sarif, table, text")
}

func TestJSON(t *testing.T) {
	rep := report(t)
	var got struct {
		Results []struct {
			File     string `json:"file"`
			Activity string `json:"activity"`
			Allow    bool   `json:"allow"`
			Reasons  []struct {
				Rule, Message, Clause, Path string
				Line, Column                int
			} `json:"reasons"`
			Warnings   []json.RawMessage `json:"warnings"`
			Conditions []struct {
				Rule, Message, Clause, Path, Requires string
				Line                                  int
				EveryPerson                           bool `json:"every_person"`
			} `json:"conditions"`
			Errors []struct {
				Path, Message string
				Line          int
			} `json:"errors"`
		} `json:"results"`
		Summary  map[string]int `json:"summary"`
		Revision string         `json:"revision"`
	}
	require.NoError(t, json.Unmarshal(format(t, "json", rep), &got))
	require.Len(t, got.Results, 3)
	assert.Equal(t, map[string]int{"files": 2, "activities": 2, "allowed": 1, "denied": 1, "errors": 1, "warnings": 1, "conditions": 4}, got.Summary)
	assert.Equal(t, rep.Revision, got.Revision)

	broken := got.Results[0]
	assert.Equal(t, "broken.json", broken.File)
	assert.False(t, broken.Allow)
	require.Len(t, broken.Errors, 1)
	assert.Equal(t, 4, broken.Errors[0].Line, "the syntax error's line")

	checkout := got.Results[1]
	assert.Equal(t, "orders.yaml", checkout.File)
	assert.Equal(t, "checkout", checkout.Activity)
	assert.False(t, checkout.Allow)
	require.Len(t, checkout.Reasons, 1)
	r := checkout.Reasons[0]
	assert.Equal(t, "transfer.without_scc", r.Rule)
	assert.Equal(t, "/recipients/0/transfer_safeguard", r.Path)
	assert.Equal(t, 8, r.Line, "the missing safeguard is reported on its recipient's line")
	assert.NotEmpty(t, r.Message)
	assert.Equal(t, "When Does Confect Use Subprocessors?", r.Clause)
	require.Len(t, checkout.Conditions, 4, "a declaration: what a person must meet, every condition in JSON")
	var rules []string
	for _, c := range checkout.Conditions {
		rules = append(rules, c.Rule)
		assert.Equal(t, c.Rule == "erasure.requested" || c.Rule == "restriction.requested", c.EveryPerson, "%s: a right every person has, as its METADATA says", c.Rule)
	}
	assert.Equal(t, []string{"consent.minor", "consent.not_given", "erasure.requested", "restriction.requested"}, rules)
	c := checkout.Conditions[3]
	assert.Equal(t, "/purposes/0", c.Path)
	assert.Equal(t, 4, c.Line)
	assert.NotEmpty(t, c.Requires)
	assert.NotEmpty(t, c.Clause)

	newsletter := got.Results[2]
	assert.True(t, newsletter.Allow)
	assert.Len(t, newsletter.Warnings, 1)
	assert.Empty(t, newsletter.Conditions, "one person's activity is decided in full")
}

// sarifLog is the part of SARIF 2.1.0 that code-scanning services read.
type sarifLog struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					FullDescription struct {
						Text string `json:"text"`
					} `json:"fullDescription"`
					Help struct {
						Text string `json:"text"`
					} `json:"help"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						Clause string `json:"clause"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
		Properties struct {
			EveryPerson []struct {
				Rule         string `json:"rule"`
				Requires     string `json:"requires"`
				Declarations int    `json:"declarations"`
			} `json:"everyPersonConditions"`
		} `json:"properties"`
	} `json:"runs"`
}

func TestSARIF(t *testing.T) {
	rep := report(t)
	var got sarifLog
	require.NoError(t, json.Unmarshal(format(t, "sarif", rep), &got))
	assert.Equal(t, "2.1.0", got.Version)
	assert.Contains(t, got.Schema, "sarif-2.1.0")
	require.Len(t, got.Runs, 1)
	run := got.Runs[0]
	assert.Equal(t, "policyengine", run.Tool.Driver.Name)

	// Every rule of the catalogue is described, with its clause and what to change.
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
		assert.NotEmpty(t, r.ShortDescription.Text, r.ID)
		assert.NotEmpty(t, r.FullDescription.Text, r.ID)
		assert.NotEmpty(t, r.Help.Text, r.ID)
		assert.Contains(t, []string{"error", "warning"}, r.DefaultConfiguration.Level, r.ID)
		if r.ID != check.InputRule {
			assert.NotEmpty(t, r.Properties.Clause, r.ID)
		}
	}
	for _, r := range rep.Rules {
		assert.Contains(t, rules, r.ID)
	}
	assert.Equal(t, "warning", run.Tool.Driver.Rules[rules["retention.at_limit"]].DefaultConfiguration.Level)

	// One result per reason, warning, condition specific to a declaration and input error,
	// located on its line; the rights every person has once, in the run's properties.
	require.Len(t, run.Results, 5)
	byRule := map[string]int{}
	for i, res := range run.Results {
		byRule[res.RuleID] = i
		assert.Equal(t, rules[res.RuleID], res.RuleIndex, "ruleIndex points at the rule")
		require.Len(t, res.Locations, 1)
		assert.Positive(t, res.Locations[0].PhysicalLocation.Region.StartLine, res.RuleID)
		assert.NotEmpty(t, res.Message.Text)
	}
	deny := run.Results[byRule["transfer.without_scc"]]
	assert.Equal(t, "error", deny.Level)
	assert.Equal(t, "orders.yaml", deny.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, 8, deny.Locations[0].PhysicalLocation.Region.StartLine)
	warn := run.Results[byRule["retention.at_limit"]]
	assert.Equal(t, "warning", warn.Level)
	assert.Equal(t, 18, warn.Locations[0].PhysicalLocation.Region.StartLine)
	note := run.Results[byRule["consent.not_given"]]
	assert.Equal(t, "note", note.Level, "a condition is a note, never a failure")
	assert.Equal(t, 5, note.Locations[0].PhysicalLocation.Region.StartLine)
	assert.Contains(t, note.Message.Text, "requires")
	assert.NotContains(t, byRule, "restriction.requested", "a right every person has is said once, not under each declaration")
	require.Len(t, run.Properties.EveryPerson, 2)
	assert.Equal(t, "erasure.requested", run.Properties.EveryPerson[0].Rule)
	assert.Equal(t, "restriction.requested", run.Properties.EveryPerson[1].Rule)
	assert.Equal(t, 1, run.Properties.EveryPerson[1].Declarations)

	var all sarifLog
	require.NoError(t, json.Unmarshal(formatWith(t, "sarif", rep, output.Options{AllConditions: true}), &all))
	assert.Len(t, all.Runs[0].Results, 7, "with AllConditions, every condition is a note")
	assert.Empty(t, all.Runs[0].Properties.EveryPerson)
	input := run.Results[byRule[check.InputRule]]
	assert.Equal(t, "broken.json", input.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, 4, input.Locations[0].PhysicalLocation.Region.StartLine)
}

// A check report's JUnit has a suite per file with its counts, which CI systems sum; the root
// carries none (the report is written a suite at a time, and the totals are known only after the
// last).
func TestJUnit(t *testing.T) {
	rep := report(t)
	var got struct {
		XMLName xml.Name   `xml:"testsuites"`
		Name    string     `xml:"name,attr"`
		Attrs   []xml.Attr `xml:",any,attr"`
		Suites  []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Line    int    `xml:"line,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Text string `xml:",chardata"`
				} `xml:"error"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(format(t, "junit", rep), &got))
	assert.Equal(t, "policyengine", got.Name)
	assert.Empty(t, got.Attrs, "no totals on the root, where a streamed report cannot know them")
	tests, failures, errors := 0, 0, 0
	for _, s := range got.Suites {
		tests, failures, errors = tests+s.Tests, failures+s.Failures, errors+s.Errors
	}
	assert.Equal(t, []int{3, 1, 1}, []int{tests, failures, errors}, "the tests, failures and errors a CI system counts")
	require.Len(t, got.Suites, 2)
	assert.Equal(t, "broken.json", got.Suites[0].Name)
	assert.Contains(t, got.Suites[0].Cases[0].Error.Text, "line 4")

	orders := got.Suites[1]
	assert.Equal(t, "orders.yaml", orders.Name)
	assert.Equal(t, 2, orders.Tests)
	assert.Equal(t, 1, orders.Failures)
	require.Len(t, orders.Cases, 2)
	checkout := orders.Cases[0]
	assert.Equal(t, "checkout", checkout.Name)
	assert.Equal(t, 2, checkout.Line)
	require.NotNil(t, checkout.Failure)
	assert.Equal(t, "denied: 1 reason", checkout.Failure.Message)
	assert.Contains(t, checkout.Failure.Text, "line 8: transfer.without_scc at /recipients/0/transfer_safeguard")
	assert.Contains(t, checkout.Failure.Text, "[When Does Confect Use Subprocessors?]")
	assert.Contains(t, checkout.SystemOut, "condition: line 4: restriction.requested at /purposes/0: requires ")
	newsletter := orders.Cases[1]
	assert.Nil(t, newsletter.Failure)
	assert.Contains(t, newsletter.SystemOut, "warning: line 18: retention.at_limit")
}

// annotation is a GitHub workflow command: ::level key=value,...::message.
var annotation = regexp.MustCompile(`^::(error|warning|notice) ([^:]*)::(.*)$`)

// parseAnnotations reads GitHub workflow commands, and returns the lines that are none.
func parseAnnotations(t *testing.T, out []byte) (got []ann, other []string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m := annotation.FindStringSubmatch(l)
		if m == nil {
			other = append(other, l)
			continue
		}
		props := map[string]string{}
		for _, kv := range strings.Split(m[2], ",") {
			k, v, _ := strings.Cut(kv, "=")
			props[k] = v
		}
		got = append(got, ann{m[1], props, m[3]})
	}
	return got, other
}

type ann struct {
	level string
	props map[string]string
	msg   string
}

func TestGitHub(t *testing.T) {
	rep := report(t)
	got, other := parseAnnotations(t, format(t, "github", rep))
	require.Len(t, got, 5)
	assert.Equal(t, "error", got[0].level)
	assert.Equal(t, "broken.json", got[0].props["file"])
	assert.Equal(t, "4", got[0].props["line"])
	assert.Equal(t, "input.invalid", got[0].props["title"])
	assert.Equal(t, "error", got[1].level)
	assert.Equal(t, "orders.yaml", got[1].props["file"])
	assert.Equal(t, "8", got[1].props["line"])
	assert.Equal(t, "transfer.without_scc", got[1].props["title"])
	assert.Contains(t, got[1].msg, "checkout: ")
	// One notice for the declaration, on its line, with the conditions specific to it.
	assert.Equal(t, "notice", got[2].level, "conditions are a notice, never an error")
	assert.Equal(t, "orders.yaml", got[2].props["file"])
	assert.Equal(t, "2", got[2].props["line"])
	assert.Equal(t, "conditions of checkout", got[2].props["title"])
	assert.Contains(t, got[2].msg, "consent.minor at /legal_basis")
	assert.Contains(t, got[2].msg, "consent.not_given at /legal_basis")
	assert.NotContains(t, got[2].msg, "erasure.requested")
	assert.Equal(t, "warning", got[3].level)
	assert.Equal(t, "18", got[3].props["line"])
	// The rights every person has: one notice for the run, on no file.
	assert.Equal(t, "notice", got[4].level)
	assert.NotContains(t, got[4].props, "file")
	assert.Contains(t, got[4].msg, "1 declaration: requires the person has not asked for erasure (erasure.requested")
	assert.Contains(t, got[4].msg, "restriction.requested")
	assert.Equal(t, []string{"policyengine: 2 activities in 2 files: 1 allowed, 1 denied, 1 error, 1 warning, 4 conditions"}, other)

	// With AllConditions, the declaration's one notice holds every condition, and the run none.
	got, _ = parseAnnotations(t, formatWith(t, "github", rep, output.Options{AllConditions: true}))
	var notices []ann
	for _, a := range got {
		if a.level == "notice" {
			notices = append(notices, a)
		}
	}
	require.Len(t, notices, 1, "at most one notice per declaration")
	for _, rule := range []string{"consent.minor", "consent.not_given", "erasure.requested", "restriction.requested"} {
		assert.Contains(t, notices[0].msg, rule)
	}
}

// Workflow command values are escaped, so a message cannot end the command or inject another.
func TestGitHubEscaping(t *testing.T) {
	rep := &check.Report{Results: []check.Result{{
		File: "a,b:c.yaml", Activity: "x", Index: 0,
		Reasons: []finding.Finding{{Reason: policyengine.Reason{Rule: "r.x", Message: "50% done\n::error::injected", Path: "/p"}, Line: 1}},
	}}, Summary: check.Summary{Activities: 1, Denied: 1}}
	out := string(format(t, "github", rep))
	first := strings.Split(out, "\n")[0]
	assert.Equal(t, "::error file=a%2Cb%3Ac.yaml,line=1,title=r.x::x: 50%25 done%0A::error::injected (/p; policy: )", first)
}

func TestTable(t *testing.T) {
	rep := report(t)
	out := string(format(t, "table", rep))
	lines := strings.Split(out, "\n")
	assert.Regexp(t, `^PLACE\s+ACTIVITY\s+DECISION\s+RULE\s+FIELD\s+MESSAGE$`, lines[0])
	assert.Regexp(t, `^broken\.json:4\s+error\s+input\.invalid\s+`, lines[1])
	assert.Regexp(t, `^orders\.yaml:8\s+checkout\s+deny\s+transfer\.without_scc\s+/recipients/0/transfer_safeguard\s+the recipient is in US`, lines[2])
	assert.Regexp(t, `^orders\.yaml:5\s+checkout\s+condition\s+consent\.minor\s+/legal_basis\s+requires `, lines[3])
	assert.Regexp(t, `^orders\.yaml:5\s+checkout\s+condition\s+consent\.not_given\s+/legal_basis\s+requires `, lines[4])
	assert.Regexp(t, `^orders\.yaml:12\s+newsletter\s+allow\s+-\s+-\s+-$`, lines[5])
	assert.Regexp(t, `^orders\.yaml:18\s+newsletter\s+warning\s+retention\.at_limit\s+`, lines[6])
	// The rights every person has, once after the table.
	assert.Equal(t, "", lines[7])
	assert.Contains(t, lines[8], "The rights every person has")
	assert.Regexp(t, `^\s+erasure\.requested  requires the person has not asked for erasure, on 1 declaration$`, lines[9])
	assert.Regexp(t, `^\s+restriction\.requested  requires `, lines[10])
	assert.Equal(t, 1, strings.Count(out, "restriction.requested"))
	assert.Contains(t, out, "2 activities in 2 files: 1 allowed, 1 denied, 1 error, 1 warning, 4 conditions")

	all := string(formatWith(t, "table", rep, output.Options{AllConditions: true}))
	assert.Regexp(t, `(?m)^orders\.yaml:4\s+checkout\s+condition\s+restriction\.requested\s+/purposes/0\s+requires `, all)
	assert.NotContains(t, all, "The rights every person has")
}

func TestText(t *testing.T) {
	rep := report(t)
	out := format(t, "text", rep)
	// The revision changes with every policy change; the golden file holds a placeholder.
	got := strings.ReplaceAll(string(out), rep.Revision[:12], "REVISION")
	golden := filepath.Join("testdata", "report.txt")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./output -update to create it")
	assert.Equal(t, string(want), got)

	// Each reason line holds the place, the rule, the message and the clause.
	assert.Regexp(t, `(?m)^\s+8:9\s+transfer\.without_scc  the recipient is in US.*\[/recipients/0/transfer_safeguard · When Does Confect Use Subprocessors\?\]$`, string(out))
	assert.Regexp(t, `(?m)^\s+5:5\s+if consent\.not_given  requires the person's consent is given.*  \[/legal_basis · .*\]$`, string(out))
	// The rights every person has are said once, after the results.
	assert.Regexp(t, `(?m)^The rights every person has, .*\n\s+if erasure\.requested  requires the person has not asked for erasure, on 1 declaration  \[Your Rights › Right to Erasure\]\n\s+if restriction\.requested  requires the person has not asked to restrict processing, or consents to this processing, on 1 declaration  \[Your Rights › Right to Restriction\]$`, string(out))
	assert.Equal(t, 1, strings.Count(string(out), "restriction.requested"))
	all := string(formatWith(t, "text", rep, output.Options{AllConditions: true}))
	assert.Regexp(t, `(?m)^\s+4:16\s+if restriction\.requested  requires the person has not asked to restrict processing, or consents to this processing  \[/purposes/0 · Your Rights › Right to Restriction\]$`, all)
	assert.NotContains(t, all, "The rights every person has")
	assert.NotContains(t, string(out), "\x1b[", "no colour unless asked")

	var buf bytes.Buffer
	require.NoError(t, output.WriteCheck(&buf, "text", rep, output.Options{Color: true}))
	assert.Contains(t, buf.String(), "\x1b[31mDENY\x1b[0m")
	assert.Equal(t, got, regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(strings.ReplaceAll(buf.String(), rep.Revision[:12], "REVISION"), ""),
		"colour changes nothing but colour")
}

func TestTextSummary(t *testing.T) {
	for _, tc := range []struct {
		s    check.Summary
		want string
	}{
		{check.Summary{Files: 1, Activities: 1, Allowed: 1}, "1 activity in 1 file: 1 allowed, 0 denied"},
		{check.Summary{Files: 3, Activities: 5, Allowed: 2, Denied: 2, Errors: 1, Warnings: 4}, "5 activities in 3 files: 2 allowed, 2 denied, 1 error, 4 warnings"},
	} {
		out := string(format(t, "text", &check.Report{Summary: tc.s, Revision: "0123456789abcdef"}))
		assert.Equal(t, tc.want+" (policy 0123456789ab)\n", out, strconv.Itoa(tc.s.Activities))
	}
}
