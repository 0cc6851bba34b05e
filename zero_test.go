package policyengine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/confect/policyengine"
)

// An Engine not made by New (a zero value, or a nil pointer) has no policy: every call fails
// closed with an error, and none panics.
func TestZeroEngineFailsClosed(t *testing.T) {
	ctx := context.Background()
	activity := `{"id": "checkout", "data_categories": ["name"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P5Y"}}`
	for name, e := range map[string]*policyengine.Engine{"zero value": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			calls := map[string]func() (policyengine.Decision, error){
				"Evaluate": func() (policyengine.Decision, error) {
					return e.Evaluate(ctx, policyengine.Activity{ID: "checkout"})
				},
				"EvaluateJSON": func() (policyengine.Decision, error) { return e.EvaluateJSON(ctx, []byte(activity)) },
				"EvaluateDocument": func() (policyengine.Decision, error) {
					return e.EvaluateDocument(ctx, map[string]any{"id": "checkout"})
				},
			}
			for call, f := range calls {
				d, err := f()
				assert.ErrorIs(t, err, policyengine.ErrEvaluation, call)
				assert.ErrorIs(t, err, policyengine.ErrNotPrepared, call)
				assert.False(t, d.Allow, call)
			}
			assert.ErrorIs(t, e.Reload(ctx), policyengine.ErrNotPrepared)
			assert.Empty(t, e.Revision())
			assert.Empty(t, e.Rules())
			assert.Nil(t, e.Document())
			_, ok := e.Rule("consent.not_given")
			assert.False(t, ok)
		})
	}
}
