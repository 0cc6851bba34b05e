package policyengine_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/policy"
)

// differentialPairs is how many (declaration, person) pairs the differential test decides:
// POLICYENGINE_DIFFERENTIAL_PAIRS, or a count that keeps go test quick.
func differentialPairs(t *testing.T) int {
	return countFromEnv(t, "POLICYENGINE_DIFFERENTIAL_PAIRS", 2000, 500)
}

// countFromEnv is a test's count: the environment variable's, else def (short with -short or
// under the race detector).
func countFromEnv(t *testing.T, name string, def, short int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		return n
	}
	if testing.Short() || raceDetector {
		return short
	}
	return def
}

// TestPersonDecisionEqualsFullDecision is the differential test of the per-person path: for
// generated declarations and persons, the decision from the prepared declaration and the
// person's state alone equals the decision on the full activity, field for field. And every
// person rule that denies some person is among the declaration's conditions.
func TestPersonDecisionEqualsFullDecision(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	topdown := newEngine(t) // declares nothing: it decides every activity by OPA's full evaluation
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	ctx := at(context.Background(), now)
	g := gentree.New(20261201, policy.Default().Document, now)
	pairs := differentialPairs(t)
	const perDeclaration = 25
	persons, denials, withValidUntil, errors := 0, 0, 0, 0
	for i := 0; persons < pairs; i++ {
		decl := g.Declaration(i)
		prepared, err := engine.DeclareDocument(ctx, decl)
		require.NoError(t, err, "declaration %d: %s", i, mustJSON(t, decl))
		alone, err := prepared.Decision(ctx)
		require.NoError(t, err)
		conditioned := map[string]bool{}
		for _, c := range alone.Conditions {
			conditioned[c.Rule] = true
		}
		declared := map[string]bool{}
		for _, r := range alone.Reasons {
			declared[r.Rule] = true
		}
		for range perDeclaration {
			person := g.Person()
			full := maps.Clone(decl)
			maps.Copy(full, person)
			want, wantErr := topdown.EvaluateJSON(ctx, mustJSON(t, full))
			got, gotErr := prepared.DecideJSON(ctx, mustJSON(t, person))
			// The full activity, on the engine that prepared its declaration: decided through
			// the declaration's compiled residual.
			routed, routedErr := engine.EvaluateJSON(ctx, mustJSON(t, full))
			persons++
			if wantErr != nil {
				require.Error(t, gotErr, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
				require.Error(t, routedErr, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
				errors++
				continue
			}
			require.NoError(t, gotErr, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
			require.Equal(t, want, got, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
			require.NoError(t, routedErr, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
			require.Equal(t, want, routed, "declaration %s, person %s", mustJSON(t, decl), mustJSON(t, person))
			for _, r := range want.Reasons {
				rule, _ := engine.Rule(r.Rule)
				if rule.Requires != "" && !declared[r.Rule] {
					assert.True(t, conditioned[r.Rule], "%s denies a person but is no condition of declaration %s", r.Rule, mustJSON(t, decl))
				}
			}
			if !want.Allow {
				denials++
			}
			if !want.ValidUntil.IsZero() {
				withValidUntil++
			}
		}
	}
	stats := engine.Stats()
	t.Logf("%d pairs: %d denied, %d with valid_until; %+v", persons, denials, withValidUntil, stats)
	assert.GreaterOrEqual(t, stats.Compiled, uint64(2*(persons-errors)), "every pair decided twice by a compiled residual")
	assert.Zero(t, stats.Topdown, "every declaration compiled")
	assert.Zero(t, stats.Fallbacks, "no decision falls back from a compiled residual")
	assert.Zero(t, topdown.Stats(), "the engine that declared nothing decided nothing per person")
	assert.Positive(t, denials)
	assert.Less(t, denials, persons, "some pairs are allowed")
	assert.Positive(t, withValidUntil)
}

func TestDeclarationAloneHasConditionsNotDenials(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	newsletter := policyengine.Activity{
		ID:             "newsletter",
		DataSubjects:   []string{"lead", "customer"},
		DataCategories: []string{"name", "email"},
		Sources:        []string{"data_subject"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
	}
	decl, err := engine.Declare(ctx, newsletter)
	require.NoError(t, err)
	d, err := decl.Decision(ctx)
	require.NoError(t, err)
	assert.True(t, d.Allow, d.String())
	assert.Empty(t, d.Reasons)
	var got []string
	for _, c := range d.Conditions {
		got = append(got, c.Rule+" at "+c.Path)
		assert.NotEmpty(t, c.Requires)
		assert.NotEmpty(t, c.Clause)
		assert.NotEmpty(t, c.Message)
	}
	assert.Equal(t, []string{
		"consent.minor at /legal_basis",
		"consent.not_given at /legal_basis",
		"erasure.requested at /purposes/0",
		"marketing.email_without_consent at /channel/type",
		"marketing.opted_out at /channel/content",
		"restriction.requested at /purposes/0",
		"retention.expired at /retention/period",
	}, got)

	// The same activity decided in full, without consent, is denied as in version 1.
	full, err := engine.Evaluate(ctx, newsletter)
	require.NoError(t, err)
	assert.False(t, full.Allow)
	assert.Empty(t, full.Conditions)

	// For a person who consented and did nothing else, it is allowed, with no conditions.
	p, err := decl.Decide(ctx, policyengine.Person{Consent: &policyengine.Consent{Status: "given"}})
	require.NoError(t, err)
	assert.True(t, p.Allow, p.String())
	assert.Empty(t, p.Conditions)
	assert.Equal(t, engine.Revision(), p.Revision)
}

func TestDeclarationDeniedByDeclarationRulesStaysDenied(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	d, err := engine.EvaluateDeclaration(ctx, map[string]any{
		"id": "x", "data_categories": []any{"health"}, "purposes": []any{"marketing.materials"},
		"legal_basis": "consent", "retention": map[string]any{"period": "P1M", "from": "last_activity"},
	})
	require.NoError(t, err)
	assert.False(t, d.Allow)
	assert.Equal(t, "category.sensitive", d.Reasons[0].Rule)
	assert.NotEmpty(t, d.Conditions, "conditions are listed beside the denial")
}

func TestDeclarationRefusesThePersonsState(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	_, err := engine.DeclareJSON(ctx, []byte(`{"id":"x","data_categories":["email"],"purposes":["purchase.orders"],"legal_basis":"contract","consent":{"status":"given"}}`))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.Contains(t, err.Error(), "/consent")
	_, err = engine.EvaluateDeclaration(ctx, map[string]any{"id": "x", "data_categories": []any{"email"}, "purposes": []any{"purchase.orders"}, "subject": map[string]any{}})
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.Contains(t, err.Error(), "/subject")
}

func TestPersonStateErrorsNameTheField(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	decl, err := engine.DeclareJSON(ctx, []byte(`{"id":"x","data_categories":["email"],"purposes":["purchase.orders"],"legal_basis":"consent","retention":{"period":"P1Y"}}`))
	require.NoError(t, err)
	for state, want := range map[string]string{
		`{"consent":{"status":"maybe"}}`: "/consent/status",
		`{"subject":{"age":"ten"}}`:      "/subject/age",
		`{"purposes":["support.forum"]}`: "/purposes: only consent and subject describe a person",
		`[]`:                             "expected an object",
		`{"consent":{"status":"given"},"consent":null}`: "duplicate",
	} {
		d, err := decl.DecideJSON(ctx, []byte(state))
		require.ErrorIs(t, err, policyengine.ErrInvalidInput, state)
		assert.Contains(t, err.Error(), want, state)
		assert.False(t, d.Allow, state)
	}
}

func TestValidUntilAndTheCache(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	engine := newEngine(t, policyengine.WithDecisionCache(100), policyengine.WithClock(func(context.Context) time.Time { return clock }))
	ctx := context.Background()
	decl, err := engine.DeclareJSON(ctx, []byte(`{"id":"n","data_subjects":["lead"],"data_categories":["email"],"purposes":["marketing.materials"],"legal_basis":"consent","retention":{"period":"P24M","from":"last_activity"}}`))
	require.NoError(t, err)
	state := []byte(`{"consent":{"status":"given"},"subject":{"last_activity_at":"2025-01-01T00:00:00Z"}}`)
	d, err := decl.DecideJSON(ctx, state)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	deadline := time.Date(2027, 1, 1, 0, 0, 0, 1, time.UTC)
	assert.Equal(t, deadline, d.ValidUntil, "the instant after the 24 months have passed")

	// Just before the deadline the (cached) decision still holds; at it, it does not.
	clock = deadline.Add(-time.Nanosecond)
	d, err = decl.DecideJSON(ctx, state)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	clock = deadline
	d, err = decl.DecideJSON(ctx, state)
	require.NoError(t, err)
	assert.False(t, d.Allow, "the cache does not serve a decision past its valid_until")
	assert.Equal(t, "retention.expired", d.Reasons[0].Rule)
	assert.True(t, d.ValidUntil.IsZero(), "an expired retention stays expired")

	// A decision that does not depend on the clock has no valid_until.
	plain, err := engine.EvaluateJSON(ctx, []byte(`{"id":"o","data_categories":["email"],"purposes":["purchase.orders"],"legal_basis":"contract","retention":{"period":"P1Y"}}`))
	require.NoError(t, err)
	assert.True(t, plain.ValidUntil.IsZero())
}

func TestZeroEngineRefusesDeclarations(t *testing.T) {
	t.Parallel()
	var e policyengine.Engine
	d, err := e.EvaluateJSON(context.Background(), []byte(`{}`))
	require.ErrorIs(t, err, policyengine.ErrNotPrepared)
	assert.False(t, d.Allow)
	_, err = e.Declare(context.Background(), policyengine.Activity{})
	require.ErrorIs(t, err, policyengine.ErrNotPrepared)
	_ = fmt.Sprint(err)
}

func TestLoadDeclarations(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	require.NoError(t, err)
	assert.Contains(t, decls.IDs(), "newsletter-monthly")
	assert.Len(t, decls.IDs(), 33)
	_, ok := decls.Lookup("newsletter-monthly")
	assert.True(t, ok)

	// Fixtures of one person are not declarations: a directory of nothing else holds none, an
	// error (declarations_test.go).
	_, err = engine.LoadDeclarations(ctx, os.DirFS("testdata/people"))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)

	// An unknown id denies.
	d, err := decls.Decide(ctx, "no-such", policyengine.Person{})
	require.ErrorIs(t, err, policyengine.ErrUnknownDeclaration)
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.False(t, d.Allow)
	assert.Equal(t, engine.Revision(), d.Revision)

	// An id declared twice, and a broken manifest, are errors naming the file and line.
	dir := t.TempDir()
	decl := "- id: same\n  data_categories: [email]\n  purposes: [purchase.orders]\n  legal_basis: contract\n  retention: {period: P1Y}\n"
	require.NoError(t, os.WriteFile(dir+"/a.yaml", []byte(decl), 0o644))
	require.NoError(t, os.WriteFile(dir+"/b.yaml", []byte(decl), 0o644))
	_, err = engine.LoadDeclarations(ctx, os.DirFS(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.Contains(t, err.Error(), "b.yaml:1: the declaration's id is already declared at a.yaml:1")
	require.NoError(t, os.WriteFile(dir+"/b.yaml", []byte("- id: x\n  purposes: [\n"), 0o644))
	_, err = engine.LoadDeclarations(ctx, os.DirFS(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.Contains(t, err.Error(), "b.yaml:")
}

// A policy's own person rules may test the person's state any way (a flag false, a number above
// a bound): each that some person meets and some does not is a condition, with the sentence its
// METADATA gives or one made of its title; one that no person can meet denies.
func TestCustomPersonRulesOnADeclaration(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"age.rego": ageModule + `
# METADATA
# title: Consent needs a known age
# description: Consent counts only from a person whose age is known.
# custom:
#   id: age.unknown
#   clause: consent
#   requires: the person's age is known
deny contains lib.reason(rego.metadata.rule(), "/subject/age", "consent from a person of unknown age") if {
	input.legal_basis == "consent"
	not input.subject.age
}
`})
	engine := newEngine(t, policyengine.WithPolicyDir(dir))
	ctx := context.Background()
	decl := map[string]any{"id": "n", "data_categories": []any{"email"}, "purposes": []any{"marketing.materials"},
		"legal_basis": "consent", "retention": map[string]any{"period": "P12M", "from": "last_activity"}}
	d, err := engine.EvaluateDeclaration(ctx, decl)
	require.NoError(t, err)
	assert.True(t, d.Allow, d.String())
	var over *policyengine.Condition
	for i := range d.Conditions {
		if d.Conditions[i].Rule == "age.over_99" {
			over = &d.Conditions[i]
		}
	}
	require.NotNil(t, over, "some person is over 99: %v", d.Conditions)
	assert.Equal(t, "the person's state passes: no marketing to a person over 99", over.Requires)
	var unknown *policyengine.Condition
	for i := range d.Conditions {
		if d.Conditions[i].Rule == "age.unknown" {
			unknown = &d.Conditions[i]
		}
	}
	require.NotNil(t, unknown, "a person of known age passes: %v", d.Conditions)
	assert.Equal(t, "the person's age is known", unknown.Requires)

	// A rule that denies whatever the person's state is a denial of the declaration alone.
	dir = writePolicy(t, nil, map[string]string{"never.rego": testpolicy.NeverOnConsent})
	engine = newEngine(t, policyengine.WithPolicyDir(dir))
	decl["legal_basis"] = "consent"
	d, err = engine.EvaluateDeclaration(ctx, decl)
	require.NoError(t, err)
	assert.False(t, d.Allow, d.String())
	require.NotEmpty(t, d.Reasons)
	assert.Contains(t, fmt.Sprint(d.Reasons), "never.consent")
}

// A prepared declaration is safe for concurrent use, across a Reload too: every decision is
// made under one revision, the old or the new, and equals the full decision under it.
func TestDeclarationConcurrentAndAcrossReload(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := at(context.Background(), time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	decl, err := engine.DeclareJSON(ctx, []byte(gentree.NewsletterDeclaration))
	require.NoError(t, err)
	before := engine.Revision()
	shorter := writePolicy(t, func(doc string) string {
		return strings.Replace(doc, "        period: P24M\n", "        period: P12M\n", 1)
	}, nil)
	state := []byte(`{"consent": {"status": "given"}, "subject": {"last_activity_at": "2026-01-01T00:00:00Z"}}`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				d, err := decl.DecideJSON(ctx, state)
				if err != nil {
					errs <- err
					return
				}
				if d.Revision != before && d.Allow {
					errs <- fmt.Errorf("under the 12-month policy a 24-month declaration is allowed: %v", d)
					return
				}
			}
		}()
	}
	require.NoError(t, engine.Reload(ctx, policyengine.WithPolicyDir(shorter)))
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	d, err := decl.DecideJSON(ctx, state)
	require.NoError(t, err)
	assert.NotEqual(t, before, d.Revision, "the declaration follows the engine's policy")
	assert.False(t, d.Allow)
	assert.Equal(t, "retention.exceeds_limit", d.Reasons[0].Rule)
}

// Partial evaluation (for a policy's own person rules, and for preparing declarations) runs
// beside evaluations without a data race: go test -race holds it.
func TestPartialEvaluationBesideEvaluation(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"age.rego": ageModule})
	engine := newEngine(t, policyengine.WithPolicyDir(dir))
	ctx := context.Background()
	g := gentree.New(7, policy.Default().Document, time.Now())
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				decl := g.DeclarationAt(w*100 + i)
				switch w % 3 {
				case 0:
					_, _ = engine.EvaluateDeclaration(ctx, decl)
				case 1:
					if d, err := engine.DeclareDocument(ctx, decl); err == nil {
						_, _ = d.DecideJSON(ctx, []byte(`{"subject": {"age": 100}}`))
					}
				default:
					full := maps.Clone(decl)
					full["subject"] = map[string]any{"age": 100}
					_, _ = engine.EvaluateDocument(ctx, full)
				}
			}
		}()
	}
	wg.Wait()
}

// A declaration alone: a partner on consent is a condition the service meets per person; a
// partner on a basis the policy does not allow denies every person.
func TestDeclarationAloneAndTheVersion2Rules(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	partner := func(basis string) map[string]any {
		return map[string]any{
			"id": "partner-leads", "data_subjects": []any{"contact_person"}, "data_categories": []any{"name", "email"},
			"purposes": []any{"purchase.offers"}, "legal_basis": "legitimate_interest",
			"retention":  map[string]any{"period": "P1Y", "from": "collection"},
			"recipients": []any{map[string]any{"name": "P", "type": "business_partner", "country": "DK", "legal_basis": basis}},
		}
	}
	d, err := engine.EvaluateDeclaration(ctx, partner("consent"))
	require.NoError(t, err)
	assert.True(t, d.Allow, d.String())
	var got []string
	for _, c := range d.Conditions {
		got = append(got, c.Rule+" at "+c.Path)
	}
	assert.Contains(t, got, "sharing.partner_basis_not_permitted at /recipients/0/legal_basis")
	assert.Contains(t, got, "erasure.requested at /purposes/0")

	d, err = engine.EvaluateDeclaration(ctx, partner("public_task"))
	require.NoError(t, err)
	assert.False(t, d.Allow)
	require.NotEmpty(t, d.Reasons)
	assert.Equal(t, "sharing.partner_basis_not_permitted", d.Reasons[0].Rule)

	// Per person: consent given lets the partner on consent receive the data; after a request
	// for erasure, nothing does.
	decl, err := engine.DeclareDocument(ctx, partner("consent"))
	require.NoError(t, err)
	p, err := decl.DecideJSON(ctx, []byte(`{"consent":{"status":"given"}}`))
	require.NoError(t, err)
	assert.True(t, p.Allow, p.String())
	p, err = decl.DecideJSON(ctx, []byte(`{"consent":{"status":"given"},"subject":{"erasure_requested_at":"2020-01-01T00:00:00Z"}}`))
	require.NoError(t, err)
	assert.False(t, p.Allow)
	assert.Equal(t, "erasure.requested", p.Reasons[0].Rule)
}

// ageModule is a policy's own module with a person rule that tests a number above a bound.
const ageModule = `package policyengine.rules.age

import data.policyengine.lib

# METADATA
# title: No marketing to a person over 99
# description: A rule of this policy's own.
# custom:
#   id: age.over_99
#   clause: opt-out
deny contains lib.reason(rego.metadata.rule(), "/purposes", "over 99") if {
	input.subject.age > 99
	some p in input.purposes
	startswith(p, "marketing.")
}
`

// A declaration that is not one is an input error, whatever its shape: never an allow.
func TestEvaluateDeclarationOfNothing(t *testing.T) {
	t.Parallel()
	d, err := newEngine(t).EvaluateDeclaration(context.Background(), nil)
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.False(t, d.Allow)
}
