// Package schema holds the JSON Schemas (draft 2020-12) of the two documents policyengine reads,
// a processing activity and a policy document, and validates decoded values against them.
//
// Validation reports every problem of one document together, as one error holding a
// *problem.Problem per field (problem.All lists them), each naming the field by JSON pointer and
// saying what was expected. Messages never
// quote the document's values: a value may be personal data.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/confect/policyengine/internal/format"
	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/problem"
)

//go:embed activity.schema.json
var activitySchema []byte

//go:embed policy.schema.json
var policySchema []byte

//go:embed manifest.schema.json
var manifestSchema []byte

const (
	activityURL = "https://github.com/confect/policyengine/schema/activity.schema.json"
	policyURL   = "https://github.com/confect/policyengine/schema/policy.schema.json"
)

// ActivitySchema returns the JSON Schema of a processing activity (the manifest format the README describes).
func ActivitySchema() []byte { return bytes.Clone(activitySchema) }

// ManifestSchema returns the JSON Schema of a manifest file (one activity, a list of them, or
// {"activities": [...]}), for editors; it refers to the activity schema beside it.
func ManifestSchema() []byte { return bytes.Clone(manifestSchema) }

// PolicySchema returns the JSON Schema of a policy document.
func PolicySchema() []byte { return bytes.Clone(policySchema) }

// ActivityKey reports whether name is a key the activity's format defines, at any depth: what a
// decision log may spell of a refused activity's field.
func ActivityKey(name string) bool { return activityKeys()[name] }

var activityKeys = sync.OnceValue(func() map[string]bool {
	keys := map[string]bool{}
	walkActivity(func(k string) { keys[k] = true }, nil)
	return keys
})

// ActivityStrings calls add with every string the activity schema names: each key of an
// object and each string an enum allows.
func ActivityStrings(add func(string)) { walkActivity(add, add) }

// walkActivity walks the activity schema: key with each property's name, enum (when not nil)
// with each string an enum allows.
func walkActivity(key, enum func(string)) {
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if props, ok := x["properties"].(map[string]any); ok {
				for k := range props {
					key(k)
				}
			}
			if values, ok := x["enum"].([]any); ok && enum != nil {
				for _, e := range values {
					if s, ok := e.(string); ok {
						enum(s)
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(activityTree())
}

// join sorts problems by pointer (stably) and returns them as one error; nil for none.
func join(problems []*problem.Problem) error {
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Pointer < problems[j].Pointer })
	return problem.Join(problems...)
}

// compiled holds a schema compiled once, with its raw form for descriptions.
type compiled struct {
	schema *jsonschema.Schema
	raw    map[string]any
}

var (
	activityOnce = sync.OnceValue(func() *compiled { return compile(activityURL, activitySchema) })
	policyOnce   = sync.OnceValue(func() *compiled { return compile(policyURL, policySchema) })
)

func compile(url string, src []byte) *compiled {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	// A date-time is held to format.DateTime, which the fast validator and an OPA server's
	// lib.any_timestamp_ns agree with: jsonschema's own check reads the fields with Atoi, so it
	// takes an hour of "+1", which no RFC 3339 parser reads.
	c.Formats["date-time"] = func(v any) bool {
		s, ok := v.(string)
		return !ok || format.DateTime(s)
	}
	if err := c.AddResource(url, bytes.NewReader(src)); err != nil {
		panic(fmt.Sprintf("schema: embedded %s: %v", url, err))
	}
	s, err := c.Compile(url)
	if err != nil {
		panic(fmt.Sprintf("schema: embedded %s: %v", url, err))
	}
	var raw map[string]any
	if err := json.Unmarshal(src, &raw); err != nil {
		panic(fmt.Sprintf("schema: embedded %s: %v", url, err))
	}
	return &compiled{schema: s, raw: raw}
}

// ValidateActivity checks a decoded activity (map[string]any and friends, numbers as
// json.Number or float64) against the activity schema.
func ValidateActivity(v any) error { return activityOnce().validate(v) }

// ValidatePolicy checks a decoded policy document against the policy schema.
func ValidatePolicy(v any) error { return policyOnce().validate(v) }

func (c *compiled) validate(v any) (err error) {
	verr := c.schema.Validate(v)
	if verr == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(verr, &ve) {
		// An unsupported Go type in v: a caller's mistake, reported as such.
		return join([]*problem.Problem{{Kind: problem.Schema, Message: "not a JSON document: " + verr.Error()}})
	}
	seen := map[problem.Problem]bool{}
	var problems []*problem.Problem
	add := func(fe *problem.Problem) {
		if !seen[*fe] {
			seen[*fe] = true
			problems = append(problems, fe)
		}
	}
	for _, leaf := range leaves(ve) {
		for _, fe := range c.describe(leaf) {
			add(fe)
		}
	}
	return join(problems)
}

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// describe turns one failed keyword into field errors with messages of our own: the library's
// messages for format, pattern and bounds quote the value.
func (c *compiled) describe(ve *jsonschema.ValidationError) []*problem.Problem {
	at := unescapeLocation(ve.InstanceLocation)
	keyword := ve.KeywordLocation[strings.LastIndexByte(ve.KeywordLocation, '/')+1:]
	switch keyword {
	case "required":
		var out []*problem.Problem
		for _, name := range quotedNames(ve.Message) {
			out = append(out, &problem.Problem{Kind: problem.Schema, Pointer: at + "/" + escape(name), Message: "is required"})
		}
		return out
	case "additionalProperties":
		var out []*problem.Problem
		keys := c.keys(ve.AbsoluteKeywordLocation)
		for _, name := range quotedNames(ve.Message) {
			// The key meant, if one is near: a key of the format, never the one given.
			out = append(out, &problem.Problem{Kind: problem.Schema, Pointer: at + "/" + escape(name), Message: "unknown key: not part of the format" + suggest.DidYouMean(name, keys)})
		}
		return out
	case "type":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: ve.Message}} // "expected string, but got number"
	case "enum":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: strings.Replace(ve.Message, "value must be one of", "expected one of", 1)}}
	case "format", "pattern":
		if d := c.description(ve.AbsoluteKeywordLocation); d != "" {
			return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "expected " + lowerFirst(d)}}
		}
		if keyword == "pattern" && strings.Contains(ve.Message, `\S`) {
			return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "expected a non-blank string"}}
		}
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "is not in the expected form"}}
	case "minItems":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "expected at least one item"}}
	case "minProperties":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "expected at least one entry"}}
	case "minLength":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "expected a non-empty string"}}
	case "maxLength", "maxItems", "maxProperties":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "too long: " + boundOnly(ve.Message)}}
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "out of range: " + boundOnly(ve.Message)}}
	case "propertyNames":
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "has a key that is not in the expected form"}}
	}
	if keyword == "false" || ve.Message == "not allowed" {
		return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "not allowed here"}}
	}
	return []*problem.Problem{{Kind: problem.Schema, Pointer: at, Message: "does not match the format (" + keyword + ")"}}
}

// description finds the "description" of the schema holding a failed keyword, for a message
// that says what was expected in words.
func (c *compiled) description(absoluteKeywordLocation string) string {
	d, _ := c.holding(absoluteKeywordLocation)["description"].(string)
	return d
}

// keys are the keys ("properties") of the schema holding a failed keyword, sorted.
func (c *compiled) keys(absoluteKeywordLocation string) []string {
	props, _ := c.holding(absoluteKeywordLocation)["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// holding is the schema that holds a keyword, by the keyword's absolute location; nil when it
// cannot be found.
func (c *compiled) holding(absoluteKeywordLocation string) map[string]any {
	_, frag, ok := strings.Cut(absoluteKeywordLocation, "#")
	if !ok {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(parts) == 0 {
		return nil
	}
	var node any = c.raw
	for _, p := range parts[:len(parts)-1] { // the schema holding the keyword
		p = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[p]
	}
	m, _ := node.(map[string]any)
	return m
}

// unescapeLocation turns the library's instance location, whose tokens are URL path-escaped
// ("Bad%20Key"), into a plain JSON pointer.
func unescapeLocation(loc string) string {
	if !strings.Contains(loc, "%") {
		return loc
	}
	parts := strings.Split(loc, "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	return strings.Join(parts, "/")
}

// quotedNames extracts 'name' items from a library message such as "missing properties: 'a', 'b'".
// The library quotes a name as Go's %q does, then unescapes double quotes and escapes single
// ones, so a name may hold an escaped quote ('it\'s') or other escapes; each is read back to the
// name itself.
func quotedNames(msg string) []string {
	var out []string
	for {
		i := strings.IndexByte(msg, '\'')
		if i < 0 {
			return out
		}
		var quoted strings.Builder // the name as a Go string literal's content
		j := i + 1
		for ; j < len(msg) && msg[j] != '\''; j++ {
			switch c := msg[j]; {
			case c == '\\' && j+1 < len(msg):
				j++
				if msg[j] != '\'' {
					quoted.WriteByte('\\')
				}
				quoted.WriteByte(msg[j])
			case c == '"':
				quoted.WriteString(`\"`)
			default:
				quoted.WriteByte(c)
			}
		}
		if j >= len(msg) {
			return out
		}
		name, err := strconv.Unquote(`"` + quoted.String() + `"`)
		if err != nil {
			name = msg[i+1 : j]
		}
		out = append(out, name)
		msg = msg[j+1:]
	}
}

// boundOnly keeps the bound of a message such as "must be <= 150 but found 200", dropping the
// value found.
func boundOnly(msg string) string {
	if i := strings.Index(msg, " but"); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSuffix(msg, ",")
}

func escape(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
