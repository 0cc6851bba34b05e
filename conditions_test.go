package policyengine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/testpolicy"
)

// A policy's own person rules may test the person's state any way (a flag false, a number above
// a bound): each that some person meets and some does not is a condition, with the sentence its
// METADATA gives or one made of its title; one that no person can meet denies.
func TestCustomPersonRulesOnADeclaration(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"age.rego": ageModule + `
# METADATA
# title: Consent needs a known age
# description: Consent counts only from a person whose age is known.
# custom:
#   id: age.unknown
#   clause: consent
#   requires: the person's age is known
deny contains lib.reason(rego.metadata.rule(), "/subject/age", "consent from a person of unknown age") if {
	input.legal_basis == "consent"
	not input.subject.age
}
`})
	engine := newEngine(t, policyengine.WithPolicyDir(dir))
	ctx := context.Background()
	decl := map[string]any{"id": "n", "data_categories": []any{"email"}, "purposes": []any{"marketing.materials"},
		"legal_basis": "consent", "retention": map[string]any{"period": "P12M", "from": "last_activity"}}
	d, err := engine.EvaluateDeclaration(ctx, decl)
	require.NoError(t, err)
	assert.True(t, d.Allow, d.String())
	var over *policyengine.Condition
	for i := range d.Conditions {
		if d.Conditions[i].Rule == "age.over_99" {
			over = &d.Conditions[i]
		}
	}
	require.NotNil(t, over, "some person is over 99: %v", d.Conditions)
	assert.Equal(t, "the person's state passes: no marketing to a person over 99", over.Requires)
	var unknown *policyengine.Condition
	for i := range d.Conditions {
		if d.Conditions[i].Rule == "age.unknown" {
			unknown = &d.Conditions[i]
		}
	}
	require.NotNil(t, unknown, "a person of known age passes: %v", d.Conditions)
	assert.Equal(t, "the person's age is known", unknown.Requires)

	// A rule that denies whatever the person's state is a denial of the declaration alone.
	dir = writePolicy(t, nil, map[string]string{"never.rego": testpolicy.NeverOnConsent})
	engine = newEngine(t, policyengine.WithPolicyDir(dir))
	decl["legal_basis"] = "consent"
	d, err = engine.EvaluateDeclaration(ctx, decl)
	require.NoError(t, err)
	assert.False(t, d.Allow, d.String())
	require.NotEmpty(t, d.Reasons)
	assert.Contains(t, fmt.Sprint(d.Reasons), "never.consent")
}

func TestDeclarationDeniedByDeclarationRulesStaysDenied(t *testing.T) {
	t.Parallel()
	engine := sharedEngine(t)
	ctx := context.Background()
	d, err := engine.EvaluateDeclaration(ctx, map[string]any{
		"id": "x", "data_categories": []any{"health"}, "purposes": []any{"marketing.materials"},
		"legal_basis": "consent", "retention": map[string]any{"period": "P1M", "from": "last_activity"},
	})
	require.NoError(t, err)
	assert.False(t, d.Allow)
	assert.Equal(t, "category.sensitive", d.Reasons[0].Rule)
	assert.NotEmpty(t, d.Conditions, "conditions are listed beside the denial")
}
