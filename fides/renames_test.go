package fides

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every key a rename leads to is a key of the default taxonomy.
func TestRenamesLeadIntoTheTaxonomy(t *testing.T) {
	tax := defaultTaxonomy(t)
	for kind, table := range renamed {
		known := map[string]bool{}
		for _, k := range tax[kind] {
			known[k] = true
		}
		for old, to := range table {
			if to == "user" {
				continue // a 1.x prefix dropped; what follows is renamed again
			}
			assert.True(t, known[to], "%s: %s → %s", kind, old, to)
			up, ok := upgrade(kind, old, func(k string) bool { return known[k] })
			assert.True(t, ok, old)
			assert.True(t, known[up], "%s upgrades to a known key, got %s", old, up)
		}
	}
}
