package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The first command a newcomer runs: the rights every person has (erasure, restriction) are said
// once for the run, not under each declaration; what is specific to a declaration stays under
// it; --all-conditions lists them all; JSON keeps every condition.
func TestConditionsInform(t *testing.T) {
	t.Parallel()
	code, text, stderr := runCLI(t, "check", "--now", now, exampleManifests)
	require.Equal(t, 1, code, stderr)
	assert.Equal(t, 1, strings.Count(text, "if erasure.requested"), "said once")
	assert.Equal(t, 1, strings.Count(text, "if restriction.requested"), "said once")
	assert.Regexp(t, `(?m)^The rights every person has, .*\n\s+if erasure\.requested  requires the person has not asked for erasure, on 22 declarations  \[Your Rights › Right to Erasure\]$`, text)
	assert.Regexp(t, `(?m)^\s+9:5\s+if objection\.legitimate_interest  requires `, text, "specific to a declaration on legitimate interest: under it")

	code, all, _ := runCLI(t, "check", "--now", now, "--all-conditions", exampleManifests)
	require.Equal(t, 1, code)
	assert.Equal(t, 22, strings.Count(all, "if erasure.requested"), "under each declaration")
	assert.NotContains(t, all, "The rights every person has")
	assert.Less(t, strings.Count(text, "\n"), strings.Count(all, "\n")-40)

	code, out, _ := runCLI(t, "check", "--now", now, "-o", "json", exampleManifests)
	require.Equal(t, 1, code)
	var rep struct {
		Results []struct {
			Conditions []struct {
				Rule        string `json:"rule"`
				EveryPerson bool   `json:"every_person"`
			} `json:"conditions"`
		} `json:"results"`
		Summary struct {
			Conditions int `json:"conditions"`
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	n, erasure := 0, 0
	for _, r := range rep.Results {
		for _, c := range r.Conditions {
			n++
			if c.Rule == "erasure.requested" {
				erasure++
				assert.True(t, c.EveryPerson)
			}
		}
	}
	assert.Equal(t, rep.Summary.Conditions, n, "JSON keeps every condition")
	assert.Equal(t, 22, erasure)

	// GitHub: at most one notice per declaration, and one for the run.
	code, out, _ = runCLI(t, "check", "--now", now, "-o", "github", exampleManifests)
	require.Equal(t, 1, code)
	perDeclaration := map[string]int{}
	run := 0
	for _, m := range regexp.MustCompile(`(?m)^::notice (.*?)::`).FindAllStringSubmatch(out, -1) {
		if !strings.Contains(m[1], "file=") {
			run++
			continue
		}
		perDeclaration[m[1]]++
		assert.Equal(t, 1, perDeclaration[m[1]], m[1])
	}
	assert.Equal(t, 1, run)
	assert.NotEmpty(t, perDeclaration)
	assert.Less(t, len(perDeclaration), 33, "a declaration whose conditions are only the rights every person has gets no notice")
}
