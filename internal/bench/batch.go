package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
)

// batch runs the check over a tree, as the CLI does, and reports its throughput.
func batch(ctx context.Context, dir string, workers int, cpuprofile string) error {
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	engine, err := policyengine.New(ctx, policyengine.WithClock(func(context.Context) time.Time { return now }))
	if err != nil {
		return err
	}
	prepared := time.Since(start)
	rep, err := check.Run(ctx, engine, []string{dir}, check.Options{Workers: workers})
	if err != nil {
		return err
	}
	wall := time.Since(start)
	s := rep.Summary
	fmt.Printf("%s\n%d files, %d activities (%d allowed, %d denied, %d errors) in %s (engine ready in %s): %.0f activities/s\npeak RSS %s\n",
		machine(), s.Files, s.Activities, s.Allowed, s.Denied, s.Errors, wall.Round(time.Millisecond), prepared.Round(time.Millisecond),
		float64(s.Activities)/wall.Seconds(), peakRSS())
	return nil
}

// peakRSS reads the process's peak resident set from /proc (Linux).
func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
