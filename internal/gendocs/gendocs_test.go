package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// The derived pages in docs/ are what gendocs writes from the code as it is: a rule, a clause or
// a field of the schema changed without regenerating them fails here, saying how to.
func TestPagesAreCurrent(t *testing.T) {
	pages, err := Pages(context.Background())
	require.NoError(t, err)
	require.Contains(t, pages, "docs/rules.md")
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(name)))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is stale: regenerate it with `%s` from the repository's root, and review the diff", name, Command)
		}
	}
}

// confect is Confect's policy document decoded, to take parts out of.
func confect(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(policy.DefaultDocument(), &doc))
	return doc
}

// build compiles the built-in rules with a document, as the engine does when it loads a policy.
func build(doc map[string]any) error {
	src, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	p, err := policy.Parse("policy.json", src)
	if err != nil {
		return err
	}
	_, err = compiler.Build(p)
	return err
}

// The clauses the page lists are exactly those a document cannot do without: without any of
// them the policy is refused, naming the key; without any other clause of Confect's, it loads.
func TestRequiredClausesAreRequired(t *testing.T) {
	engine, err := policyengine.New(context.Background())
	require.NoError(t, err)
	required := RequiredClauses(engine)
	require.NotEmpty(t, required)
	clauses := confect(t)["privacy_policy"].(map[string]any)["clauses"].(map[string]any)
	for key := range clauses {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			doc := confect(t)
			delete(doc["privacy_policy"].(map[string]any)["clauses"].(map[string]any), key)
			err := build(doc)
			if _, listed := required[key]; listed {
				require.ErrorIs(t, err, policy.ErrInvalid, "a document without clause %s", key)
				assert.Contains(t, err.Error(), key)
				return
			}
			// Not required by a rule: the document may still refer to it itself (a retention
			// limit names its clause), and only those references fail.
			for _, p := range problem.All(err) {
				assert.True(t, strings.HasPrefix(p.Pointer, "/privacy_policy/") && strings.HasSuffix(p.Pointer, "/clause"),
					"clause %s is not listed as required, but: %v", key, p)
			}
		})
	}
	for key := range required {
		assert.Contains(t, clauses, key, "Confect's document defines every required clause")
	}
}

// The fields the schema requires are refused when missing, each named; every field Confect's
// document has that the page calls optional can go, and the policy still loads.
func TestRequiredFieldsAreRequired(t *testing.T) {
	fields, err := Fields()
	require.NoError(t, err)
	required := map[string]bool{}
	for _, f := range fields {
		required[f.Path] = f.Required
	}
	require.True(t, required["privacy_policy.clauses"])
	// The fields of Confect's document, three levels down: the page's required fields are all
	// there, and what lies deeper is entries of the document's own choosing.
	var paths [][]string
	var walk func(m map[string]any, prefix []string)
	walk = func(m map[string]any, prefix []string) {
		for k, v := range m {
			path := append(slices.Clone(prefix), k)
			paths = append(paths, path)
			if sub, ok := v.(map[string]any); ok && len(path) < 3 {
				walk(sub, path)
			}
		}
	}
	walk(confect(t), nil)
	seen := 0
	for _, parts := range paths {
		path := strings.Join(parts, ".")
		if _, ok := required[path]; ok {
			seen++
		}
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			doc := confect(t)
			m := doc
			for _, p := range parts[:len(parts)-1] {
				m = m[p].(map[string]any)
			}
			delete(m, parts[len(parts)-1])
			src, err := json.Marshal(doc)
			require.NoError(t, err)
			_, err = policy.Parse("policy.json", src)
			req, field := required[path]
			switch {
			case !field: // an entry of a map: the document's own
			case req:
				require.ErrorIs(t, err, policy.ErrInvalid, "a document without %s", path)
				assert.Contains(t, err.Error(), parts[len(parts)-1])
			default:
				assert.NoError(t, err, "%s is listed as optional", path)
			}
		})
	}
	assert.Greater(t, seen, 40, "Confect's document has most of the schema's fields, to take out")
}
