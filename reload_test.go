package policyengine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/problem"
)

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
	def := newEngine(t)
	_, err = def.EvaluateJSON(context.Background(), []byte(`{"id":"a","description":"`+strings.Repeat("x", policyengine.DefaultMaxBytes)+`"}`))
	assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
}

// Reload swaps the policy atomically: under thousands of concurrent evaluations, every decision
// is exactly the decision of the revision it names, the old or the new.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	confect := newEngine(t)
	adequacyDoc := strings.Replace(string(mustReadFile(t, "policy/confect.yaml")), "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n", 1)
	adequacyDir := filepath.Join(dir, "adequacy")
	require.NoError(t, os.MkdirAll(adequacyDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(adequacyDir, "policy.yaml"), []byte(adequacyDoc), 0o644))
	adequacy := newEngine(t, policyengine.WithPolicyDir(adequacyDir))
	require.NotEqual(t, confect.Revision(), adequacy.Revision())

	// Activities the two policies decide differently, and alike.
	a := orderHandling()
	a.Recipients = []policyengine.Recipient{{Name: "CrashDesk", Type: "subprocessor", Country: "GB", DPA: true, TransferSafeguard: "adequacy"}}
	cases := []policyengine.Activity{a, orderHandling(), newsletter()}
	want := map[string][]policyengine.Decision{}
	for _, ref := range []*policyengine.Engine{confect, adequacy} {
		for _, c := range cases {
			d, err := ref.Evaluate(context.Background(), c)
			require.NoError(t, err)
			want[ref.Revision()] = append(want[ref.Revision()], d)
		}
	}
	require.NotEqual(t, want[confect.Revision()][0].Allow, want[adequacy.Revision()][0].Allow)

	e := newEngine(t)
	var stop atomic.Bool
	var evaluated atomic.Int64
	seen := sync.Map{}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() || i < 200; i++ {
				c := i % len(cases)
				d, err := e.Evaluate(context.Background(), cases[c])
				if err != nil {
					errs <- err
					return
				}
				exp, ok := want[d.Revision]
				if !ok || !assert.ObjectsAreEqual(exp[c], d) {
					errs <- fmt.Errorf("case %d under revision %.12s: got %v, want %v", c, d.Revision, d, exp)
					return
				}
				seen.Store(d.Revision, true)
				evaluated.Add(1)
			}
		}()
	}
	for i := 0; i < 20; i++ {
		opt := policyengine.WithPolicyDir(adequacyDir)
		if i%2 == 1 {
			opt = policyengine.WithPolicyDir("policy")
		}
		require.NoError(t, e.Reload(context.Background(), opt))
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.GreaterOrEqual(t, evaluated.Load(), int64(1600))
	_, sawConfect := seen.Load(confect.Revision())
	_, sawAdequacy := seen.Load(adequacy.Revision())
	assert.True(t, sawConfect && sawAdequacy, "decisions were made under both revisions")
}

// A reload that fails, at any stage, leaves the engine deciding under its last good policy.
func TestReloadFailureKeepsThePolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), mustReadFile(t, "policy/confect.yaml"), 0o644))
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	before := e.Revision()

	for _, step := range []struct {
		name    string
		breakIt func()
	}{
		{"document fails its schema", func() {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte("privacy_policy: {}\n"), 0o644))
		}},
		{"module does not compile", func() {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), mustReadFile(t, "policy/confect.yaml"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package policyengine.rules.bad\n\ndeny contains"), 0o644))
		}},
		{"directory gone", func() { require.NoError(t, os.RemoveAll(dir)) }},
	} {
		name, breakIt := step.name, step.breakIt
		breakIt()
		err := e.Reload(context.Background())
		require.Error(t, err, name)
		assert.Equal(t, before, e.Revision(), name)
		d, err := e.Evaluate(context.Background(), orderHandling())
		require.NoError(t, err, name)
		assert.True(t, d.Allow, name)
		assert.Equal(t, before, d.Revision, name)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, e.Reload(ctx, policyengine.WithPolicyDir("policy")), context.Canceled)
	// Reload takes only a Source (the compiler refuses any other option), and at most one.
	assert.ErrorIs(t, e.Reload(context.Background(), policyengine.Source{}), policyengine.ErrInvalidPolicy)
	assert.Error(t, e.Reload(context.Background(), policyengine.WithPolicyDir("policy"), policyengine.WithPolicyDir("policy")))
	assert.Equal(t, before, e.Revision())
}

func mustReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}
