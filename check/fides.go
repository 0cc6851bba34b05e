package check

import (
	"context"
	"sort"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// decideFides decides the privacy declarations of every Fides file of the run together (a
// system's datasets and custom taxonomy may stand in other files), each result in its system's
// file's place.
func decideFides(ctx context.Context, engine *policyengine.Engine, units []unit, files []*fides.File, per [][]Result, keep bool) {
	var all []*fides.File
	slot := map[string]int{}
	for i, f := range files {
		if f != nil {
			all = append(all, f)
			slot[f.Name] = i
		}
	}
	if len(all) == 0 {
		return
	}
	decls, findings, errs := fides.Build(all, engine.Document())
	for _, e := range errs {
		i := slot[e.File]
		per[i] = append(per[i], FileError(units[i].file, e))
	}
	for _, r := range fileFindings(findings) {
		i := slot[r.File]
		per[i] = append(per[i], r)
	}
	count := map[string]int{}
	for _, d := range decls {
		if ctx.Err() != nil {
			return
		}
		i := slot[d.At.File]
		r := decideFidesDeclaration(ctx, engine, d, count[d.At.File], keep)
		count[d.At.File]++
		per[i] = append(per[i], r)
	}
}

// fileFindings are the results of the import's findings about files rather than declarations
// (an organization's unknown key, a system with no declaration): one result per file, of
// Index -1 and no activity, its warnings and reasons located, in the order of the files.
func fileFindings(fs []finding.Finding) []Result {
	var out []Result
	at := map[string]int{}
	for _, f := range fs {
		i, ok := at[f.File]
		if !ok {
			i = len(out)
			at[f.File] = i
			out = append(out, Result{File: f.File, Index: -1, Reasons: []finding.Finding{}, Warnings: []finding.Finding{}, Conditions: []Condition{}})
		}
		f.File = "" // its result's
		if fides.Denies(f.Rule) {
			out[i].Reasons = append(out[i].Reasons, f)
		} else {
			out[i].Warnings = append(out[i].Warnings, f)
		}
	}
	byLine := func(fs []finding.Finding) {
		sort.SliceStable(fs, func(i, j int) bool {
			if fs[i].Line != fs[j].Line {
				return fs[i].Line < fs[j].Line
			}
			return fs[i].Column < fs[j].Column
		})
	}
	for i := range out {
		out[i].Allow = len(out[i].Reasons) == 0
		byLine(out[i].Reasons)
		byLine(out[i].Warnings)
	}
	return out
}

func decideFidesDeclaration(ctx context.Context, engine *policyengine.Engine, d *fides.Declaration, index int, keep bool) Result {
	r := judgeFides(ctx, engine, d, index)
	if keep && d.Activity != nil && !r.Failed() {
		locate := func(pointer string) problem.Position {
			at := d.Locate(pointer)
			if at.File != d.At.File {
				return d.At.Position // the record names the declaration's own file
			}
			return at
		}
		if e, err := manifest.EntryOf(index, d.Activity, d.At.Line, d.At.Column, locate); err == nil {
			r.Entry = e
		}
	}
	return r
}

// judgeFides decides one Fides declaration: the import's findings, then the engine's decision on its
// activity, every finding located in the Fides files.
func judgeFides(ctx context.Context, engine *policyengine.Engine, d *fides.Declaration, index int) Result {
	r := Result{File: d.At.File, Activity: d.ID, Index: index, Line: d.At.Line, Column: d.At.Column, Reasons: []finding.Finding{}, Warnings: []finding.Finding{}, Conditions: []Condition{}}
	doc := engine.Document()
	for _, f := range d.Findings {
		f.File = other(f.File, r.File)
		if fides.Denies(f.Rule) {
			r.Reasons = append(r.Reasons, f)
		} else {
			r.Warnings = append(r.Warnings, f)
		}
	}
	for _, f := range d.Facts() {
		r.Carried = append(r.Carried, Carried{Field: f.Field, Value: f.Value, Line: f.At.Line, Column: f.At.Column, File: other(f.At.File, r.File)})
	}
	for _, p := range d.Problems {
		p.File = other(p.File, r.File)
		r.Errors = append(r.Errors, p)
	}
	if len(r.Errors) > 0 {
		return r
	}
	if d.Activity == nil { // no personal data, or nothing to judge (its findings say why)
		if !d.PersonalData {
			c := doc.Clauses["personal-data"]
			r.Warnings = append(r.Warnings, finding.Finding{Reason: policyengine.Reason{Rule: fides.RuleNotPersonal, Message: "every data category of this declaration is mapped as not personal data: no rule judges it", Clause: c.Section, ClauseID: "personal-data"}, Line: r.Line, Column: r.Column})
		}
		r.Allow = len(r.Reasons) == 0
		sortFindings(r.Reasons)
		sortFindings(r.Warnings)
		return r
	}
	dec, err := engine.EvaluateDeclaration(ctx, d.Activity)
	if err != nil {
		fes := problem.All(err)
		if len(fes) == 0 {
			r.Errors = []problem.Problem{{Message: err.Error(), Line: r.Line, Column: r.Column}}
		}
		for _, fe := range fes {
			at := d.Source(fe.Pointer)
			p := *fe
			p.Message += fidesLabel(at, fe.Pointer)
			p.File, p.Line, p.Column = other(at.File, r.File), at.Line, at.Column
			r.Errors = append(r.Errors, p)
		}
		return r
	}
	located := func(rs []policyengine.Reason) []finding.Finding {
		out := make([]finding.Finding, 0, len(rs))
		for _, x := range rs {
			at := d.Source(x.Path)
			x.Message += fidesLabel(at, x.Path)
			out = append(out, finding.Finding{Reason: x, Line: at.Line, Column: at.Column, File: other(at.File, r.File)})
		}
		return out
	}
	r.ValidUntil = dec.ValidUntil
	r.Reasons = append(located(dec.Reasons), r.Reasons...)
	r.Warnings = append(located(dec.Warnings), r.Warnings...)
	for _, c := range dec.Conditions {
		at := d.Source(c.Path)
		c.Message += fidesLabel(at, c.Path)
		r.Conditions = append(r.Conditions, Condition{Condition: c, Line: at.Line, Column: at.Column, File: other(at.File, r.File)})
	}
	sortFindings(r.Reasons)
	sortFindings(r.Warnings)
	r.Allow = dec.Allow && len(r.Reasons) == 0
	return r
}

// Carried is a Fides fact no rule judges, carried with its declaration so that it is not lost:
// special-category processing and its art. 9 basis, the DPIA requirement, the basis for
// profiling, the legal basis for transfers, third-party sharing.
type Carried struct {
	// Field is the Fides field.
	Field string `json:"field"`
	// Value is its value as it may be shown: free-form text is "(given)", never quoted.
	Value string `json:"value"`
	// File, when set, is the file it stands in, when that is not its result's.
	File string `json:"file,omitempty"`
	// Line and Column locate it.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// fidesLabel names the Fides key a finding came from, for its message, or else the Fides
// field its activity field is read from.
func fidesLabel(at fides.Source, pointer string) string {
	if l := at.Label(); l != "" {
		return " (Fides " + l + ")"
	}
	if f := fides.Field(pointer); f != "" {
		return " (Fides " + f + ")"
	}
	return ""
}

func other(file, result string) string {
	if file == result {
		return ""
	}
	return file
}

func sortFindings(fs []finding.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Rule != fs[j].Rule {
			return fs[i].Rule < fs[j].Rule
		}
		return fs[i].Path < fs[j].Path
	})
}
