package fides

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// order is the order of an activity's keys in a manifest the import writes.
var order = []string{"id", "description", "role", "customer_dpa", "data_subjects", "data_categories", "sources", "purposes", "legal_basis", "profiling", "channel", "retention", "recipients"}

// Manifest writes declarations as an activity manifest (YAML, one document per declaration),
// each headed by a comment naming the Fides file and line it came from, the import's findings
// and the Fides facts no rule judges yet, so that a team can move from Fides files to manifests
// for good. Declarations without an activity (a problem, or no personal data) are left out.
func Manifest(decls []*Declaration) ([]byte, error) {
	var buf bytes.Buffer
	first := true
	for _, d := range decls {
		if d.Activity == nil {
			continue
		}
		node, err := toNode(d.Activity, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		var head []string
		head = append(head, fmt.Sprintf("From %s:%d (Fides system %s).", d.At.File, d.At.Line, d.System))
		for _, f := range d.Findings {
			head = append(head, fmt.Sprintf("%s (%s:%d): %s", f.Rule, f.At.File, f.At.Line, f.Message))
		}
		for _, k := range sortedKeys(d.Carried) {
			js, err := json.Marshal(d.Carried[k])
			if err != nil {
				continue
			}
			head = append(head, fmt.Sprintf("Fides %s, not judged yet: %s", k, oneLine(string(js))))
		}
		node.HeadComment = strings.Join(head, "\n")
		if !first {
			buf.WriteString("---\n")
		}
		first = false
		var one bytes.Buffer
		enc := yaml.NewEncoder(&one)
		enc.SetIndent(2)
		if err := enc.Encode(node); err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		buf.Write(one.Bytes())
	}
	return buf.Bytes(), nil
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// toNode renders a value as a YAML node, an activity's keys in the manifest's order.
func toNode(v any, activity bool) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := sortedKeys(x)
		if activity {
			rank := map[string]int{}
			for i, k := range order {
				rank[k] = i + 1
			}
			sort.SliceStable(keys, func(i, j int) bool {
				ri, rj := rank[keys[i]], rank[keys[j]]
				if ri == 0 {
					ri = len(order) + 1
				}
				if rj == 0 {
					rj = len(order) + 1
				}
				return ri < rj
			})
		}
		for _, k := range keys {
			val, err := toNode(x[k], false)
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
			val, err := toNode(e, false)
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
