package fides

import (
	"reflect"
	"strconv"

	"github.com/confect/policyengine/internal/jsonpos"
)

// What export fides keeps in a system's meta, read back while the Fides fields still say what
// export wrote.

// metaKey is the key under a system's meta that holds what export fides wrote.
const metaKey = "policyengine"

// keptActivity is an activity export fides kept in a system's meta, and where it stands.
type keptActivity struct {
	name     string
	activity map[string]any
	at       place
}

// exported reads the activities export fides kept in a system's meta, in their order; nil when
// there are none, or when the meta is not as export fides writes it.
func (p *project) exported(s resource) []keptActivity {
	meta, _ := s.value["meta"].(map[string]any)
	ours, _ := meta[metaKey].(map[string]any)
	list, _ := ours["declarations"].([]any)
	var out []keptActivity
	seen := map[string]bool{}
	for i, x := range list {
		m, _ := x.(map[string]any)
		name, _ := m["name"].(string)
		a, ok := m["activity"].(map[string]any)
		if !ok || seen[name] {
			return nil
		}
		seen[name] = true
		out = append(out, keptActivity{name: name, activity: a, at: s.at.sub("/meta/" + metaKey + "/declarations/" + strconv.Itoa(i) + "/activity")})
	}
	return out
}

// fresh reports whether a system's Fides fields are still what export fides writes for the
// activities kept in its meta, as far as the reader reads them: the system's fields, and each
// kept activity's declaration. A system changed since (in Fides, by hand) is read from its Fides
// fields instead, so that the meta never stands for what the Fides fields no longer say.
func (p *project) fresh(s resource, kept []keptActivity) bool {
	acts := make([]map[string]any, len(kept))
	for i, k := range kept {
		acts[i] = k.activity
	}
	want := newExporter(p.doc).system(s.key, acts)
	if !reflect.DeepEqual(decisionFields(want, systemDecides), decisionFields(s.value, systemDecides)) {
		return false
	}
	have := map[string]map[string]any{}
	decls, _ := s.value["privacy_declarations"].([]any)
	for _, d := range decls {
		if dm, ok := d.(map[string]any); ok {
			if n, _ := dm["name"].(string); have[n] == nil {
				have[n] = dm
			}
		}
	}
	wanted, _ := want["privacy_declarations"].([]any)
	for _, d := range wanted {
		dm := d.(map[string]any)
		name, _ := dm["name"].(string)
		got := have[name]
		if got == nil || !reflect.DeepEqual(decisionFields(dm, declarationDecides), decisionFields(got, declarationDecides)) {
			return false
		}
	}
	return true
}

// The fields the reader reads of a system and of a privacy declaration, with their defaults:
// what fresh compares.
var (
	systemDecides = map[string]any{
		"system_type": "", "responsibility": []string{}, "uses_profiling": false, "does_international_transfers": false,
		"legal_basis_for_transfers": []string{}, "vendor_id": "", "egress": []string{}, "ingress": []string{},
		"dataset_references": []string{}, "third_country_transfers": []string{}, "processes_personal_data": true,
	}
	declarationDecides = map[string]any{
		"data_use": "", "data_categories": []string{}, "data_subjects": []string{}, "dataset_references": []string{},
		"egress": []string{}, "ingress": []string{}, "legal_basis_for_processing": "", "retention_period": "",
		"processes_special_category_data": false, "data_shared_with_third_parties": false, "third_parties": "",
		"shared_categories": []string{}, "data_qualifier": "",
	}
)

// decisionFields reads the fields of obj that fields names, in one form: a missing field as its
// default, a flag as fideslang reads it, a list as the sorted set of its items (a flow as its
// fides_key and type).
func decisionFields(obj map[string]any, fields map[string]any) map[string]any {
	out := map[string]any{}
	for f, def := range fields {
		v, has := obj[f]
		switch d := def.(type) {
		case bool:
			b, ok := laxBool(v)
			if !has || !ok {
				b = d
			}
			out[f] = b
		case string:
			t, _ := textOf(v, true)
			out[f] = t
		default:
			var items []string
			if t, ok := v.(string); ok {
				items = []string{t}
			}
			list, _ := v.([]any)
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					k, _ := m["fides_key"].(string)
					t, _ := m["type"].(string)
					items = append(items, k+"\x00"+t)
				} else if t, ok := textOf(x, true); ok {
					items = append(items, t)
				}
			}
			out[f] = append([]string{}, sortedSet(items)...)
		}
	}
	return out
}

// fromExport makes the declaration the activity export fides kept for it, every field located
// in the meta.
func (d *Declaration) fromExport(k keptActivity) {
	d.Activity = jsonpos.Clone(k.activity).(map[string]any)
	if id, ok := d.Activity["id"].(string); ok && id != "" {
		d.ID = id
	} else {
		d.Activity["id"] = d.ID
	}
	d.PersonalData = true
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		d.at[ptr] = k.at.sub(ptr).source()
		switch x := v.(type) {
		case map[string]any:
			for key, e := range x {
				walk(e, jsonpos.AppendPointer(ptr, key))
			}
		case []any:
			for i, e := range x {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(k.activity, "")
}
