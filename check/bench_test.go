package check_test

import (
	"context"
	"testing"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/gentree"
)

// BenchmarkRun is the CI gate's batch path: a tree of 200 manifests (about 600 activities, a
// quarter denied), repeating as templates do or with no two activities alike in what the rules
// read, decided in parallel, with and without the decision cache the CLI turns on.
func BenchmarkRun(b *testing.B) {
	for _, tree := range []struct {
		name     string
		distinct bool
	}{{"repeating", false}, {"distinct", true}} {
		dir := b.TempDir()
		n, err := gentree.Write(dir, 200, 1, tree.distinct)
		if err != nil {
			b.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			opts []policyengine.Option
		}{
			{"uncached", nil},
			{"cached", []policyengine.Option{policyengine.WithDecisionCache(4096)}},
		} {
			b.Run(tree.name+"/"+tc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					// A fresh engine (and cache) per run, as every CLI invocation has.
					e, err := policyengine.New(context.Background(), append(tc.opts, policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))...)
					if err != nil {
						b.Fatal(err)
					}
					rep, err := check.Run(context.Background(), e, []string{dir}, check.Options{})
					if err != nil {
						b.Fatal(err)
					}
					if rep.Summary.Activities != n {
						b.Fatalf("%d activities decided, %d written", rep.Summary.Activities, n)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1000, "µs/activity")
			})
		}
	}
}
