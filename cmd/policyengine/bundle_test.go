package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/opatest"
)

// runBundleCLI runs the command line with buffers and returns the exit code and outputs.
func runBundleCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, env{stdin: bytes.NewReader(nil), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
	return code, stdout.String(), stderr.String()
}

func TestBundleBuildAndCheck(t *testing.T) {
	dir := t.TempDir()
	private, public := opatest.Keys(t, false)
	priv := filepath.Join(dir, "private.pem")
	pub := filepath.Join(dir, "public.pem")
	require.NoError(t, os.WriteFile(priv, private, 0o600))
	require.NoError(t, os.WriteFile(pub, public, 0o644))
	out := filepath.Join(dir, "policyengine.tar.gz")

	code, stdout, stderr := runBundleCLI(t, "bundle", "build", "--signing-key", priv, "--key-id", "policyengine", "-o", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "signed with key policyengine")
	assert.Contains(t, opatest.Files(t, mustRead(t, out)), ".signatures.json")

	manifests := filepath.Join("..", "..", "examples", "manifests")
	code, viaPolicy, _ := runBundleCLI(t, "check", "--now", "2026-11-28T00:00:00Z", "-o", "json", manifests)
	require.Equal(t, 1, code)
	code, viaBundle, stderr := runBundleCLI(t, "check", "--bundle", out, "--verification-key", pub, "--key-id", "policyengine", "--now", "2026-11-28T00:00:00Z", "-o", "json", manifests)
	require.Equal(t, 1, code, stderr)
	assert.JSONEq(t, viaPolicy, viaBundle, "the bundle decides as the policy it was built from")

	// A signed bundle without its key, and a tampered one, are policy errors.
	code, _, stderr = runBundleCLI(t, "check", "--bundle", out, manifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "verification key not provided")
	tampered := filepath.Join(dir, "tampered.tar.gz")
	require.NoError(t, os.WriteFile(tampered, opatest.Tamper(t, mustRead(t, out)), 0o644))
	code, _, stderr = runBundleCLI(t, "check", "--bundle", tampered, "--verification-key", pub, "--key-id", "policyengine", manifests)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "digest mismatch")
}

func TestBundleBuildUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bundle", "build"}, // no -o
		{"bundle", "build", "-o", "x.tar.gz", "--key-id", "k"}, // a key id without a key
		{"bundle", "build", "-o", "x.tar.gz", "--signing-key", "missing.pem", "--key-id", "k"},
		{"bundle", "build", "-o", "x.tar.gz", "extra-arg"},
		{"check", "--policy", "p", "--bundle", "b", "x"},
		{"check", "--key-id", "k", "x"},
	} {
		code, _, stderr := runBundleCLI(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stderr, "%v", args)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}
