package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/schema"
)

// policyDocumentPage is docs/policy-document.md: the clause keys every document must define
// (those the built-in rules and the Fides reader name), then every field of the policy schema,
// required or not, with its shape.
func policyDocumentPage(engine *policyengine.Engine) ([]byte, error) {
	doc := engine.Document()
	clauses := RequiredClauses(engine)
	root, err := decodeOrdered(schema.PolicySchema())
	if err != nil {
		return nil, fmt.Errorf("schema/policy.schema.json: %w", err)
	}
	s := &schemaWriter{root: root}

	var b strings.Builder
	b.WriteString("# What a policy document must define\n\n")
	b.WriteString(generated("schema/policy.schema.json and the built-in rules' METADATA"))
	b.WriteString(`
A policy is a directory holding one policy document (YAML or JSON) and any Rego modules of the
company's own; [policy-authors.md](policy-authors.md) says how to write and test one. The engine
refuses a document that leaves out a clause or a field this page lists as required, naming it,
its file and its line.

## Clauses

Every key below must be under ` + "`privacy_policy.clauses`" + `, with the ` + "`section`" + ` of the
company's policy text a reason reports and the ` + "`text`" + ` it quotes: the built-in rules and the Fides
reader name them. Clauses the document's own facts name (a retention limit's ` + "`clause`" + `) and those a
policy's own rules name must be defined too.

| clause key | named by | ` + doc.Organisation + `'s section |
|---|---|---|
`)
	keys := make([]string, 0, len(clauses))
	for k := range clauses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ids := make([]string, len(clauses[k]))
		for i, id := range clauses[k] {
			ids[i] = "`" + id + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k, strings.Join(ids, ", "), cell(doc.Clauses[k].Section))
	}

	b.WriteString(`
## Fields

The document's fields, as [schema/policy.schema.json](../schema/policy.schema.json) has them: each
**required** or optional, and its shape. ` + "`<key>`" + ` stands for a key of the document's choosing.
Unknown keys are errors; a policy's own facts go under ` + "`extensions`" + `.

`)
	s.object(&b, root, 0)

	b.WriteString("\n## Shapes\n\nThe shapes the fields above name:\n\n")
	for _, name := range s.defs().keys {
		if def := s.defs().object(name); s.leaf(def) {
			fmt.Fprintf(&b, "- <a id=\"%s\"></a>**%s**: %s\n", name, name, s.defShape(def))
		}
	}
	return []byte(b.String()), nil
}

// RequiredClauses returns the clause keys every policy document must define, each with the ids
// of the rules and findings that name it: the built-in rules' METADATA clauses (read from the
// rules compiled with a document), the Fides reader's and drift's.
func RequiredClauses(engine *policyengine.Engine) map[string][]string {
	out := map[string][]string{}
	for _, r := range engine.Rules() {
		if strings.HasPrefix(r.File, compiler.BuiltinPrefix) {
			out[r.ClauseID] = append(out[r.ClauseID], r.ID)
		}
	}
	for _, r := range append(fides.Rules(engine.Document()), drift.Rules(engine.Document())...) {
		out[r.ClauseID] = append(out[r.ClauseID], r.ID)
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// Field is a field of the schema's objects (not an entry of one of its maps: those are the
// document's own choosing).
type Field struct {
	// Path is the field's dotted path: privacy_policy.retention.limits.
	Path string
	// Required says its object must have it (every document, when every object above it is
	// required too).
	Required bool
}

// Fields returns the fields of the schema's objects, each object followed down.
func Fields() ([]Field, error) {
	root, err := decodeOrdered(schema.PolicySchema())
	if err != nil {
		return nil, err
	}
	s := &schemaWriter{root: root}
	var out []Field
	var walk func(n *object, prefix string)
	walk = func(n *object, prefix string) {
		n = s.resolve(n)
		props := n.object("properties")
		if props == nil {
			return
		}
		for _, name := range props.keys {
			out = append(out, Field{Path: prefix + name, Required: slices.Contains(n.strings("required"), name)})
			walk(props.object(name), prefix+name+".")
		}
	}
	walk(root, "")
	return out, nil
}

// schemaWriter writes a JSON Schema's fields as a nested list.
type schemaWriter struct {
	root *object
}

// defs are the top-level named shapes.
func (s *schemaWriter) defs() *object { return s.root.object("$defs") }

// target returns the node a $ref names (a JSON pointer into the schema).
func (s *schemaWriter) target(ref string) *object {
	n := s.root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		n = n.object(strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~"))
	}
	return n
}

// resolve follows a node's $ref.
func (s *schemaWriter) resolve(n *object) *object {
	for n != nil {
		ref, ok := n.get("$ref").(string)
		if !ok {
			return n
		}
		n = s.target(ref)
	}
	return n
}

// leaf reports whether a node has no fields of its own to list: a value, or a map of values.
func (s *schemaWriter) leaf(n *object) bool {
	n = s.resolve(n)
	if n.object("properties") != nil {
		return false
	}
	if v := n.object("additionalProperties"); v != nil {
		return s.leaf(v)
	}
	if items := n.object("items"); items != nil {
		return s.leaf(items)
	}
	return true
}

// object writes the properties of an object node at a depth.
func (s *schemaWriter) object(b *strings.Builder, n *object, depth int) {
	n = s.resolve(n)
	indent := strings.Repeat("  ", depth)
	props := n.object("properties")
	if props == nil {
		return
	}
	required := n.strings("required")
	for _, name := range props.keys {
		prop := props.object(name)
		req := "optional"
		if slices.Contains(required, name) {
			req = "**required**"
		}
		fmt.Fprintf(b, "%s- `%s`: %s, %s", indent, name, req, s.shape(prop))
		if d, ok := prop.get("description").(string); ok {
			fmt.Fprintf(b, ". %s", strings.TrimSuffix(d, "."))
		} else if d, ok := s.resolve(prop).get("description").(string); ok && !s.leaf(prop) {
			fmt.Fprintf(b, ". %s", strings.TrimSuffix(d, "."))
		}
		if one := oneRequired(s.resolve(prop)); one != nil {
			fmt.Fprintf(b, "; it has exactly one of %s", quoted(one))
		}
		b.WriteString("\n")
		s.children(b, s.resolve(prop), depth+1)
	}
}

// oneRequired returns the fields of which an object must have exactly one (oneOf of required
// fields), or nil.
func oneRequired(n *object) []any {
	var out []any
	for _, alt := range n.list("oneOf") {
		o, _ := alt.(*object)
		req := o.list("required")
		if len(req) != 1 {
			return nil
		}
		out = append(out, req[0])
	}
	return out
}

// children writes what is inside a node: an object's properties, a map's values, a list's items.
func (s *schemaWriter) children(b *strings.Builder, n *object, depth int) {
	switch {
	case n.object("properties") != nil:
		s.object(b, n, depth)
	case n.object("additionalProperties") != nil:
		v := n.object("additionalProperties")
		if s.leaf(v) {
			return
		}
		fmt.Fprintf(b, "%s- `<key>`: %s", strings.Repeat("  ", depth), s.shape(v))
		if one := oneRequired(s.resolve(v)); one != nil {
			fmt.Fprintf(b, "; it has exactly one of %s", quoted(one))
		}
		b.WriteString("\n")
		s.children(b, s.resolve(v), depth+1)
	case n.object("items") != nil:
		s.children(b, s.resolve(n.object("items")), depth)
	}
}

// shape says in a few words what a node holds. A value of a top-level named shape links to it.
func (s *schemaWriter) shape(n *object) string {
	if ref, ok := n.get("$ref").(string); ok {
		if name, top := strings.CutPrefix(ref, "#/$defs/"); top && s.leaf(n) {
			return fmt.Sprintf("[%s](#%s)", name, name)
		}
		return s.shape(s.target(ref))
	}
	if enum := n.list("enum"); enum != nil {
		return "one of " + quoted(enum)
	}
	if c, ok := n.vals["const"]; n != nil && ok {
		return fmt.Sprintf("`%v`", c)
	}
	typ, _ := n.get("type").(string)
	switch typ {
	case "object":
		if n.object("properties") != nil {
			return "an object"
		}
		if v := n.object("additionalProperties"); v != nil {
			return fmt.Sprintf("a map from %s to %s", s.key(n.object("propertyNames")), s.shape(v))
		}
		return "an object of any shape"
	case "array":
		if items := n.object("items"); items != nil {
			return "a list of " + plural(s.shape(items))
		}
		return "a list"
	case "string":
		if p, ok := n.get("pattern").(string); ok {
			return fmt.Sprintf("a string matching `%s`", p)
		}
		return "a string"
	case "boolean":
		return "true or false"
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "":
		return "any value"
	}
	return typ
}

// key says what a map's keys are.
func (s *schemaWriter) key(names *object) string {
	switch {
	case names == nil:
		return "any key"
	case names.get("$ref") != nil || names.get("enum") != nil:
		return s.shape(names)
	case names.get("pattern") != nil:
		return fmt.Sprintf("a key matching `%s`", names.get("pattern"))
	}
	return "any key"
}

// plural makes "a string" "strings" for "a list of strings".
func plural(shape string) string {
	if rest, ok := strings.CutPrefix(shape, "a "); ok {
		word, more, _ := strings.Cut(rest, " ")
		return strings.TrimSuffix(word+"s "+more, " ")
	}
	return shape
}

// defShape says what a named shape is: its description, else its values or its pattern.
func (s *schemaWriter) defShape(def *object) string {
	if d, ok := def.get("description").(string); ok {
		return strings.TrimSuffix(d, ".")
	}
	return s.shape(def)
}

func quoted(values []any) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("`%v`", v)
	}
	return strings.Join(q, ", ")
}

// object is a JSON object that keeps its keys' order: the schema's order is the order its fields
// are best read in.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(key string) any {
	if o == nil {
		return nil
	}
	return o.vals[key]
}

func (o *object) object(key string) *object {
	v, _ := o.get(key).(*object)
	return v
}

func (o *object) list(key string) []any {
	v, _ := o.get(key).([]any)
	return v
}

func (o *object) strings(key string) []string {
	var out []string
	for _, v := range o.list(key) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// decodeOrdered decodes a JSON object, its objects as *object.
func decodeOrdered(data []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return o, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := &object{vals: map[string]any{}}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := k.(string)
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			o.keys = append(o.keys, key)
			o.vals[key] = v
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		var list []any
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token()
		return list, err
	}
	return tok, nil
}
