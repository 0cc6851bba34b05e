package fides

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/internal/printable"
	"github.com/confect/policyengine/internal/safefile"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// Export writes fideslang 3.x from activity manifests, so that a team that keeps its declarations
// as manifests can feed Fides' data map: each manifest becomes a Fides file of one system (its
// fides_key the manifest's name), each activity a privacy declaration (its name the activity's
// id) whose Fides fields say what Fides can say of it, through the policy's fides_mapping read
// backwards and its recipient_register; the recipients the register describes become vendor
// systems (system_type Third Party) the declarations send data to (egress), written once, in
// recipients.yml. What Fides has no field for (sources, consent to, retention from an event other
// than collection, a court order, the exact terms where a Fides key stands for several) is kept
// in the system's meta, under policyengine, with each activity as the manifest says it: reading
// the file back (check, import fides) decides as the manifests do. Once the Fides fields of a
// declaration are changed (in Fides, by hand), that activity is no longer read from the meta
// (fides.meta_stale) and the Fides fields are judged instead.
//
// Datasets are not written: a manifest names the data categories an activity processes, not the
// datasets that hold them.

// ExportOptions say where Export writes and what it reads.
type ExportOptions struct {
	// Dir is the directory the Fides files are written to, created if missing. It must stand
	// inside the working directory once symbolic links are followed.
	Dir string
	// Read bounds each manifest read.
	Read manifest.Options
}

// Exported is what Export did.
type Exported struct {
	// Files are the Fides files written.
	Files []ExportedFile
	// Problems are why manifests, or activities of them, could not be exported (exit 2).
	Problems []*problem.Problem
	// Notes say what Fides' data map will not show: each term of the activities no Fides key
	// stands for alone in the policy's fides_mapping (the meta keeps it; reading back decides
	// the same).
	Notes []string
}

// ExportedFile is one Fides file Export wrote.
type ExportedFile struct {
	// Path is the file written.
	Path string
	// From is the manifest it was written from ("" for recipients.yml).
	From string
	// Declarations counts its privacy declarations.
	Declarations int
}

// Export reads the manifests named (files; the caller walks directories) and writes fideslang
// 3.x into opts.Dir, as the comment above says. The error is about the output; what is wrong
// with the input is in the result.
func Export(ctx context.Context, doc *policy.Document, files []string, opts ExportOptions) (*Exported, error) {
	if opts.Dir == "" {
		return nil, errors.New("no output directory")
	}
	ex := &Exported{}
	x := newExporter(doc)
	type out struct {
		from string
		sys  map[string]any
		n    int
	}
	var outs []out
	keys := map[string]bool{}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m, err := manifest.ReadFile(name, opts.Read)
		if err != nil {
			ex.Problems = append(ex.Problems, problem.Of(err, name)...)
			continue
		}
		var acts []map[string]any
		for _, e := range m.Entries {
			p := exportable(name, e)
			if p == nil && x.firstUse(e.Value) == "" {
				p = &problem.Problem{File: name, Line: e.Line, Column: e.Column, Pointer: e.Pointer + "/purposes", Message: "none of the activity's purposes has a Fides data use in the policy's fides_mapping.data_uses, and a privacy declaration needs one: add a data use for one of them to the table"}
			}
			if p != nil {
				ex.Problems = append(ex.Problems, p)
				continue
			}
			acts = append(acts, e.Value)
		}
		if len(acts) == 0 {
			continue
		}
		key := uniqueKey(fidesKeyOf(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))), keys)
		sys := x.system(key, acts)
		sys["description"] = "Written by policyengine export fides from the manifest " + filepath.Base(name) + "."
		outs = append(outs, out{from: name, sys: sys, n: len(acts)})
	}
	ex.Notes = x.notes()
	if len(outs) == 0 {
		return ex, nil
	}
	dir, err := safefile.Dir(opts.Dir)
	if err != nil {
		return ex, err
	}
	used := map[string]bool{}
	vendorsFile := ""
	if len(x.vendors) > 0 {
		vendorsFile = uniqueName("recipients", ".yml", used)
	}
	for _, o := range outs {
		file := map[string]any{"system": []any{o.sys}}
		for _, kind := range []string{kindUse, kindCategory, kindSubject} {
			if list := x.customResources(kind, o.sys); len(list) > 0 {
				file[resourceList(kind)] = list
			}
		}
		head := "Fides (fideslang 3) resources written by policyengine export fides from " + printable.String(filepath.Base(o.from))
		if vendorsFile != "" {
			head += "; the vendors' systems its declarations send data to are in " + vendorsFile
		}
		name := uniqueName(unsafeName.ReplaceAllString(strings.TrimSuffix(filepath.Base(o.from), filepath.Ext(o.from)), "_"), ".yml", used)
		if err := writeFides(dir, name, head, file); err != nil {
			return ex, err
		}
		ex.Files = append(ex.Files, ExportedFile{Path: filepath.Join(opts.Dir, name), From: o.from, Declarations: o.n})
	}
	if vendorsFile != "" {
		var systems []any
		for _, k := range sortedKeys(x.vendors) {
			systems = append(systems, x.vendors[k])
		}
		if err := writeFides(dir, vendorsFile, "The vendors' systems (the policy's recipient_register) the exported declarations send data to", map[string]any{"system": systems}); err != nil {
			return ex, err
		}
		ex.Files = append(ex.Files, ExportedFile{Path: filepath.Join(opts.Dir, vendorsFile)})
	}
	return ex, nil
}

// resourceList is the resource list that extends the taxonomy of a kind of key.
func resourceList(kind string) string {
	for list, k := range customKinds {
		if k == kind {
			return list
		}
	}
	return ""
}

// exportable is why an entry of a manifest cannot be exported, or nil: an activity the manifest
// itself refuses, one the activity schema refuses, or a decision about one person (Fides
// declares; it does not decide per person).
func exportable(file string, e *manifest.Entry) *problem.Problem {
	at := func(msg string) *problem.Problem {
		return &problem.Problem{File: file, Line: e.Line, Column: e.Column, Pointer: e.Pointer, Message: msg}
	}
	switch {
	case e.Err != nil:
		return at(e.Err.Message)
	case e.Value == nil:
		return at("expected an activity (an object)")
	case !e.IsDeclaration():
		return at("a decision about one person (consent, subject) is not a declaration: Fides has none to write it to; export the declaration without them")
	}
	if err := schema.ValidateActivity(e.Value); err != nil {
		ps := problem.All(err)
		if len(ps) > 0 {
			p := *ps[0]
			at := e.Locate(p.Pointer)
			return &problem.Problem{File: file, Line: at.Line, Column: at.Column, Pointer: e.Pointer + p.Pointer, Message: p.Message}
		}
		return at(err.Error())
	}
	return nil
}

func writeFides(dir, name, head string, v map[string]any) error {
	node, err := toNode(v, fidesOrder)
	if err != nil {
		return err
	}
	node.HeadComment = comment([]string{head + "."})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return safefile.Write(dir, name, buf.Bytes(), 0o644)
}

// fidesOrder is the order of the keys of what export fides writes: a file's lists, a resource's
// fides_key and name first, a declaration's data use before its categories and subjects, an
// activity's fields as a manifest has them.
var fidesOrder = append([]string{"system", "id", "fides_key", "name", "description", "system_type", "parent_key", "responsibility",
	"data_use", "data_category", "data_subject", "data_categories", "data_subjects", "privacy_declarations", "declarations", "activity"}, order...)

var nonKey = regexp.MustCompile(`[^a-zA-Z0-9_.<>-]+`)

// fidesKeyOf makes a FidesKey of a name: other characters become _.
func fidesKeyOf(name string) string {
	k := strings.Trim(nonKey.ReplaceAllString(name, "_"), "_")
	if k == "" {
		return "system"
	}
	return k
}

func uniqueKey(k string, used map[string]bool) string {
	out := k
	for n := 2; used[out]; n++ {
		out = k + "_" + strconv.Itoa(n)
	}
	used[out] = true
	return out
}

func uniqueName(base, ext string, used map[string]bool) string {
	base = strings.TrimLeft(base, ".")
	if base == "" {
		base = "fides"
	}
	name := base + ext
	for n := 2; used[name]; n++ {
		name = base + "-" + strconv.Itoa(n) + ext
	}
	used[name] = true
	return name
}
