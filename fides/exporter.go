package fides

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/policy"
)

// The policy's fides_mapping and recipient register read backwards: a manifest's activities
// written as a Fides system.

// exporter reads the policy's fides_mapping and recipient_register backwards.
type exporter struct {
	p *project
	// keys are, by kind, the Fides keys that stand for each term: those that map to it alone
	// first, then those that map to it among others; each list in order of preference.
	keys    map[string]map[string][]string
	vendors map[string]map[string]any // the vendors' systems written, by register key
	// unmapped counts, by kind, the activities of each term no Fides key stands for.
	unmapped map[string]map[string]int
}

func newExporter(doc *policy.Document) *exporter {
	x := &exporter{p: tableOf(doc), keys: map[string]map[string][]string{}, vendors: map[string]map[string]any{}, unmapped: map[string]map[string]int{}}
	x.p.register, x.p.special = doc.RecipientRegister, doc.SpecialCategories
	for _, kind := range []string{kindUse, kindCategory, kindSubject} {
		candidates := DefaultKeys(kind)
		for _, k := range x.p.tableKeys(kind) {
			if !slices.Contains(candidates, k) {
				candidates = append(candidates, k)
			}
		}
		alone, among := map[string][]string{}, map[string][]string{}
		for _, k := range candidates {
			r := x.p.resolve(kind, k)
			if !r.Mapped || r.Entry.NotInPolicy || r.Entry.NotPersonalData {
				continue
			}
			for _, t := range r.Entry.To {
				if len(r.Entry.To) == 1 {
					alone[t] = append(alone[t], k)
				} else {
					among[t] = append(among[t], k)
				}
			}
		}
		prefer := func(a, b string) int {
			if da, db := isDefault(kind, a), isDefault(kind, b); da != db {
				if da {
					return -1
				}
				return 1
			}
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		}
		x.keys[kind] = map[string][]string{}
		for _, m := range []map[string][]string{alone, among} {
			for t, ks := range m {
				slices.SortFunc(ks, prefer)
				x.keys[kind][t] = append(x.keys[kind][t], ks...)
			}
		}
	}
	return x
}

// use is the data use that stands best for a purpose of an activity: one that maps to the
// purpose alone and implies what the activity has (its channel, profiling, no recipient) before
// any other.
func (x *exporter) use(purpose string, a map[string]any) (string, bool) {
	best, score := "", -1
	for _, k := range x.keys[kindUse][purpose] {
		e := x.p.resolve(kindUse, k).Entry
		s := 0
		if len(e.To) == 1 {
			s += 8
		}
		if e.Recipient == "" {
			s += 4
		}
		if ch, _ := a["channel"].(map[string]any); (e.Channel == nil && ch == nil) || e.Channel != nil && ch != nil && ch["type"] == e.Channel.Type && ch["content"] == e.Channel.Content {
			s += 2
		}
		if prof, _ := a["profiling"].(bool); prof == e.Profiling {
			s++
		}
		if s > score {
			best, score = k, s
		}
	}
	return best, best != ""
}

// firstUse is the data use of an activity's privacy declaration: that of its first purpose a
// Fides data use stands for, or "" when none does.
func (x *exporter) firstUse(a map[string]any) string {
	for _, s := range asList(a["purposes"]) {
		if k, ok := x.use(s, a); ok {
			return k
		}
	}
	return ""
}

// terms maps an activity's list of terms to Fides keys, each once; a term no key stands for is
// told to note.
func (x *exporter) terms(kind string, list any, note func(term string)) []any {
	items, _ := list.([]any)
	out := []any{}
	for _, t := range items {
		s, _ := t.(string)
		ks := x.keys[kind][s]
		if len(ks) == 0 {
			note(s)
			continue
		}
		if !slices.Contains(out, any(ks[0])) {
			out = append(out, ks[0])
		}
	}
	return out
}

// system writes one system of the activities of a manifest, and notes what Fides' data map will
// not show.
func (x *exporter) system(key string, acts []map[string]any) map[string]any {
	var decls, kept []any
	roles := map[string]bool{}
	profiling, transfers := false, false
	var bases, flows []string
	for _, a := range acts {
		id, _ := a["id"].(string)
		note := func(kind string) func(string) {
			return func(term string) {
				if x.unmapped[kind] == nil {
					x.unmapped[kind] = map[string]int{}
				}
				x.unmapped[kind][term]++
			}
		}
		d, decl := x.declaration(a, note)
		decls = append(decls, d)
		kept = append(kept, map[string]any{"name": id, "activity": jsonpos.Clone(a)})
		if r, _ := a["role"].(string); r == "processor" {
			roles["Processor"] = true
		} else {
			roles["Controller"] = true
		}
		if p, _ := a["profiling"].(bool); p {
			profiling = true
		}
		transfers = transfers || decl.transfers
		bases = append(bases, decl.bases...)
		flows = append(flows, decl.flows...)
	}
	sys := map[string]any{
		"fides_key":            key,
		"name":                 key,
		"system_type":          "Service",
		"privacy_declarations": decls,
		"meta":                 map[string]any{metaKey: map[string]any{"declarations": kept}},
	}
	var resp []any
	for _, r := range responsibilities {
		if roles[r] {
			resp = append(resp, r)
		}
	}
	sys["responsibility"] = resp
	if profiling {
		sys["uses_profiling"] = true
	}
	if transfers {
		sys["does_international_transfers"] = true
		sys["legal_basis_for_transfers"] = strs(sortedSet(bases))
	}
	if len(flows) > 0 {
		var egress []any
		for _, k := range sortedSet(flows) {
			egress = append(egress, map[string]any{"fides_key": k, "type": "system"})
		}
		sys["egress"] = egress
	}
	return sys
}

// notes say, term by term, what Fides' data map will not show.
func (x *exporter) notes() []string {
	var out []string
	for _, kind := range []string{kindUse, kindCategory, kindSubject} {
		for _, t := range sortedKeys(x.unmapped[kind]) {
			out = append(out, fmt.Sprintf("the %s %s (in %d activities) has no Fides key in the policy's fides_mapping.%s that stands for it alone: Fides' data map will not show it (reading the files back still decides as the manifests do). Add a key for it to the table", singular(kind), quoteKey(t), x.unmapped[kind][t], kind))
		}
	}
	return out
}

// declared is what a declaration says that its system says for it.
type declared struct {
	transfers bool
	bases     []string // legal bases for transfers
	flows     []string // the vendors' systems it sends data to
}

func (x *exporter) declaration(a map[string]any, note func(kind string) func(string)) (map[string]any, declared) {
	var out declared
	id, _ := a["id"].(string)
	d := map[string]any{"name": id}
	for _, s := range asList(a["purposes"]) {
		if _, ok := x.use(s, a); !ok {
			note(kindUse)(s)
		}
	}
	use := x.firstUse(a)
	d["data_use"] = use // Export has made sure there is one
	d["data_categories"] = x.terms(kindCategory, a["data_categories"], note(kindCategory))
	d["data_subjects"] = x.terms(kindSubject, a["data_subjects"], note(kindSubject))
	if basis, _ := a["legal_basis"].(string); basis != "" {
		for _, v := range legalBases { // fideslang's own spelling, when the table has it
			if x.p.mapping.LegalBases[v] == basis {
				d["legal_basis_for_processing"] = v
				break
			}
		}
	}
	if r, _ := a["retention"].(map[string]any); r != nil {
		if days, ok := retentionText(r["period"]); ok {
			d["retention_period"] = days
		}
	}
	for _, c := range asList(a["data_categories"]) {
		if _, special := x.p.special[c]; special {
			d["processes_special_category_data"] = true
		}
	}
	var others []string
	recipients, _ := a["recipients"].([]any)
	for _, r := range recipients {
		rm, _ := r.(map[string]any)
		if sg, _ := rm["transfer_safeguard"].(string); sg != "" && sg != "none" {
			out.transfers = true
			for _, v := range sortedKeys(x.p.mapping.TransferBases) {
				if x.p.mapping.TransferBases[v] == sg {
					out.bases = append(out.bases, v)
					break
				}
			}
		}
		if k, ok := x.registered(rm); ok {
			out.flows = append(out.flows, k)
			continue
		}
		name, _ := rm["name"].(string)
		others = append(others, name)
	}
	if len(out.flows) > 0 {
		d["egress"] = strs(sortedSet(out.flows))
	}
	if len(others) > 0 {
		d["data_shared_with_third_parties"] = true
		d["third_parties"] = strings.Join(others, ", ")
	}
	return d, out
}

// registered finds the register's entry that says exactly what a recipient says, and writes
// the vendor's system for it: its fides_key.
func (x *exporter) registered(r map[string]any) (string, bool) {
	for _, k := range sortedKeys(x.p.register) {
		e := x.p.register[k]
		want := recipientOf(e)
		got := map[string]any{}
		for f, v := range r {
			got[f] = v
		}
		if _, has := got["dpa"]; !has {
			got["dpa"] = false
		}
		if certified, _ := got["dpf_certified"].(bool); !certified {
			delete(got, "dpf_certified") // false is the register's omitted value
		}
		if domains, _ := got["domains"].([]any); len(domains) == 0 {
			delete(got, "domains") // as is no domain
		}
		if !reflect.DeepEqual(want, got) {
			continue
		}
		key := fidesKeyOf(k)
		if _, done := x.vendors[k]; !done {
			v := map[string]any{"fides_key": key, "name": e.Name, "system_type": "Third Party", "privacy_declarations": []any{}}
			if key != k {
				v["vendor_id"] = k
			}
			x.vendors[k] = v
		}
		return key, true
	}
	return "", false
}

// customResources are the taxonomy resources a system's declarations need that are not in the
// default taxonomy (keys of the mapping table of the policy's own), each with its ancestors that
// are not either.
func (x *exporter) customResources(kind string, sys map[string]any) []any {
	var keys []string
	field := map[string]string{kindUse: "data_use", kindCategory: "data_categories", kindSubject: "data_subjects"}[kind]
	decls, _ := sys["privacy_declarations"].([]any)
	for _, d := range decls {
		dm, _ := d.(map[string]any)
		v := dm[field]
		if s, ok := v.(string); ok {
			v = []any{s}
		}
		for _, k := range asList(v) {
			for ; k != "" && !isDefault(kind, k); k = parentOf(k) {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
	}
	slices.Sort(keys)
	var out []any
	for _, k := range keys {
		r := map[string]any{"fides_key": k}
		if n := x.p.name(kind, k); n != "" {
			r["name"] = n
		}
		if p := parentOf(k); p != "" && kind != kindSubject {
			r["parent_key"] = p
		}
		out = append(out, r)
	}
	return out
}

func parentOf(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}

func asList(v any) []string {
	items, _ := v.([]any)
	var out []string
	for _, x := range items {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedSet(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}
