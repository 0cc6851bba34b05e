package check_test

import (
	"context"
	"testing"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/fidescorpus"
)

// BenchmarkFidesSelfDescription checks Fides describing itself: 3 systems whose declarations
// take their categories from a 4,000-line dataset.
func BenchmarkFidesSelfDescription(b *testing.B) {
	dir := fidescorpus.File(b, "fides/.fides")
	engine, err := policyengine.New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := check.Run(context.Background(), engine, []string{dir}, check.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
