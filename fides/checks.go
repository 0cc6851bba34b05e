package fides

import (
	"fmt"
	"strconv"
	"strings"
)

// The checks fideslang's validators make across the fields of one object.

// checkFlow: a flow to the user is of type user, and only such a flow is (DataFlow's
// user_special_case).
func checkFlow(v *validation, obj map[string]any, at place) {
	k, _ := obj["fides_key"].(string)
	t, _ := obj["type"].(string)
	if (k == "user") != (t == "user") {
		v.report(at, "a data flow to the user has both fides_key and type user, and only such a flow has either")
	}
}

// checkSystemFlows: a declaration's egress and ingress name only flows its system's egress and
// ingress define (System's privacy_declarations_reference_data_flows).
func checkSystemFlows(v *validation, obj map[string]any, at place) {
	decls, _ := obj["privacy_declarations"].([]any)
	for i, d := range decls {
		dm, _ := d.(map[string]any)
		for _, dir := range []string{"egress", "ingress"} {
			keys, given := dm[dir].([]any)
			if !given {
				continue
			}
			flows := flowKeys(obj[dir])
			where := at.sub("/privacy_declarations/" + strconv.Itoa(i) + "/" + dir)
			if len(flows) == 0 {
				v.report(where, fmt.Sprintf("this declaration's %s names flows, but its system defines no %s: add them to the system's %s", dir, dir, dir))
				continue
			}
			for j, k := range keys {
				if s, _ := k.(string); !flows[s] {
					v.report(where.sub("/"+strconv.Itoa(j)), fmt.Sprintf("this declaration's %s names a system or dataset its own system's %s does not: add it to the system's %s", dir, dir, dir))
				}
			}
		}
	}
}

// checkFieldMeta: return_all_elements only on an array field (FidesMeta's data_type and
// DatasetField's valid_meta).
func checkFieldMeta(v *validation, obj map[string]any, at place) {
	dt, _ := obj["data_type"].(string)
	if dt != "" {
		name, _, _ := strings.Cut(dt, "[]")
		if !contains(dataTypes, name) {
			v.report(at.sub("/data_type"), "expected a data type: "+strings.Join(dataTypes, ", ")+", or one of them followed by []")
		}
	}
	if _, set := obj["return_all_elements"]; set && obj["return_all_elements"] != nil && !strings.HasSuffix(dt, "[]") {
		v.report(at.sub("/return_all_elements"), "return_all_elements is only for an array field (a data_type ending in [])")
	}
}

// checkField: a field with sub-fields is an object (DatasetField's validate_object_fields).
func checkField(v *validation, obj map[string]any, at place) {
	sub, _ := obj["fields"].([]any)
	meta, _ := obj["fides_meta"].(map[string]any)
	if meta == nil {
		meta, _ = obj["fidesops_meta"].(map[string]any)
	}
	dt, _ := meta["data_type"].(string)
	if len(sub) > 0 && dt != "" {
		if name, _, _ := strings.Cut(dt, "[]"); name != "object" {
			v.report(at.sub("/fields"), "a field with sub-fields has data_type object: change its data_type or move the sub-fields")
		}
	}
}

// uniqueNames: no two items of a list share a name (unique_items_in_list).
func uniqueNames(list string) func(v *validation, obj map[string]any, at place) {
	return func(v *validation, obj map[string]any, at place) {
		items, _ := obj[list].([]any)
		seen := map[string]bool{}
		for i, it := range items {
			m, _ := it.(map[string]any)
			n, ok := m["name"].(string)
			if !ok {
				continue
			}
			if seen[n] {
				v.report(at.sub("/"+list+"/"+strconv.Itoa(i)+"/name"), "another item of "+list+" has this name: fideslang requires them unique")
			}
			seen[n] = true
		}
	}
}

// checkRights: INCLUDE and EXCLUDE list the rights they apply to.
func checkRights(v *validation, obj map[string]any, at place) {
	if s, _ := obj["strategy"].(string); (s == "INCLUDE" || s == "EXCLUDE") && obj["values"] == nil {
		v.report(at, "a rights strategy of INCLUDE or EXCLUDE lists its values")
	}
}

// checkTaxonomy: a data category's or data use's parent_key is its fides_key's dotted prefix
// (none for a key without a dot), never the key itself; and the version rules.
func checkTaxonomy(v *validation, obj map[string]any, at place) {
	checkVersions(v, obj, at)
	k, ok := textOf(obj["fides_key"], true)
	if !ok || !isKey(k) {
		return
	}
	parent, _ := textOf(obj["parent_key"], true)
	i := strings.LastIndexByte(k, '.')
	switch {
	case parent != "" && parent == k:
		v.report(at.sub("/parent_key"), "a key cannot be its own parent_key")
	case i < 0 && parent != "":
		v.report(at.sub("/parent_key"), "a key without a dot has no parent_key in fideslang 3: name the key under its parent (parent.key) instead")
	case i >= 0 && parent != k[:i]:
		where := at
		if _, has := obj["parent_key"]; has {
			where = at.sub("/parent_key")
		}
		v.report(where, "a dotted key's parent_key is the key up to its last dot, as fideslang requires")
	}
}

// checkVersions: the DefaultModel rules: a default key has version_added; any other has no
// version fields; a deprecated version comes after the added one; a replaced key is deprecated.
func checkVersions(v *validation, obj map[string]any, at place) {
	added, _ := obj["version_added"].(string)
	deprecated, _ := obj["version_deprecated"].(string)
	replaced, _ := obj["replaced_by"].(string)
	// A default key without version_added is refused whatever order pydantic validates the
	// fields in. A key not marked default that has version fields is refused only when
	// is_default is validated after them, which depends on pydantic's order of inherited
	// fields: not held (the default taxonomy as exported leaves is_default out).
	if boolField(obj, "is_default", false) && added == "" {
		v.report(at, "a default taxonomy key (is_default true) has version_added")
	}
	if deprecated != "" && deprecated <= added { // fideslang compares them as text
		v.report(at.sub("/version_deprecated"), "version_deprecated comes after version_added")
	}
	if replaced != "" && deprecated == "" {
		v.report(at.sub("/replaced_by"), "a key replaced_by another is deprecated (version_deprecated)")
	}
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
