package fides

import (
	"strconv"
)

// The reader holds every Fides file to fideslang 3.x's own models (the pydantic models of
// fideslang's models.py and validation.py): a file fideslang accepts is never an input error,
// and a file it refuses always is, at the value it refuses. model_test.go lists, rule by rule,
// what is held.

// kind is the type of a value in a fideslang model.
type kind int

const (
	kText          kind = iota // str (a number too, where the model coerces numbers to text)
	kKey                       // FidesKey: letters, digits and _ . < > -
	kCollectionKey             // "dataset.collection", two FidesKeys
	kBool                      // bool, in pydantic's lax reading
	kInt                       // int
	kPositiveInt               // PositiveInt
	kDatetime                  // datetime
	kURL                       // AnyUrl
	kHTTPURL                   // HttpUrl
	kVersion                   // a version, as packaging.version.Version reads one
	kDict                      // a mapping of anything
	kAny                       // anything
	kEnum                      // one of the values of a str enumeration (or a Literal)
	kList                      // a list of elem
	kModel                     // a nested model
	kNone                      // None only
)

// spec is one field of a model.
type spec struct {
	kind kind
	// required: the field has no default, so it must be given.
	required bool
	// nullable: the field is Optional, so null is accepted.
	nullable bool
	enum     []string
	elem     *spec
	model    *model
	// message overrides the enumeration's "expected one of" (a validator's own wording).
	message string
}

// model is a fideslang model: its fields, whether it reads numbers as text
// (coerce_numbers_to_str), and its validators beyond the fields' types.
type model struct {
	name          string
	fields        map[string]spec
	numbersAsText bool
	check         func(v *validation, obj map[string]any, at place)
	// extra are keys that are no field of the model but are known: written by the Fides server
	// (id, created_at, ...) or by fideslang 1.x (read with a fides.dropped_field warning where
	// the reader reads them). fideslang ignores both, as it ignores any key it does not know.
	extra map[string]bool
	// open: a model of metadata whose unknown keys are not reported (fideslang's fides_meta and
	// fidesctl_meta, which newer Fides versions extend).
	open bool
	// names are the fields' names, sorted: the order the model is validated in.
	names []string
}

// known reports whether a key is a field of the model, an alias fideslang reads as one, or a
// known extra.
func (m *model) known(k string) bool {
	_, ok := m.fields[k]
	return ok || m.alias(k) || m.extra[k]
}

// alias reports whether k is a key fideslang reads as a field of the model under another name:
// a dataset's, collection's or field's fidesops_meta, read as its fides_meta
// (FidesopsMetaBackwardsCompat).
func (m *model) alias(k string) bool {
	return k == "fidesops_meta" && (m == datasetModel || m == collectionModel || m == fieldModel)
}

// unknownKeys tells fn of every key of obj, and of the objects of its nested models, that is
// not known, but not of the fields named in skip (read separately).
func unknownKeys(m *model, obj map[string]any, at place, fn func(m *model, key string, at place), skip ...string) {
	if !m.open {
		for k := range obj {
			if !m.known(k) { // rare: only then are the keys sorted, for the findings' order
				for _, k := range sortedKeys(obj) {
					if !m.known(k) {
						fn(m, k, at.key(k))
					}
				}
				break
			}
		}
	}
	for _, k := range m.names {
		s := m.fields[k]
		v, has := obj[k]
		if !has || contains(skip, k) {
			continue
		}
		if s.kind == kList && s.elem.kind == kModel {
			list, _ := v.([]any)
			for i, e := range list {
				if em, ok := e.(map[string]any); ok {
					unknownKeys(s.elem.model, em, at.key(k).sub("/"+strconv.Itoa(i)), fn)
				}
			}
		} else if s.kind == kModel {
			if em, ok := v.(map[string]any); ok {
				unknownKeys(s.model, em, at.key(k), fn)
			}
		}
	}
}

func text() spec             { return spec{kind: kText} }
func optText() spec          { return spec{kind: kText, nullable: true} }
func key() spec              { return spec{kind: kKey} }
func optKey() spec           { return spec{kind: kKey, nullable: true} }
func boolean() spec          { return spec{kind: kBool} }
func optBool() spec          { return spec{kind: kBool, nullable: true} }
func listOf(e spec) spec     { return spec{kind: kList, elem: &e} }
func optListOf(e spec) spec  { return spec{kind: kList, elem: &e, nullable: true} }
func oneOf(v ...string) spec { return spec{kind: kEnum, enum: v} }
func optModel(m *model) spec { return spec{kind: kModel, model: m, nullable: true} }
func required(s spec) spec   { s.required = true; return s }
func nullable(s spec) spec   { s.nullable = true; return s }
func fields(f ...any) map[string]spec {
	out := map[string]spec{}
	for i := 0; i < len(f); i += 2 {
		out[f[i].(string)] = f[i+1].(spec)
	}
	return out
}
