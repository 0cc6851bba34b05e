package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/confect/policyengine"
)

// memory makes n decisions and reports the heap in use (after a collection) along the way:
// it must stay flat.
func memory(ctx context.Context, n int) error {
	engine, err := policyengine.New(ctx, policyengine.WithClock(func(context.Context) time.Time { return now }))
	if err != nil {
		return err
	}
	doc := []byte(typical)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	warm := n / 10
	for i := 0; i < warm; i++ {
		if _, err := engine.EvaluateJSON(ctx, doc); err != nil {
			return err
		}
	}
	base := heap()
	fmt.Printf("%s\nafter %d decisions (warm-up): heap in use %.1f MiB\n", machine(), warm, mib(base))
	var last uint64
	for step := 1; step <= 4; step++ {
		for i := 0; i < (n-warm)/4; i++ {
			if _, err := engine.EvaluateJSON(ctx, doc); err != nil {
				return err
			}
		}
		last = heap()
		fmt.Printf("after %d decisions: heap in use %.1f MiB (%+.1f%%)\n", warm+step*(n-warm)/4, mib(last), 100*(float64(last)-float64(base))/float64(base))
	}
	return nil
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
