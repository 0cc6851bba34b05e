package policyengine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
)

// withDecision prepares an engine whose decision.rego (and so its findings) is replaced: the faults a tampered or
// hand-made rule set can produce, which no policy directory can (its modules cannot touch the
// decision).
func withDecision(t *testing.T, decision string) *Engine {
	t.Helper()
	sources, err := compiler.Builtins()
	require.NoError(t, err)
	sources["rego/decision.rego"] = []byte(decision)
	delete(sources, "rego/by_id.rego") // the decision by declaration id, built on the decision replaced
	builtin := map[string]bool{}
	for name := range sources {
		builtin[name] = true // the tampered decision too: a policy's own module could not replace it
	}
	p := policy.Default()
	built, err := compiler.Compile(p, sources, builtin)
	require.NoError(t, err)
	e := &Engine{clock: func(context.Context) time.Time { return time.Now() }, limits: Limits{}.orDefaults()}
	st, err := e.prepare(context.Background(), p, built)
	require.NoError(t, err)
	e.state.Store(st)
	return e
}

const activity = `{"id": "a", "data_categories": ["email"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P1Y"}}`

func TestFaultsFailClosed(t *testing.T) {
	for name, tc := range map[string]struct{ findings, want string }{
		"undefined findings": {`findings := {"deny": set(), "warn": set()} if input.id == "never"`,
			"the policy returned no decision"},
		"not an object":  {`findings := true`, "the policy's findings are not an object"},
		"deny not a set": {`findings := {"deny": [], "warn": set()}`, "the policy's deny findings are not a set"},
		"no warn":        {`findings := {"deny": set()}`, "the policy's warn findings are not a set"},
		"reason without a rule": {`findings := {"deny": {{"path": "", "message": "m"}}, "warn": set()}`,
			"a reason is not an object with a rule and a path"},
		"reason not an object": {`findings := {"deny": {"denied"}, "warn": set()}`,
			"a reason is not an object with a rule and a path"},
		"builtin error": {`findings := {"deny": {{"rule": "x.y", "path": "", "message": sprintf("%d", [time.parse_rfc3339_ns("yesterday")])}}, "warn": set()}`,
			"time.parse_rfc3339_ns"},
	} {
		t.Run(name, func(t *testing.T) {
			e := withDecision(t, "package policyengine\n\n"+tc.findings+"\n")
			d, err := e.EvaluateJSON(context.Background(), []byte(activity))
			assert.False(t, d.Allow)
			require.ErrorIs(t, err, ErrEvaluation)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// The same input and policy give byte-identical output, run after run: sorted reasons, no map
// order leaking.
func TestDeterministicDecisions(t *testing.T) {
	e, err := New(context.Background(), WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	doc := []byte(`{"id": "x", "data_subjects": ["child", "customer", "robot"], "data_categories": ["health", "shoe_size", "email", "genetic"],
		"sources": ["rumour", "cookies"], "purposes": ["resale", "security.maintenance", "marketing.materials"], "legal_basis": "consent",
		"consent": {"status": "withdrawn"}, "channel": {"type": "email", "content": "marketing"}, "retention": {"period": "P5Y", "from": "collection"},
		"subject": {"opted_out_marketing": true, "restricted": true, "last_activity_at": "2020-01-01T00:00:00Z"},
		"recipients": [{"name": "A", "type": "public"}, {"name": "B", "type": "subprocessor", "country": "US"}, {"name": "C", "type": "authority"}]}`)
	var first []byte
	for i := 0; i < 50; i++ {
		d, err := e.EvaluateJSON(context.Background(), doc)
		require.NoError(t, err)
		out, err := json.Marshal(d)
		require.NoError(t, err)
		if first == nil {
			first = out
			require.Greater(t, len(d.Reasons), 15)
			continue
		}
		require.Equal(t, string(first), string(out), "run %d", i)
	}
	assert.True(t, strings.Contains(string(first), `"rule":"category.sensitive"`))
}

// A reload that fails in any way, a panic in what it calls included (the compiler, OPA), returns
// an error and leaves the engine deciding under its last good policy; New returns the error too.
func TestReloadSurvivesAPanic(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx)
	require.NoError(t, err)
	before := e.Revision()
	for name, src := range map[string]Source{
		"the loader panics": {load: func() (*policy.Policy, *compiler.Result, error) {
			panic("injected: a dependency's bug")
		}},
		"preparing panics": {load: func() (*policy.Policy, *compiler.Result, error) {
			return policy.Default(), nil, nil // no compiled policy: preparing it dereferences nil
		}},
	} {
		t.Run(name, func(t *testing.T) {
			err := e.Reload(ctx, src)
			require.ErrorIs(t, err, ErrInvalidPolicy)
			assert.Contains(t, err.Error(), "panic")
			assert.Equal(t, before, e.Revision())
			d, err := e.EvaluateJSON(ctx, []byte(activity))
			require.NoError(t, err)
			assert.True(t, d.Allow)
			assert.Equal(t, before, d.Revision)

			_, err = New(ctx, src)
			require.ErrorIs(t, err, ErrInvalidPolicy)
		})
	}
	// The engine reloads from its own source still.
	require.NoError(t, e.Reload(ctx))
	assert.Equal(t, before, e.Revision())
}
