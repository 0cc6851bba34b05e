package fides

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// FuzzBuild: any content either is refused by Parse or builds declarations without a panic,
// and whatever the activity schema refuses in an activity it builds is located in the Fides
// file, as check reports it: a line for every problem.
func FuzzBuild(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "check", "testdata", "fides", "*", "*.yml"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"fides_key": "x", "privacy_declarations": [{"data_use": "essential", "data_categories": ["user"]}]}`))
	// A system as export fides writes it, its activity kept in the meta.
	f.Add([]byte("system:\n  - fides_key: s\n    system_type: Service\n    responsibility: [Controller]\n    privacy_declarations:\n      - name: a\n        data_use: finance\n        data_categories: [user.name]\n        data_subjects: [customer]\n    meta:\n      policyengine:\n        declarations:\n          - name: a\n            activity: {id: a, data_categories: [name], data_subjects: [customer], purposes: [purchase.orders], sources: [data_subject]}\n"))
	doc := policy.Default().Document
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yml", data, Limits{})
		if err != nil {
			return
		}
		decls, _, _ := Build([]*File{file}, doc)
		for _, d := range decls {
			if d.Activity == nil {
				continue
			}
			for _, p := range problem.All(schema.ValidateActivity(d.Activity)) {
				if d.Locate(p.Pointer).Line == 0 {
					t.Fatalf("%s: %s: the problem has no line in the Fides file", d.ID, p.Pointer)
				}
			}
		}
	})
}
