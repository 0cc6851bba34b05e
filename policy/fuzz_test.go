package policy_test

import (
	"errors"
	"testing"

	"github.com/confect/policyengine/policy"
)

// FuzzParse: no policy document panics the loader; what it refuses is ErrInvalid, what it
// accepts has the facts the rules need.
func FuzzParse(f *testing.F) {
	f.Add("confect.yaml", policy.DefaultDocument())
	f.Add("p.json", []byte(`{"privacy_policy": {"organisation": "X"}}`))
	f.Add("p.yaml", []byte("privacy_policy:\n  purposes:\n    a.b: {description: x, legal_bases: {consent: true}}\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		p, err := policy.Parse(name, data)
		if err != nil {
			if !errors.Is(err, policy.ErrInvalid) {
				t.Fatalf("error outside ErrInvalid: %v", err)
			}
			return
		}
		if p.Document == nil || p.Document.Organisation == "" || len(p.Document.Purposes) == 0 {
			t.Fatalf("accepted a document without its facts")
		}
	})
}
