package policyengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/confect/policyengine"
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
