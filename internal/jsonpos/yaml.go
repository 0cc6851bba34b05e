package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/problem"
)

// ParseYAML parses a YAML stream into its documents (a stream of "---"-separated documents
// holds several). Values take JSON's types: scalars tagged as timestamps stay the text they
// were written as, so that dates are validated as text; numbers become json.Number. Anchors and
// aliases are expanded, bounded by opts.MaxValues. Merge keys (<<), duplicate keys, non-string
// keys, NaN and infinities, invalid UTF-8 and NUL bytes are errors.
func ParseYAML(data []byte, opts Options) ([]*Doc, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Doc
	w := yamlWalker{maxDepth: opts.maxDepth(), maxValues: opts.maxValues()}
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlSyntaxError(err)
		}
		w.positions = nil
		if opts.Positions {
			w.positions = make(map[string]position)
		}
		root := &node
		if root.Kind == yaml.DocumentNode && root.Tag != "" {
			return nil, w.errorAt(root, "", "unsupported YAML tag on a document (tags are not read: leave it out)")
		}
		if root.Kind == yaml.DocumentNode {
			if len(root.Content) == 0 {
				continue
			}
			root = root.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Value == "" {
			continue // an empty document, as a trailing "---" leaves
		}
		w.mark("", root)
		v, err := w.walk(root, "", 0)
		if err != nil {
			return nil, err
		}
		docs = append(docs, &Doc{Value: v, positions: w.positions})
	}
	if len(docs) == 0 {
		return nil, errorAt(position{}, "", "the document is empty")
	}
	return docs, nil
}

// checkText refuses what no YAML or JSON document may hold: invalid UTF-8 and NUL bytes.
func checkText(data []byte) error {
	line, lineStart := 1, 0
	for i := 0; i < len(data); {
		c := data[i]
		if c == '\n' {
			line++
			lineStart = i + 1
		}
		if c == 0 {
			return errorAt(position{line, utf8.RuneCount(data[lineStart:i]) + 1}, "", "NUL byte in the document")
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return errorAt(position{line, utf8.RuneCount(data[lineStart:i]) + 1}, "", "invalid UTF-8")
		}
		i += size
	}
	return nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the problems yaml.v3's parser (not its scanner) reports. It numbers
// their lines from 0, and leaves out line 0: the line it names is one before the place.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlScannerProblem matches the problems of yaml.v3's scanner, which leaves out line 1.
var yamlScannerProblem = regexp.MustCompile(`^(found |did not find |could not find |mapping |block sequence |exceeded max depth)`)

func yamlSyntaxError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if yamlParserProblems[m[2]] {
			line++
		}
		return errorAt(position{Line: line, Column: 1}, "", "malformed YAML: "+m[2])
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if yamlParserProblems[msg] || yamlScannerProblem.MatchString(msg) {
		return errorAt(position{Line: 1, Column: 1}, "", "malformed YAML: "+msg)
	}
	return errorAt(position{}, "", "malformed YAML: "+msg)
}

// MaxAliasValues bounds the values YAML aliases may expand to in one parse: anchors save
// writing, and a manifest that needs more than this from them is an alias bomb.
const MaxAliasValues = 100_000

type yamlWalker struct {
	maxDepth    int
	maxValues   int
	values      int
	aliasDepth  int // > 0 while expanding an alias
	aliasValues int
	positions   map[string]position
}

func (w *yamlWalker) mark(pointer string, n *yaml.Node) {
	if w.positions != nil {
		if _, seen := w.positions[pointer]; !seen {
			w.positions[pointer] = position{Line: n.Line, Column: n.Column}
		}
	}
}

func (w *yamlWalker) errorAt(n *yaml.Node, pointer, message string) *problem.Problem {
	return errorAt(position{Line: n.Line, Column: n.Column}, pointer, message)
}

func (w *yamlWalker) walk(n *yaml.Node, pointer string, depth int) (any, error) {
	w.values++
	if w.values > w.maxValues {
		return nil, w.errorAt(n, pointer, "the document holds too many values, aliases expanded (limit "+strconv.Itoa(w.maxValues)+")")
	}
	if w.aliasDepth > 0 {
		w.aliasValues++
		if w.aliasValues > MaxAliasValues {
			return nil, w.errorAt(n, pointer, "YAML aliases expand to too many values (limit "+strconv.Itoa(MaxAliasValues)+")")
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		if depth > w.maxDepth {
			return nil, w.errorAt(n, pointer, "nesting deeper than "+strconv.Itoa(w.maxDepth)+" levels")
		}
		w.aliasDepth++
		defer func() { w.aliasDepth-- }()
		return w.walk(n.Alias, pointer, depth)
	case yaml.MappingNode:
		if depth+1 > w.maxDepth {
			return nil, w.errorAt(n, pointer, "nesting deeper than "+strconv.Itoa(w.maxDepth)+" levels")
		}
		if n.ShortTag() != "!!map" {
			return nil, w.errorAt(n, pointer, "unsupported YAML tag on a mapping (tags are not read: leave it out)")
		}
		obj := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				return nil, w.errorAt(k, pointer, "YAML merge keys (<<) are not supported; write the keys out")
			}
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				return nil, w.errorAt(k, pointer, "a key must be a string")
			}
			key := k.Value
			child := AppendPointer(pointer, key)
			if _, dup := obj[key]; dup {
				return nil, w.errorAt(k, child, "duplicate key")
			}
			w.mark(child, k)
			val, err := w.walk(v, child, depth+1)
			if err != nil {
				return nil, err
			}
			obj[key] = val
		}
		return obj, nil
	case yaml.SequenceNode:
		if depth+1 > w.maxDepth {
			return nil, w.errorAt(n, pointer, "nesting deeper than "+strconv.Itoa(w.maxDepth)+" levels")
		}
		if n.ShortTag() != "!!seq" {
			return nil, w.errorAt(n, pointer, "unsupported YAML tag on a sequence (tags are not read: leave it out)")
		}
		arr := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			child := AppendPointer(pointer, strconv.Itoa(i))
			w.mark(child, item)
			val, err := w.walk(item, child, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, val)
		}
		return arr, nil
	case yaml.ScalarNode:
		return w.scalar(n, pointer)
	case yaml.DocumentNode:
		return nil, w.errorAt(n, pointer, "unexpected nested document")
	}
	return nil, w.errorAt(n, pointer, "unsupported YAML node")
}

func (w *yamlWalker) scalar(n *yaml.Node, pointer string) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp", "!!binary":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, w.errorAt(n, pointer, "invalid boolean")
		}
		return b, nil
	case "!!int":
		var i int64
		if digits := strings.TrimLeft(n.Value, "+-"); len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
			// YAML 1.2: a leading zero is decimal (yaml.v3 keeps YAML 1.1's octal 0777 = 511).
			var err error
			if i, err = strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 64); err != nil {
				return nil, w.errorAt(n, pointer, "integer out of range")
			}
		} else if err := n.Decode(&i); err != nil {
			return nil, w.errorAt(n, pointer, "integer out of range")
		}
		return json.Number(strconv.FormatInt(i, 10)), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, w.errorAt(n, pointer, "invalid number")
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, w.errorAt(n, pointer, "not a finite number")
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return nil, w.errorAt(n, pointer, "unsupported YAML tag on a scalar (tags are not read: leave it out)")
}
