//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/logtest"
)

// A config file the user cannot vouch for is refused, naming it: one writable by others, or
// owned by someone who is neither the user nor root; one named with --config is read whoever
// owns it, as the user asked.
func TestUntrustedConfigIsRefused(t *testing.T) {
	_, repo := repository(t, false)
	config := write(t, repo, ".policyengine.yaml", "ignore: [\"*.yaml\"]\nallow_empty: true\n")
	t.Chdir(repo)
	require.NoError(t, os.Chmod(config, 0o666))
	code, _, stderr := runCLI(t, "check", "--now", now, ".")
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, config+": writable by others")

	require.NoError(t, os.Chmod(config, 0o644))
	if os.Geteuid() == 0 { // only root can give a file away
		require.NoError(t, os.Chown(config, 4242, 4242))
		code, _, stderr = runCLI(t, "check", "--now", now, ".")
		assert.Equal(t, 2, code, stderr)
		assert.Contains(t, stderr, config+": owned by user 4242, neither you nor root")
	}
	code, _, stderr = runCLI(t, "check", "--now", now, "--config", config, ".")
	assert.Equal(t, 0, code, "named, it is used: %s", stderr)
}

// The config file is read as manifests are: a regular file, within a size limit. A FIFO is not
// waited on, a link to /dev/zero is not read until memory runs out, a huge file is refused.
func TestConfigIsReadAsManifestsAre(t *testing.T) {
	_, repo := repository(t, false)
	t.Chdir(filepath.Join(repo, "services"))
	config := filepath.Join(repo, ".policyengine.yaml")
	for name, create := range map[string]func() error{
		"a FIFO":              func() error { return syscall.Mkfifo(config, 0o644) },
		"a link to /dev/zero": func() error { return os.Symlink("/dev/zero", config) },
		"a directory":         func() error { return os.Mkdir(config, 0o755) },
		"a huge file":         func() error { return os.WriteFile(config, bytes.Repeat([]byte("# padding\n"), 200_000), 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.RemoveAll(config))
			require.NoError(t, create())
			done := make(chan struct{})
			var code int
			var stderr string
			go func() {
				defer close(done)
				code, _, stderr = runCLI(t, "check", "--now", now, ".")
			}()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("check waits on the config file")
			}
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, config+": ")
			assert.NotContains(t, stderr, "--config: ", "found, not named by --config")
			assert.Empty(t, logtest.Unsafe(stderr))
		})
	}
	require.NoError(t, os.RemoveAll(config))
}
