package docs_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
)

// The examples decide as the README shows: `check examples/manifests` at the README's --now
// gives the summary the README prints and each finding of its excerpt, at its line and column.
// The declarations carry no person's state; the fixtures of one person each (testdata/people)
// are decided in full, without conditions. What each rule makes of an activity is the policy
// cases' to say (testdata/policy-cases), not this test's.
func TestExamples(t *testing.T) {
	t.Parallel()
	readme := string(mustRead(t, "README.md"))
	m := regexp.MustCompile("--now (\\S+)` to fix the evaluation time").FindStringSubmatch(readme)
	require.NotNil(t, m, "the README gives the --now of its example output")
	at, err := time.Parse(time.RFC3339, m[1])
	require.NoError(t, err)
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return at }))
	require.NoError(t, err)

	report, err := check.Run(context.Background(), e, []string{"examples/manifests"}, check.Options{})
	require.NoError(t, err)
	require.Zero(t, report.Summary.Errors, "the examples are well-formed")
	s := report.Summary
	summary := fmt.Sprintf("%d activities in %d files: %d allowed, %d denied, %d warnings, %d conditions to meet per person (policy %s)",
		s.Activities, s.Files, s.Allowed, s.Denied, s.Warnings, s.Conditions, report.Revision[:12])
	documented := regexp.MustCompile(`\n(\d+ activities in \d+ files: .*) \(policy [0-9a-f]+\)\n`).FindStringSubmatch(readme)
	require.NotNil(t, documented, "the README shows check's summary line")
	assert.Equal(t, documented[1], summary[:strings.LastIndex(summary, " (policy")], "the README's summary of check examples/manifests")

	// The excerpt: a file, its activities (allow or DENY) and their findings, "line:column
	// [warning|if] rule".
	_, excerpt, ok := strings.Cut(readme, "```\nexamples/manifests/")
	require.True(t, ok, "the README shows check's output")
	excerpt, _, _ = strings.Cut("examples/manifests/"+excerpt, "```")
	byActivity := map[string]check.Result{}
	for _, r := range report.Results {
		byActivity[r.File+"#"+r.Activity] = r
		assert.NotContains(t, string(mustRead(t, r.File)), "consent:", "%s: a declaration carries no person's consent", r.File)
		for _, f := range slices.Concat(r.Reasons, r.Warnings) {
			assert.Positive(t, f.Line, "%s %s: a finding points at a line", r.Activity, f.Rule)
		}
		for _, c := range r.Conditions {
			assert.Positive(t, c.Line, "%s %s: a condition points at a line", r.Activity, c.Rule)
		}
	}
	verdict := regexp.MustCompile(`^  (allow|DENY) +(\S+)$`)
	finding := regexp.MustCompile(`^ +(\d+):(\d+) +(warning |if )?(\S+)  `)
	var file string
	var current check.Result
	shown := 0
	for _, line := range strings.Split(excerpt, "\n") {
		switch {
		case strings.HasPrefix(line, "examples/"):
			file = line
		case verdict.MatchString(line):
			v := verdict.FindStringSubmatch(line)
			var ok bool
			current, ok = byActivity[file+"#"+v[2]]
			require.True(t, ok, "the README shows %s in %s", v[2], file)
			assert.Equal(t, v[1] == "allow", current.Allow, "the README's verdict on %s", v[2])
		case finding.MatchString(line):
			f := finding.FindStringSubmatch(line)
			shown++
			var places []string
			switch f[3] {
			case "":
				for _, r := range current.Reasons {
					places = append(places, fmt.Sprintf("%d:%d %s", r.Line, r.Column, r.Rule))
				}
			case "warning ":
				for _, r := range current.Warnings {
					places = append(places, fmt.Sprintf("%d:%d %s", r.Line, r.Column, r.Rule))
				}
			default:
				for _, c := range current.Conditions {
					places = append(places, fmt.Sprintf("%d:%d %s", c.Line, c.Column, c.Rule))
				}
			}
			assert.Contains(t, places, f[1]+":"+f[2]+" "+f[4], "the README's %s%s on %s", f[3], f[4], current.Activity)
		}
	}
	assert.Positive(t, shown, "the README's excerpt shows findings")

	people, err := check.Run(context.Background(), e, []string{"testdata/people"}, check.Options{})
	require.NoError(t, err)
	require.Zero(t, people.Summary.Errors, "the people fixtures are well-formed")
	for _, r := range people.Results {
		assert.Empty(t, r.Conditions, "%s: %s is one person's activity, decided in full", r.File, r.Activity)
	}
}

// The CI examples parse as YAML and run the gate: GitHub through the action (whose commands
// cmd/policyengine's TestAction runs), GitLab with the README's install line and check command.
func TestCIExamples(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"examples/ci/github-actions.yml":     "uses: ./",
		"examples/ci/github-drift.yml":       "policyengine drift --bearer bearer.json --output sarif",
		"examples/ci/gitlab-ci.yml":          "policyengine check --output junit examples/manifests",
		"examples/ci/pre-commit-config.yaml": "id: policyengine-check",
		"examples/ci/policyengine.yaml":      "manifests:",
		"action.yml":                         "policyengine check --output sarif",
		".pre-commit-hooks.yaml":             "entry: policyengine check",
	} {
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		var doc any
		require.NoError(t, yaml.Unmarshal(src, &doc), file)
		assert.Contains(t, string(src), want, file)
	}
	src, err := os.ReadFile("examples/ci/gitlab-ci.yml")
	require.NoError(t, err)
	assert.Contains(t, string(src), "go install github.com/confect/policyengine/cmd/policyengine@main")
}
