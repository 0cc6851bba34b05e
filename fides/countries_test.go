package fides

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// The ISO 3166-1 table is one table: every alpha-3 code names one alpha-2 code and no two
// name the same; each code has its shape; the policy's EU/EEA countries are all in it.
func TestFidesCountriesTable(t *testing.T) {
	seen := map[string]string{}
	n := 0
	for _, line := range strings.Split(countriesTable, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		a3, a2, ok := strings.Cut(line, "\t")
		require.True(t, ok, line)
		assert.Regexp(t, `^[A-Z]{3}$`, a3)
		assert.Regexp(t, `^[A-Z]{2}$`, a2)
		prev, dup := seen[a2]
		assert.False(t, dup, "%s and %s both name %s", prev, a3, a2)
		seen[a2] = a3
		got, ok := Alpha2(strings.ToLower(a3))
		assert.True(t, ok)
		assert.Equal(t, a2, got)
	}
	assert.Equal(t, 249, n, "ISO 3166-1 lists 249 countries")
	for c := range policy.Default().Document.EUEEATerritory.Territories {
		assert.Contains(t, seen, c, "a territory of the EU/EEA's facts")
	}
	for a3, a2 := range map[string]string{"USA": "US", "GBR": "GB", "NOR": "NO", "CHE": "CH", "DEU": "DE"} {
		got, _ := Alpha2(a3)
		assert.Equal(t, a2, got)
	}
	_, ok := Alpha2("XXX")
	assert.False(t, ok)
}
