package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/opatest"
)

func TestBundleBuildAndCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	private, public := opatest.Keys(t, false)
	priv := filepath.Join(dir, "private.pem")
	pub := filepath.Join(dir, "public.pem")
	require.NoError(t, os.WriteFile(priv, private, 0o600))
	require.NoError(t, os.WriteFile(pub, public, 0o644))
	out := filepath.Join(dir, "policyengine.tar.gz")

	manifests := filepath.Join("..", "..", "examples", "manifests")
	code, stdout, stderr := runCLI(t, "bundle", "build", "--declarations", manifests, "--signing-key", priv, "--key-id", "policyengine", "-o", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "signed with key policyengine")
	assert.Regexp(t, `, (\d+) declarations \(\d+ decided from their residual\), `, stdout)
	assert.Contains(t, opatest.Files(t, mustRead(t, out)), ".signatures.json")
	code, viaPolicy, _ := runCLI(t, "check", "--now", "2026-11-28T00:00:00Z", "-o", "json", manifests)
	require.Equal(t, 1, code)
	code, viaBundle, stderr := runCLI(t, "check", "--bundle", out, "--verification-key", pub, "--key-id", "policyengine", "--now", "2026-11-28T00:00:00Z", "-o", "json", manifests)
	require.Equal(t, 1, code, stderr)
	assert.JSONEq(t, viaPolicy, viaBundle, "the bundle decides as the policy it was built from")

	// A signed bundle without its key, and a tampered one, are policy errors.
	code, _, stderr = runCLI(t, "check", "--bundle", out, manifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "verification key not provided")
	tampered := filepath.Join(dir, "tampered.tar.gz")
	require.NoError(t, os.WriteFile(tampered, opatest.Tamper(t, mustRead(t, out)), 0o644))
	code, _, stderr = runCLI(t, "check", "--bundle", tampered, "--verification-key", pub, "--key-id", "policyengine", manifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "digest mismatch")
}

// An unsigned bundle is taken only with a loud warning, and refused under --require-signature:
// one that replaces rego/decision.rego would otherwise allow everything without a word.
func TestUnsignedBundleWarns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "unsigned.tar.gz")
	code, _, stderr := runCLI(t, "bundle", "build", "-o", out)
	require.Equal(t, 0, code, stderr)
	manifests := filepath.Join("..", "..", "examples", "manifests")

	code, _, stderr = runCLI(t, "check", "--bundle", out, "--now", "2026-11-28T00:00:00Z", manifests)
	assert.Equal(t, 1, code, "decided, as before")
	assert.Contains(t, stderr, "WARNING: the bundle is not verified")

	code, stdout, stderr := runCLI(t, "check", "--bundle", out, "--require-signature", manifests)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "a signature is required")
}

func TestBundleBuildUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"bundle", "build"}, // no -o
		{"bundle", "build", "-o", "x.tar.gz", "--key-id", "k"}, // a key id without a key
		{"bundle", "build", "-o", "x.tar.gz", "--signing-key", "missing.pem", "--key-id", "k"},
		{"bundle", "build", "-o", "x.tar.gz", "extra-arg"},
		{"check", "--policy", "p", "--bundle", "b", "x"},
		{"check", "--key-id", "k", "x"},
		{"check", "--require-signature", "x"},
		{"check", "-j", "1000000000", "x"},
		{"check", "-j", "-1", "x"},
		{"check", "--decision-timeout", "-1s", "x"},
	} {
		code, _, stderr := runCLI(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stderr, "%v", args)
	}
}
