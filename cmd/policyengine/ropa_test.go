package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestROPA(t *testing.T) {
	t.Parallel()
	// The README's command: a markdown table, exit 0 though the examples hold denials (the
	// record is a document, not a gate).
	code, out, errs := runCLI(t, "ropa", "--now", now, "-o", "markdown", "../../examples/manifests")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "# Record of processing activities: Confect")
	assert.Contains(t, out, "| Controller | Confect |")
	assert.Contains(t, out, "| **checkout**<br>")

	code, out, _ = runCLI(t, "ropa", "--now", now, "--output", "csv", "../../examples/manifests")
	require.Equal(t, 0, code)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 34, "a header and the 33 declarations")

	code, out, _ = runCLI(t, "ropa", "--now", now, "-o", "json", "../../examples/manifests")
	require.Equal(t, 0, code)
	var rec struct {
		Entries []struct{ ID string } `json:"entries"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rec))
	assert.Len(t, rec.Entries, 33)

	code, out, _ = runCLI(t, "ropa", "--now", now, "-o", "html", "../../examples/manifests")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))

	// -f and --format, the former names of -o, still work, and are not in the help.
	for _, flag := range []string{"-f", "--format"} {
		code, alias, _ := runCLI(t, "ropa", "--now", now, flag, "html", "../../examples/manifests")
		require.Equal(t, 0, code)
		assert.Equal(t, out, alias, flag)
	}
	_, help, _ := runCLI(t, "ropa", "--help")
	assert.Contains(t, help, "-o, --output string")
	assert.NotRegexp(t, `(?m)^\s+(-f, )?--format\b`, help, "the alias is not listed among the flags")

	code, _, errs = runCLI(t, "ropa", "-o", "xlsx", "../../examples/manifests")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--output: unknown format \"xlsx\" (want one of csv, html, json, markdown)")

	code, _, errs = runCLI(t, "ropa")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "ropa needs at least one PATH")

	// A manifest that cannot be read: listed, and exit 2.
	dir := t.TempDir()
	write(t, dir, "broken.json", "{\n")
	write(t, dir, "ok.json", allowed)
	code, out, _ = runCLI(t, "ropa", "--now", now, dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "## Files that could not be read")
	assert.Contains(t, out, "**checkout**")
}

func TestCheckHTML(t *testing.T) {
	t.Parallel()
	code, out, errs := runCLI(t, "check", "--now", now, "-o", "html", "../../examples/manifests")
	assert.Equal(t, 1, code, "the examples hold denials: %s", errs)
	assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))
	assert.Contains(t, out, `data-node="declaration"`)
}

func TestDiffHTML(t *testing.T) {
	t.Parallel()
	code, out, errs := runCLI(t, "diff", "--now", now, "--policy", "../../examples/policies/brightpath", "-o", "html", "../../testdata/two-policies")
	assert.Equal(t, 1, code, "the change changes decisions: %s", errs)
	assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))
	assert.Contains(t, out, `data-status="newly_denied"`)
	assert.Contains(t, out, `data-status="newly_allowed"`)

	code, _, errs = runCLI(t, "diff", "-o", "xml", "../../testdata/two-policies")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `--output: unknown format "xml" (want one of html, json, text)`)
}
