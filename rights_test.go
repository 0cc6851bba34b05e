package policyengine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
)

// conditions lists a declaration's conditions by rule id.
func conditions(t *testing.T, engine *policyengine.Engine, a policyengine.Activity) map[string]policyengine.Condition {
	t.Helper()
	decl, err := engine.Declare(context.Background(), a)
	require.NoError(t, err)
	d, err := decl.Decision(context.Background())
	require.NoError(t, err)
	require.True(t, d.Allow, d.String())
	out := map[string]policyengine.Condition{}
	for _, c := range d.Conditions {
		out[c.Rule] = c
	}
	return out
}

// GDPR art. 17(1): a request for erasure does not stop processing still necessary for a contract
// with the person. A declared order on contract carries no erasure condition, and is decided
// for a person who asked for erasure as it is for anyone; a newsletter on consent carries the
// condition, and stops for that person.
func TestErasureIsAConditionOnlyWhereTheRightApplies(t *testing.T) {
	engine := newEngine(t)
	order := orderHandling()
	assert.NotContains(t, conditions(t, engine, order), "erasure.requested", "an order on contract goes on after a request for erasure")

	newsletter := policyengine.Activity{
		ID: "newsletter", DataSubjects: []string{"customer"}, DataCategories: []string{"name", "email"},
		Purposes: []string{"marketing.materials"}, LegalBasis: "consent",
		Channel:   &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention: &policyengine.Retention{Period: "P24M", From: "last_activity"},
	}
	erasure, ok := conditions(t, engine, newsletter)["erasure.requested"]
	require.True(t, ok, "a newsletter on consent stops after a request for erasure")
	assert.Equal(t, "the person has not asked for erasure", erasure.Requires)

	asked := &policyengine.Subject{ErasureRequestedAt: now.Add(-24 * time.Hour)}
	for _, tc := range []struct {
		activity policyengine.Activity
		consent  *policyengine.Consent
		allow    bool
	}{
		{order, nil, true},
		{newsletter, &policyengine.Consent{Status: "given"}, false},
	} {
		decl, err := engine.Declare(context.Background(), tc.activity)
		require.NoError(t, err)
		d, err := decl.Decide(context.Background(), policyengine.Person{Consent: tc.consent, Subject: asked})
		require.NoError(t, err)
		assert.Equal(t, tc.allow, d.Allow, "%s: %s", tc.activity.ID, d.String())
	}
}

// GDPR art. 18(2): restricted data may be processed with the person's consent. The condition says
// so, and the per-person decision follows the person's consent.
func TestRestrictionYieldsToThePersonsConsent(t *testing.T) {
	engine := newEngine(t)
	order := orderHandling()
	restriction, ok := conditions(t, engine, order)["restriction.requested"]
	require.True(t, ok)
	assert.Equal(t, "the person has not asked to restrict processing, or consents to this processing", restriction.Requires)

	decl, err := engine.Declare(context.Background(), order)
	require.NoError(t, err)
	restricted := &policyengine.Subject{Restricted: true}
	for _, tc := range []struct {
		consent *policyengine.Consent
		allow   bool
	}{
		{nil, false},
		{&policyengine.Consent{Status: "given", Purposes: []string{"purchase.orders"}}, true},
		{&policyengine.Consent{Status: "given", Purposes: []string{"marketing.materials"}}, false},
		{&policyengine.Consent{Status: "withdrawn"}, false},
	} {
		d, err := decl.Decide(context.Background(), policyengine.Person{Consent: tc.consent, Subject: restricted})
		require.NoError(t, err)
		assert.Equal(t, tc.allow, d.Allow, "%+v: %s", tc.consent, d.String())
	}
}
