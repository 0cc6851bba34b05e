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
