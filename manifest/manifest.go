// Package manifest reads data-flow manifests: files that describe processing activities for the
// engine to decide. A manifest holds one activity, a list of activities, or
// {"activities": [...]}, in JSON or YAML; a YAML file may hold several documents, each of those
// forms. Every activity keeps the place it came from, so that a reason's JSON pointer can be
// reported with the line and column of the field at fault.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/confect/policyengine/internal/document"
)

// Error is a problem with a manifest, at a place in its file where known. Its message never
// quotes the manifest's values.
type Error struct {
	// File is the manifest's name.
	File string
	// Line and Column locate the problem (0 when unknown).
	Line, Column int
	// Pointer is the JSON pointer of the value at fault within the file's document, if known.
	Pointer string
	// Message says what is wrong.
	Message string
}

// Error renders the problem as "file:line:column: pointer: message".
func (e *Error) Error() string {
	return document.Describe(e.File, e.Line, e.Column, e.Pointer, e.Message)
}

// Manifest is one file of activities.
type Manifest struct {
	// File is the name the manifest was read under.
	File string
	// Entries are its activities, in file order.
	Entries []*Entry
}

// Entry is one activity of a manifest.
type Entry struct {
	// Index is the activity's place in the manifest, counting from 0 across YAML documents.
	Index int
	// ID is the activity's id, or "" when it has none (the engine will refuse it).
	ID string
	// Document is the YAML document that holds the activity, counting from 0 (0 for JSON).
	Document int
	// Pointer is the JSON pointer of the activity within its document: "" for a lone
	// activity, "/2" in a list, "/activities/2" in an activities object.
	Pointer string
	// JSON is the activity as JSON (keys sorted), ready for Engine.EvaluateJSON.
	JSON []byte
	// Value is the activity as decoded, ready for Engine.EvaluateDocument; nil when the
	// activity is not an object (the engine refuses it from JSON).
	Value map[string]any
	// Line and Column locate the activity in the file.
	Line, Column int
	// Err is a problem with this activity alone (such as an id used twice), or nil.
	Err *Error

	doc *document.Doc
}

// Locate returns the line and column of the field at pointer (relative to the activity), or of
// its nearest ancestor the manifest holds when the field is missing.
func (e *Entry) Locate(pointer string) (line, column int) {
	p := e.doc.Locate(e.Pointer + pointer)
	return p.Line, p.Column
}

// Format says how a manifest is written.
type Format int

const (
	// Auto decides by the file name's extension (.json is JSON, .yaml and .yml are YAML) and,
	// for any other name, by the first character of the content.
	Auto Format = iota
	// JSON is one JSON value.
	JSON
	// YAML is a stream of YAML documents.
	YAML
)

// Options bound what is read.
type Options struct {
	// MaxBytes is the largest manifest read; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxActivities is the most activities one manifest may hold; 0 means DefaultMaxActivities.
	MaxActivities int
	// MaxDepth and MaxValues bound the parse, as in the engine; 0 means the defaults.
	MaxDepth, MaxValues int
}

// Defaults for Options' zero fields.
const (
	// DefaultMaxBytes is the largest manifest read when Options.MaxBytes is 0.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxActivities is the activities per manifest accepted when Options.MaxActivities
	// is 0.
	DefaultMaxActivities = 10000
)

func (o Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// ReadFile reads and parses a manifest file.
func ReadFile(path string, opts Options) (*Manifest, error) {
	if info, err := os.Stat(path); err == nil && info.Size() > opts.maxBytes() {
		return nil, &Error{File: path, Message: fmt.Sprintf("the manifest is %d bytes, more than the limit of %d", info.Size(), opts.maxBytes())}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		msg := err.Error()
		if errors.As(err, &pe) {
			msg = "cannot read: " + pe.Err.Error()
		}
		return nil, &Error{File: path, Message: msg}
	}
	return Parse(path, data, Auto, opts)
}

// Parse parses a manifest's content; name is what errors and results call it.
func Parse(name string, data []byte, format Format, opts Options) (*Manifest, error) {
	if int64(len(data)) > opts.maxBytes() {
		return nil, &Error{File: name, Message: fmt.Sprintf("the manifest is %d bytes, more than the limit of %d", len(data), opts.maxBytes())}
	}
	if format == Auto {
		format = detect(name, data)
	}
	dopts := document.Options{Positions: true, MaxDepth: opts.MaxDepth, MaxValues: opts.MaxValues}
	var docs []*document.Doc
	if format == JSON {
		doc, err := document.ParseJSON(data, dopts)
		if err != nil {
			return nil, wrap(name, err)
		}
		docs = []*document.Doc{doc}
	} else {
		var err error
		if docs, err = document.ParseYAML(data, dopts); err != nil {
			return nil, wrap(name, err)
		}
	}
	limit := opts.MaxActivities
	if limit <= 0 {
		limit = DefaultMaxActivities
	}
	m := &Manifest{File: name}
	for d, doc := range docs {
		items, base, err := activities(doc.Value)
		if err != nil {
			pos := doc.Locate(base)
			return nil, &Error{File: name, Line: pos.Line, Column: pos.Column, Pointer: base, Message: err.Error()}
		}
		for i, item := range items {
			if len(m.Entries) == limit {
				pos := doc.Locate(base)
				return nil, &Error{File: name, Line: pos.Line, Column: pos.Column, Message: fmt.Sprintf("more than %d activities in one manifest", limit)}
			}
			pointer := base + "/" + strconv.Itoa(i)
			if _, lone := doc.Value.(map[string]any); lone && base == "" {
				pointer = "" // the document is the activity
			}
			js, err := json.Marshal(item)
			if err != nil {
				return nil, &Error{File: name, Pointer: pointer, Message: "cannot encode the activity as JSON"}
			}
			pos := doc.Locate(pointer)
			e := &Entry{Index: len(m.Entries), Document: d, Pointer: pointer, JSON: js, Line: pos.Line, Column: pos.Column, doc: doc}
			if obj, ok := item.(map[string]any); ok {
				e.ID, _ = obj["id"].(string)
				e.Value = obj
			}
			m.Entries = append(m.Entries, e)
		}
	}
	markDuplicateIDs(m)
	return m, nil
}

// activities finds the activities in a document: the document itself, its elements, or the
// elements of its activities key. base is the pointer of the list ("" for the document).
func activities(v any) (items []any, base string, err error) {
	switch x := v.(type) {
	case []any:
		return x, "", nil
	case map[string]any:
		list, ok := x["activities"]
		if !ok {
			return []any{x}, "", nil
		}
		if len(x) != 1 {
			keys := make([]string, 0, len(x))
			for k := range x {
				if k != "activities" {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys) // the same key named on every run
			return nil, "", errors.New("a manifest with an activities list holds nothing else; unknown key " + strconv.Quote(keys[0]))
		}
		arr, ok := list.([]any)
		if !ok {
			return nil, "/activities", errors.New("expected a list of activities")
		}
		return arr, "/activities", nil
	case nil:
		return nil, "", errors.New("the document is empty")
	}
	return nil, "", errors.New("expected an activity, a list of activities or {activities: [...]}")
}

func markDuplicateIDs(m *Manifest) {
	first := map[string]*Entry{}
	for _, e := range m.Entries {
		if e.ID == "" {
			continue
		}
		if prev, dup := first[e.ID]; dup {
			line, col := e.Locate("/id")
			prevLine, _ := prev.Locate("/id")
			e.Err = &Error{File: m.File, Line: line, Column: col, Pointer: e.Pointer + "/id",
				Message: fmt.Sprintf("this activity id is already used at line %d; ids are unique within a manifest", prevLine)}
			continue
		}
		first[e.ID] = e
	}
}

func detect(name string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return JSON
	case ".yaml", ".yml":
		return YAML
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return JSON
	}
	return YAML
}

func wrap(name string, err error) error {
	var de *document.Error
	if errors.As(err, &de) {
		return &Error{File: name, Line: de.Line, Column: de.Column, Pointer: de.Pointer, Message: de.Message}
	}
	return &Error{File: name, Message: err.Error()}
}

// IsManifestFile reports whether a directory walk picks up the file: .json, .yaml or .yml.
func IsManifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}
