package check_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/gentree"
)

// The decision cache shares findings between declarations alike in what a rule package reads
// (and conditions between declarations alike in what the person rules read): a run with it
// reports exactly what a run without it does, on the examples, on generated trees (repeating
// and all-distinct) and under a policy with rules of its own, at an instant where clock-bound
// decisions are in play and at another.
func TestCachedRunEqualsUncached(t *testing.T) {
	files := 40 // manifests in each generated tree; .ci/run: 120
	if s := os.Getenv("POLICYENGINE_GENERATED_MANIFESTS"); s != "" {
		var err error
		files, err = strconv.Atoi(s)
		require.NoError(t, err, "POLICYENGINE_GENERATED_MANIFESTS")
	}
	repeating, distinct := t.TempDir(), t.TempDir()
	if _, err := gentree.Write(repeating, files, 3, false); err != nil {
		t.Fatal(err)
	}
	if _, err := gentree.Write(distinct, files, 4, true); err != nil {
		t.Fatal(err)
	}
	trees := [][]string{{"../examples/manifests"}, {repeating}, {distinct}, {"../examples/manifests", repeating}}
	for _, policy := range []struct {
		name string
		opts []policyengine.Option
	}{
		{"confect", nil},
		{"brightpath", []policyengine.Option{policyengine.WithPolicyDir("../examples/policies/brightpath")}},
	} {
		for _, at := range []time.Time{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)} {
			clock := policyengine.WithClock(func(context.Context) time.Time { return at })
			for _, paths := range trees {
				run := func(opts ...policyengine.Option) *check.Report {
					e, err := policyengine.New(context.Background(), append(append(opts, clock), policy.opts...)...)
					require.NoError(t, err)
					rep, err := check.Run(context.Background(), e, paths, check.Options{Workers: 2})
					require.NoError(t, err)
					return rep
				}
				uncached := run()
				cached := run(policyengine.WithDecisionCache(4096))
				require.NotZero(t, uncached.Summary.Activities)
				require.Equal(t, uncached, cached, "%s at %s over %v", policy.name, at, paths)
			}
		}
	}
}
