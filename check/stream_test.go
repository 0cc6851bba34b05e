package check_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/gentree"
)

// A run that hands each result over as it is decided (Options.Results) gives the same results in
// the same order, and the same summary, as a run that keeps them all: over a generated tree, the
// examples and Fides projects (whose files are decided together, after every file is read).
func TestStreamedRunEqualsBuffered(t *testing.T) {
	dir := t.TempDir()
	if _, err := gentree.Write(dir, 60, 5, true); err != nil {
		t.Fatal(err)
	}
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	paths := []string{"testdata/fides/project", dir, "../examples/manifests", "testdata/fides/apisystem", "no-such-file.yaml"}
	buffered, err := check.Run(context.Background(), e, paths, check.Options{Workers: 3})
	require.NoError(t, err)
	var got []check.Result
	streamed, err := check.Run(context.Background(), e, paths, check.Options{Workers: 3, Results: func(r check.Result) error {
		got = append(got, r)
		return nil
	}})
	require.NoError(t, err)
	require.Empty(t, streamed.Results)
	require.NotZero(t, streamed.Summary.FidesFiles)
	require.Equal(t, buffered.Results, got)
	streamed.Results = buffered.Results
	require.Equal(t, buffered, streamed)

	stop := errors.New("the reader went away")
	n := 0
	_, err = check.Run(context.Background(), e, paths, check.Options{Results: func(check.Result) error {
		n++
		return stop
	}})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, n, "nothing is handed over after an error")
}
