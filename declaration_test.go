package policyengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/policy"
)

// reportPercentiles adds p50 and p99 of the per-iteration times to a benchmark's results.
func reportPercentiles(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

// mixedPeople are n varied people's states as JSON, from the generator the differential tests
// use: allowed and denied, consent given, withdrawn or refused with times and purposes, opt-outs,
// restriction, pending requests, ages, clocks around now.
func mixedPeople(b *testing.B, n int, now time.Time) [][]byte {
	g := gentree.New(1, policy.Default().Document, now)
	out := make([][]byte, n)
	for i := range out {
		out[i] = mustJSON(b, g.Person())
	}
	return out
}

// BenchmarkPersonDecision is the service's per-request call: a prepared consent-based
// declaration (the newsletter, with a partner) decided for a different person every iteration,
// from the person's state as JSON bytes, under the real clock. uniform: every person allowed,
// two times varying; mixed: varied people as a service sees them (mixedPeople). p50 and p99 are
// of the iterations' times.
func BenchmarkPersonDecision(b *testing.B) {
	e := newRealClockEngine(b)
	ctx := context.Background()
	decl, err := e.DeclareJSON(ctx, []byte(gentree.NewsletterDeclaration))
	if err != nil {
		b.Fatal(err)
	}
	uniform := gentree.PersonStates(1<<16, time.Now())
	mixed := mixedPeople(b, 1<<14, time.Now())
	for _, set := range []struct {
		name   string
		states [][]byte
	}{{"DecideJSON", uniform}, {"DecideJSON-mixed", mixed}} {
		b.Run(set.name, func(b *testing.B) {
			timed(b, set.states, func(state []byte) error {
				_, err := decl.DecideJSON(ctx, state)
				return err
			})
		})
	}
	b.Run("Decide", func(b *testing.B) {
		b.ReportAllocs()
		base := time.Now().Add(-300 * 24 * time.Hour)
		i := 0
		for b.Loop() {
			p := policyengine.Person{
				Consent: &policyengine.Consent{Status: "given", GivenAt: base.Add(time.Duration(i) * time.Second)},
				Subject: &policyengine.Subject{LastActivityAt: base.Add(time.Duration(i)*time.Second + 200*24*time.Hour)},
			}
			if d, err := decl.Decide(ctx, p); err != nil || !d.Allow {
				b.Fatal(err, d)
			}
			i++
		}
	})
	// The same people decided on full activities (declaration and person as one JSON
	// document): through the prepared declaration's compiled residual, and on an engine that
	// never saw the declaration (OPA's full evaluation, the version-1 call).
	var m map[string]any
	if err := json.Unmarshal([]byte(gentree.NewsletterDeclaration), &m); err != nil {
		b.Fatal(err)
	}
	docs := make([][]byte, 1024)
	for i := range docs {
		var p map[string]any
		_ = json.Unmarshal(mixed[i], &p)
		full := maps.Clone(m)
		maps.Copy(full, p)
		docs[i] = mustJSON(b, full)
	}
	fresh := newRealClockEngine(b)
	for _, c := range []struct {
		name   string
		engine *policyengine.Engine
	}{{"EvaluateJSON-prepared-mixed", e}, {"EvaluateJSON-never-seen-mixed", fresh}} {
		b.Run(c.name, func(b *testing.B) {
			timed(b, docs, func(doc []byte) error {
				_, err := c.engine.EvaluateJSON(ctx, doc)
				return err
			})
		})
	}
}

// timed runs a benchmark of one call per iteration, on each input in turn, and reports the p50
// and p99 of the calls' times with the allocations.
func timed(b *testing.B, inputs [][]byte, call func([]byte) error) {
	b.ReportAllocs()
	times := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start := time.Now()
		err := call(inputs[i%len(inputs)])
		times = append(times, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportPercentiles(b, times)
}

func newRealClockEngine(b *testing.B) *policyengine.Engine {
	e, err := policyengine.New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDeclare prepares a declaration (the packages that do not read the person evaluated,
// the others partially evaluated with the person's state unknown and the residual compiled).
// same-person-part: the newsletter with a new id every iteration, so that what the person rules
// read of it was seen before (partial evaluation shared); distinct: the generator's declarations,
// each its own (what partial evaluation leaves of a package is shared only where two happen to
// agree in every field it reads).
func BenchmarkDeclare(b *testing.B) {
	ctx := context.Background()
	b.Run("same-person-part", func(b *testing.B) {
		e := newEngine(b)
		var m map[string]any
		if err := json.Unmarshal([]byte(gentree.NewsletterDeclaration), &m); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			m["id"] = fmt.Sprintf("newsletter-%d", i)
			if _, err := e.DeclareDocument(ctx, m); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("distinct", func(b *testing.B) {
		e := newEngine(b)
		g := gentree.New(1, policy.Default().Document, now)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := e.DeclareDocument(ctx, g.DeclarationAt(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// differentialPairs is how many (declaration, person) pairs the differential test decides:
// POLICYENGINE_DIFFERENTIAL_PAIRS (.ci/run decides 10,000), else 500.
func differentialPairs(t *testing.T) int {
	return policyengine.Repeat(t, "POLICYENGINE_DIFFERENTIAL_PAIRS", 500)
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

func TestDeclarationRefusesThePersonsState(t *testing.T) {
	t.Parallel()
	engine := sharedEngine(t)
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
					_, err := engine.EvaluateDeclaration(ctx, decl)
					assert.NoError(t, err)
				case 1:
					d, err := engine.DeclareDocument(ctx, decl)
					if assert.NoError(t, err) {
						_, err = d.DecideJSON(ctx, []byte(`{"subject": {"age": 100}}`))
						assert.NoError(t, err)
					}
				default:
					full := maps.Clone(decl)
					full["subject"] = map[string]any{"age": 100}
					_, err := engine.EvaluateDocument(ctx, full)
					assert.NoError(t, err)
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

// FuzzDecideJSON: whatever the person's state, the per-person decision (a compiled residual,
// with the one-pass decoder) is the decision OPA makes on the full activity (declaration and
// state), or both refuse it; it never allows on an error. The seeds are varied people from the
// generator the differential tests and benchmarks use, and malformed states.
func FuzzDecideJSON(f *testing.F) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for _, seed := range []string{
		`{}`, `{"subject": {"age": "x"}}`, `[]`, `{"purposes": []}`, `{"consent": {"status": "given", "given_at": "2026-01-02t03:04:05z"}}`,
		`{"consent": {"status": "given", "status": "given"}}`, `{"subject": {"age": 12.0}}`, `{"consent": {"status": "giv\u0065n"}}`,
	} {
		f.Add([]byte(seed))
	}
	g := gentree.New(11, policy.Default().Document, now)
	for range 40 {
		f.Add(mustJSON(f, g.Person()))
	}
	e := newEngine(f)
	topdown := sharedEngine(f) // declares nothing: OPA's full evaluation
	ctx := at(context.Background(), now)
	decl, err := e.DeclareJSON(ctx, []byte(gentree.NewsletterDeclaration))
	if err != nil {
		f.Fatal(err)
	}
	var declared map[string]any
	if err := json.Unmarshal([]byte(gentree.NewsletterDeclaration), &declared); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		got, err := decl.DecideJSON(ctx, state)
		if err != nil {
			if got.Allow {
				t.Fatalf("allowed with an error: %v", err)
			}
			return
		}
		var person map[string]any
		if json.Unmarshal(state, &person) != nil {
			t.Fatalf("decided a state that is not JSON: %q", state)
		}
		full := maps.Clone(declared)
		maps.Copy(full, person)
		raw, _ := json.Marshal(full)
		want, err := topdown.EvaluateJSON(ctx, raw)
		if err != nil {
			t.Fatalf("the per-person call decided what the full call refuses (%v): %q", err, state)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("per person %v, in full %v: %q", got, want, state)
		}
		if s := e.Stats(); s.Fallbacks != 0 || s.Topdown != 0 {
			t.Fatalf("decided other than by the compiled residual (%+v): %q", s, state)
		}
	})
}

// conditions lists a declaration's conditions by rule id.
func conditions(t *testing.T, engine *policyengine.Engine, a policyengine.Activity) map[string]policyengine.Condition {
	t.Helper()
	decl, err := engine.Declare(context.Background(), a)
	require.NoError(t, err)
	d, err := decl.Decision(context.Background())
	require.NoError(t, err)
	require.True(t, d.Allow, d.String())
	out := map[string]policyengine.Condition{}
	for _, c := range d.Conditions {
		out[c.Rule] = c
	}
	return out
}

// GDPR art. 17(1): a request for erasure does not stop processing still necessary for a contract
// with the person. A declared order on contract carries no erasure condition, and is decided
// for a person who asked for erasure as it is for anyone; a newsletter on consent carries the
// condition, and stops for that person.
func TestErasureIsAConditionOnlyWhereTheRightApplies(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	order := orderHandling()
	assert.NotContains(t, conditions(t, engine, order), "erasure.requested", "an order on contract goes on after a request for erasure")

	newsletter := policyengine.Activity{
		ID: "newsletter", DataSubjects: []string{"customer"}, DataCategories: []string{"name", "email"},
		Purposes: []string{"marketing.materials"}, LegalBasis: "consent",
		Channel:   &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention: &policyengine.Retention{Period: "P24M", From: "last_activity"},
	}
	erasure, ok := conditions(t, engine, newsletter)["erasure.requested"]
	require.True(t, ok, "a newsletter on consent stops after a request for erasure")
	assert.Equal(t, "the person has not asked for erasure", erasure.Requires)

	asked := &policyengine.Subject{ErasureRequestedAt: now.Add(-24 * time.Hour)}
	for _, tc := range []struct {
		activity policyengine.Activity
		consent  *policyengine.Consent
		allow    bool
	}{
		{order, nil, true},
		{newsletter, &policyengine.Consent{Status: "given"}, false},
	} {
		decl, err := engine.Declare(context.Background(), tc.activity)
		require.NoError(t, err)
		d, err := decl.Decide(context.Background(), policyengine.Person{Consent: tc.consent, Subject: asked})
		require.NoError(t, err)
		assert.Equal(t, tc.allow, d.Allow, "%s: %s", tc.activity.ID, d.String())
	}
}

// GDPR art. 18(2): restricted data may be processed with the person's consent. The condition says
// so, and the per-person decision follows the person's consent.
func TestRestrictionYieldsToThePersonsConsent(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	order := orderHandling()
	restriction, ok := conditions(t, engine, order)["restriction.requested"]
	require.True(t, ok)
	assert.Equal(t, "the person has not asked to restrict processing, or consents to this processing", restriction.Requires)

	decl, err := engine.Declare(context.Background(), order)
	require.NoError(t, err)
	restricted := &policyengine.Subject{Restricted: true}
	for _, tc := range []struct {
		consent *policyengine.Consent
		allow   bool
	}{
		{nil, false},
		{&policyengine.Consent{Status: "given", Purposes: []string{"purchase.orders"}}, true},
		{&policyengine.Consent{Status: "given", Purposes: []string{"marketing.materials"}}, false},
		{&policyengine.Consent{Status: "withdrawn"}, false},
	} {
		d, err := decl.Decide(context.Background(), policyengine.Person{Consent: tc.consent, Subject: restricted})
		require.NoError(t, err)
		assert.Equal(t, tc.allow, d.Allow, "%+v: %s", tc.consent, d.String())
	}
}
