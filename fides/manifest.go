package fides

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/internal/printable"
)

// order is the order of an activity's keys in a manifest the import writes (and in the
// activities export fides keeps).
var order = []string{"id", "description", "role", "customer_dpa", "data_subjects", "data_categories", "sources", "purposes", "legal_basis", "profiling", "channel", "retention", "recipients"}

// Manifest writes declarations as an activity manifest (YAML, one document per declaration),
// each headed by a comment naming the Fides file and line it came from, the import's findings
// and the Fides facts no rule judges yet, so that a team can move from Fides files to manifests
// for good; then, as comments only, the declarations held back and why. Every string value is
// quoted, and every comment escaped, so that nothing a Fides file says can become YAML (or
// shell) of its own. Declarations without an activity are left out.
func Manifest(decls, held []*Declaration) ([]byte, error) {
	var buf bytes.Buffer
	first := true
	for _, d := range decls {
		if d.Activity == nil {
			continue
		}
		node, err := toNode(d.Activity, order)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", printable.String(d.ID), err)
		}
		head := []string{fmt.Sprintf("From %s (Fides system %s).", where(d.At.File, d.At.Line), printable.String(d.System))}
		for _, f := range d.Findings {
			head = append(head, fmt.Sprintf("%s (%s): %s", f.Rule, where(f.File, f.Line), f.Message))
		}
		for _, f := range d.Facts() {
			head = append(head, fmt.Sprintf("Fides %s, not judged yet: %s (%s)", f.Field, f.Value, where(f.At.File, f.At.Line)))
		}
		node.HeadComment = comment(head)
		if !first {
			buf.WriteString("---\n")
		}
		first = false
		var one bytes.Buffer
		enc := yaml.NewEncoder(&one)
		enc.SetIndent(2)
		if err := enc.Encode(node); err != nil {
			return nil, fmt.Errorf("%s: %w", printable.String(d.ID), err)
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		buf.Write(one.Bytes())
	}
	for _, d := range held {
		var lines []string
		lines = append(lines, fmt.Sprintf("Not written: %s, from %s (Fides system %s): check denies it for what a manifest cannot say in the policy's terms:", printable.String(d.ID), where(d.At.File, d.At.Line), printable.String(d.System)))
		for _, f := range d.Unwritable() {
			lines = append(lines, fmt.Sprintf("%s (%s): %s", f.Rule, where(f.File, f.Line), f.Message))
		}
		buf.WriteString(comment(lines))
		buf.WriteString("\n")
	}
	return buf.Bytes(), nil
}

// where renders a place for a comment: file and line, escaped.
func where(file string, line int) string { return printable.String(file) + ":" + strconv.Itoa(line) }

// comment joins lines into a YAML comment: every line escaped (so none breaks out of the
// comment), each after "# ".
func comment(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "# " + printable.String(l)
	}
	return strings.Join(out, "\n")
}

// toNode renders a value as a YAML node, the keys of its objects in the order given (activity
// fields, or Fides fields), any other key after them, sorted.
func toNode(v any, order []string) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := sortedKeys(x)
		rank := func(k string) int {
			if i := slices.Index(order, k); i >= 0 {
				return i
			}
			if k == "meta" {
				return len(order) + 1 // what Fides does not read, last
			}
			return len(order)
		}
		sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
		for _, k := range keys {
			val, err := toNode(x[k], order)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, val)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		if len(x) > 0 && isScalarList(x) {
			n.Style = yaml.FlowStyle
		}
		for _, e := range x {
			val, err := toNode(e, order)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, val)
		}
		return n, nil
	}
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	if n.Tag == "!!str" {
		n.Style = yaml.DoubleQuotedStyle // quoted, whatever the text: never a key, a number or shell
	}
	return n, nil
}

func isScalarList(l []any) bool {
	for _, e := range l {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}
