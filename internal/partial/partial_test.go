package partial_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/internal/partial"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
)

// A residual written as Rego and read back finds, for every person, exactly what the rules find
// on the declaration with that person's state: every reason, warning and instant of change.
func TestResidualModulesFindWhatTheRulesFind(t *testing.T) {
	ctx := context.Background()
	p := policy.Default()
	built, err := compiler.Build(p)
	require.NoError(t, err)
	ev, err := partial.New(ctx, p, built.Sources)
	require.NoError(t, err)
	full, err := rego.New(rego.Query("c = data.policyengine.lib.canonical_times(input); f = data.policyengine.findings with input as c"), rego.Compiler(built.Compiler),
		rego.Store(inmem.NewFromObject(built.Data))).PrepareForEval(ctx)
	require.NoError(t, err)

	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	people, err := gentree.People(40, 3, slices.Sorted(maps.Keys(p.Document.Purposes)), now)
	require.NoError(t, err)
	manifests, err := manifest.ReadFS(os.DirFS("../../examples/manifests"), manifest.Options{})
	require.NoError(t, err)
	pkg := ast.MustParseRef("data.residuals")
	n := 0
	for _, m := range manifests {
		for _, e := range m.Entries {
			if !e.IsDeclaration() {
				continue
			}
			decl, err := ast.InterfaceToValue(e.Value)
			require.NoError(t, err)
			r, err := ev.Residual(ctx, decl)
			require.NoError(t, err)
			ok, person := r.Check()
			require.True(t, ok && person, e.ID)
			module, err := r.Module(pkg, "d")
			require.NoError(t, err)
			_, parsed, err := partial.Source(module)
			require.NoError(t, err, e.ID)
			c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
			c.Compile(map[string]*ast.Module{"residual.rego": parsed})
			require.False(t, c.Failed(), "%s: %v", e.ID, c.Errors)
			residual, err := rego.New(rego.Query("data.residuals.d"), rego.Compiler(c), rego.Store(inmem.New())).PrepareForEval(ctx)
			require.NoError(t, err)
			// And its pieces, each alone: together they find what the residual finds.
			split, err := r.Pieces()
			require.NoError(t, err)
			type piece struct {
				kind  string
				query rego.PreparedEvalQuery
			}
			var pieces []piece
			for _, p := range split {
				kind := slices.IndexFunc(p.Queries[:], func(q []ast.Body) bool { return len(q) > 0 })
				m, err := p.Module(pkg, "p")
				require.NoError(t, err)
				_, parsed, err := partial.Source(m)
				require.NoError(t, err)
				c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
				c.Compile(map[string]*ast.Module{"piece.rego": parsed})
				require.False(t, c.Failed(), "%s: %v", e.ID, c.Errors)
				q, err := rego.New(rego.Query("data.residuals.p."+partial.Kinds[kind]), rego.Compiler(c), rego.Store(inmem.New())).PrepareForEval(ctx)
				require.NoError(t, err)
				pieces = append(pieces, piece{partial.Kinds[kind], q})
			}
			for i := range 12 {
				state := people[(n+i)%len(people)]
				activity := maps.Clone(e.Value)
				maps.Copy(activity, state)
				rs, err := full.Eval(ctx, rego.EvalInput(activity), rego.EvalTime(now))
				require.NoError(t, err)
				want := rs[0].Bindings["f"].(map[string]any)
				canonical := rs[0].Bindings["c"].(map[string]any)
				person := map[string]any{}
				for _, k := range []string{"consent", "subject"} {
					if v, ok := canonical[k]; ok {
						person[k] = v
					}
				}
				rs, err = residual.Eval(ctx, rego.EvalInput(person), rego.EvalTime(now))
				require.NoError(t, err)
				got := map[string]any{}
				if len(rs) > 0 {
					got = rs[0].Expressions[0].Value.(map[string]any)
				}
				union := map[string][]any{}
				for _, p := range pieces {
					rs, err := p.query.Eval(ctx, rego.EvalInput(person), rego.EvalTime(now))
					require.NoError(t, err)
					if len(rs) > 0 {
						union[p.kind] = append(union[p.kind], rs[0].Expressions[0].Value.([]any)...)
					}
				}
				for _, kind := range partial.Kinds {
					w, _ := want[kind].([]any)
					g, _ := got[kind].([]any)
					assert.ElementsMatch(t, slices.Compact(sortedJSON(t, g)), slices.Compact(sortedJSON(t, union[kind])), "%s %v: %s from pieces", e.ID, state, kind)
					if kind == "changes_at" { // the decision reads those after the evaluation time
						w, g = after(w, now), after(g, now)
					}
					assert.ElementsMatch(t, w, g, "%s %v: %s", e.ID, state, kind)
				}
			}
			n++
		}
	}
	assert.Greater(t, n, 20)
}

// sortedJSON writes each value as JSON, sorted: a set's elements, to compare as sets.
func sortedJSON(t *testing.T, values []any) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// after keeps the instants after now, in nanoseconds.
func after(instants []any, now time.Time) []any {
	var out []any
	for _, t := range instants {
		v, err := ast.InterfaceToValue(t)
		if err != nil {
			continue
		}
		if n, ok := v.(ast.Number); ok {
			if i, ok := n.Int64(); ok && i > now.UnixNano() {
				out = append(out, t)
			}
		}
	}
	return out
}

// A residual that refers to data outside its own support rules, or asks for a rule's METADATA,
// is not vouched for; one that reads more of the input than the person's state is not the
// person's alone.
func TestCheck(t *testing.T) {
	body := func(s string) *partial.Residual {
		r := &partial.Residual{}
		r.Queries[0] = []ast.Body{ast.MustParseBody(s)}
		return r
	}
	for s, want := range map[string][2]bool{
		`input.consent.status = "given"; x = 1`:              {true, true},
		`data.policyengine_partial_deny.lib.f = true; x = 1`: {true, true},
		`data.privacy_policy.x = true; x = 1`:                {false, true},
		`x = rego.metadata.rule()`:                           {false, true},
		`input.purposes[0] = "a"; x = 1`:                     {true, false},
		`x = input`:                                          {true, false},
	} {
		ok, person := body(s).Check()
		assert.Equal(t, want, [2]bool{ok, person}, s)
	}
}

// A string Rego cannot read back (OPA's formatter writes DEL as Go's \x7f) refuses the module,
// rather than shipping one a server would not load.
func TestSourceRefusesWhatDoesNotReadBack(t *testing.T) {
	r := &partial.Residual{}
	r.Queries[0] = []ast.Body{ast.NewBody(ast.Equality.Expr(ast.VarTerm("x"), ast.StringTerm("a\x7fb")))}
	m, err := r.Module(ast.MustParseRef("data.residuals"), "d")
	require.NoError(t, err)
	_, _, err = partial.Source(m)
	assert.ErrorIs(t, err, partial.ErrUnprintable)

	r.Queries[0] = []ast.Body{ast.NewBody(ast.Equality.Expr(ast.VarTerm("x"), ast.StringTerm("a\n\"b\" \u2028 ü")))}
	m, err = r.Module(ast.MustParseRef("data.residuals"), "d")
	require.NoError(t, err)
	_, parsed, err := partial.Source(m)
	require.NoError(t, err)
	assert.Contains(t, parsed.String(), `"a\n\"b\" \u2028 ü"`)
}
