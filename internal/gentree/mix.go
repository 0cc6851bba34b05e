package gentree

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/confect/policyengine/schema"
)

// People are n states of people ({"consent": ..., "subject": ...}, either possibly absent), a
// varied mix for deciding declarations per person: every field of the activity schema's consent
// and subject appears, set and unset; times lie years before now to months after it, some in
// the other forms RFC 3339 allows (lower case, fractions, offsets, a leap second) and some years
// outside OPA's clock; ages gather about the ages of consent. purposes are what a consent record
// may name (the policy's purposes). The fields are read from the schema, so that a field added
// there is in the mix; one of a kind the mix does not know is an error. The same seed gives the
// same people.
func People(n int, seed uint64, purposes []string, now time.Time) ([]map[string]any, error) {
	fields, err := personFields()
	if err != nil {
		return nil, err
	}
	g := &mix{r: rand.New(rand.NewPCG(seed, seed^0x51ed270b)), purposes: purposes, now: now}
	out := make([]map[string]any, 0, n)
	for range n {
		p := map[string]any{}
		for _, object := range []string{"consent", "subject"} {
			if g.r.IntN(5) == 0 {
				continue // no record of this kind
			}
			o := map[string]any{}
			for _, f := range fields[object] {
				if f.required || g.r.IntN(2) == 0 {
					o[f.name] = g.value(f)
				}
			}
			p[object] = o
		}
		out = append(out, p)
	}
	return out, nil
}

// field is one field of the person's state, as the schema describes it.
type field struct {
	name     string
	required bool
	time     bool
	kind     string   // the JSON type: boolean, integer, array
	enum     []string // its values, for an enum
	min, max int      // an integer's bounds
}

// personFields reads consent's and subject's fields from the activity schema, sorted by name.
func personFields() (map[string][]field, error) {
	type property struct {
		Type    string   `json:"type"`
		Enum    []string `json:"enum"`
		Minimum *int     `json:"minimum"`
		Maximum *int     `json:"maximum"`
		Ref     string   `json:"$ref"`
	}
	type object struct {
		Required   []string            `json:"required"`
		Properties map[string]property `json:"properties"`
	}
	var s struct {
		Properties map[string]object `json:"properties"`
	}
	if err := json.Unmarshal(schema.ActivitySchema(), &s); err != nil {
		return nil, err
	}
	out := map[string][]field{}
	for _, name := range []string{"consent", "subject"} {
		o := s.Properties[name]
		for f, p := range o.Properties {
			fd := field{name: f, required: slices.Contains(o.Required, f), time: schema.ActivityTime(name, f), kind: p.Type, enum: p.Enum, min: 0, max: 150}
			if p.Minimum != nil {
				fd.min = *p.Minimum
			}
			if p.Maximum != nil {
				fd.max = *p.Maximum
			}
			switch {
			case fd.time, len(fd.enum) > 0, fd.kind == "boolean", fd.kind == "integer", fd.kind == "array" && f == "purposes":
			default:
				return nil, fmt.Errorf("gentree: %s.%s: a field of a kind the mix of people does not know", name, f)
			}
			out[name] = append(out[name], fd)
		}
		slices.SortFunc(out[name], func(a, b field) int { return strings.Compare(a.name, b.name) })
	}
	return out, nil
}

type mix struct {
	r        *rand.Rand
	purposes []string
	now      time.Time
}

func (g *mix) value(f field) any {
	switch {
	case f.time:
		return g.time()
	case len(f.enum) > 0:
		return f.enum[g.r.IntN(len(f.enum))]
	case f.kind == "boolean":
		return g.r.IntN(3) > 0
	case f.kind == "integer":
		// About the ages the rules and policies draw lines at, and anywhere between the bounds.
		near := []int{f.min, 12, 13, 14, 15, 16, 17, 18, 19, f.max}
		if g.r.IntN(3) == 0 {
			return f.min + g.r.IntN(f.max-f.min+1)
		}
		return max(f.min, min(f.max, near[g.r.IntN(len(near))]))
	default: // purposes: some of the policy's, sometimes none
		named := []any{}
		for range g.r.IntN(3) {
			named = append(named, g.purposes[g.r.IntN(len(g.purposes))])
		}
		return named
	}
}

// time is an instant from five years before now to half a year after it, mostly in the form
// the rules read; some in the other forms RFC 3339 allows, a few outside OPA's clock.
func (g *mix) time() string {
	t := g.now.Add(time.Duration(g.r.Int64N(int64(5*365*24*time.Hour))) - 4*365*24*time.Hour).Truncate(time.Second).UTC()
	switch g.r.IntN(40) {
	case 0, 1, 2, 3:
		return strings.ToLower(t.Format(time.RFC3339))
	case 4, 5:
		return t.In(time.FixedZone("", 2*3600)).Format("2006-01-02T15:04:05") + ".5+02:00"
	case 6:
		return t.Format("2006-01-02") + "T23:59:60Z" // a leap second
	case 7:
		return "9999-12-31T23:59:59Z"
	case 8:
		return "0001-01-01T00:00:00Z"
	}
	return t.Format(time.RFC3339)
}
