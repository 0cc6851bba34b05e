//go:build unix

package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/manifest"
)

// A walk reads regular files only: a link to /dev/zero, a FIFO and a link out of the tree are
// skipped and listed (nothing is read from them, nothing hangs), a link inside the tree is read.
func TestWalkSkipsSpecialFilesAndLinksOut(t *testing.T) {
	outside := tree(t, map[string]string{"secret.json": strings.Replace(good, `"ok"`, `"outside-secret"`, 1)})
	dir := tree(t, map[string]string{"a.json": good, "sub/real.json": strings.Replace(good, `"ok"`, `"inner"`, 1)})
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(dir, "escape.json")))
	require.NoError(t, os.Symlink(filepath.Join("sub", "real.json"), filepath.Join(dir, "link.json")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o644))

	rep, err := check.Run(context.Background(), engine(t), []string{dir}, check.Options{})
	require.NoError(t, err)
	var ids []string
	for _, r := range rep.Results {
		ids = append(ids, r.Activity)
		assert.Empty(t, r.Errors)
	}
	assert.Equal(t, []string{"ok", "inner", "inner"}, ids, "a.json, link.json (inside the tree), sub/real.json")
	assert.NotContains(t, ids, "outside-secret")
	assert.Equal(t, []check.Skipped{
		{File: filepath.Join(dir, "escape.json"), Reason: "a symbolic link that leads out of the directory given: not followed"},
		{File: filepath.Join(dir, "fifo.json"), Reason: "not a regular file (a FIFO)"},
		{File: filepath.Join(dir, "zero.json"), Reason: "a symbolic link that leads out of the directory given: not followed"},
	}, rep.Skipped)
}

// Named on the command line, a special file is an error, reported without reading or waiting.
func TestSpecialFilesNamedAreRefused(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.json")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	fifo := filepath.Join(dir, "fifo.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))

	rep, err := check.Run(context.Background(), engine(t), []string{zero, fifo}, check.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Results, 2)
	assert.Equal(t, "not a regular file (a device): not read", rep.Results[0].Errors[0].Message)
	assert.Equal(t, "not a regular file (a FIFO): not read", rep.Results[1].Errors[0].Message)

	_, err = manifest.ReadFile("/dev/zero", manifest.Options{MaxBytes: 1 << 10})
	assert.ErrorContains(t, err, "not a regular file")
}
