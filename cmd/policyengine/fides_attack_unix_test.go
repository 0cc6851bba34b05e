//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// billing is a Fides file a pull request could add: a declaration whose name, and so the id of
// the activity written, would run as shell if it were written unquoted.
const billing = "system:\n  - fides_key: billing\n    system_type: Service\n    privacy_declarations:\n      - name: x$(touch PWNED)\n        data_use: essential.service.payment_processing\n        data_categories: [user.name]\n        data_subjects: [customer]\n        legal_basis_for_processing: Contract\n        retention_period: \"30\"\n"

// Issue 22, item 1: a pull request adds manifests/billing.yaml, a link to a file outside the
// repository, and a Fides file; import fides -o manifests refuses to write through the link and
// leaves the file it points at as it was. An output directory that is itself a link out of the
// working directory is refused; one to a directory inside it is followed. A FIFO in the way is
// refused without waiting on it. What is written quotes every string: the id is data, never
// shell or YAML.
func TestImportNeverWritesThroughALink(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.sh")
	require.NoError(t, os.WriteFile(victim, []byte("echo untouched\n"), 0o755))
	repo := t.TempDir()
	t.Chdir(repo)
	write(t, repo, "billing.yml", billing)
	require.NoError(t, os.MkdirAll("manifests", 0o755))
	require.NoError(t, os.Symlink(victim, filepath.Join("manifests", "billing.yaml")))

	code, _, stderr := runCLI(t, "import", "fides", "-o", "manifests", "billing.yml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "is not a regular file (it is a symbolic link): not written")
	data, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "echo untouched\n", string(data), "the file the link points at is not written")
	target, err := os.Readlink(filepath.Join("manifests", "billing.yaml"))
	require.NoError(t, err)
	assert.Equal(t, victim, target, "the link is left as it was")

	// The output directory a link out of the working directory: refused, nothing created there.
	require.NoError(t, os.Symlink(outside, "out"))
	code, _, stderr = runCLI(t, "import", "fides", "-o", "out/sub", "billing.yml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "leads outside the working directory")
	_, err = os.Stat(filepath.Join(outside, "sub"))
	assert.True(t, os.IsNotExist(err), "nothing is created outside")
	code, _, stderr = runCLI(t, "import", "fides", "-o", "../elsewhere", "billing.yml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "leads outside the working directory")

	// A FIFO where the manifest goes: refused at once (a test that hangs fails by its timeout).
	require.NoError(t, os.MkdirAll("fifo", 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join("fifo", "billing.yaml"), 0o644))
	code, _, stderr = runCLI(t, "import", "fides", "-o", "fifo", "billing.yml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "(it is a FIFO): not written")

	// A link to a directory inside the working directory is followed; the id is written quoted.
	require.NoError(t, os.MkdirAll("real", 0o755))
	require.NoError(t, os.Symlink("real", "inside"))
	code, _, stderr = runCLI(t, "import", "fides", "-o", "inside", "billing.yml")
	require.Equal(t, 0, code, stderr)
	data, err = os.ReadFile(filepath.Join("real", "billing.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `id: "billing/x$(touch PWNED)"`)
	var v map[string]any
	require.NoError(t, yaml.Unmarshal(data, &v))
	assert.Equal(t, "billing/x$(touch PWNED)", v["id"])
	_, err = os.Stat("PWNED")
	assert.True(t, os.IsNotExist(err))
}

// export fides writes through no link either.
func TestExportNeverWritesThroughALink(t *testing.T) {
	src, err := filepath.Abs("../../examples/manifests/newsletter.yaml")
	require.NoError(t, err)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.sh")
	require.NoError(t, os.WriteFile(victim, []byte("echo untouched\n"), 0o755))
	t.Chdir(t.TempDir())
	require.NoError(t, os.MkdirAll("fides", 0o755))
	require.NoError(t, os.Symlink(victim, filepath.Join("fides", "newsletter.yml")))
	code, _, stderr := runCLI(t, "export", "fides", "-o", "fides", src)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "is not a regular file (it is a symbolic link): not written")
	data, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "echo untouched\n", string(data))
}

// Issue 22, item 6: declaration ids and file names reach stderr and stdout escaped, never raw: a
// newline followed by a workflow command, or an escape sequence, in a Fides file's name or a
// declaration's name stays inside its line, quoted.
func TestImportEscapesWhatItPrints(t *testing.T) {
	t.Chdir(t.TempDir())
	name := "evil\n::error file=x::owned\x1b[31m.yml"
	write(t, ".", name, "system:\n  - fides_key: app\n    system_type: Service\n    privacy_declarations:\n      - name: \"d\\n::error::injected\\e[2J\"\n        data_categories: [user.name]\n      - name: fine\n        data_use: essential.service\n        data_categories: [user.name]\n")
	code, stdout, stderr := runCLI(t, "import", "fides", "-o", "out", ".")
	assert.Equal(t, 2, code, "a declaration without a data_use")
	for _, s := range []string{stdout, stderr} {
		assert.NotContains(t, s, "\x1b")
		for _, line := range strings.Split(s, "\n") {
			assert.False(t, strings.HasPrefix(line, "::"), "a line starts a workflow command: %q", line)
		}
	}
	assert.Contains(t, stderr, `\n::error::injected`)
	assert.Contains(t, stdout, `\n::error file=x::owned\x1b[31m.yml`)
	data, err := os.ReadFile(filepath.Join("out", "evil_error_file_x_owned_31m.yaml"))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		assert.False(t, strings.HasPrefix(line, "::"), "%q", line)
	}
}
