package policyengine_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
)

// exampleDecisions is what Confect's policy says of each activity in examples/manifests (the
// declarations teams commit, decided alone) and testdata/people (one person each, decided in
// full), on 2026-11-28: the rules that deny it (none for an allowed one), the rules that flag it,
// and, for a declaration where it is the point, the person rules it is conditional on. Written
// from the policy, not from the engine's output.
var exampleDecisions = map[string]struct{ deny, warn, cond []string }{
	// analytics-subprocessors.yaml
	"product-analytics-eu":       {cond: []string{"erasure.requested", "objection.legitimate_interest", "restriction.requested"}},
	"product-analytics-us-trial": {deny: []string{"sharing.subprocessor_without_dpa", "transfer.without_scc"}},
	"crash-reports-uk":           {deny: []string{"transfer.without_scc"}}, // adequacy is not SCCs
	"analytics-for-objector":     {deny: []string{"objection.legitimate_interest"}},
	// authority-request.yaml
	"police-request-stockholm": {},
	"police-request-informal":  {deny: []string{"sharing.authority_without_court_order"}},
	"foreign-subpoena":         {deny: []string{"sharing.authority_without_court_order"}},
	// customer-services.yaml
	"hosted-survey-responses": {cond: []string{}},                            // processor scope: no person rule applies
	"hosted-hr-records":       {deny: []string{"processor.no_customer_dpa"}}, // health data, but processor scope
	"support-ticket":          {},
	"order-archive":           {warn: []string{"retention.unbounded"}}, // P10Y: beyond the P7Y review threshold
	// forum.yaml
	"forum-posts":            {},
	"forum-member-directory": {deny: []string{"sharing.public_not_forum", "sharing.public_not_forum"}, warn: atLimit},
	// lead-generation.yaml
	"webinar-signups":        {warn: atLimit},
	"lead-enrichment":        {deny: []string{"category.unlisted", "data_subject.unlisted", "purpose.unlisted", "source.unlisted"}, warn: atLimit},
	"dormant-leads":          {deny: []string{"retention.expired"}, warn: atLimit},
	"lead-scoring-forever":   {deny: []string{"retention.exceeds_limit"}}, // from collection is fine, P5Y is not
	"partner-on-public-task": {deny: []string{"sharing.partner_basis_not_permitted"}},
	"partner-co-marketing":   {deny: []string{"sharing.partner_without_legal_basis"}, warn: atLimit},
	"sell-leads-to-broker":   {deny: []string{"sharing.recipient_unlisted"}, warn: atLimit},
	// newsletter.yaml
	"newsletter-monthly":                {warn: atLimit, cond: []string{"consent.minor", "consent.not_given", "erasure.requested", "marketing.email_without_consent", "marketing.opted_out", "restriction.requested", "retention.expired"}},
	"newsletter-legacy-subscribers":     {warn: []string{"consent.stale"}}, // consent from 2023
	"newsletter-imported-contacts":      {warn: atLimit, cond: []string{"erasure.requested", "marketing.email_without_consent", "marketing.opted_out", "objection.legitimate_interest", "restriction.requested", "retention.expired"}},
	"newsletter-to-opted-out-customer":  {deny: []string{"marketing.opted_out", "marketing.opted_out"}},
	"newsletter-young-subscriber":       {deny: []string{"consent.minor"}, warn: atLimit},
	"newsletter-withdrawn-this-morning": {deny: []string{"consent.not_given", "marketing.email_without_consent"}, warn: atLimit},
	"order-confirmation-after-opt-out":  {},
	// order-handling.json
	"checkout":        {},
	"invoice-archive": {deny: []string{"retention.missing"}},
	"account-signup":  {deny: []string{"legal_basis.missing"}},
	// profiling.yaml
	"interest-profiles":         {warn: []string{"cookies.consent_required", "retention.at_limit"}},
	"profile-opted-out-user":    {deny: []string{"profiling.opted_out", "profiling.opted_out"}, warn: []string{"cookies.consent_required", "retention.at_limit"}},
	"sms-promotions":            {warn: atLimit},
	"sms-promotions-to-refuser": {deny: []string{"marketing.email_without_consent"}, warn: atLimit},
	// recruitment.yaml
	"applications-inbox":              {warn: atLimit},
	"talent-pool":                     {deny: []string{"retention.exceeds_limit"}},
	"talent-pool-agreed":              {warn: atLimit, cond: []string{"consent.minor", "consent.not_given", "erasure.requested", "restriction.requested", "retention.expired"}}, // P12M: the limit plus the agreed P6M
	"interview-notes-stale-candidate": {deny: []string{"retention.expired"}, warn: atLimit},
	"pre-employment-screening":        {deny: []string{"category.sensitive", "category.sensitive"}, warn: atLimit},
	// rights-requests.yaml
	"access-request":                    {cond: []string{}}, // handling a right is allowed whatever the person asked
	"access-request-by-restricted-user": {},
	"onboarding-emails-restricted-user": {deny: []string{"restriction.requested"}},
	"erasure-request":                   {deny: []string{"legal_basis.not_permitted"}, cond: []string{"consent.minor", "consent.not_given"}}, // the erasure itself goes on
	"erasure-request-after-withdrawal":  {deny: []string{"consent.not_given", "legal_basis.not_permitted"}},
	"newsletter-after-erasure-request":  {deny: []string{"erasure.requested"}, warn: atLimit},
	"police-request-restricted-user":    {},
	"access-request-overdue":            {warn: []string{"rights.request_overdue"}},
	// security-logging.yaml
	"edge-access-logs":         {},
	"debug-session-recordings": {deny: []string{"legal_basis.not_permitted"}},
}

// atLimit: retention exactly at the policy's limit (P24M for marketing, P6M for recruitment).
var atLimit = []string{"retention.at_limit"}

func TestExamples(t *testing.T) {
	t.Parallel()
	e := newEngine(t, policyengine.WithClock(func() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	report, err := check.Run(context.Background(), e, []string{"examples/manifests", "testdata/people"}, check.Options{})
	require.NoError(t, err)
	require.Zero(t, report.Summary.Errors, "the examples are well-formed")

	seen := map[string]bool{}
	fired := map[string]bool{}
	for _, r := range report.Results {
		want, ok := exampleDecisions[r.Activity]
		if !assert.True(t, ok, "%s: %s is not in the table", r.File, r.Activity) {
			continue
		}
		seen[r.Activity] = true
		rules := func(fs []check.Finding) []string {
			var out []string
			for _, f := range fs {
				out = append(out, f.Rule)
				fired[f.Rule] = true
				assert.Positive(t, f.Line, "%s %s: a finding points at a line", r.Activity, f.Rule)
			}
			sort.Strings(out)
			return out
		}
		assert.Equal(t, want.deny, rules(r.Reasons), "%s: %s: reasons", r.File, r.Activity)
		assert.Equal(t, want.warn, rules(r.Warnings), "%s: %s: warnings", r.File, r.Activity)
		if strings.HasPrefix(r.File, "examples/") {
			assert.NotContains(t, string(mustRead(t, r.File)), "consent:", "%s: a declaration carries no person's consent", r.File)
		}
		if want.cond != nil {
			var conds []string
			for _, c := range r.Conditions {
				conds = append(conds, c.Rule)
				assert.Positive(t, c.Line, "%s %s: a condition points at a line", r.Activity, c.Rule)
			}
			sort.Strings(conds)
			if len(want.cond) == 0 {
				assert.Empty(t, conds, "%s: conditions", r.Activity)
			} else {
				assert.Equal(t, want.cond, conds, "%s: %s: conditions", r.File, r.Activity)
			}
		}
		assert.Equal(t, len(want.deny) == 0, r.Allow, r.Activity)
	}
	for id := range exampleDecisions {
		assert.True(t, seen[id], "%s is in the table but not in the examples", id)
	}
	// The examples show every rule of the policy denying or flagging.
	for _, rule := range e.Rules() {
		assert.True(t, fired[rule.ID], "no example is %s by %s", map[string]string{"deny": "denied", "warn": "flagged"}[rule.Kind], rule.ID)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return b
}

// The CI examples parse as YAML and run the gate: GitHub through the action (whose commands
// cmd/policyengine's TestAction runs), GitLab with the README's install line and check command.
func TestCIExamples(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"examples/ci/github-actions.yml":     "uses: ./",
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
	assert.Contains(t, string(src), "go install github.com/confect/policyengine/cmd/policyengine@latest")
}
