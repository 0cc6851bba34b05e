package policyengine_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
)

// exampleDecisions is what Confect's policy says of each activity in examples/manifests, on
// 2026-11-28: the rules that deny it, none for an allowed one. Written from the policy, not from
// the engine's output.
var exampleDecisions = map[string][]string{
	// analytics-subprocessors.yaml
	"product-analytics-eu":       nil,
	"product-analytics-us-trial": {"sharing.subprocessor_without_dpa", "transfer.without_scc"},
	"crash-reports-uk":           {"transfer.without_scc"}, // adequacy is not SCCs
	"analytics-for-objector":     {"objection.legitimate_interest"},
	// authority-request.yaml
	"police-request-stockholm": nil,
	"police-request-informal":  {"sharing.authority_without_court_order"},
	"foreign-subpoena":         {"sharing.authority_without_court_order"},
	// customer-services.yaml
	"hosted-survey-responses": nil,
	"hosted-hr-records":       {"processor.no_customer_dpa"}, // health data, but processor scope
	"support-ticket":          nil,
	// forum.yaml
	"forum-posts":            nil,
	"forum-member-directory": {"sharing.public_not_forum", "sharing.public_not_forum"},
	// lead-generation.yaml
	"webinar-signups":      nil,
	"lead-enrichment":      {"category.unlisted", "data_subject.unlisted", "purpose.unlisted", "source.unlisted"},
	"dormant-leads":        {"retention.expired"},
	"lead-scoring-forever": {"retention.exceeds_limit", "retention.exceeds_limit"},
	"partner-co-marketing": {"sharing.partner_without_legal_basis"},
	"sell-leads-to-broker": {"sharing.recipient_unlisted"},
	// newsletter.yaml
	"newsletter-monthly":               nil,
	"newsletter-imported-contacts":     {"marketing.email_without_consent"},
	"newsletter-to-opted-out-customer": {"marketing.opted_out", "marketing.opted_out"},
	"order-confirmation-after-opt-out": nil,
	// order-handling.json
	"checkout":        nil,
	"invoice-archive": {"retention.missing"},
	"account-signup":  {"legal_basis.missing"},
	// profiling.yaml
	"interest-profiles":      nil,
	"profile-opted-out-user": {"profiling.opted_out", "profiling.opted_out"},
	"sms-promotions":         {"marketing.email_without_consent"},
	// recruitment.yaml
	"applications-inbox":              nil,
	"talent-pool":                     {"retention.exceeds_limit"},
	"talent-pool-agreed":              nil,
	"interview-notes-stale-candidate": {"retention.expired"},
	"pre-employment-screening":        {"category.sensitive", "category.sensitive"},
	// rights-requests.yaml
	"access-request":                   nil,
	"onboarding-emails-restricted-user": {"restriction.requested"},
	"erasure-request":                   {"consent.not_given", "legal_basis.not_permitted"},
	// security-logging.yaml
	"edge-access-logs":         nil,
	"debug-session-recordings": {"legal_basis.not_permitted"},
}

func TestExamples(t *testing.T) {
	t.Parallel()
	e := newEngine(t, policyengine.WithTime(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)))
	report, err := check.Run(context.Background(), e, []string{"examples/manifests"}, check.Options{})
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
		var got []string
		for _, reason := range r.Reasons {
			got = append(got, reason.Rule)
			fired[reason.Rule] = true
			assert.Positive(t, reason.Line, "%s %s: a reason points at a line", r.Activity, reason.Rule)
		}
		sort.Strings(got)
		assert.Equal(t, want, got, "%s: %s", r.File, r.Activity)
		assert.Equal(t, len(want) == 0, r.Allow, r.Activity)
	}
	for id := range exampleDecisions {
		assert.True(t, seen[id], "%s is in the table but not in the examples", id)
	}
	// The examples show every rule of the policy denying.
	for _, rule := range e.Rules() {
		assert.True(t, fired[rule.ID], "no example is denied by %s", rule.ID)
	}
}
