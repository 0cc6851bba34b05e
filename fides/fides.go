// Package fides reads fideslang resource files (the privacy-as-code format of Fides: YAML or
// JSON with top-level system, dataset, policy, organization, data_category, data_use and
// data_subject lists) and turns each privacy declaration of each system into a declaration of
// the engine's activity format, mapped through the policy document's fides_mapping table and
// recipient_register. Every field of an activity it builds is traced back to the Fides file,
// line, column and key it came from, so that a reason about the activity lands on the Fides
// line.
package fides

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// Resources are the top-level keys of a fideslang file, each a list of resources.
var resources = []string{"system", "dataset", "policy", "organization", "data_category", "data_use", "data_subject", "registry", "evaluation"}

func isResource(k string) bool { return slices.Contains(resources, k) }

// File is one parsed Fides file: one document (JSON) or several (YAML).
type File struct {
	// Name is the file's path as given.
	Name string
	// Docs are its documents, with the place of every value.
	Docs []*jsonpos.Doc
}

// ErrNotFides is returned by Parse for content that has not the shape of a Fides file.
var ErrNotFides = errors.New("not a Fides file: expected top-level lists such as system, dataset or policy, or a system object with fides_key and privacy_declarations")

// Limits bound a parse.
type Limits struct {
	// MaxDepth and MaxValues bound the parse, as in the engine; 0 means the defaults.
	MaxDepth, MaxValues int
	// MaxDeclarations is the most privacy declarations one file may hold, the bound on a
	// manifest's activities; 0 means manifest.DefaultMaxActivities.
	MaxDeclarations int
}

// Sniff reports whether content may be a Fides file, cheaply: it names a fides_key (every Fides
// resource has one; no activity manifest may) or starts a line with a resource list's key (a
// broken Fides file too is read as one, to say what is wrong with it). Parse decides.
func Sniff(data []byte) bool {
	return bytes.Contains(data, []byte("fides_key")) || sniffed.Match(data)
}

var sniffed = regexp.MustCompile(`(?m)^(system|dataset|policy|organization|data_category|data_use|data_subject):`)

// Parse parses a Fides file (JSON by a .json name or a leading brace, else YAML). Content that
// parses but has not the shape of a Fides file is ErrNotFides; a syntax error is a *problem.Problem.
func Parse(name string, data []byte, limits Limits) (*File, error) {
	opts := jsonpos.Options{Positions: true, MaxDepth: limits.MaxDepth, MaxValues: limits.MaxValues}
	var docs []*jsonpos.Doc
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if strings.EqualFold(filepath.Ext(name), ".json") || (len(trimmed) > 0 && trimmed[0] == '{') {
		doc, err := jsonpos.ParseJSON(data, opts)
		if err != nil {
			return nil, problem.In(name, err)
		}
		docs = []*jsonpos.Doc{doc}
	} else {
		var err error
		if docs, err = jsonpos.ParseYAML(data, opts); err != nil {
			return nil, problem.In(name, err)
		}
	}
	recognised := false
	for _, d := range docs {
		if Recognise(d.Value) {
			recognised = true
		}
	}
	if !recognised {
		return nil, ErrNotFides
	}
	limit := limits.MaxDeclarations
	if limit <= 0 {
		limit = manifest.DefaultMaxActivities
	}
	n := 0
	for _, d := range docs {
		for _, sys := range systemsOf(d.Value) {
			list, _ := sys["privacy_declarations"].([]any)
			if n += len(list); n > limit {
				return nil, &problem.Problem{Kind: problem.Syntax, File: name, Message: fmt.Sprintf("more than %d privacy declarations in one Fides file, the limit on a manifest's activities: split the file", limit)}
			}
		}
	}
	return &File{Name: name, Docs: docs}, nil
}

// systemsOf returns the systems of a document: its system list's, or the document itself when
// it is a lone system.
func systemsOf(v any) []map[string]any {
	m, _ := v.(map[string]any)
	if _, lone := m["fides_key"]; lone {
		return []map[string]any{m}
	}
	list, _ := m["system"].([]any)
	var out []map[string]any
	for _, s := range list {
		if sm, ok := s.(map[string]any); ok {
			out = append(out, sm)
		}
	}
	return out
}

// Recognise reports whether a document has the shape of a Fides file: an object with at least
// one top-level resource list (system, dataset, ...), or a lone system (an object with
// fides_key and privacy_declarations), as the Fides API and UI write one.
func Recognise(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if _, key := m["fides_key"]; key {
		_, decls := m["privacy_declarations"]
		return decls
	}
	for k, val := range m {
		if isResource(k) {
			if _, list := val.([]any); list || val == nil {
				return true
			}
		}
	}
	return false
}

// Source is where a value of an activity came from: a place in a Fides file and the Fides key
// (or field) it was read from.
type Source struct {
	// Position locates it.
	problem.Position
	// Key is the Fides key the value was mapped from ("user.contact.email"), or "" when the
	// value came from a field, not a taxonomy key.
	Key string
	// Name is the key's name in the taxonomy ("Email"), or "".
	Name string
}

// Label renders the Fides key with its name: "user.financial (Financial Data)".
func (s Source) Label() string {
	if s.Key == "" {
		return ""
	}
	if s.Name == "" {
		return s.Key
	}
	return s.Key + " (" + s.Name + ")"
}

// Declaration is one privacy declaration of one system, as an activity of the engine's format.
type Declaration struct {
	// ID names it: "<system fides_key>/<declaration name>", or "<system fides_key>/<n>" (n
	// counting from 0) for a declaration without a name or with a name already used.
	ID string
	// System is the fides_key of its system.
	System string
	// At locates the privacy declaration.
	At Source
	// Activity is the activity it reads as: a declaration (no consent, no subject), ready for
	// Engine.EvaluateDeclaration. Nil when Problems are found, or when it holds no personal
	// data (PersonalData false).
	Activity map[string]any
	// PersonalData is false when every data category it lists is not personal data.
	PersonalData bool
	// Findings are what the import found: renamed keys, unknown or unmapped keys, recipients
	// missing from the register, fields fideslang 3 drops. Each is a rule of the fides.*
	// family (see Rules), located in the Fides files; those whose rule Denies deny the
	// declaration, the others are warnings.
	Findings []finding.Finding
	// Problems are why it cannot be decided.
	Problems []problem.Problem
	// Carried holds the Fides facts no rule judges yet (special-category processing and its
	// art. 9 basis, DPIA requirement, profiling basis, transfers and their bases, third-party
	// sharing, data qualifiers), by Fides field name, so that they are kept, not lost.
	Carried map[string]any

	at map[string]Source
	// facts are carried facts of a place of their own (a dataset's data uses the policy cannot
	// map), besides Carried's.
	facts []Fact
	// unwritable are why the activity cannot be written as a manifest's (see Unwritable).
	unwritable []finding.Finding
}

// Unwritable returns why the declaration's activity cannot be written into a manifest as it
// stands without inventing a term or losing a denial: each Fides key read as a term outside the
// policy (one the policy's fides_mapping has no entry for, or marks not_in_policy), and each
// finding of the import that denies. Empty when the activity says in the policy's own terms all
// that check judges of the declaration.
func (d *Declaration) Unwritable() []finding.Finding {
	out := append([]finding.Finding(nil), d.unwritable...)
	for _, f := range d.Findings {
		if Denies(f.Rule) {
			out = append(out, f)
		}
	}
	return out
}

// Locate returns where the activity's field at pointer stands, or its nearest ancestor's place,
// or the declaration's own: the file may be another than the declaration's (a dataset's).
func (d *Declaration) Locate(pointer string) problem.Position { return d.Source(pointer).Position }

// Source returns where the activity's field at pointer came from (its place and the Fides key
// it was read from), or the nearest ancestor's source, or the declaration's own place.
func (d *Declaration) Source(pointer string) Source {
	for {
		if s, ok := d.at[pointer]; ok {
			return s
		}
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			return d.At
		}
		pointer = pointer[:i]
	}
}

// sortedKeys returns the keys of a map, sorted.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// keyShaped reports whether a Fides key may be quoted in a message: a taxonomy key's
// characters only, at most 200 long, so that no free-form text is echoed.
func keyShaped(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '<' || c == '>' || c == ':') {
			return false
		}
	}
	return true
}

// quoteKey quotes a key-shaped value for a message, and names anything else generically.
func quoteKey(s string) string {
	if keyShaped(s) {
		return fmt.Sprintf("%q", s)
	}
	return "(a value that is not a Fides key)"
}

// fidesFields name the Fides field an activity's field is read from, where it is one field.
var fidesFields = map[string]string{
	"legal_basis":     "legal_basis_for_processing",
	"retention":       "retention_period",
	"role":            "responsibility",
	"customer_dpa":    "responsibility",
	"data_categories": "data_categories",
	"data_subjects":   "data_subjects",
	"purposes":        "data_use",
}

// Field names the Fides field the activity's field at pointer is read from ("/legal_basis" is
// legal_basis_for_processing), or "".
func Field(pointer string) string {
	top := strings.TrimPrefix(pointer, "/")
	if i := strings.IndexByte(top, '/'); i >= 0 {
		top = top[:i]
	}
	return fidesFields[top]
}

// Fact is a Fides fact no rule judges, carried with a declaration: the Fides field, its value
// as it may be shown, and where it stands.
type Fact struct {
	// Field is the Fides field ("requires_data_protection_assessments"; a 1.x data use's field
	// is "data_use.legal_basis").
	Field string
	// Value is the value as it may be shown: true or false, a value of the field's fideslang
	// enumeration, a taxonomy key, or "(given)" for free-form text, which is never quoted.
	Value string
	// At locates it.
	At Source
}

// Facts returns the facts carried with the declaration, by field name, then those of a place of
// their own (a dataset's data uses the policy cannot map).
func (d *Declaration) Facts() []Fact {
	out := make([]Fact, 0, len(d.Carried)+len(d.facts))
	for _, k := range sortedKeys(d.Carried) {
		out = append(out, Fact{Field: k, Value: shown(k, d.Carried[k]), At: d.Source(carriedPointer(k))})
	}
	return append(out, d.facts...)
}

// carriedPointer is the locator's key of a carried field.
func carriedPointer(field string) string { return "/(fides)/" + field }

// enumerations are the closed value sets of the carried fields fideslang enumerates, so that a
// value of one may be shown; any other text is free-form and is not.
var enumerations = map[string][]string{
	"special_category_legal_basis": specialCategoryBases,
	"legal_basis_for_profiling":    profilingBases,
	"data_use.legal_basis":         {"Consent", "Contract", "Legal_Obligation", "Vital_Interest", "Public_Interest", "Legitimate_Interests"}, // fideslang 1.x
	// fideslang 3 lists these but does not enforce them on legal_basis_for_transfers.
	"legal_basis_for_transfers": {"Adequacy Decision", "SCCs", "BCRs", "Supplementary Measures", "Other"},
}

// keyed are the carried fields whose values are taxonomy keys.
var keyed = fieldSet("data_qualifier")

// shown renders a carried value as it may be shown.
func shown(field string, v any) string {
	switch x := v.(type) {
	case bool:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, shown(field, e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		for _, e := range enumerations[field] {
			if strings.EqualFold(e, x) {
				return e
			}
		}
		if keyed[field] && keyShaped(x) {
			return x
		}
	}
	return "(given)"
}
