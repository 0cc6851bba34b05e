package fides

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/confect/policyengine/policy"
)

// FuzzBuild: any content either is refused by Parse or builds declarations without a panic,
// each with an activity, a problem, or no personal data.
func FuzzBuild(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "check", "testdata", "fides", "*", "*.yml"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"fides_key": "x", "privacy_declarations": [{"data_use": "essential", "data_categories": ["user"]}]}`))
	doc := policy.Default().Document
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yml", data, Limits{})
		if err != nil {
			return
		}
		decls, _, _ := Build([]*File{file}, doc)
		for _, d := range decls {
			if d.Activity == nil && len(d.Problems) == 0 && d.PersonalData {
				t.Fatalf("%s: neither an activity, a problem nor no personal data", d.ID)
			}
		}
	})
}
