package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/policy"
)

// declarations writes n distinct declarations (the generator's, each of its own seed) as
// manifests, then loads them with LoadDeclarations as a service does at start: the time it takes,
// and the heap the loaded declarations keep alive. The heap is measured as the difference of
// HeapAlloc after a full collection (runtime.GC, then runtime.ReadMemStats) with the engine alone
// and with the engine and the loaded declarations, kept alive until after the second reading.
func declarations(ctx context.Context, n int, dir string) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "declarations"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	g := gentree.New(1, policy.Default().Document, now)
	for i := range n {
		raw, err := json.Marshal(g.DeclarationAt(i))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("decl-%05d.json", i)), raw, 0o644); err != nil {
			return err
		}
	}
	engine, err := policyengine.New(ctx)
	if err != nil {
		return err
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	loaded, err := engine.LoadDeclarations(ctx, os.DirFS(dir))
	if err != nil {
		return err
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	kept := heap()
	fmt.Printf("%s\nLoadDeclarations of %d distinct declarations (the generator's, seed 1): %s (%.2f ms each), %.0f MiB allocated\n",
		machine(), len(loaded.IDs()), took.Round(time.Millisecond), float64(took)/float64(time.Millisecond)/float64(n),
		mib(after.TotalAlloc-before.TotalAlloc))
	fmt.Printf("heap kept alive by them: %.1f MiB, %.1f KiB per declaration\n", mib(kept-base), float64(kept-base)/1024/float64(n))
	// One decision each, so that the declarations are live (and in use) when the heap is read.
	decided := 0
	for _, id := range loaded.IDs() {
		if _, err := loaded.DecideJSON(ctx, id, []byte(`{"consent": {"status": "given"}}`)); err == nil {
			decided++
		}
	}
	fmt.Printf("decided one person on each of %d; %+v\n", decided, engine.Stats())
	runtime.KeepAlive(loaded)
	return nil
}
