package policyengine

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
)

// Repeat is how many times a test of many repetitions (a differential test, a test of
// concurrent use) repeats: the count the environment variable name gives, else def, which keeps
// go test ./... quick. .ci/run sets each to its full size. For the tests of both packages.
func Repeat(t testing.TB, name string, def int) int {
	t.Helper()
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, name)
		return n
	}
	return def
}

// NewTamperedEngine prepares an engine whose decision.rego (and so its findings) is replaced:
// the faults a tampered or hand-made rule set can produce, which no policy directory can (its
// modules cannot touch the decision). For the tests of package policyengine_test (TestFailsClosed).
func NewTamperedEngine(t testing.TB, decision string) *Engine {
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

// A reload that fails in any way, a panic in what it calls included (the compiler, OPA), returns
// an error and leaves the engine deciding under its last good policy; New returns the error too.
func TestReloadSurvivesAPanic(t *testing.T) {
	t.Parallel()
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
