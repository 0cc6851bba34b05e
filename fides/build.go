package fides

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// The kinds of taxonomy key, named as the mapping table's sections.
const (
	kindUse      = "data_uses"
	kindCategory = "data_categories"
	kindSubject  = "data_subjects"
)

// customKinds are the resource lists that extend the taxonomy, by the kind they extend.
var customKinds = map[string]string{"data_category": kindCategory, "data_use": kindUse, "data_subject": kindSubject}

// The fideslang 1.x fields of a system and of a privacy declaration that fideslang 3 drops
// silently: read here with a warning, and carried.
const (
	droppedSystem      = "system_dependencies data_responsibility_title third_country_transfers joint_controller data_protection_impact_assessment"
	droppedDeclaration = "data_qualifier"
)

var dropped = fieldSet(droppedSystem + " " + droppedDeclaration)

// carriedSystem and carriedDeclaration are the Fides facts kept on a declaration that no rule
// judges yet.
var carriedSystem = []string{"uses_profiling", "legal_basis_for_profiling", "does_international_transfers", "legal_basis_for_transfers", "requires_data_protection_assessments", "dpa_location", "exempt_from_privacy_regulations", "joint_controller", "data_protection_impact_assessment"}
var carriedDeclaration = []string{"processes_special_category_data", "special_category_legal_basis", "data_shared_with_third_parties", "third_parties", "impact_assessment_location", "data_qualifier", "features", "flexible_legal_basis_for_processing"}

func fieldSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// place is a value's place: a file, its document and a JSON pointer.
type place struct {
	file string
	doc  *jsonpos.Doc
	ptr  string
}

func (p place) sub(s string) place { return place{p.file, p.doc, p.ptr + s} }

// key is the place of a member of the object at p, its key escaped as a JSON pointer's.
func (p place) key(k string) place { return place{p.file, p.doc, jsonpos.AppendPointer(p.ptr, k)} }

func (p place) source() Source {
	pos := p.doc.Locate(p.ptr)
	pos.File = p.file
	return Source{Position: pos}
}

type resource struct {
	key   string // its fides_key
	value map[string]any
	at    place
}

type custom struct {
	parent string
	value  map[string]any
	at     place
}

type project struct {
	doc      *policy.Document
	mapping  *policy.FidesMapping
	register map[string]policy.RegisteredRecipient
	// vendor and partner are the recipient types the document gives a vendor's system and the
	// third parties a declaration shares with, when the register does not describe them.
	vendor, partner string
	systems         []resource
	datasets        map[string][]resource // by fides_key; several when files of several projects are read
	custom          map[string]map[string]custom
	errs            []*problem.Problem
	findings        []finding.Finding // about a file, not a declaration
	walked          map[place]bool    // the datasets a declaration referenced
	systemKeys      map[string]bool
	systemByKey     map[string]resource // the first system of each fides_key
	special         map[string]policy.SpecialCategory
}

// Build reads the privacy declarations of every system in files, resolving dataset
// references and custom taxonomy across all of them, and maps each through doc's fides_mapping
// and recipient_register. The findings are about files rather than declarations: an unknown key
// of a policy, organization, taxonomy or unreferenced dataset resource, or of a system with no
// declaration (each At names its file). The errors are what fideslang 3's models refuse outside
// a privacy declaration (a resource without a fides_key, a system without system_type, a list
// that is not a list, a value of the wrong type); what they refuse in a declaration is in its
// Problems.
func Build(files []*File, doc *policy.Document) ([]*Declaration, []finding.Finding, []*problem.Problem) {
	p := &project{doc: doc, mapping: doc.FidesMapping, register: doc.RecipientRegister,
		vendor: doc.TypeFor(policy.RoleSubprocessor), partner: doc.TypeFor(policy.RoleBusinessPartner), datasets: map[string][]resource{}, custom: map[string]map[string]custom{}, walked: map[place]bool{}, special: doc.SpecialCategories}
	if p.mapping == nil {
		p.mapping = &policy.FidesMapping{}
	}
	for _, f := range files {
		for _, d := range f.Docs {
			p.collect(f.Name, d)
		}
	}
	p.systemKeys, p.systemByKey = map[string]bool{}, map[string]resource{}
	for _, s := range p.systems {
		p.systemKeys[s.key] = true
		if _, ok := p.systemByKey[s.key]; !ok {
			p.systemByKey[s.key] = s
		}
	}
	var out []*Declaration
	first := map[string]place{} // by directory and fides_key
	for _, s := range p.systems {
		decls := p.system(s)
		k := filepath.Dir(s.at.file) + "\x00" + s.key
		if prev, dup := first[k]; dup {
			for _, d := range decls {
				d.Findings = append(d.Findings, p.found(s.at.sub("/fides_key").source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleDuplicateKey, Message: fmt.Sprintf("another system of this directory has this fides_key (%s:%d): give each system its own", prev.file, prev.source().Line), ClauseID: "personal-data"}}))
			}
		} else {
			first[k] = s.at
		}
		out = append(out, decls...)
	}
	p.unreferenced()
	return out, p.findings, p.errs
}

// unreferenced reports the unknown keys of the datasets no declaration referenced (those of a
// referenced one are reported to its declarations).
func (p *project) unreferenced() {
	for _, k := range sortedKeys(p.datasets) {
		for _, ds := range p.datasets[k] {
			if p.walked[ds.at] {
				continue
			}
			walkDataset(ds, "", datasetVisitor{labels: func(string, any, place) {}, countries: func(any, place) {}, unknown: func(m *model, k string, where place) {
				p.findings = append(p.findings, p.found(where.source(), unknownField(m.name, k)))
			}})
		}
	}
}

// unknownField is the finding of a key fideslang does not define on a resource of a kind.
func unknownField(kind, key string) finding.Finding {
	return finding.Finding{Reason: policyengine.Reason{Rule: RuleUnknownKey, Message: fmt.Sprintf("the %s's key %s is not a fideslang field: it is not read. Remove it, fix its spelling, or move it under fides_meta", kind, quoteKey(key)), ClauseID: "personal-data"}}
}

// found is f, a finding of the import at src, with its place and the section of its clause in
// the policy document.
func (p *project) found(src Source, f finding.Finding) finding.Finding {
	f.Clause = p.doc.Clauses[f.ClauseID].Section
	f.File, f.Line, f.Column = src.File, src.Line, src.Column
	return f
}

func (p *project) fail(at place, format string, args ...any) {
	pos := at.doc.Locate(at.ptr)
	p.errs = append(p.errs, &problem.Problem{Kind: problem.Schema, File: at.file, Line: pos.Line, Column: pos.Column, Pointer: at.ptr, Message: fmt.Sprintf(format, args...)})
}

// validate holds a resource to its fideslang model: what the model refuses is an input error of
// the file; its unknown keys (but a dataset's) are findings about the file.
func (p *project) validate(m *model, obj map[string]any, at place) {
	v := &validation{report: func(at place, msg string) { p.fail(at, "%s", msg) }}
	v.object(m, obj, at, true)
	if m == datasetModel {
		return // a dataset's unknown keys are told to the declarations that reference it
	}
	unknownKeys(m, obj, at, func(m *model, k string, where place) {
		p.findings = append(p.findings, p.found(where.source(), unknownField(m.name, k)))
	})
}

// collect files the resources of one document, holding each to its fideslang model; a system is
// held to its model when its declarations are built, so that a declaration's problems are its
// own.
func (p *project) collect(file string, d *jsonpos.Doc) {
	root := place{file: file, doc: d}
	m, ok := d.Value.(map[string]any)
	if !ok {
		if d.Value != nil {
			p.fail(root, "expected an object of resource lists (system, dataset, policy, ...)")
		}
		return
	}
	if _, lone := m["fides_key"]; lone {
		if r, ok := p.resource(root, m, "system"); ok {
			p.systems = append(p.systems, r)
		}
		return
	}
	for _, k := range sortedKeys(m) {
		if !isResource(k) {
			// fideslang reads the resource lists it knows and ignores any other key.
			p.findings = append(p.findings, p.found(root.key(k).source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleUnknownKey, Message: fmt.Sprintf("the top-level key %s is not a list of Fides resources: it is not read. A Fides file holds the lists %s", quoteKey(k), strings.Join(resources, ", ")), ClauseID: "personal-data"}}))
			continue
		}
		if m[k] == nil {
			continue
		}
		list, ok := m[k].([]any)
		if !ok {
			p.fail(root.sub("/"+k), "expected a list of %s resources", k)
			continue
		}
		for i, item := range list {
			at := root.sub("/" + k + "/" + strconv.Itoa(i))
			obj, ok := item.(map[string]any)
			if !ok {
				p.fail(at, "expected a %s resource (an object with a fides_key)", k)
				continue
			}
			if m := resourceModels[k]; m != nil && k != "system" {
				p.validate(m, obj, at)
			}
			r, ok := p.resource(at, obj, k)
			if !ok {
				continue
			}
			switch k {
			case "system":
				p.systems = append(p.systems, r)
			case "dataset":
				p.datasets[r.key] = append(p.datasets[r.key], r)
			case "data_category", "data_use", "data_subject":
				kind := customKinds[k]
				if p.custom[kind] == nil {
					p.custom[kind] = map[string]custom{}
				}
				parent, _ := textOf(obj["parent_key"], true)
				p.custom[kind][r.key] = custom{parent: parent, value: obj, at: at}
			}
		}
	}
}

// resource reads a resource's fides_key (a number is read as text, as fideslang does). A
// resource without a valid one is left out: for a kind fideslang models, its model has said why.
func (p *project) resource(at place, obj map[string]any, kind string) (resource, bool) {
	key, ok := textOf(obj["fides_key"], true)
	if !ok || !isKey(key) {
		if resourceModels[kind] == nil || kind == "system" { // a system is held to its model later
			p.fail(at, "a %s resource needs a fides_key (letters, digits and _ . < > -)", kind)
		}
		return resource{}, false
	}
	return resource{key: key, value: obj, at: at}, true
}

// known says whether a key of a kind is known as it stands: in the default taxonomy, the
// mapping table or the project's own taxonomy.
func (p *project) known(kind string) func(string) bool {
	return func(key string) bool {
		if _, ok := p.custom[kind][key]; ok || isDefault(kind, key) {
			return true
		}
		_, ok := p.entry(kind, key)
		return ok
	}
}

// entry returns the table's entry for exactly key.
func (p *project) entry(kind, key string) (policy.FidesUse, bool) {
	switch kind {
	case kindUse:
		e, ok := p.mapping.DataUses[key]
		return e, ok
	case kindCategory:
		e, ok := p.mapping.DataCategories[key]
		return policy.FidesUse{FidesEntry: e}, ok
	default:
		e, ok := p.mapping.DataSubjects[key]
		return policy.FidesUse{FidesEntry: e}, ok
	}
}

// Resolution is how one Fides key resolves under a mapping table.
type Resolution struct {
	// Key is the key resolved.
	Key string `json:"key"`
	// From is the key whose entry applied: Key itself, or its nearest ancestor with an entry;
	// "" when none has one.
	From string `json:"from,omitempty"`
	// Entry is the entry that applied.
	Entry policy.FidesUse `json:"entry"`
	// Mapped says an entry applied.
	Mapped bool `json:"mapped"`
}

// resolve finds the entry for key or its nearest ancestor: by the project's parent_key, else
// by dotted prefix.
func (p *project) resolve(kind, key string) Resolution {
	seen := map[string]bool{}
	k := key
	for k != "" && !seen[k] {
		seen[k] = true
		if up, renamed := upgrade(kind, k, p.known(kind)); renamed {
			k = up // an ancestor by a 1.x name (a custom key's parent_key)
		}
		if e, ok := p.entry(kind, k); ok {
			return Resolution{Key: key, From: k, Entry: e, Mapped: true}
		}
		if c, ok := p.custom[kind][k]; ok && c.parent != "" {
			k = c.parent
			continue
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return Resolution{Key: key}
}

// tableOf is a project of no file, for resolving keys under a policy document's table alone.
func tableOf(doc *policy.Document) *project {
	p := &project{doc: doc, mapping: doc.FidesMapping}
	if p.mapping == nil {
		p.mapping = &policy.FidesMapping{}
	}
	return p
}

var nonTerm = regexp.MustCompile(`[^a-z0-9_]+`)

// outside is the term a key outside the policy becomes: one no policy lists ("fides_" and the
// key in snake_case), so that the policy's own rule refuses it at the key's line.
func outside(key string) string {
	t := "fides_" + strings.Trim(nonTerm.ReplaceAllString(strings.ToLower(key), "_"), "_")
	if len(t) > 64 {
		t = t[:64]
	}
	return t
}

func (p *project) name(kind, key string) string {
	if e, ok := p.entry(kind, key); ok {
		return e.Description
	}
	return ""
}
