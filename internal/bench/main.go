// Command bench measures policyengine and puts the numbers side by side; docs/performance.md
// holds a table from a real run.
//
//	go run ./internal/bench compare [-n 20000]     # one decision: engine, cache, per person, naive OPA, plain OPA
//	go run ./internal/bench gen -files 10000 [-distinct] -o DIR # a synthetic tree of manifests
//	go run ./internal/bench batch DIR               # check over a tree: wall time, activities/s
//	go run ./internal/bench memory [-n 1000000]     # heap in use across many decisions
//	go run ./internal/bench fleet [-n 3000] [-declarations 1000] [-bundle FILE] # stock OPA deciding by declaration id
//	go run ./internal/bench declarations [-n 1000]  # LoadDeclarations of n distinct declarations: time, heap kept
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/confect/policyengine/internal/gentree"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "compare":
		fs := flag.NewFlagSet("compare", flag.ExitOnError)
		n := fs.Int("n", 20000, "decisions per contender (naive OPA: n/100)")
		_ = fs.Parse(os.Args[2:])
		err = compare(ctx, *n)
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ExitOnError)
		files := fs.Int("files", 10000, "manifest files to write")
		out := fs.String("o", "", "directory to write them to")
		seed := fs.Int64("seed", 1, "random seed: the same seed writes the same tree")
		distinct := fs.Bool("distinct", false, "no two activities alike in what the rules read: no decision can be reused")
		_ = fs.Parse(os.Args[2:])
		if *out == "" {
			usage()
		}
		var n int
		if n, err = gentree.Write(*out, *files, *seed, *distinct); err == nil {
			fmt.Printf("wrote %d manifests holding %d activities under %s\n", *files, n, *out)
		}
	case "batch":
		fs := flag.NewFlagSet("batch", flag.ExitOnError)
		workers := fs.Int("j", 0, "files decided at once (default: one per CPU)")
		profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
		_ = fs.Parse(os.Args[2:])
		if fs.NArg() != 1 {
			usage()
		}
		err = batch(ctx, fs.Arg(0), *workers, *profile)
	case "fleet":
		fs := flag.NewFlagSet("fleet", flag.ExitOnError)
		n := fs.Int("n", 3000, "requests of each kind")
		people := fs.Int("people", 200, "people in the mix")
		generated := fs.Int("declarations", 0, "generated declarations in the bundle instead of the examples (e.g. 1000)")
		prebuilt := fs.String("bundle", "", "serve this bundle (of the same declarations, built by another version) instead of the one built here")
		_ = fs.Parse(os.Args[2:])
		err = fleet(ctx, *n, *people, *generated, *prebuilt)
	case "memory":
		fs := flag.NewFlagSet("memory", flag.ExitOnError)
		n := fs.Int("n", 1000000, "decisions")
		_ = fs.Parse(os.Args[2:])
		err = memory(ctx, *n)
	case "declarations":
		fs := flag.NewFlagSet("declarations", flag.ExitOnError)
		n := fs.Int("n", 1000, "distinct declarations")
		dir := fs.String("o", "", "directory to write them to (default: a temporary one)")
		_ = fs.Parse(os.Args[2:])
		err = declarations(ctx, *n, *dir)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: bench compare [-n N] | gen -files N [-distinct] -o DIR [-seed S] | batch [-j N] DIR | memory [-n N] | fleet [-n N] [-people N] [-declarations N] [-bundle FILE] | declarations [-n N] [-o DIR]")
	os.Exit(2)
}

// machine describes where the numbers come from.
func machine() string {
	return fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}

// now is the evaluation time of every measured decision.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
