package policyengine

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The typical declarations are decided from a residual of their own that reads only the
// person's state: partial evaluation, not the fallback to full evaluation.
func TestTypicalDeclarationsUsePartialEvaluation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := New(ctx, WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	for name, doc := range map[string]string{
		"newsletter": `{"id":"n","data_subjects":["lead"],"data_categories":["name","email"],"purposes":["marketing.materials"],"legal_basis":"consent","channel":{"type":"email","content":"marketing"},"retention":{"period":"P24M","from":"last_activity"}}`,
		"orders":     `{"id":"o","data_subjects":["customer"],"data_categories":["name","email"],"purposes":["purchase.orders"],"legal_basis":"contract","retention":{"period":"P5Y","from":"end_of_contract"},"recipients":[{"name":"P","type":"subprocessor","country":"US","dpa":true,"transfer_safeguard":"scc"}]}`,
		"recruiting": `{"id":"r","data_subjects":["job_applicant"],"data_categories":["cv"],"purposes":["recruitment.applications"],"legal_basis":"contract","retention":{"period":"P6M","from":"last_application_date"}}`,
		"denied":     `{"id":"d","data_categories":["health"],"purposes":["sales.cold_calling"]}`,
	} {
		d, err := e.DeclareJSON(ctx, []byte(doc))
		require.NoError(t, err, name)
		r, err := d.decider(ctx, e.state.Load())
		require.NoError(t, err, name)
		assert.False(t, r.full, "%s falls back to full evaluation", name)
		assert.NotNil(t, r.person.program, "%s is not compiled", name)
	}
}

func ruleIDs(cs []Condition) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Rule+" at "+c.Path)
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
