package fides

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/problem"
)

// One privacy declaration built into an activity, every field traced to its source.

// builder builds one declaration's activity, tracing every field to its source.
type builder struct {
	p      *project
	d      *Declaration
	seen   map[string]bool // findings already reported, by rule and key
	abroad []term          // the 1.x third_country_transfers, as alpha-2 codes
}

// find records f, the declaration's finding at src (see project.found), once (see record).
func (b *builder) find(src Source, f finding.Finding) { b.record(b.p.found(src, f), src.Key) }

// record records a finding of the declaration, located: once per declaration for the Fides key
// it is about, when it is about one (a dataset may list a key a thousand times); once per place
// otherwise.
func (b *builder) record(f finding.Finding, key string) {
	k := fmt.Sprintf("%s\x00%s:%d:%d\x00%s", f.Rule, f.File, f.Line, f.Column, f.Path)
	if key != "" {
		k = f.Rule + "\x00" + key
	}
	if b.seen[k] {
		return
	}
	b.seen[k] = true
	b.d.Findings = append(b.d.Findings, f)
}

// problem records a problem of the declaration, once per place: the model may have said it.
func (b *builder) problem(at place, format string, args ...any) {
	src := at.source()
	for _, p := range b.d.Problems {
		if p.File == src.File && p.Pointer == at.ptr {
			return
		}
	}
	b.d.Problems = append(b.d.Problems, problem.Problem{Message: fmt.Sprintf(format, args...), Pointer: at.ptr, File: src.File, Line: src.Line, Column: src.Column})
}

// setList sets a list field of the activity from terms, each term once, each traced.
func (b *builder) setList(field string, terms []term) {
	if len(terms) == 0 {
		return
	}
	seen := map[string]bool{}
	var list []any
	for _, t := range terms {
		if seen[t.value] {
			continue
		}
		seen[t.value] = true
		b.d.at["/"+field+"/"+strconv.Itoa(len(list))] = t.at
		list = append(list, t.value)
	}
	b.d.Activity[field] = list
	b.d.at["/"+field] = terms[0].at
}

// declaration builds the activity of one privacy declaration of a system, every field traced to
// the Fides value it came from: what is read of the system and the declaration itself, its data
// use, its data categories (its own, its datasets', shared_categories) and subjects, its legal
// basis, role and retention, and its recipients.
func (p *project) declaration(s resource, obj map[string]any, at place, d *Declaration, sysFindings []finding.Finding, profiles, single bool) {
	b := &builder{p: p, d: d, seen: map[string]bool{}}
	d.Activity = map[string]any{"id": d.ID}
	d.at["/id"] = at.source()
	b.context(s, obj, at, sysFindings)

	// The data use: one, required (the model says so when it is missing).
	var purposes []term
	if use, ok := obj["data_use"].(string); ok {
		purposes, _ = b.mapKey(kindUse, use, at.sub("/data_use"))
		b.customUse(use)
	}

	g := b.categories(s, obj, at, purposes)
	b.setList("purposes", g.purposes)
	b.setList("data_categories", g.cats)
	switch {
	case !g.anyCategory && !g.missing:
		b.find(at.sub("/data_categories").source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleNoCategories, Message: "the declaration lists no data category, and the datasets it references (if any) list none: what it processes cannot be judged. List its data categories, or reference the datasets that hold them", ClauseID: "personal-data", Path: "/data_categories"}})
	case g.anyCategory && !g.personal:
		d.PersonalData = false
	}
	b.specialFlag(obj, at, g.cats)
	b.profilingFlag(s, at, profiles, single)

	// Data subjects: its own (the default is none), then the datasets'.
	list, _ := obj["data_subjects"].([]any)
	var own []term
	for i, sub := range list {
		ts, _ := b.mapKey(kindSubject, sub, at.sub("/data_subjects/"+strconv.Itoa(i)))
		own = append(own, ts...)
	}
	b.setList("data_subjects", append(own, g.subjects...))

	b.basisRoleRetention(s, obj, at)
	b.recipients(s, obj, at)
	if len(d.Problems) > 0 || !d.PersonalData || !g.anyCategory {
		d.Activity = nil
	}
}

// context reads what a declaration takes from around it: its system's third_country_transfers
// and findings, the keys fideslang does not define or fideslang 3 drops, and the fields no rule
// judges yet, carried with their lines.
func (b *builder) context(s resource, obj map[string]any, at place, sysFindings []finding.Finding) {
	sys, d := s.value, b.d
	if t, ok := sys["third_country_transfers"]; ok && t != nil {
		b.countries(t, s.at.sub("/third_country_transfers"))
	}

	for _, f := range sysFindings {
		b.record(f, "")
	}
	unknownKeys(declarationModel, obj, at, func(m *model, k string, where place) {
		b.find(where.source(), unknownField(m.name, k))
	})
	for _, k := range sortedKeys(obj) {
		if dropped[k] {
			b.find(at.sub("/"+k).source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleDropped, Message: fmt.Sprintf("the declaration's %s is a fideslang 1.x field that fideslang 3 drops silently: it is kept with the declaration, not judged", k), ClauseID: "personal-data"}})
		}
	}
	for _, k := range carriedSystem {
		if v, ok := sys[k]; ok && v != nil {
			d.Carried[k] = v
			d.at[carriedPointer(k)] = s.at.sub("/" + k).source()
		}
	}
	for _, k := range carriedDeclaration {
		if v, ok := obj[k]; ok && v != nil {
			d.Carried[k] = v
			d.at[carriedPointer(k)] = at.sub("/" + k).source()
		}
	}
}

// gathered is what a declaration's data categories and the datasets it references say: its
// categories, and the purposes (its data use's first) and subjects the datasets add.
type gathered struct {
	cats, subjects, purposes []term
	anyCategory              bool // a data category is listed, personal or not
	personal                 bool // one of them is personal data
	missing                  bool // a referenced dataset is among none of the files
}

// categories reads a declaration's data categories: its own, the referenced datasets' (with
// what they say of their purposes and subjects), and shared_categories.
func (b *builder) categories(s resource, obj map[string]any, at place, purposes []term) gathered {
	p, sys := b.p, s.value
	g := gathered{purposes: purposes}
	addCats := func(list any, where place) {
		items, _ := list.([]any)
		for i, c := range items {
			g.anyCategory = true
			ts, pers := b.mapKey(kindCategory, c, where.sub("/"+strconv.Itoa(i)))
			g.personal = g.personal || pers
			g.cats = append(g.cats, ts...)
		}
	}
	addCats(obj["data_categories"], at.sub("/data_categories"))
	refs := references(obj["dataset_references"], at.sub("/dataset_references"))
	refs = append(refs, references(sys["dataset_references"], s.at.sub("/dataset_references"))...)
	for _, ref := range refs {
		ds, coll, ok := p.dataset(ref.key, s.at.file)
		if !ok {
			g.missing = true
			b.find(ref.at.source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleDatasetMissing, Message: fmt.Sprintf("the dataset %s is not among the Fides files checked: its data categories cannot be judged. Check its file along with this one", quoteKey(ref.key)), ClauseID: "personal-data", Path: "/data_categories"}})
			continue
		}
		p.walked[ds.at] = true
		walkDataset(ds, coll, datasetVisitor{
			labels: func(field string, list any, where place) {
				switch field {
				case "data_categories":
					addCats(list, where)
				case "data_uses", "data_purposes":
					g.purposes = append(g.purposes, b.datasetUses(field, list, where)...)
				case "data_subjects":
					items, _ := list.([]any)
					for i, x := range items {
						ts, _ := b.mapKey(kindSubject, x, where.sub("/"+strconv.Itoa(i)))
						g.subjects = append(g.subjects, ts...)
					}
				}
			},
			countries: b.countries,
			unknown: func(m *model, k string, where place) {
				b.find(where.source(), unknownField(m.name, k))
			}})
	}
	// shared_categories are text to fideslang: a value that is not a key is not read.
	if shared, ok := obj["shared_categories"].([]any); ok {
		var keys []any
		for i, c := range shared {
			if k, _ := c.(string); isKey(k) {
				keys = append(keys, c)
			} else {
				b.find(at.sub("/shared_categories/"+strconv.Itoa(i)).source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleUnknownKey, Message: "this shared category is not a Fides data category key: it is not read", ClauseID: "personal-data"}})
			}
		}
		addCats(keys, at.sub("/shared_categories"))
	}
	return g
}

// basisRoleRetention reads a declaration's legal basis, its system's role (responsibility) and
// its retention_period.
func (b *builder) basisRoleRetention(s resource, obj map[string]any, at place) {
	sys, d := s.value, b.d
	if v, ok := obj["legal_basis_for_processing"]; ok && v != nil {
		b.legalBasis(v, at.sub("/legal_basis_for_processing"))
	}
	if responsibility(sys["responsibility"]) == "processor" {
		d.Activity["role"] = "processor"
		d.at["/role"] = s.at.sub("/responsibility").source()
		d.at["/customer_dpa"] = d.at["/role"]
	}
	if v, ok := obj["retention_period"].(string); ok {
		src := at.sub("/retention_period").source()
		if period, ok := retention(v); ok {
			d.Activity["retention"] = map[string]any{"period": period, "from": "collection"}
			d.at["/retention"] = src
		} else {
			b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleRetentionUnread, Message: "the retention_period cannot be read as a period: write a number of days (\"30\") or a count with a unit (\"3 years\")", ClauseID: "retention", Path: "/retention"}})
		}
	}
}

// specialFlag judges processes_special_category_data against the categories the declaration
// lists: a flag that says the opposite of them is a warning (category.sensitive judges the
// categories themselves).
func (b *builder) specialFlag(obj map[string]any, at place, cats []term) {
	flag, ok := laxBool(obj["processes_special_category_data"])
	if !ok {
		return
	}
	special := false
	for _, c := range cats {
		if _, ok := b.p.special[c.value]; ok {
			special = true
		}
	}
	src := at.sub("/processes_special_category_data").source()
	switch {
	case !flag && special:
		b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleFlagMismatch, Message: "processes_special_category_data is false, but the declaration lists a special category of personal data (GDPR art. 9 or 10): set the flag true with its special_category_legal_basis, or remove the category", ClauseID: "personal-data", Path: "/data_categories"}})
	case flag && !special:
		b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleFlagMismatch, Message: "processes_special_category_data is true, but none of the declaration's data categories maps to a special category of the policy, so none is judged: list the special categories it processes (such as user.health_and_medical), or set the flag false", ClauseID: "personal-data", Path: "/data_categories"}})
	}
}

// profilingFlag reads the system's uses_profiling: a system of one declaration that profiles
// makes that declaration profiling; a system that profiles with several declarations, none of
// whose data uses builds profiles, or a declaration that builds profiles in a system that says
// it does not, is a warning.
func (b *builder) profilingFlag(s resource, at place, profiles, single bool) {
	flag, ok := laxBool(s.value["uses_profiling"])
	if !ok {
		return
	}
	src := s.at.sub("/uses_profiling").source()
	_, implied := b.d.Activity["profiling"]
	switch {
	case flag && !profiles && single:
		b.d.Activity["profiling"] = true
		b.d.at["/profiling"] = src
	case flag && !profiles:
		b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleFlagMismatch, Message: "the system's uses_profiling is true, but none of its declarations has a data use that builds profiles, so which one profiles cannot be told: give the profiling a data use that does (such as marketing.advertising.profiling), or mark its data use profiling: true in the policy's fides_mapping", ClauseID: "profiling", Path: "/profiling"}})
	case !flag && implied:
		b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleFlagMismatch, Message: "the system's uses_profiling is false, but this declaration's data use builds profiles (it is judged as profiling): set uses_profiling true, or choose a data use that does not profile", ClauseID: "profiling", Path: "/profiling"}})
	}
}

func responsibility(v any) string {
	vals := []any{v}
	if l, ok := v.([]any); ok {
		vals = l
	}
	out := ""
	for _, x := range vals {
		s, _ := x.(string)
		switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
		case "controller":
			if out == "" {
				out = "controller"
			}
		case "processor", "sub_processor":
			out = "processor"
		default:
			return ""
		}
	}
	if out == "" {
		out = "controller"
	}
	return out
}
