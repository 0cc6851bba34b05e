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
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/problem"
)

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
	Err *problem.Problem

	file   string // the manifest's
	doc    *jsonpos.Doc
	locate func(pointer string) problem.Position
}

// Locate returns where the field at pointer (relative to the activity) stands in the file, or
// its nearest ancestor the manifest holds when the field is missing.
func (e *Entry) Locate(pointer string) problem.Position {
	if e.locate != nil {
		return e.locate(pointer)
	}
	p := e.doc.Locate(e.Pointer + pointer)
	p.File = e.file
	return p
}

// EntryOf makes an entry of an activity read from another format (a Fides privacy
// declaration): its value, its place, and how to locate its fields in the files it came from.
func EntryOf(index int, value map[string]any, line, column int, locate func(pointer string) problem.Position) (*Entry, error) {
	js, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the activity as JSON: %w", err)
	}
	id, _ := value["id"].(string)
	return &Entry{Index: index, ID: id, JSON: js, Value: value, Line: line, Column: column, locate: locate}, nil
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

// ReadFile reads and parses a manifest file. Only a regular file is read (a symbolic link is
// followed to one): a device, a FIFO or a socket is refused without waiting on it, and no more
// than the size limit is read, whatever the file claims.
func ReadFile(path string, opts Options) (*Manifest, error) {
	data, err := ReadData(path, opts)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, Auto, opts)
}

// ReadData reads a manifest file's content as ReadFile does, without parsing it: only a
// regular file, and no more than the size limit.
func ReadData(path string, opts Options) ([]byte, error) {
	cannot := func(err error) error {
		var pe *os.PathError
		msg := err.Error()
		if errors.As(err, &pe) {
			msg = "cannot read: " + pe.Err.Error()
		}
		return &problem.Problem{Kind: problem.Read, File: path, Message: msg}
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, cannot(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, cannot(err)
	}
	if info.IsDir() {
		return nil, &problem.Problem{Kind: problem.Read, File: path, Message: "cannot read: is a directory"}
	}
	if !info.Mode().IsRegular() {
		return nil, &problem.Problem{File: path, Message: "not a regular file (" + Kind(info.Mode()) + "): not read"}
	}
	if info.Size() > opts.maxBytes() {
		return nil, tooLarge(path, info.Size(), opts)
	}
	data, err := io.ReadAll(io.LimitReader(f, opts.maxBytes()+1)) // one byte more: a file that grew since Stat
	if err != nil {
		return nil, cannot(err)
	}
	if int64(len(data)) > opts.maxBytes() {
		return nil, tooLarge(path, int64(len(data)), opts)
	}
	return data, nil
}

// tooLarge is the problem with a manifest of n bytes, more than opts allow.
func tooLarge(file string, n int64, opts Options) *problem.Problem {
	return &problem.Problem{File: file, Message: fmt.Sprintf("the manifest is %d bytes, more than the limit of %d", n, opts.maxBytes())}
}

// ReadAll reads a manifest from r (standard input, say): no more of it than a manifest may hold,
// and one byte more, for Parse to report the limit.
func ReadAll(r io.Reader, opts Options) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, opts.maxBytes()+1))
}

// Kind names the type of a file that is not a regular one, for a message: "a FIFO", "a device".
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeDir != 0:
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// Parse parses a manifest's content; name is what errors and results call it.
func Parse(name string, data []byte, format Format, opts Options) (*Manifest, error) {
	if int64(len(data)) > opts.maxBytes() {
		return nil, tooLarge(name, int64(len(data)), opts)
	}
	if format == Auto {
		format = detect(name, data)
	}
	dopts := jsonpos.Options{Positions: true, MaxDepth: opts.MaxDepth, MaxValues: opts.MaxValues}
	var docs []*jsonpos.Doc
	if format == JSON {
		doc, err := jsonpos.ParseJSON(data, dopts)
		if err != nil {
			return nil, problem.In(name, err)
		}
		docs = []*jsonpos.Doc{doc}
	} else {
		var err error
		if docs, err = jsonpos.ParseYAML(data, dopts); err != nil {
			return nil, problem.In(name, err)
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
			return nil, &problem.Problem{File: name, Line: pos.Line, Column: pos.Column, Pointer: base, Message: err.Error()}
		}
		for i, item := range items {
			if len(m.Entries) == limit {
				pos := doc.Locate(base)
				return nil, &problem.Problem{File: name, Line: pos.Line, Column: pos.Column, Message: fmt.Sprintf("more than %d activities in one manifest", limit)}
			}
			pointer := base + "/" + strconv.Itoa(i)
			if _, lone := doc.Value.(map[string]any); lone && base == "" {
				pointer = "" // the document is the activity
			}
			js, err := json.Marshal(item)
			if err != nil {
				return nil, &problem.Problem{File: name, Pointer: pointer, Message: "cannot encode the activity as JSON"}
			}
			pos := doc.Locate(pointer)
			e := &Entry{Index: len(m.Entries), Document: d, Pointer: pointer, JSON: js, Line: pos.Line, Column: pos.Column, file: name, doc: doc}
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
		_, schemaRef := x["$schema"] // for editors, as in a lone activity
		if schemaRef && !isString(x["$schema"]) {
			return nil, "/$schema", errors.New("expected the URL of a JSON Schema")
		}
		if len(x) != 1 && !(len(x) == 2 && schemaRef) {
			keys := make([]string, 0, len(x))
			for k := range x {
				if k != "activities" && k != "$schema" {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys) // the same key named on every run
			return nil, "", errors.New("a manifest with an activities list holds nothing else but $schema; unknown key " + strconv.Quote(keys[0]))
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

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

func markDuplicateIDs(m *Manifest) {
	first := map[string]*Entry{}
	for _, e := range m.Entries {
		if e.ID == "" {
			continue
		}
		if prev, dup := first[e.ID]; dup {
			at := e.Locate("/id")
			e.Err = &problem.Problem{File: m.File, Line: at.Line, Column: at.Column, Pointer: e.Pointer + "/id",
				Message: fmt.Sprintf("this activity's id is already used at line %d; ids are unique within a manifest", prev.Locate("/id").Line)}
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

// IsManifestFile reports whether a directory walk picks up the file: .json, .yaml or .yml.
func IsManifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// IsDeclaration says the entry is a declaration: an activity that carries neither consent nor
// subject, what a team writes once and CI checks, decided alone with conditions. One that
// carries either is a fixture of one person, decided in full.
func (e *Entry) IsDeclaration() bool {
	if e.Value == nil {
		return false
	}
	_, consent := e.Value["consent"]
	_, subject := e.Value["subject"]
	return !consent && !subject
}

// ReadFS reads every manifest file (.json, .yaml, .yml) of a file system, walking it in lexical
// order and leaving out hidden files and directories (a name starting with a dot). The first
// manifest that cannot be read or parsed is the error; an entry's own problem (such as an id
// used twice) is left in its Err.
func ReadFS(fsys fs.FS, opts Options) ([]*Manifest, error) {
	var out []*Manifest
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return &problem.Problem{Kind: problem.Read, File: name, Message: "cannot read: " + err.Error()}
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() || !IsManifestFile(name) {
			return nil
		}
		info, err := d.Info()
		if err == nil && info.Size() > opts.maxBytes() {
			return tooLarge(name, info.Size(), opts)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return &problem.Problem{Kind: problem.Read, File: name, Message: "cannot read the file"}
		}
		m, err := Parse(name, data, Auto, opts)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
