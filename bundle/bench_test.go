package bundle_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown/cache"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/policy"
)

// The server's evaluation of a decision, in process: the bundle's data.policyengine.decision as
// `opa run --server` evaluates it (the same OPA, a cache of compiled schemas across queries), on
// the example declarations and a mix of people, by declaration id and as full activities.
// Allocations per decision are steady where the machine is loaded; the server's own timer is
// measured by `go run ./internal/bench fleet`.
//
//	go test -run '^$' -bench 'ServerDecision' -benchmem ./bundle
func BenchmarkServerDecision(b *testing.B) {
	ctx := context.Background()
	decls := exampleDeclarations(b)
	var buf bytes.Buffer
	_, err := bundle.Build(ctx, &buf, policy.Default(), bundle.BuildOptions{Declarations: decls})
	require.NoError(b, err)
	path := filepath.Join(b.TempDir(), "bundle.tar.gz")
	require.NoError(b, os.WriteFile(path, buf.Bytes(), 0o644))
	pq, err := rego.New(rego.Query("data.policyengine.decision"), rego.LoadBundle(path)).PrepareForEval(ctx)
	require.NoError(b, err)
	config, err := cache.ParseCachingConfig(nil)
	require.NoError(b, err)
	schemas := cache.NewInterQueryValueCache(ctx, config)
	people, err := gentree.People(200, 1, slices.Sorted(maps.Keys(policy.Default().Document.Purposes)), time.Now())
	require.NoError(b, err)
	ids := slices.Sorted(maps.Keys(decls))
	for _, kind := range []string{"by id", "full activity"} {
		inputs := make([]ast.Value, 0, 1000)
		for i := range cap(inputs) {
			id, person := ids[i%len(ids)], people[(i/len(ids)+i)%len(people)]
			input := maps.Clone(person)
			if kind == "by id" {
				input["declaration"] = id
			} else {
				maps.Copy(input, decls[id])
			}
			v, err := ast.InterfaceToValue(input)
			require.NoError(b, err)
			inputs = append(inputs, v)
		}
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				rs, err := pq.Eval(ctx, rego.EvalParsedInput(inputs[i%len(inputs)]), rego.EvalInterQueryBuiltinValueCache(schemas))
				if err != nil || len(rs) != 1 {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
