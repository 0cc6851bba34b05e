// Package policy loads a company's privacy policy as data: the policy document (a YAML or JSON
// file whose privacy_policy object holds every fact the rules use) and any Rego modules that add
// rules of the company's own. Confect's policy is embedded and is the default.
//
// A policy directory holds exactly one document file (*.yaml, *.yml or *.json) at its top level,
// and any number of *.rego files (at any depth; *_test.rego files are tests, not rules). The
// same directory loads unchanged into stock OPA: `opa test rego DIR`.
package policy

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

//go:embed confect.yaml
var confect []byte

// DefaultFile is the file name of the embedded default document, Confect's.
const DefaultFile = "confect.yaml"

// ErrInvalid is wrapped by every error about a policy that cannot be used: a document that fails
// its schema or refers to what it does not define, a directory without exactly one document, a
// Rego module that does not compile.
var ErrInvalid = errors.New("invalid policy")

// Invalid collects problems into one error that wraps ErrInvalid and lists them all;
// errors.As finds each *problem.Problem in it and problem.All lists them. Nil for none.
func Invalid(problems []*problem.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%w", ErrInvalid, problem.Join(problems...))
}

// Module is a Rego source file of a policy.
type Module struct {
	// Name is the file's path as errors name it: joined to the policy directory as given.
	Name string
	// Path is the file's slash-separated path relative to the policy directory.
	Path string
	// Source is the file's content.
	Source []byte
}

// Policy is a loaded policy: its document, and the Rego modules it adds to the built-in rules.
type Policy struct {
	// Name says where the policy was loaded from: a directory, or "embedded" for the default.
	Name string
	// DocumentFile is the document's file name, relative to the policy directory.
	DocumentFile string
	// Document is the policy document.
	Document *Document
	// Modules are the Rego modules that add rules (not tests).
	Modules []Module
	// Tests are the Rego test modules (*_test.rego) found beside them.
	Tests []Module

	data map[string]any
	doc  *jsonpos.Doc
}

// Data returns the document as the rules read it: {"privacy_policy": {...}}, a fresh copy.
func (p *Policy) Data() map[string]any {
	return jsonpos.Clone(p.data).(map[string]any)
}

// Locate returns where the field at pointer stands in the document file (DocumentFile; line and
// column 0 when unknown).
func (p *Policy) Locate(pointer string) problem.Position {
	pos := p.doc.Locate(pointer)
	pos.File = p.DocumentFile
	return pos
}

// Default returns Confect's policy, embedded in the binary: a fresh copy on every call.
func Default() *Policy {
	p, err := Parse(DefaultFile, confect)
	if err != nil {
		panic("policy: the embedded default document is invalid: " + err.Error())
	}
	p.Name = "embedded"
	return p
}

// DefaultDocument returns the embedded default document's source.
func DefaultDocument() []byte {
	out := make([]byte, len(confect))
	copy(out, confect)
	return out
}

// Parse reads a policy document alone (no Rego modules) from its source; name is its file name,
// whose extension (.json, or else YAML) says how to parse it. The law's facts (FactKeys) are
// added to it.
func Parse(name string, src []byte) (*Policy, error) {
	doc, err := parseDocument(name, src)
	if err != nil {
		return nil, err
	}
	if err := addFacts(name, doc); err != nil {
		return nil, err
	}
	return fromDoc(name, doc)
}

// FromValue reads a policy document already decoded from JSON (as an OPA bundle carries it:
// {"privacy_policy": {...}}); name is what errors call it. Unlike Parse it adds nothing: a
// bundle's data already holds the law's facts it was built with.
func FromValue(name string, value any) (*Policy, error) {
	return fromDoc(name, &jsonpos.Doc{Value: value})
}

func fromDoc(name string, doc *jsonpos.Doc) (*Policy, error) {
	if err := validate(name, doc); err != nil {
		return nil, err
	}
	// The schema has checked the shape, so this decoding cannot lose information.
	raw, err := json.Marshal(doc.Value)
	if err != nil {
		return nil, Invalid([]*problem.Problem{{File: name, Message: "cannot encode the document: " + err.Error()}})
	}
	var wrapper struct {
		PrivacyPolicy Document `json:"privacy_policy"`
	}
	if err := json.Unmarshal(raw, &wrapper); err != nil {
		return nil, Invalid([]*problem.Problem{{File: name, Message: "cannot decode the document: " + err.Error()}})
	}
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, Invalid([]*problem.Problem{{File: name, Message: "cannot decode the document: " + err.Error()}})
	}
	p := &Policy{Name: name, DocumentFile: name, Document: &wrapper.PrivacyPolicy, data: data, doc: doc}
	if problems := crossCheck(p); len(problems) > 0 {
		return nil, Invalid(problems)
	}
	return p, nil
}

func parseDocument(name string, src []byte) (*jsonpos.Doc, error) {
	opts := jsonpos.Options{Positions: true}
	if strings.EqualFold(path.Ext(name), ".json") {
		doc, err := jsonpos.ParseJSON(src, opts)
		if err != nil {
			return nil, Invalid(problem.Of(err, name))
		}
		return doc, nil
	}
	docs, err := jsonpos.ParseYAML(src, opts)
	if err != nil {
		return nil, Invalid(problem.Of(err, name))
	}
	if len(docs) != 1 {
		return nil, Invalid([]*problem.Problem{{File: name, Message: fmt.Sprintf("expected one YAML document, found %d", len(docs))}})
	}
	return docs[0], nil
}

func validate(name string, doc *jsonpos.Doc) error {
	problems := problem.All(schema.ValidatePolicy(doc.Value))
	if len(problems) == 0 {
		return nil
	}
	out := make([]*problem.Problem, len(problems))
	for i, fe := range problems {
		pos := doc.Locate(fe.Pointer)
		out[i] = &problem.Problem{File: name, Line: pos.Line, Column: pos.Column, Pointer: fe.Pointer, Message: fe.Message, Kind: fe.Kind}
	}
	return Invalid(out)
}

// crossCheck finds references the schema cannot check: a purpose, category, data subject or
// clause named in one place and not defined in its own.
func crossCheck(p *Policy) []*problem.Problem {
	d := p.Document
	var problems []*problem.Problem
	missing := func(pointer, what, key string) {
		at := p.Locate(pointer)
		problems = append(problems, &problem.Problem{Kind: problem.Reference, File: p.DocumentFile, Line: at.Line, Column: at.Column, Pointer: pointer,
			Message: fmt.Sprintf("%s %q is not defined in the document", what, key)})
	}
	const root = "/privacy_policy"
	purposes := func(base string, set map[string]bool) {
		for _, k := range sortedKeys(set) {
			if _, ok := d.Purposes[k]; !ok {
				missing(jsonpos.AppendPointer(base, k), "purpose", k)
			}
		}
	}
	for _, name := range sortedKeys(d.RecipientTypes) {
		rt := d.RecipientTypes[name]
		base := root + "/recipient_types/" + name
		purposes(base+"/purposes", rt.Purposes)
		for _, k := range sortedKeys(rt.DataCategories) {
			if _, ok := d.DataCategories[k]; !ok {
				missing(base+"/data_categories/"+k, "data category", k)
			}
		}
	}
	for _, name := range sortedKeys(d.Retention.Limits) {
		limit := d.Retention.Limits[name]
		base := root + "/retention/limits/" + name
		if _, ok := d.Clauses[limit.Clause]; !ok {
			missing(base+"/clause", "clause", limit.Clause)
		}
		purposes(base+"/applies_to/purposes", limit.AppliesTo.Purposes)
		for _, k := range sortedKeys(limit.AppliesTo.DataSubjects) {
			if _, ok := d.DataSubjects[k]; !ok {
				missing(base+"/applies_to/data_subjects/"+k, "data subject", k)
			}
		}
	}
	purposes(root+"/marketing/purposes", d.Marketing.Purposes)
	purposes(root+"/marketing/profiling_purposes", d.Marketing.ProfilingPurposes)
	purposes(root+"/rights/restriction_exempt_purposes", d.Rights.RestrictionExemptPurposes)
	purposes(root+"/rights/erasure_exempt_purposes", d.Rights.ErasureExemptPurposes)
	purposes(root+"/rights/erasure_contract_purposes", d.Rights.ErasureContractPurposes)
	if m := d.ScannerMapping; m != nil {
		for _, st := range []struct {
			name  string
			table *ScannerTable
		}{{"privado", m.Privado}, {"bearer", m.Bearer}} {
			t := st.table
			if t == nil {
				continue
			}
			for _, el := range sortedKeys(t.Elements) {
				for i, c := range t.Elements[el].To {
					_, isCategory := d.DataCategories[c]
					if _, isSpecial := d.SpecialCategories[c]; !isCategory && !isSpecial {
						missing(fmt.Sprintf("%s/to/%d", jsonpos.AppendPointer(root+"/scanner_mapping/"+st.name+"/elements", el), i), "data category", c)
					}
				}
			}
		}
	}
	for _, k := range sortedKeys(d.SpecialCategories) {
		if _, ok := d.DataCategories[k]; ok {
			pointer := root + "/data_categories/" + k
			at := p.Locate(pointer)
			problems = append(problems, &problem.Problem{Kind: problem.Reference, File: p.DocumentFile, Line: at.Line, Column: at.Column, Pointer: pointer,
				Message: fmt.Sprintf("%q is both a data category and a special category", k)})
		}
	}
	return problems
}

// LoadDir loads the policy in a directory.
func LoadDir(dir string) (*Policy, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if !info.IsDir() {
		return nil, Invalid([]*problem.Problem{{File: dir, Message: "not a directory: --policy takes a directory holding one policy document and any Rego modules"}})
	}
	return load(os.DirFS(dir), dir)
}

// Load loads the policy at the root of fsys.
func Load(fsys fs.FS) (*Policy, error) {
	return load(fsys, "")
}

// load loads the policy at the root of fsys; file names in the policy and its errors are joined
// to prefix, the directory as the user named it.
func load(fsys fs.FS, prefix string) (*Policy, error) {
	name := func(rel string) string {
		if prefix == "" {
			return rel
		}
		return filepath.Join(prefix, filepath.FromSlash(rel))
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var docs []string
	for _, e := range entries {
		if !e.IsDir() && isDocumentFile(e.Name()) {
			docs = append(docs, e.Name())
		}
	}
	if len(docs) != 1 {
		msg := "a policy directory holds exactly one policy document (*.yaml, *.yml or *.json), found none"
		if len(docs) > 1 {
			msg = "a policy directory holds exactly one policy document (*.yaml, *.yml or *.json), found " + strings.Join(docs, ", ")
		}
		return nil, Invalid([]*problem.Problem{{File: name("."), Message: msg}})
	}
	src, err := fs.ReadFile(fsys, docs[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	p, err := Parse(name(docs[0]), src)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		p.Name = prefix
	}
	err = fs.WalkDir(fsys, ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return err
		}
		m := Module{Name: name(rel), Path: rel, Source: src}
		if strings.HasSuffix(rel, "_test.rego") {
			p.Tests = append(p.Tests, m)
		} else {
			p.Modules = append(p.Modules, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return p, nil
}

func isDocumentFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
