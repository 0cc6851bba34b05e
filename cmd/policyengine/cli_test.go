package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/policy"
)

// runCLI runs the command line with buffers and no environment, and returns the exit code and
// outputs.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runWith(t, "", nil, args...)
}

// runWith runs the command line with stdin and environment variables, on the package's shared
// engines.
func runWith(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	ctx := context.WithValue(context.Background(), runStartKey{}, time.Now())
	code := run(ctx, args, env{
		stdin:   strings.NewReader(stdin),
		stdout:  &out,
		stderr:  &errs,
		getenv:  func(k string) string { return vars[k] },
		engines: engines.engine,
	})
	return code, out.String(), errs.String()
}

// engines are the engines the runs of this package's tests share, each built once: preparing
// one costs a quarter to half a second, and most runs describe one of a few.
var engines = &sharedEngines{built: map[engineKey]func() (*policyengine.Engine, error){}}

// sharedEngines builds an engine once per policy, evaluation time and options. Only a policy
// that does not change while the tests run is shared: the embedded one, or a directory of this
// repository. A test's own directory, which it may edit between runs, and a bundle get an engine
// of their own, as the command builds it.
type sharedEngines struct {
	mu    sync.Mutex
	built map[engineKey]func() (*policyengine.Engine, error)
}

// engineKey is what an engine of the flags is made of: its policy directory as named ("" the
// embedded policy: the rules' files are named so in what the commands print) and where it is,
// its --now ("" the time each run starts) and check's options.
type engineKey struct {
	dir, abs, now string
	timeout       time.Duration
	cacheSize     int
}

// runStartKey is the context key of the time a run started (runWith): the evaluation time of a
// run without --now, as the command fixes it when it builds its engine.
type runStartKey struct{}

func (s *sharedEngines) engine(ctx context.Context, f *engineFlags) (*policyengine.Engine, error) {
	dir, err := f.dir() // reads the config file for the command, once, as its own engine would
	if err != nil || f.bundle != "" || f.verifyKey != "" || f.keyID != "" || f.requireSig {
		return newEngine(ctx, f)
	}
	abs := ""
	if dir != "" {
		if abs, err = filepath.Abs(dir); err != nil || !isUnder(abs, repositoryRoot) {
			return newEngine(ctx, f)
		}
	}
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	if f.now == "" {
		opts = append(opts, policyengine.WithClock(func(ctx context.Context) time.Time {
			if t, ok := ctx.Value(runStartKey{}).(time.Time); ok {
				return t
			}
			return time.Now()
		}))
	}
	key := engineKey{dir: dir, abs: abs, now: f.now, timeout: f.timeout, cacheSize: f.cacheSize}
	s.mu.Lock()
	build, ok := s.built[key]
	if !ok {
		build = sync.OnceValues(func() (*policyengine.Engine, error) {
			return policyengine.New(context.Background(), opts...)
		})
		s.built[key] = build
	}
	s.mu.Unlock()
	return build()
}

// repositoryRoot is the absolute path of this repository's root.
var repositoryRoot = func() string {
	root, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return root
}()

func isUnder(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

const (
	allowed = `{"id": "checkout", "data_categories": ["name"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P5Y", "from": "end_of_contract"}}`
	denied  = `{"id": "no-basis", "data_categories": ["name"], "purposes": ["purchase.orders"], "retention": {"period": "P5Y"}}`
	warned  = `{"id": "leads", "data_categories": ["name", "email"], "purposes": ["marketing.materials"], "legal_basis": "legitimate_interest", "retention": {"period": "P24M", "from": "last_activity"}}`
	now     = "2026-11-28T00:00:00Z"
)

func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := write(t, dir, "ok.json", allowed)
	deny := write(t, dir, "deny.json", denied)
	warn := write(t, dir, "warn.json", warned)
	broken := write(t, dir, "broken.yaml", "id: [unclosed\n")

	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"every activity allowed", []string{"check", ok}, 0},
		{"a denial", []string{"check", ok, deny}, 1},
		{"a warning alone passes", []string{"check", warn}, 0},
		{"a warning fails with --fail-on-warn", []string{"check", "--fail-on-warn", warn}, 1},
		{"a broken manifest is an input error", []string{"check", ok, broken}, 2},
		{"an input error outweighs a denial", []string{"check", deny, broken}, 2},
		{"a path that does not exist", []string{"check", filepath.Join(dir, "missing.yaml")}, 2},
		{"no path", []string{"check"}, 2},
		{"an unknown format", []string{"check", "-o", "yaml", ok}, 2},
		{"an unknown flag", []string{"check", "--frobnicate", ok}, 2},
		{"an unknown command", []string{"frobnicate"}, 2},
		{"a bad --now", []string{"check", "--now", "yesterday", ok}, 2},
		{"a bad --color", []string{"check", "--color", "sometimes", ok}, 2},
		{"a policy directory that is not a policy", []string{"check", "--policy", dir, ok}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, tc.want, code, stderr)
			if tc.want == 2 && len(tc.args) > 0 && !strings.HasSuffix(tc.args[len(tc.args)-1], ".yaml") {
				assert.NotEmpty(t, stderr, "a usage error says what is wrong")
			}
		})
	}
}

// A malformed manifest is reported with its line, and the other files are still decided.
func TestMalformedAmongGood(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "a.json", allowed)
	write(t, dir, "b.yaml", "id: x\ndata_categories: [name\n")
	write(t, dir, "c.json", denied)
	code, stdout, _ := runCLI(t, "check", "-o", "json", "--now", now, dir)
	require.Equal(t, 2, code)
	var rep struct {
		Results []struct {
			File     string `json:"file"`
			Activity string `json:"activity"`
			Allow    bool   `json:"allow"`
			Errors   []struct {
				Line    int    `json:"line"`
				Message string `json:"message"`
			} `json:"errors"`
		} `json:"results"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Len(t, rep.Results, 3)
	assert.True(t, rep.Results[0].Allow)
	require.Len(t, rep.Results[1].Errors, 1)
	assert.Equal(t, filepath.Join(dir, "b.yaml"), rep.Results[1].File)
	assert.Positive(t, rep.Results[1].Errors[0].Line)
	assert.Contains(t, rep.Results[1].Errors[0].Message, "malformed YAML")
	assert.Equal(t, "no-basis", rep.Results[2].Activity)
	assert.Contains(t, rep.Summary, "conditions")
	delete(rep.Summary, "conditions")
	assert.Equal(t, map[string]int{"files": 3, "activities": 2, "allowed": 1, "denied": 1, "errors": 1, "warnings": 0}, rep.Summary)
}

func TestStdin(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runWith(t, denied, nil, "check", "-o", "json", "-")
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, `"file": "-"`)
	assert.Contains(t, stdout, `"rule": "legal_basis.missing"`)

	code, stdout, _ = runWith(t, "id: from-yaml\ndata_categories: [name]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P1Y}\n", nil, "check", "-")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "allow  from-yaml")
}

// Large trees are decided in parallel, and the output is the same, byte for byte, whatever the
// parallelism and however often it runs.
func TestDeterministicOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 60; i++ {
		body := allowed
		switch i % 3 {
		case 1:
			body = "[" + denied + "," + warned + "]"
		case 2:
			body = `{"activities": [` + warned + `]}`
		}
		write(t, dir, fmt.Sprintf("team-%02d/manifest-%02d.json", i%7, i), body)
	}
	for _, format := range []string{"json", "text", "sarif", "junit", "github", "table"} {
		_, first, _ := runCLI(t, "check", "-o", format, "--now", now, "-j", "1", dir)
		for _, jobs := range []string{"2", "8", "0"} {
			_, again, _ := runCLI(t, "check", "-o", format, "--now", now, "-j", jobs, dir)
			require.Equal(t, first, again, "%s with -j %s", format, jobs)
		}
	}
}

func TestColour(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	deny := write(t, dir, "deny.json", denied)
	_, plain, _ := runCLI(t, "check", deny)
	assert.NotContains(t, plain, "\x1b[", "auto: no colour off a terminal")
	_, coloured, _ := runCLI(t, "check", "--color", "always", deny)
	assert.Contains(t, coloured, "\x1b[31mDENY")
	_, never, _ := runWith(t, "", map[string]string{"NO_COLOR": "1"}, "check", "--color", "auto", deny)
	assert.NotContains(t, never, "\x1b[")
}

func TestHelpTellsTheExitCodes(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runCLI(t, "check", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "Exit codes: 0 every activity allowed; 1 at least one denied")
	for _, f := range []string{"text", "json", "sarif", "junit", "github", "table"} {
		assert.Contains(t, stdout, f)
	}
}

func TestRulesCommand(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, "rules", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var rules []struct {
		ID, Kind, Title, Description, Remedy, Clause, ClauseText string
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rules))
	e, err := policyengine.New(t.Context())
	require.NoError(t, err)
	require.Len(t, rules, len(e.Rules())+len(fides.Rules(policy.Default().Document)), "the policy's rules and the Fides import's findings")
	assert.True(t, slices.ContainsFunc(rules, func(r struct{ ID, Kind, Title, Description, Remedy, Clause, ClauseText string }) bool {
		return r.ID == fides.RuleUnknownKey
	}), "rules lists the fides.* findings")
	for _, r := range rules {
		assert.NotEmpty(t, r.Title, r.ID)
		assert.NotEmpty(t, r.Clause, r.ID)
		assert.NotEmpty(t, r.Description, r.ID)
	}
	code, stdout, _ = runCLI(t, "rules")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `(?m)^transfer\.without_scc\s+deny\s+Recipients outside the EU/EEA under standard contractual clauses\s+When Does Confect Use Subprocessors\?$`, stdout)
	code, _, _ = runCLI(t, "rules", "-o", "xml")
	assert.Equal(t, 2, code)
}

func TestExplainCommand(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, "explain", "retention.exceeds_limit")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "retention.exceeds_limit: The retention period is within the policy's limit")
	assert.Contains(t, stdout, "What it checks (it denies)")
	assert.Contains(t, stdout, "Why: the policy, How Long Are Your Personal Data Stored?")
	assert.Contains(t, stdout, "To pass\n  Shorten the period")
	assert.Contains(t, stdout, "Source: rego/retention.rego:")

	code, stdout, _ = runCLI(t, "explain", "consent.stale")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "it warns (never denies)")

	code, _, stderr = runCLI(t, "explain", "transfer.no_scc")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `no rule "transfer.no_scc"`)
	assert.Contains(t, stderr, "did you mean transfer.without_scc")
}

// The decision cache changes nothing but speed.
func TestCacheChangesNothing(t *testing.T) {
	t.Parallel()
	manifests := "../../examples/manifests"
	_, cached, _ := runCLI(t, "check", "-o", "json", "--now", now, manifests)
	_, uncached, _ := runCLI(t, "check", "-o", "json", "--now", now, "--cache-size", "0", manifests)
	assert.Equal(t, uncached, cached)
	code, _, stderr := runCLI(t, "check", "--cache-size", "-1", manifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--cache-size")
}
