package policyengine_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// Limits on size, nesting and activities per manifest are options with safe defaults.
func TestManifestLimits(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	dir := t.TempDir()
	one := `{"id": "a%d", "data_categories": ["email"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P1Y"}}`
	var items []string
	for i := 0; i < 11; i++ {
		items = append(items, fmt.Sprintf(one, i))
	}
	many := filepath.Join(dir, "many.json")
	require.NoError(t, os.WriteFile(many, []byte("["+strings.Join(items, ",")+"]"), 0o644))

	rep, err := check.Run(context.Background(), e, []string{many}, check.Options{Manifest: manifest.Options{MaxActivities: 10}})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.Equal(t, "more than 10 activities in one manifest", rep.Results[0].Errors[0].Message)

	rep, err = check.Run(context.Background(), e, []string{many}, check.Options{Manifest: manifest.Options{MaxBytes: 100}})
	require.NoError(t, err)
	assert.Regexp(t, `^the manifest is \d+ bytes, more than the limit of 100$`, rep.Results[0].Errors[0].Message)

	rep, err = check.Run(context.Background(), e, []string{"-"}, check.Options{Stdin: strings.NewReader(strings.Repeat(" ", 101)), Manifest: manifest.Options{MaxBytes: 100}})
	require.NoError(t, err)
	assert.Equal(t, "the manifest is 101 bytes, more than the limit of 100", rep.Results[0].Errors[0].Message)

	rep, err = check.Run(context.Background(), e, []string{many}, check.Options{})
	require.NoError(t, err)
	assert.Equal(t, 11, rep.Summary.Allowed, "the defaults admit ordinary manifests")

	// A huge document fails EvaluateJSON fast on its size.
	d, err := e.EvaluateJSON(context.Background(), []byte(`{"id":"a","description":"`+strings.Repeat("x", 2<<20)+`"}`))
	assert.False(t, d.Allow)
	assert.ErrorContains(t, err, "more than the limit of 1048576")
}

// The evaluation time is the engine's clock: the same activity expires between two clocks.
func TestClock(t *testing.T) {
	t.Parallel()
	a := application()
	a.Subject.LastApplicationAt = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	before := newEngine(t, policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC) }))
	after := newEngine(t, policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC) }))
	d, err := before.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	d, err = after.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.Equal(t, []finding{{"retention.expired", "/subject/last_application_at"}}, findings(d))

	// WithClock is read at every decision.
	var mu sync.Mutex
	clock := time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC)
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
	require.NoError(t, err)
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	mu.Lock()
	clock = clock.AddDate(0, 0, 2)
	mu.Unlock()
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)

	// The clock is given each call's context: one that reads a time from it decides each call
	// at its own.
	e = sharedEngine(t)
	early := at(context.Background(), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
	d, err = e.Evaluate(early, a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	assert.Equal(t, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), e.Now(early))
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "the same engine, at its default time")
	assert.False(t, (*policyengine.Engine)(nil).Now(early).IsZero(), "an engine New did not make tells the current time")
}

func TestOptions(t *testing.T) {
	t.Parallel()
	// Another policy is a new document, not new code: accept adequacy for transfers.
	dir := writePolicy(t, func(d string) string {
		return strings.Replace(d, "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n", 1)
	}, nil)
	a := orderHandling()
	a.Recipients = []policyengine.Recipient{{Name: "CrashDesk", Type: "subprocessor", Country: "GB", DPA: true, TransferSafeguard: "adequacy"}}

	confect := sharedEngine(t)
	adequacy := newEngine(t, policyengine.WithPolicyDir(dir))
	fsEngine := newEngine(t, policyengine.WithPolicyFS(os.DirFS(dir)))
	loaded, err := policy.LoadDir(dir)
	require.NoError(t, err)
	typed := newEngine(t, policyengine.WithPolicy(loaded))

	d, err := confect.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
	for _, e := range []*policyengine.Engine{adequacy, fsEngine, typed} {
		d, err := e.Evaluate(context.Background(), a)
		require.NoError(t, err)
		assert.True(t, d.Allow)
		assert.Equal(t, adequacy.Revision(), d.Revision, "the revision depends on content, not on how it was loaded")
	}
	assert.NotEqual(t, confect.Revision(), adequacy.Revision())

	// The embedded policy loaded from its directory is the default, revision and all.
	fromDir := newEngine(t, policyengine.WithPolicyDir("policy"))
	assert.Equal(t, confect.Revision(), fromDir.Revision())
	assert.Equal(t, "Confect", confect.Document().Organisation)

	_, err = policyengine.New(context.Background(), policyengine.WithPolicyDir(dir), policyengine.WithPolicyDir(dir))
	assert.ErrorContains(t, err, "give at most one")
	_, err = policyengine.New(context.Background(), policyengine.WithPolicyDir(filepath.Join(dir, "missing")))
	assert.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
}

// A policy's own module that loops is cut off at the decision's deadline, and the activity is
// denied with an evaluation error.
func TestEvaluationTimeout(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"slow.rego": `package policyengine.rules.slow

import data.policyengine.lib

_never if {
	some i in numbers.range(1, 1000000)
	some j in numbers.range(1, 1000000)
	i + j < 0
}

# METADATA
# title: Slow
# description: Loops for a very long time before it finds nothing.
# custom:
#   id: slow.loop
#   clause: purposes
deny contains reason if {
	_never
	reason := lib.reason(rego.metadata.rule(), "", "never")
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithEvaluationTimeout(50*time.Millisecond))
	d, err := e.Evaluate(context.Background(), typical())
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestLimits(t *testing.T) {
	t.Parallel()
	e := newEngine(t, policyengine.WithLimits(policyengine.Limits{MaxBytes: 400, MaxDepth: 4, MaxValues: 40}))
	ok := `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"legal_basis":"contract","retention":{"period":"P1Y"}}`
	d, err := e.EvaluateJSON(context.Background(), []byte(ok))
	require.NoError(t, err)
	assert.True(t, d.Allow)

	for name, tc := range map[string]struct{ doc, want string }{
		"too large":       {`{"id":"a","description":"` + strings.Repeat("x", 400) + `"}`, "/: the document is 427 bytes, more than the limit of 400"},
		"too deep":        {`{"id":"a","x":{"y":{"z":{"w":{}}}}}`, "/x/y/z/w: nesting deeper than 4 levels"},
		"too many values": {`{"id":"a","data_categories":[` + strings.Repeat(`"email",`, 40) + `"email"]}`, "/data_categories/37: the document holds too many values (limit 40)"},
	} {
		d, err := e.EvaluateJSON(context.Background(), []byte(tc.doc))
		assert.False(t, d.Allow, name)
		require.ErrorIs(t, err, policyengine.ErrInvalidInput, name)
		problems := problem.All(err)
		require.Len(t, problems, 1, name)
		p := problems[0]
		ptr := p.Pointer
		if ptr == "" {
			ptr = "/"
		}
		assert.Equal(t, tc.want, ptr+": "+p.Message, name)
	}

	// The defaults admit any real activity and refuse a megabyte.
	def := sharedEngine(t)
	_, err = def.EvaluateJSON(context.Background(), []byte(`{"id":"a","description":"`+strings.Repeat("x", policyengine.DefaultMaxBytes)+`"}`))
	assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
}

// A tampered signed bundle is refused by stock OPA too.
func TestStockOPARefusesTamperedBundle(t *testing.T) {
	t.Parallel()
	opa := opatest.Binary(t)
	signed, _, public := signedBundle(t)
	tampered := opatest.Tamper(t, signed)
	dir := t.TempDir()
	path := filepath.Join(dir, "tampered.tar.gz")
	keyPath := filepath.Join(dir, "public.pem")
	require.NoError(t, os.WriteFile(path, tampered, 0o644))
	require.NoError(t, os.WriteFile(keyPath, public, 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, opa, "run", "--server", "--addr", fmt.Sprintf("127.0.0.1:%d", opatest.FreePort(t)),
		"--verification-key", keyPath, "--verification-key-id", "policyengine", "--bundle", path).CombinedOutput()
	require.Error(t, err, "stock opa started with a tampered bundle:\n%s", out)
	assert.Contains(t, string(out), "digest mismatch")

	_, err = policyengine.New(context.Background(), policyengine.WithBundle(path, bundle.ReadOptions{PublicKey: public, KeyID: "policyengine"}))
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, "digest mismatch")
}
