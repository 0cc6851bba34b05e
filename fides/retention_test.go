package fides

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRetentionPeriods(t *testing.T) {
	for in, want := range map[string]string{"4320": "P4320D", "0": "P0D", " 30 ": "P30D", "3 years": "P3Y", "1 Year": "P1Y", "6 months": "P6M", "2 weeks": "P2W", "10 days": "P10D"} {
		got, ok := retention(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "forever", "3 years or so", "P6M", "-1", "1.5 years"} {
		_, ok := retention(in)
		assert.False(t, ok, in)
	}
}
