package schema

import (
	"encoding/json"
	"strings"
	"sync"
)

// ActivityEnum returns the values the activity schema allows at a place it fixes, named by a
// JSON pointer into the schema ("/$defs/event", "/properties/channel/properties/type"), or nil
// when the schema lists none there.
func ActivityEnum(pointer string) []string {
	node := activityTree()
	if node == nil {
		return nil
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		obj, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = obj[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
	}
	obj, _ := node.(map[string]any)
	list, _ := obj["enum"].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// activityTree is the activity schema decoded, once: it never changes.
var activityTree = sync.OnceValue(func() any {
	var node any
	if err := json.Unmarshal(activitySchema, &node); err != nil {
		return nil
	}
	return node
})

// ActivityTime reports whether the activity schema holds object's field as an RFC 3339
// date-time (format: date-time, directly or through a $ref): "consent", "given_at". These are
// the fields the library puts in the one form the rules read, and so the fields through which
// an activity's decision depends on the evaluation time.
func ActivityTime(object, field string) bool { return activityTimes()[object][field] }

// activityTimes is the activity schema's date-time fields of its top-level objects, once.
var activityTimes = sync.OnceValue(func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	root, _ := activityTree().(map[string]any)
	defs, _ := root["$defs"].(map[string]any)
	resolve := func(node any) map[string]any {
		obj, _ := node.(map[string]any)
		if ref, ok := obj["$ref"].(string); ok && strings.HasPrefix(ref, "#/$defs/") {
			obj, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		return obj
	}
	props, _ := root["properties"].(map[string]any)
	for object, node := range props {
		inner, _ := resolve(node)["properties"].(map[string]any)
		for field, f := range inner {
			if resolve(f)["format"] == "date-time" {
				if out[object] == nil {
					out[object] = map[string]bool{}
				}
				out[object][field] = true
			}
		}
	}
	return out
})
