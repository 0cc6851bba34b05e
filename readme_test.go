package policyengine_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's commands are the two a newcomer runs, and each row of its rule catalogue names a
// rule of the policy with the clause the rule's METADATA gives it.
func TestReadme(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(src)
	assert.Contains(t, readme, "go run ./cmd/policyengine check examples/manifests")
	assert.Contains(t, readme, "go test ./...")
	_, catalogue, ok := strings.Cut(readme, "\n## The rule catalogue\n")
	require.True(t, ok, "the README has a rule catalogue")
	catalogue, _, _ = strings.Cut(catalogue, "\n## ")
	e := newEngine(t)
	rows := 0
	for _, line := range strings.Split(catalogue, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		rows++
		cells := strings.Split(line, "|")
		id := strings.Trim(cells[1], " `")
		r, ok := e.Rule(id)
		if assert.True(t, ok, "the README's catalogue lists %s, which is no rule of the policy", id) {
			assert.Equal(t, r.Clause, strings.TrimSpace(cells[len(cells)-2]), "the README gives %s another clause than its METADATA", id)
		}
	}
	assert.Positive(t, rows, "the README's catalogue has rows")
}

// Every test docs/security.md cites as holding a guarantee exists.
func TestSecurityDocCitesRealTests(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("docs/security.md")
	require.NoError(t, err)
	var sources strings.Builder
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_test.rego")) {
			src, err := os.ReadFile(path)
			sources.Write(src)
			return err
		}
		return err
	})
	require.NoError(t, err)
	cited := regexp.MustCompile("`((?:Test|Fuzz|test_)[A-Za-z0-9_]+)(?:/([^`]+))?`").FindAllStringSubmatch(string(doc), -1)
	require.Greater(t, len(cited), 15)
	for _, c := range cited {
		decl := "func " + c[1] + "("
		if strings.HasPrefix(c[1], "test_") {
			decl = c[1] + " if"
		}
		assert.Contains(t, sources.String(), decl, "docs/security.md cites %s", c[0])
		if c[2] != "" {
			assert.Contains(t, sources.String(), `"`+strings.ReplaceAll(strings.Join(strings.Fields(c[2]), ""), "_", " ")+`"`, "docs/security.md cites subtest %s", c[0])
		}
	}
}
