package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/opatest"
)

// A policy author outside this repository runs stock OPA's checks on their policy: they export
// the built-in rules next to it and point opa at both, in a directory that holds nothing of this
// checkout. Brightpath's policy, copied out, passes `opa check --strict` and its own tests there;
// a module of theirs that calls a function the rules do not have fails the check.
func TestExportRegoForStockOPA(t *testing.T) {
	t.Parallel()
	opa := opatest.Binary(t)
	home := t.TempDir()
	acme := filepath.Join(home, "policies", "acme")
	for _, name := range []string{"policy.yaml", "minors.rego", "minors_test.rego"} {
		write(t, acme, name, string(mustRead(t, filepath.Join(brightpathPolicy, name))))
	}

	rego := filepath.Join(home, "policyengine-rego")
	code, stdout, stderr := runCLI(t, "export", "rego", "-o", rego)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "modules written to "+rego)
	exported, err := os.ReadDir(rego)
	require.NoError(t, err)
	require.NotEmpty(t, exported)
	for _, f := range exported {
		assert.False(t, strings.HasSuffix(f.Name(), "_test.rego"), "the built-in rules' tests are written against Confect's document: not exported")
	}

	stock := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), opa, args...)
		cmd.Dir = home
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := stock("check", "--strict", "policyengine-rego", "policies/acme")
	require.NoError(t, err, "opa check --strict on the export and the policy:\n%s", out)
	out, err = stock("test", "policyengine-rego", "policies/acme", "--run", "minors_test")
	require.NoError(t, err, "opa test of the policy's own tests:\n%s", out)
	assert.Contains(t, out, "PASS")
	out, err = stock("fmt", "--list", "--fail", "policyengine-rego")
	require.NoError(t, err, "the export is formatted as opa fmt formats:\n%s", out)
	// The law's facts go with the rules, where OPA reads them beside the policy's document.
	out, err = stock("eval", "--format", "raw", "-d", "policyengine-rego", "-d", "policies/acme", "data.privacy_policy.adequacy_decisions.GB[1].expires")
	require.NoError(t, err, out)
	assert.Equal(t, "2031-12-27", strings.TrimSpace(out))

	// The check catches what a policy author gets wrong.
	write(t, acme, "broken.rego", "package policyengine.rules.broken\n\nimport data.policyengine.lib\n\nx := lib.no_such_function(1)\n")
	out, err = stock("check", "--strict", "policyengine-rego", "policies/acme")
	require.Error(t, err)
	assert.Contains(t, out, "no_such_function")

	// Exported again (after an upgrade), the modules are replaced; a directory holding anything
	// else is refused, and so is a link.
	write(t, rego, "gone.rego", "package gone\n")
	code, _, stderr = runCLI(t, "export", "rego", "-o", rego)
	require.Equal(t, 0, code, stderr)
	assert.NoFileExists(t, filepath.Join(rego, "gone.rego"), "a module no longer built in does not linger")
	assert.FileExists(t, filepath.Join(rego, exported[0].Name()))

	write(t, rego, "notes.txt", "mine\n")
	code, _, stderr = runCLI(t, "export", "rego", "-o", rego)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `holds "notes.txt", which is no module an export wrote`)
	assert.FileExists(t, filepath.Join(rego, "notes.txt"), "nothing is removed")

	link := filepath.Join(home, "link")
	require.NoError(t, os.Symlink(acme, link))
	code, _, stderr = runCLI(t, "export", "rego", "-o", link)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "a link is not followed")
	assert.NoFileExists(t, filepath.Join(acme, exported[0].Name()))

	code, _, stderr = runCLI(t, "export", "rego")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "needs -o DIR")
}
