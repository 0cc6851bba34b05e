package check_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/output"
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
	// Apart from the buffered run (the same code hands both their results): every file that
	// declares something is reported, the Fides systems too, and in the order of the files read.
	at := map[string]int{}
	for i, f := range buffered.Selection.Files {
		at[f] = i
	}
	reported, last := map[string]bool{}, -1
	for _, r := range got {
		i, ok := at[r.File]
		if !ok {
			require.Equal(t, "no-such-file.yaml", r.File)
			i = len(buffered.Selection.Files)
		}
		require.GreaterOrEqual(t, i, last, "%s is reported after a file read after it", r.File)
		if i != last {
			require.False(t, reported[r.File], "the results of %s are not together", r.File)
		}
		reported[r.File], last = true, i
	}
	for _, f := range buffered.Selection.Files {
		if b := filepath.Base(f); b != "datasets.yml" && b != "taxonomy.yml" { // they declare nothing
			require.True(t, reported[f], "%s is reported", f)
		}
	}
	require.True(t, reported["no-such-file.yaml"])
	streamed.Results = buffered.Results
	require.Equal(t, buffered, streamed)
	// Every format (but a page of the activities) writes from them, streamed as the CLI writes
	// them, what it writes for the buffered report; JUnit, which writes a file's suite when the
	// next file's results come, one suite per file.
	head := &check.Report{Revision: e.Revision(), Rules: check.Rules(e), Policy: e.Document()}
	end := *streamed
	end.Results = []check.Result{}
	for _, format := range output.Formats(output.Check) {
		if output.NeedsEntries(format) {
			continue
		}
		var whole, written bytes.Buffer
		require.NoError(t, output.WriteCheck(&whole, format, buffered, output.Options{}))
		s, err := output.StreamCheck(&written, format, head, output.Options{})
		require.NoError(t, err)
		for _, r := range got {
			require.NoError(t, s.Result(r))
		}
		require.NoError(t, s.End(&end))
		require.Equal(t, whole.String(), written.String(), format)
		if format == "junit" {
			require.Equal(t, len(reported), strings.Count(written.String(), "<testsuite "), "a suite per file")
		}
	}

	stop := errors.New("the reader went away")
	n := 0
	_, err = check.Run(context.Background(), e, paths, check.Options{Results: func(check.Result) error {
		n++
		return stop
	}})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, n, "nothing is handed over after an error")
}
