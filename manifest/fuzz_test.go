package manifest_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// FuzzParse: no manifest panics; every activity found is JSON, located in its file.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../examples/manifests/*", "../testdata/bad-input/*"} {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(filepath.Base(file), data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		m, err := manifest.Parse(name, data, manifest.Auto, manifest.Options{})
		if err != nil {
			var me *problem.Problem
			if !errors.As(err, &me) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, e := range m.Entries {
			if !json.Valid(e.JSON) {
				t.Fatalf("entry %d is not JSON: %s", e.Index, e.JSON)
			}
			if e.Locate("").Line < 1 {
				t.Fatalf("entry %d has no line", e.Index)
			}
		}
	})
}
