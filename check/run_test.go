package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
)

func engine(t *testing.T) *policyengine.Engine {
	t.Helper()
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	return e
}

func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return dir
}

const good = `{"id": "ok", "data_categories": ["name"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P1Y"}}`

func files(rep *check.Report, root string) []string {
	var out []string
	for _, r := range rep.Results {
		out = append(out, filepath.ToSlash(strings.TrimPrefix(r.File, root+string(filepath.Separator))))
	}
	return out
}

func TestWalk(t *testing.T) {
	root := tree(t, map[string]string{
		"b.json":                 good,
		"a/z.yaml":               "id: z\ndata_categories: [name]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P1Y}\n",
		"a/notes.txt":            "not a manifest",
		".git/config.json":       `{"not": "a manifest"}`,
		"vendor/thirdparty.json": good,
		"a/draft.yml":            good,
	})
	rep, err := check.Run(context.Background(), engine(t), []string{root}, check.Options{Ignore: []string{"vendor", "*.yml"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a/z.yaml", "b.json"}, files(rep, root), "sorted; hidden dirs, ignored paths and other extensions left out")
	assert.Equal(t, 2, rep.Summary.Files)

	// A file named on the command line is read whatever its name; paths keep their order.
	rep, err = check.Run(context.Background(), engine(t), []string{filepath.Join(root, "b.json"), filepath.Join(root, "missing.json"), filepath.Join(root, "a", "notes.txt")}, check.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Results, 3)
	assert.True(t, rep.Results[0].Allow)
	assert.Equal(t, "no such file or directory", rep.Results[1].Errors[0].Message, "a missing path is an error in its place")
	assert.True(t, rep.Results[2].Failed(), "not a manifest")
	assert.Equal(t, 2, rep.Summary.Errors)
}

func TestLocations(t *testing.T) {
	root := tree(t, map[string]string{"m.yaml": `activities:
  - id: share
    data_categories: [name]
    purposes: [purchase.orders]
    legal_basis: contract
    retention: {period: P1Y}
    recipients:
      - name: Mailer
        type: subprocessor
        country: IE
  - id: share
    data_categories: [name]
    purposes: [purchase.orders]
  - id: bad
    data_categories: [name]
    purposes: [purchase.orders]
    retention: {period: "6 months"}
`})
	rep, err := check.Run(context.Background(), engine(t), []string{root}, check.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Results, 3)

	share := rep.Results[0]
	assert.Equal(t, 2, share.Line)
	require.Len(t, share.Reasons, 1)
	assert.Equal(t, "sharing.subprocessor_without_dpa", share.Reasons[0].Rule)
	assert.Equal(t, 8, share.Reasons[0].Line, "dpa is missing: the recipient's line")

	dup := rep.Results[1]
	require.True(t, dup.Failed())
	assert.Equal(t, "/id", dup.Errors[0].Pointer)
	assert.Equal(t, 11, dup.Errors[0].Line)
	assert.Contains(t, dup.Errors[0].Message, "already used at line 2")

	bad := rep.Results[2]
	require.True(t, bad.Failed())
	assert.Equal(t, "bad", bad.Activity)
	assert.Equal(t, "/retention/period", bad.Errors[0].Pointer, "relative to the activity")
	assert.Equal(t, 17, bad.Errors[0].Line)
	assert.Equal(t, check.Summary{Files: 1, Activities: 3, Denied: 1, Errors: 2, Conditions: len(share.Conditions)}, rep.Summary)
}

func TestStdin(t *testing.T) {
	rep, err := check.Run(context.Background(), engine(t), []string{"-"}, check.Options{Stdin: strings.NewReader(good)})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.Equal(t, "-", rep.Results[0].File)
	assert.True(t, rep.Results[0].Allow)
}

func TestCancelled(t *testing.T) {
	root := tree(t, map[string]string{"a.json": good})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := check.Run(ctx, engine(t), []string{root}, check.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = check.Run(context.Background(), nil, []string{root}, check.Options{})
	assert.Error(t, err)
}

// The summary counts what the results hold.
func TestSummary(t *testing.T) {
	e := engine(t)
	rep, err := check.Run(context.Background(), e, []string{"../examples/manifests"}, check.Options{Workers: 3})
	require.NoError(t, err)
	var s check.Summary
	files := map[string]bool{}
	for _, r := range rep.Results {
		files[r.File] = true
		if r.Index >= 0 {
			s.Activities++
		}
		switch {
		case r.Failed():
			s.Errors++
		case r.Allow:
			s.Allowed++
		default:
			s.Denied++
		}
		s.Warnings += len(r.Warnings)
		s.Conditions += len(r.Conditions)
	}
	s.Files = len(files)
	assert.Equal(t, s, rep.Summary)
	assert.Equal(t, append(e.Rules(), fides.Rules(e.Document())...), rep.Rules,
		"the report carries the catalogue of what a run can find, the Fides import's findings too though it read no Fides file")
}

// A huge worker count is capped: it does not start a goroutine per worker asked for.
func TestWorkersAreCapped(t *testing.T) {
	dir := tree(t, map[string]string{"a.json": good})
	rep, err := check.Run(context.Background(), engine(t), []string{dir}, check.Options{Workers: 1 << 40})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Summary.Allowed)
}
