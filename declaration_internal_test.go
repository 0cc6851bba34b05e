package policyengine

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPersonDecisionCached decides a prepared declaration under the real clock for persons
// drawn from a pool, as a service sees its regular users come back, with the decision cache on:
// a compiled residual decides a returning person again for less than a look-up would cost, so the
// cache is not consulted (the hit rate reported stays 0) and the option costs nothing here.
func BenchmarkPersonDecisionCached(b *testing.B) {
	for _, pool := range []int{100, 1000} {
		b.Run(fmt.Sprintf("pool=%d", pool), func(b *testing.B) {
			ctx := context.Background()
			e, err := New(ctx, WithDecisionCache(4096))
			if err != nil {
				b.Fatal(err)
			}
			decl, err := e.DeclareJSON(ctx, []byte(`{"id": "newsletter-monthly", "data_subjects": ["lead"], "data_categories": ["name", "email"],
				"purposes": ["marketing.materials"], "legal_basis": "consent", "channel": {"type": "email", "content": "marketing"},
				"retention": {"period": "P24M", "from": "last_activity"}}`))
			if err != nil {
				b.Fatal(err)
			}
			base := time.Now().Add(-100 * 24 * time.Hour)
			states := make([][]byte, pool)
			for i := range states {
				t := base.Add(time.Duration(i) * time.Minute).UTC().Format(time.RFC3339)
				states[i] = []byte(`{"consent": {"status": "given", "given_at": "` + t + `"}, "subject": {"last_activity_at": "` + t + `"}}`)
			}
			st := e.state.Load()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if d, err := decl.DecideJSON(ctx, states[(i*7919)%pool]); err != nil || !d.Allow {
					b.Fatal(err, d)
				}
				i++
			}
			hits, misses := st.cache.hits.Load(), st.cache.misses.Load()
			b.ReportMetric(100*float64(hits)/float64(max(hits+misses, 1)), "hit%")
		})
	}
}
