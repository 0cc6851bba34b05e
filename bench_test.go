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

// BenchmarkPersonDecision is the service's per-request call: a prepared consent-based
// declaration decided for a different person every iteration, from the person's state as JSON
// bytes, under the real clock.
func BenchmarkPersonDecision(b *testing.B) {
	e := newEngine(b) // the real clock
	ctx := context.Background()
	decl, err := e.DeclareJSON(ctx, []byte(gentree.NewsletterDeclaration))
	if err != nil {
		b.Fatal(err)
	}
	states := gentree.PersonStates(1<<16, time.Now())
	b.Run("DecideJSON", func(b *testing.B) {
		b.ReportAllocs()
		times := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			start := time.Now()
			d, err := decl.DecideJSON(ctx, states[i%len(states)])
			times = append(times, time.Since(start))
			if err != nil || !d.Allow {
				b.Fatal(err, d)
			}
			i++
		}
		reportPercentiles(b, times)
	})
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
	// The same person decided in full, for comparison: the version-1 call.
	b.Run("EvaluateJSON-full-activity", func(b *testing.B) {
		b.ReportAllocs()
		var m map[string]any
		if err := json.Unmarshal([]byte(gentree.NewsletterDeclaration), &m); err != nil {
			b.Fatal(err)
		}
		docs := make([][]byte, 1024)
		for i := range docs {
			var p map[string]any
			_ = json.Unmarshal(states[i], &p)
			maps.Copy(m, p)
			docs[i], _ = json.Marshal(m)
		}
		i := 0
		for b.Loop() {
			if d, err := e.EvaluateJSON(ctx, docs[i%len(docs)]); err != nil || !d.Allow {
				b.Fatal(err, d)
			}
			i++
		}
	})
}

// BenchmarkDeclare prepares a declaration (partial evaluation of the rules with the person's
// state unknown, and the residual compiled): a new declaration every iteration.
func BenchmarkDeclare(b *testing.B) {
	e := newEngine(b)
	ctx := context.Background()
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
}
