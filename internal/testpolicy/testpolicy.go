// Package testpolicy writes edited copies of the embedded Confect policy for tests.
package testpolicy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// Edited writes Confect's document with edits into a new policy directory and returns it. Each
// edit is an old text, which must be in the document, and the new text that replaces it once.
func Edited(t testing.TB, edits ...[2]string) string {
	t.Helper()
	doc := string(policy.DefaultDocument())
	for _, e := range edits {
		require.Contains(t, doc, e[0])
		doc = strings.Replace(doc, e[0], e[1], 1)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(doc), 0o644))
	return dir
}
