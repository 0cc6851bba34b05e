package fides

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/internal/safefile"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// ImportOptions say where Import writes and what it reads.
type ImportOptions struct {
	// Dir is the directory the manifests are written to, created if missing. It must stand
	// inside the working directory once symbolic links are followed.
	Dir string
	// Read bounds each file read (size, depth, values; its MaxActivities bounds a file's
	// privacy declarations).
	Read manifest.Options
}

// Outcome is what became of a declaration in an import.
type Outcome string

// The outcomes of a declaration.
const (
	// Written: its activity is in a manifest.
	Written Outcome = "written"
	// Held: it is not written, as Unwritable says: writing it would invent a term or decide
	// more permissively than check decides the Fides file.
	Held Outcome = "held"
	// NotPersonal: every category it lists is not personal data; nothing to write.
	NotPersonal Outcome = "not_personal_data"
	// Failed: it could not be read (its Problems say why).
	Failed Outcome = "failed"
)

// Imported is what Import did.
type Imported struct {
	// Manifests are the manifests written, in the order of the Fides files their systems stand in.
	Manifests []WrittenManifest
	// Declarations are every declaration read, with what became of it.
	Declarations []ImportedDeclaration
	// Findings are the import's findings about files rather than declarations.
	Findings []finding.Finding
	// Problems are why files, or resources of them, could not be read.
	Problems []*problem.Problem
	// NotFides are the files left out because they are not Fides files.
	NotFides []string
}

// WrittenManifest is one manifest Import wrote.
type WrittenManifest struct {
	// Path is the manifest's path.
	Path string
	// From is the Fides file whose systems it holds.
	From string
	// Declarations counts the activities written into it.
	Declarations int
}

// ImportedDeclaration is one declaration with what became of it.
type ImportedDeclaration struct {
	*Declaration
	// Outcome is what became of it.
	Outcome Outcome
	// Manifest is the manifest it is written to, or "".
	Manifest string
}

// Failed reports whether anything could not be read: a file, a resource or a declaration.
func (im *Imported) Failed() bool {
	if len(im.Problems) > 0 {
		return true
	}
	for _, d := range im.Declarations {
		if d.Outcome == Failed {
			return true
		}
	}
	return false
}

// Count counts the declarations of an outcome.
func (im *Imported) Count(o Outcome) int {
	n := 0
	for _, d := range im.Declarations {
		if d.Outcome == o {
			n++
		}
	}
	return n
}

// Import reads the Fides files named (files, not directories: the caller walks them) as check
// reads them, under doc's fides_mapping and recipient_register, and writes one activity manifest
// per Fides file with systems into opts.Dir: each privacy declaration an activity, headed by a
// comment naming its Fides file and line, the import's findings and the facts no rule judges.
// Only terms of the policy's vocabularies are written: a declaration that check reads with a
// term outside the policy, or denies for a finding of the import, is held (not written, and
// listed at the end of its manifest with why), so that no manifest decides more permissively
// than check decides the Fides files. The error is about the output (a directory that leads
// outside the working directory, a name in it that is a link); what is wrong with the input is
// in the result.
func Import(ctx context.Context, doc *policy.Document, files []string, opts ImportOptions) (*Imported, error) {
	if opts.Dir == "" {
		return nil, errors.New("no output directory")
	}
	im := &Imported{}
	var read []*File
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := manifest.ReadData(name, opts.Read)
		if err != nil {
			im.Problems = append(im.Problems, problem.Of(err, name)...)
			continue
		}
		f, err := Parse(name, data, Limits{MaxDepth: opts.Read.MaxDepth, MaxValues: opts.Read.MaxValues, MaxDeclarations: opts.Read.MaxActivities})
		switch {
		case errors.Is(err, ErrNotFides):
			im.NotFides = append(im.NotFides, name)
		case err != nil:
			im.Problems = append(im.Problems, problem.Of(err, name)...)
		default:
			read = append(read, f)
		}
	}
	decls, findings, errs := Build(read, doc)
	im.Findings, im.Problems = findings, append(im.Problems, errs...)

	// One manifest per Fides file with systems, in the order of the files.
	var order []string
	bySystemFile := map[string][]int{}
	for _, d := range decls {
		out := ImportedDeclaration{Declaration: d}
		switch {
		case len(d.Problems) > 0:
			out.Outcome = Failed
		case !d.PersonalData:
			out.Outcome = NotPersonal
		case len(d.Unwritable()) > 0 || d.Activity == nil:
			out.Outcome = Held
		default:
			out.Outcome = Written
		}
		if out.Outcome == Written || out.Outcome == Held {
			if _, ok := bySystemFile[d.At.File]; !ok {
				order = append(order, d.At.File)
			}
			bySystemFile[d.At.File] = append(bySystemFile[d.At.File], len(im.Declarations))
		}
		im.Declarations = append(im.Declarations, out)
	}
	if len(order) == 0 {
		return im, nil
	}
	dir, err := safefile.Dir(opts.Dir)
	if err != nil {
		return im, err
	}
	used := map[string]bool{}
	for _, file := range order {
		var write, held []*Declaration
		for _, i := range bySystemFile[file] {
			if im.Declarations[i].Outcome == Written {
				write = append(write, im.Declarations[i].Declaration)
			} else {
				held = append(held, im.Declarations[i].Declaration)
			}
		}
		data, err := Manifest(write, held)
		if err != nil {
			return im, err
		}
		name := manifestName(file, used)
		if err := safefile.Write(dir, name, data, 0o644); err != nil {
			return im, err
		}
		path := filepath.Join(opts.Dir, name)
		for _, i := range bySystemFile[file] {
			if im.Declarations[i].Outcome == Written {
				im.Declarations[i].Manifest = path
			}
		}
		im.Manifests = append(im.Manifests, WrittenManifest{Path: path, From: file, Declarations: len(write)})
	}
	return im, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// manifestName is the name of the manifest of a Fides file: its base name, of letters, digits
// and . _ - only, with .yaml, and -2, -3, ... when another file already took it.
func manifestName(file string, used map[string]bool) string {
	base := unsafeName.ReplaceAllString(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), "_")
	base = strings.TrimLeft(base, ".")
	if base == "" {
		base = "fides"
	}
	name := base + ".yaml"
	for n := 2; used[name]; n++ {
		name = base + "-" + strconv.Itoa(n) + ".yaml"
	}
	used[name] = true
	return name
}
