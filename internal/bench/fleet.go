package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/policy"
)

// fleet measures what a service fleet sees: decisions by declaration id on a stock OPA server
// (`opa run --server`, built from this module's OPA by `go tool opa`) fed the bundle
// `policyengine bundle build --declarations` makes. It reports the server's own evaluation
// timer (?metrics=true, timer_rego_query_eval_ns), the HTTP round trip, and the server's CPU time
// per decision (from /proc), for requests by id and, for comparison in the same run, for the same
// declarations and people sent as full activities. With generated > 0, the bundle holds that
// many generated declarations instead of the examples, and the build is timed and weighed.
func fleet(ctx context.Context, n, people, generated int, prebuilt string) error {
	opa, err := opaBinary()
	if err != nil {
		return err
	}
	engine, err := policyengine.New(ctx)
	if err != nil {
		return err
	}
	docs, source, err := fleetDeclarations(ctx, engine, generated)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "policyengine-fleet-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bundle.tar.gz")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	start := time.Now()
	built, err := bundle.Build(ctx, f, policy.Default(), bundle.BuildOptions{Declarations: docs})
	buildTime := time.Since(start)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	compressed, uncompressed, files, err := bundleSize(path)
	if err != nil {
		return err
	}
	served := path
	if prebuilt != "" {
		served = prebuilt // another build of the same declarations: an earlier version's, to compare
	}

	server, err := startOPA(ctx, opa, served)
	if err != nil {
		return err
	}
	defer server.stop()

	mix, err := gentree.People(people, 1, slices.Sorted(maps.Keys(policy.Default().Document.Purposes)), time.Now())
	if err != nil {
		return err
	}
	ids := slices.Sorted(maps.Keys(docs))
	byID := make([][]byte, n)
	full := make([][]byte, n)
	for i := range n {
		id, person := ids[i%len(ids)], mix[(i/len(ids)+i)%len(mix)]
		request := map[string]any{"declaration": id}
		activity := maps.Clone(docs[id])
		maps.Copy(request, person)
		maps.Copy(activity, person)
		if byID[i], err = json.Marshal(map[string]any{"input": request}); err != nil {
			return err
		}
		if full[i], err = json.Marshal(map[string]any{"input": activity}); err != nil {
			return err
		}
	}
	var results []fleetResult
	for _, c := range []struct {
		name     string
		requests [][]byte
	}{{"by declaration id", byID}, {"full activity (declaration + person)", full}} {
		r, err := server.measure(ctx, c.name, c.requests)
		if err != nil {
			return err
		}
		results = append(results, r)
	}

	fmt.Printf("Decisions on stock OPA %s (opa run --server, one client, keep-alive), %d requests each:\n", server.version, n)
	fmt.Printf("%d declarations (%s), each for a mix of %d people. Machine: %s; load average %s.\n", len(ids), source, people, machine(), loadAverage())
	if prebuilt != "" {
		fmt.Printf("The server's bundle: %s.\n", prebuilt)
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\teval p50\teval p99\tround trip p50\tround trip p99\tserver CPU/decision\tdecisions/core-second\tallowed\tdenied\terrors\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%d\t%d\t%d\t\n", r.name, us(r.eval50), us(r.eval99), us(r.trip50), us(r.trip99), us(r.cpu), float64(time.Second)/float64(r.cpu), r.allowed, r.denied, r.errors)
	}
	_ = tw.Flush()
	fmt.Printf("\nThe bundle: built in %s (bundle.Build, %d of %d declarations with a residual), %d KiB compressed, %d KiB in %d files;\n",
		buildTime.Round(time.Millisecond), built.Residuals, built.Declarations, compressed>>10, uncompressed>>10, files)
	fmt.Printf("the server activated %s in %s and holds %d MiB (resident).\n", filepath.Base(served), server.ready.Round(time.Millisecond), server.rss()>>20)
	return nil
}

// fleetDeclarations are the example declarations (examples/manifests), or that many generated
// ones (gentree's tree, distinct activities, the first by id).
func fleetDeclarations(ctx context.Context, engine *policyengine.Engine, generated int) (map[string]map[string]any, string, error) {
	if generated == 0 {
		decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
		if err != nil {
			return nil, "", fmt.Errorf("examples/manifests (run from the repository's root): %w", err)
		}
		return decls.Documents(), "examples/manifests", nil
	}
	dir, err := os.MkdirTemp("", "policyengine-declarations-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	if _, err := gentree.Write(dir, generated/2+1, 1, true); err != nil {
		return nil, "", err
	}
	decls, err := engine.LoadDeclarations(ctx, os.DirFS(dir))
	if err != nil {
		return nil, "", err
	}
	all := decls.Documents()
	ids := slices.Sorted(maps.Keys(all))
	if len(ids) < generated {
		return nil, "", fmt.Errorf("the generated tree holds %d declarations, fewer than %d", len(ids), generated)
	}
	out := make(map[string]map[string]any, generated)
	for _, id := range ids[:generated] {
		out[id] = all[id]
	}
	return out, "generated by internal/gentree, distinct", nil
}

// opaBinary is stock opa built from this module's OPA version.
func opaBinary() (string, error) {
	out, err := exec.Command("go", "tool", "-n", "opa").Output()
	if err != nil {
		return "", fmt.Errorf("building stock opa with `go tool -n opa`: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

type opaServer struct {
	url     string
	cmd     *exec.Cmd
	client  *http.Client
	ready   time.Duration // from start to the bundle activated
	version string
}

// startOPA runs `opa run --server` on a bundle file and waits for the bundle to be active.
func startOPA(ctx context.Context, opa, bundlePath string) (*opaServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	version, _ := exec.Command(opa, "version").Output()
	v, _, _ := strings.Cut(strings.TrimPrefix(string(version), "Version: "), "\n")
	cmd := exec.CommandContext(ctx, opa, "run", "--server", "--addr", addr, "--log-level", "error", bundlePath)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &opaServer{url: "http://" + addr, cmd: cmd, version: v,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	for deadline := start.Add(5 * time.Minute); ; {
		if resp, err := s.client.Get(s.url + "/health?bundles"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.ready = time.Since(start)
				return s, nil
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			s.stop()
			return nil, fmt.Errorf("stock opa did not activate the bundle: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *opaServer) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// cpu is the server process's CPU time so far (user and system), from /proc.
func (s *opaServer) cpu() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("the server's CPU time (Linux /proc): %w", err)
	}
	// The fields after the command name (which may hold spaces) in parentheses.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil // USER_HZ: 100 on Linux
}

// rss is the server process's resident memory in bytes, from /proc (0 when unknown).
func (s *opaServer) rss() int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

type fleetResult struct {
	name                           string
	eval50, eval99, trip50, trip99 time.Duration
	cpu                            time.Duration // server CPU per decision
	allowed, denied, errors        int
}

// measure posts every request once to warm the server up, then again, one at a time, timing
// each: the server's evaluation timer and the round trip; and the server's CPU time over all.
func (s *opaServer) measure(ctx context.Context, name string, requests [][]byte) (fleetResult, error) {
	r := fleetResult{name: name}
	for _, body := range requests[:min(len(requests), 500)] {
		if _, err := s.decide(ctx, body); err != nil {
			return r, err
		}
	}
	evals := make([]time.Duration, 0, len(requests))
	trips := make([]time.Duration, 0, len(requests))
	before, err := s.cpu()
	if err != nil {
		return r, err
	}
	for _, body := range requests {
		start := time.Now()
		d, err := s.decide(ctx, body)
		trips = append(trips, time.Since(start))
		if err != nil {
			return r, err
		}
		evals = append(evals, time.Duration(d.Metrics.EvalNS))
		switch {
		case len(d.Result.Errors) > 0:
			r.errors++
		case d.Result.Allow:
			r.allowed++
		default:
			r.denied++
		}
	}
	after, err := s.cpu()
	if err != nil {
		return r, err
	}
	slices.Sort(evals)
	slices.Sort(trips)
	r.eval50, r.eval99 = evals[len(evals)/2], evals[len(evals)*99/100]
	r.trip50, r.trip99 = trips[len(trips)/2], trips[len(trips)*99/100]
	r.cpu = (after - before) / time.Duration(len(requests))
	return r, nil
}

type served struct {
	Result struct {
		Allow  bool  `json:"allow"`
		Errors []any `json:"errors"`
	} `json:"result"`
	Metrics struct {
		EvalNS int64 `json:"timer_rego_query_eval_ns"`
	} `json:"metrics"`
}

func (s *opaServer) decide(ctx context.Context, body []byte) (served, error) {
	var d served
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/v1/data/policyengine/decision?metrics=true", bytes.NewReader(body))
	if err != nil {
		return d, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return d, err
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("the server answered %s: %s", resp.Status, raw)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, err
	}
	if d.Metrics.EvalNS == 0 {
		return d, errors.New("the server reported no evaluation time")
	}
	return d, nil
}

// bundleSize is a bundle's size compressed, the size of its files, and their number.
func bundleSize(path string) (compressed, uncompressed int64, files int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return 0, 0, 0, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return int64(len(raw)), uncompressed, files, nil
		}
		if err != nil {
			return 0, 0, 0, err
		}
		uncompressed += h.Size
		files++
	}
}

// loadAverage is the machine's one-, five- and fifteen-minute load averages, from /proc.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
