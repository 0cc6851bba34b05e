package policyengine_test

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
)

// differentialPeople is how many generated people the compiled residual of each example
// declaration is held to OPA on: POLICYENGINE_DIFFERENTIAL_PEOPLE (.ci/run decides 2,000), else 300.
func differentialPeople(t *testing.T) int {
	return policyengine.Repeat(t, "POLICYENGINE_DIFFERENTIAL_PEOPLE", 300)
}

// withoutPerson is an activity's declaration: the activity without consent and subject.
func withoutPerson(m map[string]any) map[string]any {
	d := maps.Clone(m)
	delete(d, "consent")
	delete(d, "subject")
	return d
}

// manifestDeclarations are the declarations of every manifest under the globs, and the
// declaration part of every fixture of one person among them.
func manifestDeclarations(t *testing.T, globs ...string) []map[string]any {
	var out []map[string]any
	for _, glob := range globs {
		paths, err := filepath.Glob(glob)
		require.NoError(t, err)
		for _, path := range paths {
			m, err := manifest.ReadFile(path, manifest.Options{})
			require.NoError(t, err, path)
			for _, e := range m.Entries {
				require.Nil(t, e.Err, path)
				out = append(out, withoutPerson(e.Value))
			}
		}
	}
	return out
}

// distinct are the declarations, each once (fixtures often share their declaration part).
func distinct(t *testing.T, decls []map[string]any) []map[string]any {
	seen := map[string]bool{}
	var out []map[string]any
	for _, d := range decls {
		if key := string(mustJSON(t, d)); !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	return out
}

// caseDeclarations are the declaration parts of the activities of a policy's cases.
func caseDeclarations(t *testing.T, dir string) []map[string]any {
	cases, err := policytest.Load(dir)
	require.NoError(t, err)
	var out []map[string]any
	for _, c := range cases {
		var m map[string]any
		require.NoError(t, json.Unmarshal(c.Activity, &m), c.Name)
		out = append(out, withoutPerson(m))
	}
	return out
}

// Every example declaration (the example manifests' and their fixtures', Brightpath's cases'),
// under its policy, decided for varied generated people by its
// compiled residual (DecideJSON, and EvaluateJSON on the full activity once it is prepared) is
// the decision OPA makes on the full activity, field for field: allow, every reason and warning
// with its rule, path, clause and message, valid_until, revision. Brightpath's own person rule
// (minors.parental_consent) and its adequacy transfers (which read the clock and the dated
// decisions of the policy document) are compiled and held to the same. Every decision is made
// by a compiled residual: none falls back, none is left to OPA's topdown.
func TestCompiledDecisionsAreOPAs(t *testing.T) {
	t.Parallel()
	people := differentialPeople(t)
	for _, set := range []struct {
		name  string
		opts  []policyengine.Option
		decls func(*testing.T) []map[string]any
	}{
		{"confect", nil, func(t *testing.T) []map[string]any {
			return manifestDeclarations(t, "examples/manifests/*", "examples/service/manifests/*")
		}},
		{"brightpath", []policyengine.Option{policyengine.WithPolicyDir("examples/policies/brightpath")}, func(t *testing.T) []map[string]any {
			return caseDeclarations(t, "examples/policies/brightpath/tests")
		}},
	} {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			engine := newEngine(t, set.opts...)
			topdown := newEngine(t, set.opts...) // declares nothing: OPA's full evaluation
			ctx := context.Background()
			g := gentree.New(20261128, engine.Document(), now)
			decls := distinct(t, set.decls(t))
			require.NotEmpty(t, decls)
			decided, denied := 0, 0
			for _, decl := range decls {
				d, err := engine.DeclareDocument(ctx, decl)
				if err != nil {
					continue // an invalid declaration among the cases: nothing to decide
				}
				for range people {
					person := g.Person()
					full := maps.Clone(decl)
					maps.Copy(full, person)
					want, wantErr := topdown.EvaluateJSON(ctx, mustJSON(t, full))
					got, gotErr := d.DecideJSON(ctx, mustJSON(t, person))
					routed, routedErr := engine.EvaluateJSON(ctx, mustJSON(t, full))
					require.Equal(t, wantErr != nil, gotErr != nil, "declaration %s, person %s: %v, %v", mustJSON(t, decl), mustJSON(t, person), wantErr, gotErr)
					require.Equal(t, wantErr != nil, routedErr != nil, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
					if wantErr != nil {
						continue
					}
					require.Equal(t, want, got, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
					require.Equal(t, want, routed, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
					decided++
					if !want.Allow {
						denied++
					}
				}
			}
			stats := engine.Stats()
			t.Logf("%d declarations × %d people: %d decided, %d denied; %+v", len(decls), people, decided, denied, stats)
			assert.Positive(t, denied)
			assert.Less(t, denied, decided)
			assert.Zero(t, stats.Fallbacks)
			assert.Equal(t, uint64(2*decided), stats.Compiled, "every decision made by a compiled residual")
			assert.Zero(t, stats.Topdown)
		})
	}
}

// oddRules are a policy's own rules the compiled residuals do not cover: one whose reason carries
// a number as its message (the compiled residual meets it at run time and hands the person back
// to OPA), and one that iterates over the person's purposes (outside the compiled subset: the
// declaration keeps OPA's topdown).
const (
	oddPackage = `# METADATA
# title: Odd rules
# description: Rules that exercise the engine's fallbacks.
package policyengine.rules.odd
`
	oddAgeMessage = `
# METADATA
# title: An age as the message
# description: >-
#   Denies a very old person, with their age as the message. To pass: be younger.
# custom:
#   id: odd.age_message
#   clause: consent
deny contains {"rule": "odd.age_message", "message": input.subject.age, "clause": "c", "clause_id": "consent", "path": "/subject/age"} if {
	input.subject.age > 120
}
`
	oddTestPurpose = `
# METADATA
# title: A purpose named test
# description: >-
#   Denies consent for purposes named test. To pass: consent to other purposes.
# custom:
#   id: odd.test_purpose
#   clause: consent
deny contains reason if {
	some p in input.consent.purposes
	startswith(p, "test.")
	reason := data.policyengine.lib.reason(rego.metadata.rule(), "/consent/purposes", "a test purpose")
}
`
)

// The fallbacks are counted, and their decisions are OPA's: a run-time surprise in a compiled
// residual decides that person again in full, and a residual outside the compiled subset is
// evaluated by OPA's topdown.
func TestStatsCountFallbacks(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"policy.yaml": {Data: policy.DefaultDocument()}, "odd.rego": {Data: []byte(oddPackage + oddAgeMessage + oddTestPurpose)}}
	engine := newEngine(t, policyengine.WithPolicyFS(fsys))
	topdown := newEngine(t, policyengine.WithPolicyFS(fsys))
	ctx := context.Background()
	decl := map[string]any{"id": "newsletter", "data_subjects": []any{"lead"}, "data_categories": []any{"email"},
		"purposes": []any{"marketing.materials"}, "legal_basis": "consent", "retention": map[string]any{"period": "P12M", "from": "collection"}}
	d, err := engine.DeclareDocument(ctx, decl)
	require.NoError(t, err)
	decide := func(person string) policyengine.Decision {
		t.Helper()
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(person), &p))
		full := maps.Clone(decl)
		maps.Copy(full, p)
		want, err := topdown.EvaluateJSON(ctx, mustJSON(t, full))
		require.NoError(t, err)
		got, err := d.DecideJSON(ctx, []byte(person))
		require.NoError(t, err)
		require.Equal(t, want, got, person)
		return got
	}
	// The declaration's residual iterates over the purposes: OPA's topdown decides each person.
	before := engine.Stats()
	got := decide(`{"consent": {"status": "given", "purposes": ["test.one"]}}`)
	assert.Contains(t, pairs(got.Reasons), "odd.test_purpose /consent/purposes")
	after := engine.Stats()
	assert.Equal(t, before.Topdown+1, after.Topdown)
	assert.Equal(t, before.Fallbacks, after.Fallbacks)

	// Without that rule's iteration, the residual compiles; a number as a message sends one
	// person back to OPA, in full.
	noIteration := fstest.MapFS{"policy.yaml": fsys["policy.yaml"], "odd.rego": {Data: []byte(oddPackage + oddAgeMessage)}}
	engine = newEngine(t, policyengine.WithPolicyFS(noIteration))
	topdown = newEngine(t, policyengine.WithPolicyFS(noIteration))
	d, err = engine.DeclareDocument(ctx, decl)
	require.NoError(t, err)
	decide(`{"consent": {"status": "given"}, "subject": {"age": 40}}`)
	assert.Equal(t, policyengine.Stats{Compiled: 1}, engine.Stats())
	got = decide(`{"consent": {"status": "given"}, "subject": {"age": 130}}`)
	assert.Equal(t, []string{"odd.age_message /subject/age"}, pairs(got.Reasons))
	assert.Empty(t, got.Reasons[0].Message, "a message that is not a string reads as none")
	assert.Equal(t, policyengine.Stats{Compiled: 1, Fallbacks: 1}, engine.Stats())
}
