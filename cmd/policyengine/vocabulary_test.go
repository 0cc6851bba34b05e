package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vocabulary lists what a manifest may say, from the policy in use: every term the document
// gives, with the fields it goes in and a purpose's permitted bases.
func TestVocabularyCommand(t *testing.T) {
	t.Parallel()
	code, text, stderr := runCLI(t, "vocabulary")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{
		"data_categories in /data_categories/*", "postal_address", "special_categories in /data_categories/*",
		"criminal_record", "art. 10", "data_subjects in /data_subjects/*", "job_applicant",
		"sources in /sources/*", "marketing_partner", "legal_bases in /legal_basis, /recipients/*/legal_basis",
		"recipient_types in /recipients/*/type", "subprocessor", "events in /retention/from", "last_application_date",
		"eu_eea_territory in /recipients/*/country, /recipients/*/court_order/jurisdiction", "Réunion (outermost region of FR): inside the EU/EEA", "Faroe Islands (outside the treaties of DK): outside the EU/EEA", "transfer_safeguards in /recipients/*/transfer_safeguard",
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `security\.threat_prevention\s+legal_obligation, legitimate_interest\s`, text)

	type vocabulary struct {
		Name   string   `json:"name"`
		Fields []string `json:"fields"`
		Terms  []struct {
			Term       string   `json:"term"`
			LegalBases []string `json:"legal_bases"`
		} `json:"terms"`
	}
	terms := func(args ...string) map[string][]string {
		code, out, stderr := runCLI(t, append([]string{"vocabulary", "-o", "json"}, args...)...)
		require.Equal(t, 0, code, stderr)
		var vs []vocabulary
		require.NoError(t, json.Unmarshal([]byte(out), &vs))
		m := map[string][]string{}
		for _, v := range vs {
			for _, term := range v.Terms {
				m[v.Name] = append(m[v.Name], term.Term)
			}
		}
		return m
	}
	confect := terms()
	assert.Len(t, confect["data_categories"], 18)
	assert.Len(t, confect["special_categories"], 10)
	assert.Len(t, confect["eu_eea_territory"], 50)
	assert.Contains(t, confect["purposes"], "recruitment.applications")

	// Another company's policy, another vocabulary.
	brightpath := terms("--policy", brightpathPolicy)
	assert.NotEqual(t, confect["purposes"], brightpath["purposes"])
	assert.Contains(t, brightpath["purposes"], "learning.courses")
	assert.NotContains(t, confect["purposes"], "learning.courses")

	code, _, _ = runCLI(t, "vocabulary", "-o", "xml")
	assert.Equal(t, 2, code)
	code, _, _ = runCLI(t, "vocabulary", "extra")
	assert.Equal(t, 2, code)
}

// A near miss of a term gets the term it was meant to be, in the message of every format: a
// category, a purpose, a recipient type, and values the schema fixes (a legal basis, an event).
func TestDidYouMean(t *testing.T) {
	t.Parallel()
	manifest := write(t, t.TempDir(), "typos.yaml", `id: typos
data_categories: [address, emial, name]
purposes: [purchase.order]
legal_basis: contract
retention: {period: P1Y, from: end_of_contract}
recipients: [{name: Mailer, type: subprocesor, country: DE, dpa: true}]
---
id: schema-typos
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contrat
retention: {period: P1Y, from: end_of_contrct}
`)
	code, text, _ := runCLI(t, "check", "--now", now, manifest)
	require.Equal(t, 2, code)
	for _, want := range []string{
		`"address" is not personal data the policy says Confect processes (did you mean "ip_address" or "postal_address"?)`,
		`"emial" is not personal data the policy says Confect processes (did you mean "email"?)`,
		`(did you mean "purchase.orders"?)`,
		`(did you mean "subprocessor"?)`,
		`/legal_basis: expected one of`,
		`(did you mean "contract"?)`,
		`(did you mean "end_of_contract"?)`,
	} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 6, strings.Count(text, "did you mean"), "none for a term that is right")

	for _, format := range []string{"json", "sarif", "github", "junit", "table"} {
		_, out, _ := runCLI(t, "check", "--now", now, "-o", format, manifest)
		assert.Contains(t, out, "did you mean", format)
	}

	// A rule id: in explain, and in a case file.
	code, _, stderr := runCLI(t, "explain", "retention.exceed_limit")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `no rule "retention.exceed_limit" in the policy; did you mean retention.exceeds_limit?`)
	cases := write(t, t.TempDir(), "cases.yaml", "cases:\n  - name: x\n    activity: {id: a, data_categories: [name], purposes: [purchase.orders]}\n    expect: {allow: false, not_fires: [retention.exceed_limit]}\n")
	code, _, stderr = runCLI(t, "test", cases)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `the policy has no rule "retention.exceed_limit" (did you mean "retention.exceeds_limit"?)`)
}

// Rule descriptions take their facts from the policy in use: explain, rules and SARIF's rule
// help say Brightpath's limits and safeguards under Brightpath's policy, never Confect's.
func TestRuleDescriptionsFromThePolicy(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runCLI(t, "explain", "retention.exceeds_limit")
	require.Equal(t, 0, code)
	stdout = strings.Join(strings.Fields(stdout), " ")
	assert.Contains(t, stdout, "marketing data at most P24M from")
	assert.Contains(t, stdout, "recruitment data at most P6M from")

	code, stdout, _ = runCLI(t, "explain", "--policy", brightpathPolicy, "retention.exceeds_limit")
	require.Equal(t, 0, code)
	stdout = strings.Join(strings.Fields(stdout), " ") // unwrapped
	assert.Contains(t, stdout, "newsletter data at most P12M from")
	assert.Contains(t, stdout, "recruitment data at most P3M from")
	assert.NotContains(t, stdout, "P24M")
	assert.NotContains(t, stdout, "P6M")

	code, stdout, _ = runCLI(t, "explain", "--policy", brightpathPolicy, "transfer.without_scc")
	require.Equal(t, 0, code)
	stdout = strings.Join(strings.Fields(stdout), " ")
	assert.Contains(t, stdout, "accepts (adequacy, scc)")

	manifest := write(t, t.TempDir(), "a.json", allowed)
	for _, args := range [][]string{
		{"rules", "-o", "json"},
		{"rules", "-o", "json", "--policy", brightpathPolicy},
		{"check", "-o", "sarif", "--policy", brightpathPolicy, manifest},
	} {
		_, out, _ := runCLI(t, args...)
		assert.NotRegexp(t, `\{[a-z_]+\}`, out, "%v: every fact filled in", args)
		if slices.Contains(args, brightpathPolicy) {
			assert.NotContains(t, out, "Confect", "%v", args)
			assert.NotContains(t, out, "P24M", "%v", args)
		}
	}
}
