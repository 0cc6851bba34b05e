package output

import (
	"maps"
	"slices"
)

// AllKinds returns every kind of report, as the tables of formats say: for the test that tries
// every format against every kind.
func AllKinds() []Kind { return slices.Collect(maps.Keys(kinds)) }

// Streams reports whether a format of a check report writes each result as it comes, rather than
// keeping them for End.
func Streams(format string) bool { return checkFormats[format].start != nil }
