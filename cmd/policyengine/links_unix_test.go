//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A link out of the walked directory is not followed, and check and diff say so on stderr.
func TestLinksOutOfTheTreeAreWarnedAbout(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.json")
	require.NoError(t, os.WriteFile(secret, []byte(`{"id": "outside-secret"}`), 0o644))
	dir := t.TempDir()
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "escape.json")))
	for _, cmd := range []string{"check", "diff"} {
		_, stdout, stderr := runCLI(t, cmd, "--now", "2026-11-28T00:00:00Z", dir)
		assert.NotContains(t, stdout, "outside-secret", cmd)
		assert.Contains(t, stderr, "escape.json skipped: a symbolic link that leads out of the directory given: not followed", cmd)
	}
}
