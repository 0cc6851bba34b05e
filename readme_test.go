package policyengine_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README documents every rule of the catalogue with the clause it enforces, and the two
// commands a newcomer runs.
func TestReadme(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(src)
	assert.Contains(t, readme, "go run ./cmd/policyengine check examples/manifests")
	assert.Contains(t, readme, "go test ./...")
	e := newEngine(t)
	for _, r := range e.Rules() {
		row := "| `" + r.ID + "` |"
		i := strings.Index(readme, row)
		if !assert.GreaterOrEqual(t, i, 0, "the README's catalogue lacks %s", r.ID) {
			continue
		}
		line := readme[i:]
		line = line[:strings.IndexByte(line, '\n')]
		assert.True(t, strings.HasSuffix(line, "| "+r.Clause+" |"), "the README gives %s the clause %q; the policy says %q", r.ID, line, r.Clause)
	}
}
