// Package jsonpos parses JSON and YAML into plain Go values (map[string]any, []any, string,
// json.Number, bool, nil) and remembers where each value stands in its source, by JSON pointer,
// so that a problem found later (a schema error, a rule's reason) can be reported with its line.
//
// Both parsers are strict where encoding/json and YAML libraries are lenient: a duplicate key,
// invalid UTF-8, a NUL byte, nesting deeper than the limit or more values than the limit are
// errors, each with its position.
package jsonpos

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/confect/policyengine/problem"
)

// position is where a value stands in its source, as a Doc keeps it: 1-based line and column
// (in characters); the zero position is unknown. Locate hands it out as a problem.Position.
type position struct {
	Line, Column int
}

// Doc is one parsed document: its value, and the position of each value by JSON pointer (for an
// object member, the position of its key).
type Doc struct {
	// Value is the parsed value.
	Value any

	positions map[string]position
}

// Locate returns the position of the value at pointer or, when the pointer names something
// the document does not hold (a missing field), of its nearest ancestor that it does.
// File is "": a Doc does not know its source's name.
func (d *Doc) Locate(pointer string) problem.Position {
	if d == nil || d.positions == nil {
		return problem.Position{}
	}
	for {
		if p, ok := d.positions[pointer]; ok {
			return problem.Position{Line: p.Line, Column: p.Column}
		}
		if pointer == "" {
			return problem.Position{}
		}
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			return problem.Position{}
		}
		pointer = pointer[:i]
	}
}

// Options bound what a parser accepts.
type Options struct {
	// Positions records the position of every value (Doc.Locate). Off, parsing is faster.
	Positions bool
	// MaxDepth is the deepest nesting of objects and arrays accepted; 0 means DefaultMaxDepth.
	MaxDepth int
	// MaxValues is the most values (after YAML aliases are expanded) one parse may produce; 0
	// means DefaultMaxValues.
	MaxValues int
	// Known are strings the JSON parser returns without allocating, each mapped to itself (as a
	// string): the keys and the vocabulary a document is expected to hold. A string written
	// without escapes that is one of them is returned as the known one.
	Known map[string]any
}

const (
	// DefaultMaxDepth is the nesting depth accepted when Options.MaxDepth is 0. An activity
	// needs 5.
	DefaultMaxDepth = 32
	// DefaultMaxValues is the number of values accepted when Options.MaxValues is 0.
	DefaultMaxValues = 1 << 20
)

func (o Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return DefaultMaxDepth
}

func (o Options) maxValues() int {
	if o.MaxValues > 0 {
		return o.MaxValues
	}
	return DefaultMaxValues
}

// errorAt is a syntax problem at a position of the source. Its message never quotes the
// source's values.
func errorAt(pos position, pointer, message string) *problem.Problem {
	return &problem.Problem{Line: pos.Line, Column: pos.Column, Pointer: pointer, Message: message, Kind: problem.Syntax}
}

// AppendPointer returns the JSON pointer of a member or element of the value at pointer,
// escaping "~" and "/" as RFC 6901 requires.
func AppendPointer(pointer, token string) string {
	if strings.ContainsAny(token, "~/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
	}
	return pointer + "/" + token
}

// Clone returns a deep copy of a parsed value: maps and slices are copied, scalars shared.
func Clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Clone(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	}
	return v
}

// The string rules every entry point holds input to, whether it comes as JSON text or as decoded
// values: valid UTF-8, and no NUL character, escaped or not. (A lone UTF-16 surrogate escape in
// JSON reads as U+FFFD, as encoding/json reads it.)
const (
	// NULMessage is the problem with a string that holds a NUL character.
	NULMessage = "NUL character in a string"
	// UTF8Message is the problem with a string that is not valid UTF-8.
	UTF8Message = "invalid UTF-8 in a string"
)

// CheckStrings holds every key and string in a decoded value to the string rules, and returns
// the first that breaks them (keys sorted, so the same value always gives the same error), or
// nil.
func CheckStrings(v any) *problem.Problem {
	if stringsValid(v) {
		return nil // the common case, without sorting keys
	}
	return checkStrings(v, "")
}

func stringsValid(v any) bool {
	switch x := v.(type) {
	case string:
		return checkString(x, "") == nil
	case map[string]any:
		for k, e := range x {
			if checkString(k, "") != nil || !stringsValid(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !stringsValid(e) {
				return false
			}
		}
	}
	return true
}

func checkStrings(v any, pointer string) *problem.Problem {
	switch x := v.(type) {
	case string:
		return checkString(x, pointer)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if e := checkString(k, pointer); e != nil {
				return e // the key's own pointer would quote the broken key
			}
			if e := checkStrings(x[k], AppendPointer(pointer, k)); e != nil {
				return e
			}
		}
	case []any:
		for i, e := range x {
			if err := checkStrings(e, AppendPointer(pointer, strconv.Itoa(i))); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkString(s, pointer string) *problem.Problem {
	switch {
	case !utf8.ValidString(s):
		return errorAt(position{}, pointer, UTF8Message)
	case strings.IndexByte(s, 0) >= 0:
		return errorAt(position{}, pointer, NULMessage)
	}
	return nil
}
