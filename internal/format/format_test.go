package format_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/confect/policyengine/internal/format"
)

// The edges of RFC 3339 date-times the schema accepts, and of those it refuses.
func TestDateTime(t *testing.T) {
	for s, want := range map[string]bool{
		"2026-01-28T12:00:00Z":         true,
		"2026-01-28t12:00:00.5z":       true,
		"2026-01-28T12:00:00+23:59":    true,
		"2016-12-31T23:59:60Z":         true,
		"2016-12-31t18:59:60.25-05:00": true,
		"2017-01-01T00:29:60+00:30":    true, // 23:59:60 in UTC
		"1500-12-31T23:59:60Z":         true,
		"1600-02-29T00:00:00Z":         true, // 1600 is a leap year
		"0000-01-01T00:00:00Z":         true,
		"9999-12-31T23:59:59Z":         true,
		"2026-01-28T12:00:60Z":         false, // a leap second at noon
		"2016-12-31T23:59:60+01:00":    false, // 22:59:60 in UTC
		"2016-12-31T23:59:61Z":         false,
		"2026-01-01T00:00:00+24:00":    false,
		"2026-01-01T00:00:00+23:60":    false,
		"2026-01-01T+1:00:00Z":         false,
		"2026-01-01T24:00:00Z":         false,
		"2026-04-31T00:00:00Z":         false,
		"1500-02-29T00:00:00Z":         false, // 1500 is not
		"1500-13-45T99:99:99Z":         false,
		"2026-01-01T00:00:00.Z":        false,
		"2026-01-01T00:00:00":          false,
		"2026-01-01 00:00:00Z":         false,
		"":                             false,
	} {
		assert.Equal(t, want, format.DateTime(s), "%q", s)
	}
}
