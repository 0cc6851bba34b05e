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
