package ropa

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/confect/policyengine/schema"
)

// The record names every legal basis the activity schema allows, and no other: the article of
// a basis added to the schema cannot go missing from the record.
func TestLegalBasesAreTheSchemas(t *testing.T) {
	want := schema.ActivityEnum("/$defs/legal_basis")
	assert.NotEmpty(t, want)
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(legalBases)))
}
