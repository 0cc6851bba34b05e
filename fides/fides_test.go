package fides

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Fides file holds no more privacy declarations than a manifest holds activities: a file of
// more is refused before anything is built from it.
func TestDeclarationsBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("system:\n  - fides_key: app\n    system_type: Service\n    privacy_declarations:\n")
	for i := 0; i < 11; i++ {
		b.WriteString("      - {data_use: essential.service, data_categories: [user.name]}\n")
	}
	_, err := Parse("big.yml", []byte(b.String()), Limits{MaxDeclarations: 10})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 10 privacy declarations")
	_, err = Parse("big.yml", []byte(b.String()), Limits{MaxDeclarations: 11})
	assert.NoError(t, err)
}
