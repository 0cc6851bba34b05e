package residual

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/schema"
)

// Objects are the objects of an activity that hold the person's state, in the order a Layout
// numbers them.
var Objects = [...]string{"consent", "subject"}

// fieldKind is what the activity schema says a field of the person's state holds.
type fieldKind uint8

const (
	unknownField  fieldKind = iota // a shape the decoder leaves to the full parser
	enumField                      // one of a list of strings
	timeField                      // an RFC 3339 date-time, read in canonical form
	boolField                      // true or false
	intField                       // an integer between a minimum and a maximum
	purposesField                  // an array of purposes
)

// field is one field of the person's state.
type field struct {
	object   int // index in Objects
	name     string
	kind     fieldKind
	enum     []string
	min, max int64
}

// Layout is the shape of the person's state (the fields of consent and subject and what each
// holds), derived from the activity schema: it numbers the fields a compiled residual reads, and
// tells the decoder what each must hold. It is safe for concurrent use.
type Layout struct {
	fields   []field
	index    [len(Objects)]map[string]int // field name to its index in fields, per object
	required [len(Objects)][]int
	// canonical puts a valid timestamp in the form the rules read.
	canonical func(string) string
	states    sync.Pool
}

// NewLayout derives the layout of the person's state from the activity schema. canonical puts
// a valid timestamp in the form the rules read (the engine's canonical times).
func NewLayout(canonical func(string) string) (*Layout, error) {
	var s struct {
		Properties map[string]struct {
			Required   []string                   `json:"required"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema.ActivitySchema(), &s); err != nil {
		return nil, fmt.Errorf("the activity schema: %w", err)
	}
	l := &Layout{canonical: canonical}
	for i, name := range Objects {
		obj, ok := s.Properties[name]
		if !ok {
			return nil, fmt.Errorf("the activity schema describes no %s", name)
		}
		l.index[i] = map[string]int{}
		names := make([]string, 0, len(obj.Properties))
		for n := range obj.Properties {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			f, err := schemaField(name, n, obj.Properties[n])
			if err != nil {
				return nil, err
			}
			f.object = i
			l.index[i][n] = len(l.fields)
			l.fields = append(l.fields, f)
		}
		for _, r := range obj.Required {
			at, ok := l.index[i][r]
			if !ok {
				return nil, fmt.Errorf("the activity schema requires %s.%s, which it does not describe", name, r)
			}
			l.required[i] = append(l.required[i], at)
		}
	}
	l.states.New = func() any { return &State{layout: l, vals: make([]value, len(l.fields))} }
	return l, nil
}

// schemaField reads what the schema says of one field of the person's state. A shape this file
// does not know is an unknownField: the decoder then leaves a person who has it to the full
// parser and the JSON Schema.
func schemaField(object, name string, raw json.RawMessage) (field, error) {
	var p struct {
		Type    string   `json:"type"`
		Ref     string   `json:"$ref"`
		Enum    []string `json:"enum"`
		Minimum *int64   `json:"minimum"`
		Maximum *int64   `json:"maximum"`
		Items   *struct {
			Ref string `json:"$ref"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return field{}, fmt.Errorf("the activity schema's %s.%s: %w", object, name, err)
	}
	f := field{name: name}
	switch {
	case len(p.Enum) > 0 && p.Type == "" && p.Ref == "":
		f.kind, f.enum = enumField, p.Enum
	case p.Ref == "#/$defs/timestamp" && schema.ActivityTime(object, name):
		f.kind = timeField
	case p.Type == "boolean":
		f.kind = boolField
	case p.Type == "integer" && p.Minimum != nil && p.Maximum != nil && *p.Minimum >= 0:
		f.kind, f.min, f.max = intField, *p.Minimum, *p.Maximum
	case p.Type == "array" && p.Items != nil && p.Items.Ref == "#/$defs/purpose":
		f.kind = purposesField
	}
	return f, nil
}

// field returns the index of a field of the person's state, or -1.
func (l *Layout) field(object int, name string) int {
	if i, ok := l.index[object][name]; ok {
		return i
	}
	return -1
}

// State is one person's state as a compiled residual reads it: which objects are present, and
// the value of each field. Get one with NewState and give it back with Release.
type State struct {
	layout *Layout
	has    [len(Objects)]bool
	vals   []value
	asts   [len(Objects)]ast.Value // the objects as OPA's values, built when a builtin needs one
}

// NewState returns an empty state (no consent, no subject) of this layout.
func (l *Layout) NewState() *State {
	s := l.states.Get().(*State)
	return s
}

// Release gives the state back; it must not be used after.
func (s *State) Release() {
	s.has = [len(Objects)]bool{}
	clear(s.vals)
	s.asts = [len(Objects)]ast.Value{}
	s.layout.states.Put(s)
}

// FromMap fills the state from a person's state as the parser decodes it ({"consent": {...},
// "subject": {...}}), validated and with its times in canonical form. It says false for a value
// it cannot hold (the caller then decides without the compiled residual).
func (s *State) FromMap(person map[string]any) bool {
	for i, name := range Objects {
		x, ok := person[name]
		if !ok {
			continue
		}
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		s.has[i] = true
		for k, v := range m {
			at := s.layout.field(i, k)
			if at < 0 {
				return false
			}
			val, ok := goValue(v)
			if !ok {
				return false
			}
			s.vals[at] = val
		}
	}
	return true
}

// goValue holds a decoded JSON value in the evaluator's form, as OPA would read it.
func goValue(v any) (value, bool) {
	switch x := v.(type) {
	case string:
		return stringValue(x), true
	case bool:
		return boolValue(x), true
	case []any:
		l := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return goValueAST(v)
			}
			l[i] = s
		}
		return value{k: kStrings, l: l}, true
	}
	return goValueAST(v)
}

func goValueAST(v any) (value, bool) {
	a, err := ast.InterfaceToValue(v)
	if err != nil {
		return value{}, false
	}
	return fromAST(a), true
}

// Has says the state holds consent (object 0) or subject (object 1).
func (s *State) Has(object int) bool { return s.has[object] }

// Object returns consent (0) or subject (1) as OPA's value; nil when the person has none.
func (s *State) Object(i int) ast.Value {
	if !s.has[i] {
		return nil
	}
	return s.objectAST(i)
}

// objectAST builds consent or subject as OPA's value, once per state.
func (s *State) objectAST(i int) ast.Value {
	if s.asts[i] != nil {
		return s.asts[i]
	}
	obj := ast.NewObject()
	for at, f := range s.layout.fields {
		if f.object == i && s.vals[at].defined() {
			obj.Insert(ast.StringTerm(f.name), ast.NewTerm(s.vals[at].toAST(s)))
		}
	}
	s.asts[i] = obj
	return obj
}
