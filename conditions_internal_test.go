package policyengine

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// For the built-in rules, the conditions and the denials of every person found by deciding a
// declaration for the most exposed person (and, where a rule also judges the declaration, for
// the most favourable one) are exactly those partial evaluation finds: the fast probe is exact.
// Generated declarations over every vocabulary.
func TestProbeConditionsArePartialEvaluations(t *testing.T) {
	t.Parallel()
	e, err := New(context.Background(), WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	st := e.state.Load()
	require.False(t, st.customPerson)
	doc := st.policy.Document
	purposes := keysOf(doc.Purposes)
	categories := keysOf(doc.DataCategories)
	subjects := keysOf(doc.DataSubjects)
	bases := []string{"consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"}
	channels := []string{"email", "sms", "phone", "web", "post"}
	periods := []string{"P1M", "P6M", "P12M", "P24M", "P5Y"}
	events := []string{"collection", "last_activity", "last_application_date", "end_of_contract", "account_closure"}
	types := keysOf(doc.RecipientTypes)
	ctx := context.Background()
	for i := range Repeat(t, "POLICYENGINE_DIFFERENTIAL_DECLARATIONS", 100) { // .ci/run: 600
		pick := func(xs []string, k int) string { return xs[(i*k+i/7)%len(xs)] }
		m := map[string]any{
			"id": "d", "data_subjects": []any{pick(subjects, 3)}, "data_categories": []any{pick(categories, 5)},
			"purposes": []any{pick(purposes, 7), pick(purposes, 11)}, "legal_basis": pick(bases, 13),
			"channel":   map[string]any{"type": pick(channels, 17), "content": []string{"marketing", "administrative"}[i%2]},
			"retention": map[string]any{"period": pick(periods, 19), "from": pick(events, 23)},
			"recipients": []any{map[string]any{"name": "R", "type": pick(types, 29), "country": "SE", "dpa": true,
				"legal_basis": pick(bases, 31), "court_order": map[string]any{"reference": "C", "jurisdiction": "SE"}}},
		}
		if i%3 == 0 {
			m["profiling"] = true
		}
		if i%5 == 0 {
			m["role"] = "processor"
			m["customer_dpa"] = "DPA"
		}
		probe, err := e.evaluateDeclaration(ctx, st, m)
		require.NoError(t, err)
		always, conds, err := e.partialConditions(ctx, st, m)
		require.NoError(t, err)
		var probeAlways []string
		for _, r := range probe.Reasons {
			if _, person := st.person[r.Rule]; person {
				probeAlways = append(probeAlways, r.Rule+" at "+r.Path)
			}
		}
		var peAlways []string
		for _, r := range always {
			peAlways = append(peAlways, r.Rule+" at "+r.Path)
			assert.True(t, st.person[r.Rule].AlsoDeclaration, "%s denies every person for %v: its METADATA must say also_declaration", r.Rule, m)
		}
		sort.Strings(peAlways)
		sort.Strings(probeAlways)
		assert.Equal(t, peAlways, probeAlways, "declaration %v", m)
		assert.Equal(t, ruleIDs(conds), ruleIDs(probe.Conditions), "declaration %v", m)
	}
}
