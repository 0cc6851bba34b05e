package drift_test

import (
	"errors"
	"os"
	"testing"

	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/problem"
)

// Whatever bytes a report holds, reading it returns flows or a problem that names the report,
// never a panic; every flow has an element and a place.
func FuzzRead(f *testing.F) {
	for _, file := range []string{"testdata/privado/covered.json", "testdata/privado/drift.json", "testdata/bearer/covered.json", "testdata/bearer/drift.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"dataFlow": {"third_parties": [{"sourceId": "x", "sinks": [{"id": "s", "apiUrl": ["http://[::1"], "domains": ["HTTPS://A.B/c"]}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, scanner := range drift.Scanners() {
			scan, err := drift.Read(scanner, "r.json", data, drift.Limits{})
			if err != nil {
				var p *problem.Problem
				if !errors.As(err, &p) || p.File != "r.json" {
					t.Fatalf("%s: an error that is not a problem of the report: %v", scanner, err)
				}
				continue
			}
			for _, fl := range scan.Flows {
				if fl.Element == "" || fl.Code.File == "" {
					t.Fatalf("%s: a flow with no element or place: %+v", scanner, fl)
				}
			}
		}
	})
}
