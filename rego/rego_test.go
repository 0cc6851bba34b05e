package rego_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/rego"
)

// modules parses every built-in module, tests included, as `opa test rego policy` does.
func modules(t *testing.T) (map[string]*ast.Module, map[string][]byte) {
	t.Helper()
	parsed := map[string]*ast.Module{}
	sources := map[string][]byte{}
	err := fs.WalkDir(rego.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(rego.FS(), name)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts("rego/"+name, string(src), compiler.ParserOptions())
		if err != nil {
			return err
		}
		parsed["rego/"+name] = m
		sources["rego/"+name] = src
		return nil
	})
	require.NoError(t, err)
	return parsed, sources
}

// TestRego runs the Rego unit tests against Confect's policy document, as stock OPA does with
// `opa test rego policy`.
func TestRego(t *testing.T) {
	mods, _ := modules(t)
	store := inmem.NewFromObject(policy.Default().Data())
	txn, err := store.NewTransaction(context.Background())
	require.NoError(t, err)
	defer store.Abort(context.Background(), txn)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithStrict(true).WithCapabilities(compiler.Capabilities())).
		SetStore(store).
		SetModules(mods).
		RaiseBuiltinErrors(false). // as stock `opa test` does
		RunTests(context.Background(), txn)
	require.NoError(t, err)
	perFile := map[string]int{}
	n := 0
	for r := range ch {
		n++
		perFile[r.Location.File]++
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			if r.Error != nil {
				t.Fatalf("%s: error: %v", r.Location, r.Error)
			}
			if r.Fail || r.Skip {
				t.Fatalf("%s: %s", r.Location, r.String())
			}
		})
	}
	assert.Greater(t, n, 150, "the Rego suite shrank")

	// Every rule file has tests beside it, and they run.
	for name := range mods {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		test := strings.TrimSuffix(name, ".rego") + "_test.rego"
		assert.Contains(t, mods, test, "%s has no tests beside it", name)
		assert.Positive(t, perFile[test], "%s runs no tests", test)
	}
}

// TestFormat holds every module to `opa fmt`.
func TestFormat(t *testing.T) {
	_, sources := modules(t)
	for name, src := range sources {
		formatted, err := format.SourceWithOpts(name, src, format.Opts{RegoVersion: ast.RegoV1})
		require.NoError(t, err, name)
		assert.Equal(t, string(formatted), string(src), "%s is not opa fmt clean: run `go tool opa fmt -w rego`", name)
	}
}

// TestStrict compiles every module, tests included, with the strict checks `opa check --strict`
// makes.
func TestStrict(t *testing.T) {
	mods, _ := modules(t)
	c := ast.NewCompiler().WithStrict(true).WithCapabilities(compiler.Capabilities())
	c.Compile(mods)
	require.False(t, c.Failed(), "%v", c.Errors)
}
