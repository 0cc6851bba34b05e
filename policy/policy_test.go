package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// The embedded document says what the contract says Confect's policy says.
func TestDefaultMatchesTheContract(t *testing.T) {
	d := policy.Default().Document
	assert.Equal(t, "Confect", d.Organisation)
	bases := func(ids ...string) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	for purposes, want := range map[string]map[string]bool{
		"purchase.orders purchase.accounts":                                         bases("contract", "consent"),
		"purchase.services purchase.offers support.customer_support":                bases("contract", "legitimate_interest", "consent"),
		"support.improvement support.forum marketing.materials marketing.profiling": bases("legitimate_interest", "consent"),
		"security.threat_prevention":                                                bases("legitimate_interest", "legal_obligation"),
		"security.maintenance":                                                      bases("legitimate_interest"),
		"recruitment.applications recruitment.evaluation":                           bases("contract", "consent"),
		"rights.access rights.rectification rights.erasure rights.restriction rights.portability rights.objection": bases("legal_obligation"),
	} {
		for _, p := range strings.Fields(purposes) {
			assert.Equal(t, want, d.Purposes[p].LegalBases, p)
		}
	}
	assert.Len(t, d.Purposes, 19)
	assert.Len(t, d.EUEEACountries, 30)
	for _, c := range []string{"IS", "LI", "NO", "DE", "SE", "GR"} {
		assert.Contains(t, d.EUEEACountries, c)
	}
	for _, c := range []string{"CH", "GB", "US", "EL"} {
		assert.NotContains(t, d.EUEEACountries, c)
	}
	assert.Equal(t, map[string]bool{"scc": true}, d.TransferSafeguards)
	assert.Equal(t, "P6M", d.Retention.Limits["recruitment"].Period)
	assert.Equal(t, "last_application_date", d.Retention.Limits["recruitment"].From)
	assert.True(t, d.Retention.Limits["recruitment"].ExtensionAllowed)
	assert.Equal(t, "P24M", d.Retention.Limits["marketing"].Period)
	assert.Equal(t, "last_activity", d.Retention.Limits["marketing"].From)
	assert.Len(t, d.SpecialCategories, 10)
	assert.Len(t, d.DataCategories, 18)
	assert.Equal(t, map[string]bool{"username": true, "photo": true, "comment": true, "article": true, "video": true}, d.RecipientTypes["public"].DataCategories)
}

func TestDataIsACopy(t *testing.T) {
	p := policy.Default()
	data := p.Data()
	data["privacy_policy"].(map[string]any)["organisation"] = "Mallory"
	assert.Equal(t, "Confect", p.Data()["privacy_policy"].(map[string]any)["organisation"])
	assert.Equal(t, "Confect", policy.Default().Document.Organisation, "Default is a fresh copy each time")
}

func edit(t *testing.T, old, new string) []byte {
	t.Helper()
	doc := string(policy.DefaultDocument())
	require.Contains(t, doc, old)
	return []byte(strings.Replace(doc, old, new, 1))
}

func TestParseErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		src  []byte
		want string
	}{
		"schema": {edit(t, "legal_bases: {contract: true, consent: true}", "legal_bases: {contract: maybe}"),
			"p.yaml:198:21: /privacy_policy/purposes/purchase.orders/legal_bases/contract: expected boolean, but got string"},
		"syntax":        {[]byte("privacy_policy: [\n"), "p.yaml:1:1: malformed YAML"},
		"duplicate key": {edit(t, "  organisation: Confect\n", "  organisation: Confect\n  organisation: Other\n"), "p.yaml:9:3: /privacy_policy/organisation: duplicate key"},
		"undefined purpose": {edit(t, "      purposes: {support.forum: true}", "      purposes: {support.forums: true}"),
			`p.yaml:267:18: /privacy_policy/recipient_types/public/purposes/support.forums: purpose "support.forums" is not defined in the document`},
		"undefined category": {edit(t, "data_categories: {username: true,", "data_categories: {user_name: true,"),
			`/privacy_policy/recipient_types/public/data_categories/user_name: data category "user_name" is not defined in the document`},
		"undefined data subject": {edit(t, "data_subjects: {job_applicant: true}", "data_subjects: {applicant: true}"),
			`/privacy_policy/retention/limits/recruitment/applies_to/data_subjects/applicant: data subject "applicant" is not defined in the document`},
		"undefined clause": {edit(t, "clause: retention-marketing", "clause: retention-leads"),
			`/privacy_policy/retention/limits/marketing/clause: clause "retention-leads" is not defined in the document`},
		"both kinds of category": {edit(t, "    interests: {group: basic}\n", "    interests: {group: basic}\n    health: {group: basic}\n"),
			`/privacy_policy/data_categories/health: "health" is both a data category and a special category`},
		"two documents": {[]byte("privacy_policy: {}\n---\nprivacy_policy: {}\n"), "p.yaml: expected one YAML document, found 2"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.Parse("p.yaml", tc.src)
			require.Error(t, err)
			assert.ErrorIs(t, err, policy.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
			var pe *policy.Error
			assert.True(t, errors.As(err, &pe))
		})
	}
	_, err := policy.Parse("p.json", []byte(`{"privacy_policy": {"organisation": "X"`))
	assert.ErrorContains(t, err, "p.json:1:")
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	_, err := policy.LoadDir(dir)
	assert.ErrorIs(t, err, policy.ErrInvalid)
	assert.ErrorContains(t, err, "found none")

	write("policy.yaml", string(policy.DefaultDocument()))
	write("rules/acme.rego", "package policyengine.rules.acme\n")
	write("rules/acme_test.rego", "package policyengine.rules.acme_test\n")
	write("testdata/ignored.rego", "not rego at all")
	write(".hidden/ignored.rego", "not rego at all")
	write("cases/one.yaml", "cases: []\n")
	p, err := policy.LoadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, dir, p.Name)
	assert.Equal(t, filepath.Join(dir, "policy.yaml"), p.DocumentFile)
	require.Len(t, p.Modules, 1)
	assert.Equal(t, filepath.Join(dir, "rules", "acme.rego"), p.Modules[0].Name)
	assert.Equal(t, "rules/acme.rego", p.Modules[0].Path)
	require.Len(t, p.Tests, 1)
	assert.Equal(t, "rules/acme_test.rego", p.Tests[0].Path)

	fromFS, err := policy.Load(os.DirFS(dir))
	require.NoError(t, err)
	assert.Equal(t, "rules/acme.rego", fromFS.Modules[0].Name, "from a file system, names are relative")

	write("second.json", "{}")
	_, err = policy.LoadDir(dir)
	assert.ErrorContains(t, err, "found policy.yaml, second.json")

	_, err = policy.LoadDir(filepath.Join(dir, "policy.yaml"))
	assert.ErrorContains(t, err, "not a directory")
	_, err = policy.LoadDir(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, policy.ErrInvalid)
}
