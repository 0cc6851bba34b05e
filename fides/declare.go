package fides

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// builder builds one declaration's activity, tracing every field to its source.
type builder struct {
	p      *project
	d      *Declaration
	seen   map[string]bool // findings already reported, by rule and key
	abroad []term          // the 1.x third_country_transfers, as alpha-2 codes
}

// countries reads a 1.x third_country_transfers list (ISO 3166-1 alpha-3 codes, a system's or
// a dataset's): each country becomes one the declaration's data goes to, for the transfer rules.
func (b *builder) countries(list any, at place) {
	b.find(Finding{Rule: RuleDropped, Message: "third_country_transfers is a fideslang 1.x field that fideslang 3 drops silently (it has does_international_transfers and legal_basis_for_transfers instead): its countries are read as where recipients of this declaration are", ClauseID: "transfers", At: at.source()})
	items, ok := list.([]any)
	if !ok {
		b.problem(at, "expected a list of ISO 3166-1 alpha-3 country codes such as USA")
		return
	}
	for i, x := range items {
		where := at.sub("/" + strconv.Itoa(i))
		code, _ := x.(string)
		a2, ok := Alpha2(code)
		if !ok {
			b.find(Finding{Rule: RuleUnknownKey, Message: fmt.Sprintf("%s is not an ISO 3166-1 alpha-3 country code: it is not read. Write the country's three-letter code, such as USA", quoteKey(code)), ClauseID: "transfers", At: where.source()})
			continue
		}
		b.abroad = append(b.abroad, term{a2, where.source()})
	}
}

func (b *builder) find(f Finding) {
	// A key's finding once per declaration (a dataset may list it a thousand times); any
	// other once per place.
	k := fmt.Sprintf("%s\x00%s:%d:%d\x00%s", f.Rule, f.At.File, f.At.Line, f.At.Column, f.Path)
	if f.At.Key != "" {
		k = f.Rule + "\x00" + f.At.Key
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

// term is one value of an activity's list with where it came from.
type term struct {
	value string
	at    Source
}

// mapKey maps one Fides key of a kind, found at a place: upgraded if renamed, resolved through
// the table, with findings for what is renamed, unknown or unmapped. It returns the terms the
// key stands for (none for data that is not personal), and whether it is personal data.
func (b *builder) mapKey(kind string, raw any, at place) ([]term, bool) {
	key, ok := raw.(string)
	if !ok || strings.TrimSpace(key) == "" {
		b.problem(at, "expected a Fides %s key (a non-empty string)", singular(kind))
		return nil, true
	}
	if !isKey(key) {
		b.problem(at, "expected a Fides %s key (letters, digits and _ . < > -)", singular(kind))
		return nil, true
	}
	src := at.source()
	if up, renamed := upgrade(kind, key, b.p.known(kind)); renamed {
		b.find(Finding{Rule: RuleRenamed, Message: fmt.Sprintf("the fideslang 1.x key %q is %q since fideslang 2.0: read as %q; rename it in the file", key, up, up), ClauseID: clauseOf(kind), At: withKey(src, key, "")})
		key = up
	}
	src.Key, src.Name = key, b.p.name(kind, key)
	if !b.p.known(kind)(key) {
		b.find(Finding{Rule: RuleUnknownKey, Message: fmt.Sprintf("%q is neither in the default taxonomy nor in this project's own %s resources; it is judged by its nearest known ancestor, if any. Declare it (with a parent_key) or fix its spelling", key, singular(kind)), ClauseID: clauseOf(kind), At: src})
	}
	r := b.p.resolve(kind, key)
	switch {
	case !r.Mapped:
		f := Finding{Rule: RuleUnmapped, Message: fmt.Sprintf("%q has no entry in the policy's fides_mapping.%s, nor has any ancestor: it is read as a term outside the policy. Add an entry for it (or for its parent) to the table", key, kind), ClauseID: clauseOf(kind), At: src}
		b.find(f)
		b.d.unwritable = append(b.d.unwritable, f)
		return []term{{outside(key), src}}, true
	case r.Entry.NotPersonalData:
		return nil, false
	case r.Entry.NotInPolicy:
		by := ""
		if r.From != key {
			by = fmt.Sprintf(" (by its entry for %q)", r.From)
		}
		b.d.unwritable = append(b.d.unwritable, Finding{Rule: RuleUnmapped, Message: fmt.Sprintf("%q is one the policy's fides_mapping.%s marks not_in_policy%s: no term of the policy stands for it, so check denies the declaration for it. Map it to a term of the policy in the table, or change the declaration", key, kind, by), ClauseID: clauseOf(kind), At: src})
		return []term{{outside(key), src}}, true
	}
	out := make([]term, len(r.Entry.To))
	for i, t := range r.Entry.To {
		out[i] = term{t, src}
	}
	if kind == kindUse {
		b.use(r.Entry, src)
	}
	return out, true
}

func withKey(s Source, key, name string) Source {
	s.Key, s.Name = key, name
	return s
}

func singular(kind string) string {
	return map[string]string{kindUse: "data use", kindCategory: "data category", kindSubject: "data subject"}[kind]
}

func clauseOf(kind string) string {
	switch kind {
	case kindUse:
		return "purposes"
	case kindSubject:
		return "data-subjects"
	}
	return "personal-data"
}

// use applies what a data use implies: a channel, profiling, a recipient.
func (b *builder) use(e policy.FidesUse, src Source) {
	a := b.d.Activity
	if e.Channel != nil {
		a["channel"] = map[string]any{"type": e.Channel.Type, "content": e.Channel.Content}
		b.d.at["/channel"] = src
	}
	if e.Profiling {
		a["profiling"] = true
		b.d.at["/profiling"] = src
	}
	if e.Recipient != "" {
		b.addRecipient(map[string]any{"name": src.Key, "type": e.Recipient}, src)
	}
}

func (b *builder) addRecipient(r map[string]any, src Source) {
	list, _ := b.d.Activity["recipients"].([]any)
	b.d.at["/recipients/"+strconv.Itoa(len(list))] = src
	b.d.Activity["recipients"] = append(list, r)
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

func (p *project) system(s resource) []*Declaration {
	sys := s.value
	key := s.key
	// Held to fideslang's System model: what it refuses inside a declaration is that
	// declaration's problem, anything else the file's.
	own := map[string][]problem.Problem{} // by the declaration's pointer
	prefix := s.at.ptr + "/privacy_declarations/"
	v := &validation{skip: "privacy_declarations", report: func(at place, msg string) {
		if rest, ok := strings.CutPrefix(at.ptr, prefix); ok {
			i, _, _ := strings.Cut(rest, "/")
			src := at.source()
			own[prefix+i] = append(own[prefix+i], problem.Problem{Kind: problem.Schema, Message: msg, Pointer: at.ptr, File: src.File, Line: src.Line, Column: src.Column})
			return
		}
		p.fail(at, "%s", msg)
	}}
	v.object(systemModel, sys, s.at, true)
	var out []*Declaration
	raw, has := sys["privacy_declarations"]
	list, ok := raw.([]any)
	if !ok {
		if has {
			p.fail(s.at.sub("/privacy_declarations"), "expected a list of privacy declarations")
		}
		p.findings = append(p.findings, p.systemFindings(s)...)
		return nil
	}
	kept := map[string]keptActivity{}
	exported := p.exported(s)
	for _, k := range exported {
		kept[k.name] = k
	}
	fresh := exported != nil && p.fresh(s, exported)
	names := map[string]bool{}
	sysFindings := p.systemFindings(s)
	profiles := false // a declaration of the system has a data use that builds profiles
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			if u, ok := m["data_use"].(string); ok && isKey(u) {
				up, _ := upgrade(kindUse, u, p.known(kindUse))
				profiles = profiles || p.resolve(kindUse, up).Entry.Profiling
			}
		}
	}
	for i, item := range list {
		at := s.at.sub("/privacy_declarations/" + strconv.Itoa(i))
		d := &Declaration{System: key, At: at.source(), at: map[string]Source{}, Carried: map[string]any{}, PersonalData: true}
		d.ID = key + "/" + strconv.Itoa(i)
		obj, ok := item.(map[string]any)
		if !ok {
			d.Problems = append(d.Problems, problem.Problem{Kind: problem.Schema, Message: "expected a privacy declaration (an object with data_use, data_categories and data_subjects)", Pointer: at.ptr, File: d.At.File, Line: d.At.Line, Column: d.At.Column})
			out = append(out, d)
			continue
		}
		if n, ok := obj["name"].(string); ok && strings.TrimSpace(n) != "" && !names[n] {
			names[n] = true
			d.ID = key + "/" + n
		}
		v.object(declarationModel, obj, at, false)
		d.Problems = append(d.Problems, own[at.ptr]...)
		name, _ := obj["name"].(string)
		k, has := kept[name]
		switch {
		case has && fresh:
			d.fromExport(k)
		default:
			p.declaration(s, obj, at, d, sysFindings, profiles, len(list) == 1)
			if has {
				d.Findings = append(d.Findings, Finding{Rule: RuleMetaStale, Message: "the system's meta.policyengine holds this declaration as export fides wrote it, but the system's Fides fields have changed since: the Fides fields are read, not the meta. Export the manifests again, or remove the meta", ClauseID: "personal-data", At: k.at.source()})
			}
		}
		if len(d.Problems) > 0 {
			d.Activity = nil
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		p.findings = append(p.findings, sysFindings...) // a system of no declaration: the file's
	}
	return out
}

// systemFindings are what the import finds about a system itself, told to each of its
// declarations: its keys fideslang does not define or fideslang 3 drops, and the flows
// (egress, ingress) to systems and datasets among none of the files checked.
func (p *project) systemFindings(s resource) []Finding {
	var out []Finding
	sys := s.value
	unknownKeys(systemModel, sys, s.at, func(m *model, k string, at place) {
		out = append(out, unknownField(m.name, k, at))
	}, "privacy_declarations")
	for _, k := range sortedKeys(sys) {
		if dropped[k] {
			out = append(out, Finding{Rule: RuleDropped, Message: fmt.Sprintf("the system's %s is a fideslang 1.x field that fideslang 3 drops silently: it is read with the declaration", k), ClauseID: "personal-data", At: s.at.sub("/" + k).source()})
		}
	}
	for _, dir := range []string{"egress", "ingress"} {
		list, _ := sys[dir].([]any)
		for i, f := range list {
			at := s.at.sub("/" + dir + "/" + strconv.Itoa(i))
			m, _ := f.(map[string]any)
			k, _ := m["fides_key"].(string)
			typ, _ := m["type"].(string)
			if !isKey(k) { // the model has said so
				continue
			}
			if typ == "system" && !p.systemKeys[k] || typ == "dataset" && len(p.datasets[k]) == 0 {
				add := "add the dataset to the Fides files"
				if typ == "system" {
					add = "add the system (a vendor's: system_type Third Party, and an entry in the policy's recipient_register under its fides_key or vendor_id)"
				}
				out = append(out, Finding{Rule: RuleFlowMissing, Message: fmt.Sprintf("the system's %s names the %s %s, which is in none of the Fides files checked, so what flows there cannot be judged: check its file along with this one, or %s", dir, typ, quoteKey(k), add), ClauseID: "sharing", At: at.sub("/fides_key").source()})
			}
		}
	}
	return out
}

var digits = regexp.MustCompile(`^\s*([0-9]{1,6})\s*$`)
var spelled = regexp.MustCompile(`(?i)^\s*([0-9]{1,4})\s*(day|week|month|year)s?\s*$`)

// retention reads a retention_period: digits are days; "3 years" and the like are read; other
// text is not.
func retention(v any) (string, bool) {
	s := ""
	switch x := v.(type) {
	case string:
		s = x
	case fmt.Stringer:
		s = x.String()
	default:
		return "", false
	}
	if m := digits.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return "P" + strconv.Itoa(n) + "D", true
	}
	if m := spelled.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]string{"day": "D", "week": "W", "month": "M", "year": "Y"}[strings.ToLower(m[2])]
		return "P" + strconv.Itoa(n) + unit, true
	}
	return "", false
}

func (p *project) declaration(s resource, obj map[string]any, at place, d *Declaration, sysFindings []Finding, profiles, single bool) {
	sys := s.value
	b := &builder{p: p, d: d, seen: map[string]bool{}}
	d.Activity = map[string]any{"id": d.ID}
	d.at["/id"] = at.source()
	if t, ok := sys["third_country_transfers"]; ok && t != nil {
		b.countries(t, s.at.sub("/third_country_transfers"))
	}

	for _, f := range sysFindings {
		b.find(f)
	}
	unknownKeys(declarationModel, obj, at, func(m *model, k string, where place) {
		b.find(unknownField(m.name, k, where))
	})
	for _, k := range sortedKeys(obj) {
		if dropped[k] {
			b.find(Finding{Rule: RuleDropped, Message: fmt.Sprintf("the declaration's %s is a fideslang 1.x field that fideslang 3 drops silently: it is kept with the declaration, not judged", k), ClauseID: "personal-data", At: at.sub("/" + k).source()})
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

	// The data use: one, required (the model says so when it is missing).
	var purposes []term
	if use, ok := obj["data_use"].(string); ok {
		purposes, _ = b.mapKey(kindUse, use, at.sub("/data_use"))
		b.customUse(use)
	}

	// Data categories: its own, the referenced datasets', and shared_categories; and what the
	// datasets say of their purposes and subjects.
	var cats, subjects []term
	anyCategory, personal := false, false
	addCats := func(list any, where place) {
		items, _ := list.([]any)
		for i, c := range items {
			anyCategory = true
			ts, pers := b.mapKey(kindCategory, c, where.sub("/"+strconv.Itoa(i)))
			personal = personal || pers
			cats = append(cats, ts...)
		}
	}
	addCats(obj["data_categories"], at.sub("/data_categories"))
	refs := references(obj["dataset_references"], at.sub("/dataset_references"))
	refs = append(refs, references(sys["dataset_references"], s.at.sub("/dataset_references"))...)
	missing := false
	for _, ref := range refs {
		ds, coll, ok := p.dataset(ref.key, s.at.file)
		if !ok {
			missing = true
			b.find(Finding{Rule: RuleDatasetMissing, Deny: true, Message: fmt.Sprintf("the dataset %s is not among the Fides files checked: its data categories cannot be judged. Check its file along with this one", quoteKey(ref.key)), ClauseID: "personal-data", Path: "/data_categories", At: ref.at.source()})
			continue
		}
		p.walked[ds.at] = true
		walkDataset(ds, coll, datasetVisitor{
			labels: func(field string, list any, where place) {
				switch field {
				case "data_categories":
					addCats(list, where)
				case "data_uses", "data_purposes":
					purposes = append(purposes, b.datasetUses(field, list, where)...)
				case "data_subjects":
					items, _ := list.([]any)
					for i, x := range items {
						ts, _ := b.mapKey(kindSubject, x, where.sub("/"+strconv.Itoa(i)))
						subjects = append(subjects, ts...)
					}
				}
			},
			countries: b.countries,
			unknown: func(m *model, k string, where place) {
				b.find(unknownField(m.name, k, where))
			}})
	}
	// shared_categories are text to fideslang: a value that is not a key is not read.
	if shared, ok := obj["shared_categories"].([]any); ok {
		var keys []any
		for i, c := range shared {
			if k, _ := c.(string); isKey(k) {
				keys = append(keys, c)
			} else {
				b.find(Finding{Rule: RuleUnknownKey, Message: "this shared category is not a Fides data category key: it is not read", ClauseID: "personal-data", At: at.sub("/shared_categories/" + strconv.Itoa(i)).source()})
			}
		}
		addCats(keys, at.sub("/shared_categories"))
	}
	b.setList("purposes", purposes)
	b.setList("data_categories", cats)
	switch {
	case !anyCategory && !missing:
		b.find(Finding{Rule: RuleNoCategories, Deny: true, Message: "the declaration lists no data category, and the datasets it references (if any) list none: what it processes cannot be judged. List its data categories, or reference the datasets that hold them", ClauseID: "personal-data", Path: "/data_categories", At: at.sub("/data_categories").source()})
	case anyCategory && !personal:
		d.PersonalData = false
	}
	b.specialFlag(obj, at, cats)
	b.profilingFlag(s, at, profiles, single)

	// Data subjects: its own (the default is none), then the datasets'.
	list, _ := obj["data_subjects"].([]any)
	var own []term
	for i, sub := range list {
		ts, _ := b.mapKey(kindSubject, sub, at.sub("/data_subjects/"+strconv.Itoa(i)))
		own = append(own, ts...)
	}
	b.setList("data_subjects", append(own, subjects...))

	// Legal basis, role, retention.
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
			b.find(Finding{Rule: RuleRetentionUnread, Message: "the retention_period cannot be read as a period: write a number of days (\"30\") or a count with a unit (\"3 years\")", ClauseID: "retention", Path: "/retention", At: src})
		}
	}

	b.recipients(s, obj, at)
	if len(d.Problems) > 0 || !d.PersonalData || !anyCategory {
		d.Activity = nil
	}
}

// datasetUses reads the data uses a referenced dataset, collection or field carries (data_uses,
// and data_purposes, its name in fideslang 3.1): each the policy maps to its purposes is one more
// purpose of the declaration, judged as its own are; any other is carried with its line, not
// judged.
func (b *builder) datasetUses(field string, list any, at place) []term {
	items, _ := list.([]any)
	var out []term
	for i, x := range items {
		where := at.sub("/" + strconv.Itoa(i))
		key, _ := x.(string)
		if !isKey(key) {
			continue // the model has said so
		}
		if up, renamed := upgrade(kindUse, key, b.p.known(kindUse)); renamed {
			key = up
		}
		r := b.p.resolve(kindUse, key)
		src := where.source()
		src.Key, src.Name = key, b.p.name(kindUse, key)
		if !r.Mapped || r.Entry.NotInPolicy || r.Entry.NotPersonalData || len(r.Entry.To) == 0 {
			b.d.facts = append(b.d.facts, Fact{Field: "dataset " + field, Value: key, At: src})
			continue
		}
		for _, t := range r.Entry.To {
			out = append(out, term{value: t, at: src})
		}
	}
	return out
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
		b.find(Finding{Rule: RuleFlagMismatch, Message: "processes_special_category_data is false, but the declaration lists a special category of personal data (GDPR art. 9 or 10): set the flag true with its special_category_legal_basis, or remove the category", ClauseID: "personal-data", Path: "/data_categories", At: src})
	case flag && !special:
		b.find(Finding{Rule: RuleFlagMismatch, Message: "processes_special_category_data is true, but none of the declaration's data categories maps to a special category of the policy, so none is judged: list the special categories it processes (such as user.health_and_medical), or set the flag false", ClauseID: "personal-data", Path: "/data_categories", At: src})
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
		b.find(Finding{Rule: RuleFlagMismatch, Message: "the system's uses_profiling is true, but none of its declarations has a data use that builds profiles, so which one profiles cannot be told: give the profiling a data use that does (such as marketing.advertising.profiling), or mark its data use profiling: true in the policy's fides_mapping", ClauseID: "profiling", Path: "/profiling", At: src})
	case !flag && implied:
		b.find(Finding{Rule: RuleFlagMismatch, Message: "the system's uses_profiling is false, but this declaration's data use builds profiles (it is judged as profiling): set uses_profiling true, or choose a data use that does not profile", ClauseID: "profiling", Path: "/profiling", At: src})
	}
}

// customUse reads what a 1.x custom data use held that fideslang 3 drops: legal_basis and
// recipients, with a warning; its legal basis applies when the declaration names none.
func (b *builder) customUse(key string) {
	c, ok := b.p.custom[kindUse][key]
	if !ok {
		return
	}
	for _, f := range []string{"legal_basis", "recipients"} {
		if v, ok := c.value[f]; ok && v != nil {
			b.find(Finding{Rule: RuleDropped, Message: fmt.Sprintf("the data use's %s is a fideslang 1.x field that fideslang 3 drops silently: it is read here", f), ClauseID: "legal-basis", At: c.at.sub("/" + f).source()})
			b.d.Carried["data_use."+f] = v
			b.d.at[carriedPointer("data_use."+f)] = c.at.sub("/" + f).source()
		}
	}
	if _, has := b.d.Activity["legal_basis"]; !has {
		if v, ok := c.value["legal_basis"]; ok && v != nil {
			b.legalBasis(v, c.at.sub("/legal_basis"))
		}
	}
}

func (b *builder) legalBasis(v any, at place) {
	s, _ := v.(string)
	basis, ok := b.p.mapping.LegalBases[s]
	if !ok {
		for k, mapped := range b.p.mapping.LegalBases { // 1.x wrote them in other cases
			if strings.EqualFold(k, s) || strings.EqualFold(strings.ReplaceAll(k, " ", "_"), s) {
				basis, ok = mapped, true
			}
		}
	}
	if !ok {
		b.find(Finding{Rule: RuleUnmapped, Message: "this legal basis has no entry in the policy's fides_mapping.legal_bases: add it (Fides names Consent, Contract, Legal obligations, Vital interests, Public interest, Legitimate interests)", ClauseID: "legal-basis", Path: "/legal_basis", At: at.source()})
		return
	}
	b.d.Activity["legal_basis"] = basis
	b.d.at["/legal_basis"] = at.source()
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

func flowKeys(v any) map[string]bool {
	out := map[string]bool{}
	list, _ := v.([]any)
	for _, f := range list {
		if m, ok := f.(map[string]any); ok {
			if k, ok := m["fides_key"].(string); ok {
				out[k] = true
			}
		}
	}
	return out
}

type ref struct {
	key string
	at  place
}

func references(v any, at place) []ref {
	list, _ := v.([]any)
	var out []ref
	for i, x := range list {
		if s, ok := textOf(x, true); ok && s != "" { // a system reads a number as text
			out = append(out, ref{s, at.sub("/" + strconv.Itoa(i))})
		}
	}
	return out
}

// dataset finds a referenced dataset: "key", or "key.collection" for one collection of it. When
// files of several projects define the key, the one nearest the system's file is taken: in its
// directory, else in the directory above, else the first read.
func (p *project) dataset(key, from string) (resource, string, bool) {
	coll := ""
	list, ok := p.datasets[key]
	if !ok {
		if i := strings.IndexByte(key, '.'); i > 0 {
			list, ok = p.datasets[key[:i]]
			coll = key[i+1:]
		}
	}
	if !ok {
		return resource{}, "", false
	}
	best, score := list[0], -1
	for _, ds := range list {
		if s := nearness(filepath.Dir(from), filepath.Dir(ds.at.file)); s > score {
			best, score = ds, s
		}
	}
	return best, coll, true
}

// nearness scores how near directory b is to a: the number of leading path elements they share.
func nearness(a, b string) int {
	as := strings.Split(filepath.ToSlash(filepath.Clean(a)), "/")
	bs := strings.Split(filepath.ToSlash(filepath.Clean(b)), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}

// datasetVisitor is told of every list of taxonomy keys of a dataset (data_categories,
// data_uses, data_purposes, data_subjects), and of every key of it fideslang does not define.
type datasetVisitor struct {
	labels    func(field string, list any, at place)
	countries func(list any, at place) // a 1.x third_country_transfers
	unknown   func(m *model, key string, at place)
}

// visit tells the visitor of one part of a dataset: its unknown keys and its labels.
func (v datasetVisitor) visit(m *model, obj map[string]any, at place, nested string) {
	unknownKeys(m, obj, at, v.unknown, nested)
	for _, f := range []string{"data_categories", "data_uses", "data_purposes", "data_subjects"} {
		if list, ok := obj[f]; ok && list != nil {
			v.labels(f, list, at.sub("/"+f))
		}
	}
}

// walkDataset visits every part of a dataset: itself, its collections (only the one named, when
// coll is set) and their fields, nested.
func walkDataset(ds resource, coll string, v datasetVisitor) {
	v.visit(datasetModel, ds.value, ds.at, "collections")
	if t, ok := ds.value["third_country_transfers"]; ok && t != nil {
		v.countries(t, ds.at.sub("/third_country_transfers"))
	}
	colls, _ := ds.value["collections"].([]any)
	for i, c := range colls {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if name, _ := cm["name"].(string); coll != "" && name != coll {
			continue
		}
		cat := ds.at.sub("/collections/" + strconv.Itoa(i))
		v.visit(collectionModel, cm, cat, "fields")
		walkFields(cm["fields"], cat.sub("/fields"), v, 0)
	}
}

func walkFields(f any, at place, v datasetVisitor, depth int) {
	list, _ := f.([]any)
	if depth > 16 {
		return
	}
	for i, x := range list {
		fm, ok := x.(map[string]any)
		if !ok {
			continue
		}
		fat := at.sub("/" + strconv.Itoa(i))
		v.visit(fieldModel, fm, fat, "fields")
		walkFields(fm["fields"], fat.sub("/fields"), v, depth+1)
	}
}

// recipients adds who the data goes to: the system itself when it is a vendor's (Third Party
// system type or a vendor_id), and the third parties a declaration shares with, each described
// by the recipient register; an entry missing from the register is a finding that says what to
// add. The system's legal basis for transfers gives the safeguard of recipients without one.
func (b *builder) recipients(s resource, obj map[string]any, at place) {
	sys := s.value
	key := s.key
	if vendor, ok := isVendor(s); ok {
		src := s.at.source()
		if vendor != "" {
			src = s.at.sub("/vendor_id").source()
		}
		b.registered([]string{key, vendor}, b.p.vendor, key, src, fmt.Sprintf("the system %s is a vendor's", quoteKey(key)))
	}
	// The vendors' systems this declaration's egress sends data to.
	egress, _ := obj["egress"].([]any)
	for i, x := range egress {
		k, _ := x.(string)
		to, ok := b.p.systemByKey[k]
		if !ok || k == key {
			continue
		}
		if vendor, ok := isVendor(to); ok {
			b.registered([]string{k, vendor}, b.p.vendor, k, at.sub("/egress/"+strconv.Itoa(i)).source(), fmt.Sprintf("this declaration's egress sends data to the system %s, a vendor's,", quoteKey(k)))
		}
	}
	if boolField(obj, "data_shared_with_third_parties", false) {
		name, _ := obj["third_parties"].(string)
		src := at.sub("/data_shared_with_third_parties").source()
		if name != "" {
			src = at.sub("/third_parties").source()
		}
		b.registered([]string{strings.TrimSpace(name)}, b.p.partner, "third parties", src, "this declaration shares data with third parties")
	}
	b.countryRecipients(key)
	if boolField(sys, "does_international_transfers", false) {
		safeguard := ""
		src := s.at.sub("/legal_basis_for_transfers").source()
		bases, _ := sys["legal_basis_for_transfers"].([]any)
		if s, ok := sys["legal_basis_for_transfers"].(string); ok {
			bases = []any{s}
		}
		for _, x := range bases {
			if s, ok := x.(string); ok {
				if m, ok := b.p.mapping.TransferBases[s]; ok && (safeguard == "" || m == "scc") {
					safeguard = m
				} else if !ok {
					b.find(Finding{Rule: RuleUnmapped, Message: "this legal basis for transfers has no entry in the policy's fides_mapping.transfer_bases: add it", ClauseID: "transfers", At: src})
				}
			}
		}
		list, _ := b.d.Activity["recipients"].([]any)
		if len(list) == 0 {
			b.find(Finding{Rule: RuleUnregistered, Message: fmt.Sprintf("the system %s does international transfers but this declaration names no recipient: add the recipients to the policy's recipient_register (under a vendor system's fides_key or vendor_id) and the vendor systems to the Fides files", quoteKey(key)), ClauseID: "transfers", Path: "/recipients", At: s.at.sub("/does_international_transfers").source()})
		}
		for i, r := range list {
			rm := r.(map[string]any)
			if _, has := rm["transfer_safeguard"]; !has && safeguard != "" {
				rm["transfer_safeguard"] = safeguard
				b.d.at["/recipients/"+strconv.Itoa(i)+"/transfer_safeguard"] = src
			}
		}
	}
}

// isVendor reports whether a system is a vendor's (a vendor_id, or system_type Third Party), and
// its vendor_id.
func isVendor(s resource) (string, bool) {
	vendor, _ := s.value["vendor_id"].(string)
	stype, _ := s.value["system_type"].(string)
	return vendor, vendor != "" || strings.EqualFold(strings.ReplaceAll(stype, "_", " "), "third party")
}

// countryRecipients adds a recipient in each country of a 1.x third_country_transfers that no
// recipient of the declaration is in yet: one nothing else is known of (so the transfer rule
// judges its safeguard), with a finding that says what to add to the register.
func (b *builder) countryRecipients(system string) {
	for _, c := range b.abroad {
		list, _ := b.d.Activity["recipients"].([]any)
		there := false
		for _, r := range list {
			if rm, _ := r.(map[string]any); rm["country"] == c.value {
				there = true
			}
		}
		if there {
			continue
		}
		b.find(Finding{Rule: RuleUnregistered, Message: fmt.Sprintf("the system %s transfers data to %s (third_country_transfers) but no recipient of this declaration the policy's recipient_register describes is there: add the recipient (a vendor's system's fides_key or vendor_id) to the register with its country and transfer_safeguard", quoteKey(system), c.value), ClauseID: "transfers", Path: "/recipients", At: c.at})
		b.addRecipient(map[string]any{"name": "recipient in " + c.value, "type": b.p.vendor, "country": c.value}, c.at)
	}
}

// registered adds the recipient the register holds under the first of keys it has, or, when it
// has none, a recipient of the fallback type with nothing known of it (so the sharing and
// transfer rules judge it as unknown) and a finding that says what to add.
func (b *builder) registered(keys []string, fallback, name string, src Source, what string) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if e, ok := b.p.register[k]; ok {
			r := map[string]any{"name": e.Name, "type": e.Type}
			if e.Country != "" {
				r["country"] = e.Country
			}
			r["dpa"] = e.DPA
			if e.TransferSafeguard != "" {
				r["transfer_safeguard"] = e.TransferSafeguard
			}
			if e.LegalBasis != "" {
				r["legal_basis"] = e.LegalBasis
			}
			b.addRecipient(r, src)
			return
		}
	}
	hint := "the system's fides_key or vendor_id"
	if len(keys) == 1 {
		hint = "the declaration's third_parties"
	}
	var named []string
	for _, k := range keys {
		if keyShaped(k) {
			named = append(named, quoteKey(k))
		}
	}
	if len(named) > 0 {
		hint += " (" + strings.Join(named, " or ") + ")"
	}
	b.find(Finding{Rule: RuleUnregistered, Message: what + " but the policy's recipient_register has no entry for it: add one under " + hint + " with its name, type, country, dpa and transfer_safeguard", ClauseID: "sharing", Path: "/recipients", At: src})
	b.addRecipient(map[string]any{"name": name, "type": fallback}, src)
}
