package policyengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/policy"
)

// typical is the benchmarks' typical activity: 3 recipients, 2 purposes, 6 categories, allowed.
func typical() policyengine.Activity {
	return policyengine.Activity{
		ID:             "checkout",
		DataSubjects:   []string{"customer"},
		DataCategories: []string{"name", "email", "postal_address", "phone", "login_id", "username"},
		Sources:        []string{"data_subject"},
		Purposes:       []string{"purchase.orders", "purchase.accounts"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P5Y", From: "end_of_contract"},
		Recipients: []policyengine.Recipient{
			{Name: "Confect Logistics AB", Type: "group_company", Country: "SE"},
			{Name: "PayFlow Inc.", Type: "subprocessor", Country: "US", DPA: true, TransferSafeguard: "scc"},
			{Name: "Mail Delivery EU", Type: "subprocessor", Country: "IE", DPA: true},
		},
	}
}

// denied is the typical activity with four reasons to deny it.
func denied() policyengine.Activity {
	a := typical()
	a.DataCategories = append(a.DataCategories, "health")
	a.Purposes = append(a.Purposes, "security.maintenance")
	a.Recipients[1].TransferSafeguard = ""
	a.Recipients[2].DPA = false
	return a
}

// large is the typical activity with 50 recipients.
func large() policyengine.Activity {
	a := typical()
	a.Recipients = nil
	for i := 0; i < 50; i++ {
		a.Recipients = append(a.Recipients, policyengine.Recipient{Name: fmt.Sprintf("Vendor %d", i), Type: "subprocessor", Country: "DE", DPA: true})
	}
	return a
}

func benchmarkEvaluate(b *testing.B, a policyengine.Activity, opts ...policyengine.Option) {
	e := newEngine(b, opts...)
	ctx := context.Background()
	raw, err := json.Marshal(a)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Evaluate(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EvaluateJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.EvaluateJSON(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EvaluateJSON/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.EvaluateJSON(ctx, raw); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkTypical(b *testing.B) { benchmarkEvaluate(b, typical()) }
func BenchmarkDenied(b *testing.B)  { benchmarkEvaluate(b, denied()) }
func BenchmarkLarge(b *testing.B)   { benchmarkEvaluate(b, large()) }

// The same, with the decision cache on: a repeated activity is answered from it.
func BenchmarkTypicalCached(b *testing.B) {
	benchmarkEvaluate(b, typical(), policyengine.WithDecisionCache(1024))
}

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
