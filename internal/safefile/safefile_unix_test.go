//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Dir takes a directory inside the working directory, following links that stay inside, and
// refuses one that leads out, creating nothing there; Write replaces a regular file whole and
// refuses a link, a FIFO or a directory at the name, leaving it as it is.
func TestWritesStayInsideAndOnRegularFiles(t *testing.T) {
	outside := t.TempDir()
	t.Chdir(t.TempDir())
	require.NoError(t, os.Symlink(outside, "away"))
	require.NoError(t, os.MkdirAll("real", 0o755))
	require.NoError(t, os.Symlink("real", "here"))

	for _, dir := range []string{"away", "away/new", "../x", outside} {
		_, err := Dir(dir)
		assert.ErrorIs(t, err, ErrOutside, dir)
	}
	_, err := os.Stat(filepath.Join(outside, "new"))
	assert.True(t, errors.Is(err, os.ErrNotExist), "nothing created outside")

	dir, err := Dir("here/sub")
	require.NoError(t, err)
	require.NoError(t, Write(dir, "a.yaml", []byte("one\n"), 0o644))
	require.NoError(t, Write(dir, "a.yaml", []byte("two\n"), 0o644))
	data, err := os.ReadFile(filepath.Join("real", "sub", "a.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "two\n", string(data))

	victim := filepath.Join(outside, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("kept\n"), 0o644))
	require.NoError(t, os.Symlink(victim, filepath.Join(dir, "link.yaml")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "dir.yaml"), 0o755))
	for _, name := range []string{"link.yaml", "fifo.yaml", "dir.yaml"} {
		assert.ErrorIs(t, Write(dir, name, []byte("x"), 0o644), ErrNotRegular, name)
	}
	data, err = os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "kept\n", string(data))
	for _, name := range []string{"", ".", "..", "a/b"} {
		assert.Error(t, Write(dir, name, []byte("x"), 0o644), name)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 4, "no temporary file is left behind")
}
