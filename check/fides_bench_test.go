package check_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
)

// BenchmarkFidesSelfDescription checks Fides describing itself: 3 systems whose declarations
// take their categories from a 4,000-line dataset.
func BenchmarkFidesSelfDescription(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "fides", "fides", ".fides")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("the Fides corpus is not at %s", dir)
	}
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
