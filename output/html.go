package output

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/internal/flow"
	"github.com/confect/policyengine/internal/htmlpage"
	"github.com/confect/policyengine/ropa"
)

// The HTML format writes a report as one self-contained page (inline CSS and SVG, nothing fetched).
//
// A check report: the summary, a data-flow picture (data subjects, declarations, recipients by
// country, the EU/EEA and third countries apart, denied flows marked, each transfer's safeguard on
// its edge), every declaration, and every finding with its file, line, rule, clause and the
// policy text of the clause. The tables filter in the browser; the page prints to PDF. The
// picture aggregates past flow.DefaultMaxNodes declarations.
//
// A diff: the summary, a picture of the flows the change newly denies or allows, and the changes.
//
// A record of processing activities: the controller, then a filterable table with a row per
// declaration.
//
// A check report and a diff need the activities as read: run check, or impact.Compare, with
// check.Options.KeepEntries (NeedsEntries).

// ErrNoEntries is returned by formats that describe the activities for a report run without
// check.Options.KeepEntries.
var ErrNoEntries = errors.New("output: this format needs the activities (run check, or impact.Compare, with check.Options.KeepEntries)")

// NeedsEntries reports whether the named format describes the activities themselves (html), so
// that check.Run or impact.Compare must run with check.Options.KeepEntries for it.
func NeedsEntries(format string) bool { return format == "html" }

// checkHTML writes a check report.
func checkHTML(w io.Writer, r *check.Report, _ Options) error {
	rec, err := ropa.Build(r)
	if errors.Is(err, ropa.ErrNoEntries) {
		return ErrNoEntries
	}
	if err != nil {
		return err
	}
	view := checkView{Summary: r.Summary}
	decls := make([]flow.Declaration, len(rec.Entries))
	cited := map[string]bool{}
	for i := range rec.Entries {
		e := &rec.Entries[i]
		decls[i] = flow.FromEntry(e, "")
		view.Declarations = append(view.Declarations, declRow{Place: fileLine(e.File, e.Line), Activity: e.ID, Outcome: e.Decision.Outcome,
			Rules: ruleList(e.Decision.Reasons, e.Decision.Errors), Warnings: len(e.Decision.Warnings), Conditions: len(e.Decision.Conditions)})
		add := func(kind string, fs []finding.Finding) {
			for _, f := range fs {
				view.Findings = append(view.Findings, findingRow{Place: fileLine(e.File, f.Line), Activity: e.ID, Kind: kind, Rule: f.Rule,
					Field: pathOrRoot(f.Path), Message: f.Message, Requires: f.Requires, Clause: f.Clause, ClauseID: f.ClauseID})
				if f.ClauseID != "" {
					cited[f.ClauseID] = true
				}
			}
		}
		add("deny", e.Decision.Reasons)
		add("condition", e.Decision.Conditions)
		add("warning", e.Decision.Warnings)
		add("error", e.Decision.Errors)
	}
	for _, f := range rec.Errors {
		view.Findings = append(view.Findings, findingRow{Place: fileLine(f.File, f.Line), Kind: "error", Rule: check.InputRule, Field: "/", Message: f.Message})
	}
	for _, res := range r.Results { // findings about a file itself, not an activity
		if res.Index >= 0 || res.Failed() {
			continue
		}
		for _, group := range []struct {
			kind string
			fs   []finding.Finding
		}{{"deny", res.Reasons}, {"warning", res.Warnings}} {
			kind := group.kind
			for _, f := range group.fs {
				view.Findings = append(view.Findings, findingRow{Place: fileLine(f.In(res.File), f.Line), Kind: kind, Rule: f.Rule, Field: pathOrRoot(f.Path), Message: f.Message, Clause: f.Clause, ClauseID: f.ClauseID})
				if f.ClauseID != "" {
					cited[f.ClauseID] = true
				}
			}
		}
	}
	ids := make([]string, 0, len(cited))
	for id := range cited {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := r.Policy.Clauses[id]
		view.Clauses = append(view.Clauses, clauseView{ID: id, Section: c.Section, Text: c.Text})
	}
	view.Picture = flow.Draw(decls, flow.Options{Label: "Data flows: data subjects, declarations and recipients"})
	view.Legend = []legendItem{{"allow", "allowed"}, {"deny", "denied"}, {"error", "could not be decided"}}
	view.DeclFilter = htmlpage.Filter("declarations", ropa.Allow, ropa.Deny, ropa.Error)
	view.FindingFilter = htmlpage.Filter("findings", "deny", "condition", "warning", "error")

	var body strings.Builder
	if err := checkTemplate.Execute(&body, view); err != nil {
		return err
	}
	subtitle := fmt.Sprintf("%s, decided under %s (policy %s)", summary(r.Summary), r.Policy.Title, shortRevision(r.Revision))
	return htmlpage.Write(w, htmlpage.Page{Title: "Privacy check: " + r.Policy.Organisation, Subtitle: subtitle, Body: template.HTML(body.String())})
}

type checkView struct {
	Summary       check.Summary
	Picture       flow.Picture
	Legend        []legendItem
	Declarations  []declRow
	Findings      []findingRow
	Clauses       []clauseView
	DeclFilter    template.HTML
	FindingFilter template.HTML
}

type legendItem struct{ Class, Label string }

type declRow struct {
	Place, Activity, Outcome string
	Rules                    []string
	Warnings, Conditions     int
}

type findingRow struct {
	Place, Activity, Kind, Rule, Field, Message, Requires, Clause, ClauseID string
}

type clauseView struct{ ID, Section, Text string }

var checkTemplate = template.Must(template.New("check").Parse(`
<section class="cards" aria-label="Summary">
<div class="card"><b>{{.Summary.Activities}}</b>declarations</div>
<div class="card allow"><b>{{.Summary.Allowed}}</b>allowed</div>
<div class="card deny"><b>{{.Summary.Denied}}</b>denied</div>
<div class="card warn"><b>{{.Summary.Warnings}}</b>warnings</div>
<div class="card error"><b>{{.Summary.Errors}}</b>errors</div>
</section>

<h2 id="flows">Data flows</h2>
<p class="muted">Data subjects → declarations → recipients, grouped by country: the EU/EEA and third countries apart.
A transfer out of the EU/EEA carries its safeguard on its edge.{{if .Picture.Aggregated}}
With {{.Summary.Activities}} declarations the picture is aggregated: declarations by their first purpose, recipients by
country and type; the tables below list every one.{{end}}</p>
<div class="legend">{{range .Legend}}<span><i class="{{.Class}}"></i>{{.Label}}</span>{{end}}</div>
<div class="flow">{{.Picture.SVG}}</div>

<h2 id="declarations-head">Declarations</h2>
{{.DeclFilter}}
<table id="declarations">
<thead><tr><th>Place</th><th>Activity</th><th>Decision</th><th>Denied by</th><th>Warnings</th></tr></thead>
<tbody>
{{range .Declarations}}<tr data-kind="{{.Outcome}}"><td class="mono">{{.Place}}</td><td>{{.Activity}}</td><td><span class="badge {{.Outcome}}">{{.Outcome}}</span></td><td>{{range $i, $r := .Rules}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}</td><td>{{if .Warnings}}{{.Warnings}}{{end}}</td></tr>
{{end}}</tbody>
</table>

<h2 id="findings-head">Findings</h2>
{{if .Findings}}{{.FindingFilter}}
<table id="findings">
<thead><tr><th>Place</th><th>Activity</th><th>Kind</th><th>Rule</th><th>Field</th><th>Message</th><th>Clause of the policy</th></tr></thead>
<tbody>
{{range .Findings}}<tr data-kind="{{.Kind}}"><td class="mono">{{.Place}}</td><td>{{.Activity}}</td><td><span class="badge {{.Kind}}">{{.Kind}}</span></td><td><code>{{.Rule}}</code></td><td><code>{{.Field}}</code></td><td>{{.Message}}{{with .Requires}}<br><span class="muted">requires: {{.}}</span>{{end}}</td><td>{{if .ClauseID}}<a href="#clause-{{.ClauseID}}">{{.Clause}}</a>{{else}}{{.Clause}}{{end}}</td></tr>
{{end}}</tbody>
</table>
{{else}}<p>No findings: every declaration is allowed, with no warning.</p>{{end}}

{{if .Clauses}}<h2 id="clauses">The policy's clauses cited</h2>
{{range .Clauses}}<h3 id="clause-{{.ID}}">{{.Section}} <span class="muted mono">({{.ID}})</span></h3>
<blockquote>{{.Text}}</blockquote>
{{end}}{{end}}
`))

func fileLine(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

func ruleList(groups ...[]finding.Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, fs := range groups {
		for _, f := range fs {
			if !seen[f.Rule] {
				seen[f.Rule] = true
				out = append(out, f.Rule)
			}
		}
	}
	sort.Strings(out)
	return out
}

type changeRow struct {
	Place, Activity, Kind, Before, After string
	Added, Removed                       []string
}

var diffTemplate = template.Must(template.New("diff").Parse(`
<section class="cards" aria-label="Summary">
<div class="card"><b>{{.Summary.Activities}}</b>activities</div>
<div class="card deny"><b>{{.Summary.NewlyDenied}}</b>newly denied</div>
<div class="card allow"><b>{{.Summary.NewlyAllowed}}</b>newly allowed</div>
<div class="card"><b>{{.Summary.OtherReasons}}</b>other reasons</div>
<div class="card error"><b>{{.Summary.Errors}}</b>could not be decided</div>
</section>

<h2 id="flows">Flows the change affects</h2>
{{if .Rows}}<p class="muted">The declarations whose decision or findings change, with their data subjects and recipients (grouped by
country: the EU/EEA and third countries apart). A transfer out of the EU/EEA carries its safeguard on its edge.</p>
<div class="legend">{{range .Legend}}<span><i class="{{index . 0}}"></i>{{index . 1}}</span>{{end}}</div>
<div class="flow">{{.Picture.SVG}}</div>{{else}}<p>The change affects no flow: every activity is decided as before.</p>{{end}}

<h2 id="changes-head">Changes</h2>
{{if .Rows}}{{.Filter}}
<table id="changes">
<thead><tr><th>Place</th><th>Activity</th><th>Change</th><th>Before</th><th>After</th><th>Findings added</th><th>Findings removed</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-kind="{{.Kind}}"><td class="mono">{{.Place}}</td><td>{{.Activity}}</td><td><span class="badge {{.Kind}}">{{.Kind}}</span></td><td>{{.Before}}</td><td>{{.After}}</td><td>{{range $i, $l := .Added}}{{if $i}}<br>{{end}}+ {{$l}}{{end}}</td><td>{{range $i, $l := .Removed}}{{if $i}}<br>{{end}}− {{$l}}{{end}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>No activity changes.</p>{{end}}
{{with .Errors}}<h2>Could not be decided</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
`))

// diffHTML writes what a policy change does.
func diffHTML(w io.Writer, r *impact.Report, _ Options) error {
	before, after := r.Runs()
	if after == nil || after.Policy == nil {
		return ErrNoEntries
	}
	results := map[string]check.Result{}
	for _, res := range after.Results {
		results[fmt.Sprintf("%s\x00%d", res.File, res.Index)] = res
	}
	var decls []flow.Declaration
	var rows []changeRow
	for _, c := range r.Changes {
		res, ok := results[fmt.Sprintf("%s\x00%d", c.File, c.Index)]
		if !ok || res.Entry == nil {
			return ErrNoEntries
		}
		e := ropa.NewEntry(after.Policy, res)
		decls = append(decls, flow.FromEntry(&e, c.Kind))
		row := changeRow{Place: fileLine(c.File, c.Line), Activity: c.Activity, Kind: c.Kind, Before: verdict(c.Before), After: verdict(c.After)}
		for _, f := range c.Added {
			row.Added = append(row.Added, describeChange(f))
		}
		for _, f := range c.Removed {
			row.Removed = append(row.Removed, describeChange(f))
		}
		rows = append(rows, row)
	}
	var errs []string
	for _, f := range r.Errors {
		errs = append(errs, strings.TrimSpace(fileLine(f.File, f.Line)+" "+f.Activity)+": "+f.Message)
	}
	view := struct {
		Summary impact.Summary
		Picture flow.Picture
		Legend  [][2]string
		Filter  template.HTML
		Rows    []changeRow
		Errors  []string
	}{
		Summary: r.Summary,
		Picture: flow.Draw(decls, flow.Options{Label: "Flows the policy change newly denies or allows"}),
		Legend:  [][2]string{{impact.NewlyDenied, "newly denied"}, {impact.NewlyAllowed, "newly allowed"}, {impact.OtherReasons, "other reasons, same decision"}},
		Filter:  htmlpage.Filter("changes", impact.NewlyDenied, impact.NewlyAllowed, impact.OtherReasons),
		Rows:    rows,
		Errors:  errs,
	}
	var body strings.Builder
	if err := diffTemplate.Execute(&body, view); err != nil {
		return err
	}
	base, next := "the base policy", after.Policy.Title
	if before != nil && before.Policy != nil {
		base = before.Policy.Title
	}
	return htmlpage.Write(w, htmlpage.Page{
		Title:    "Policy change: what it does to the manifests",
		Subtitle: fmt.Sprintf("From %s (policy %s) to %s (policy %s)", base, shortRevision(r.BaseRevision), next, shortRevision(r.Revision)),
		Body:     template.HTML(body.String()),
	})
}

type htmlCell struct {
	Items []string
	Terms bool
}

type htmlRow struct {
	ID, Description, Place, Role           string
	Outcome, PersonState                   string
	Cells                                  []htmlCell
	Reasons, Warnings, Conditions, Missing []string
}

var recordTemplate = template.Must(template.New("record").Parse(`
<h2>Controller</h2>
<table class="kv" id="controller"><tbody>
{{range .Controller}}<tr><th>{{index . 0}}</th><td>{{range $i, $l := index . 1}}{{if $i}}<br>{{end}}{{$l}}{{end}}</td></tr>
{{end}}</tbody></table>
{{with .Missing}}<p class="missing">Missing from the record:</p><ul class="items missing">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h2>Processing activities</h2>
<p>{{.Summary}}</p>
{{.Filter}}
<table id="entries" class="record">
<thead><tr><th>Activity</th>{{range .Titles}}<th>{{.}}</th>{{end}}<th>Decision</th><th>Missing</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-kind="{{.Outcome}}"><td><b>{{.ID}}</b>{{with .Description}}<br>{{.}}{{end}}<br><code>{{.Place}}</code>{{with .Role}}<br>{{.}}{{end}}</td>{{range .Cells}}<td>{{if .Terms}}{{range $i, $t := .Items}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}{{else}}{{range $i, $l := .Items}}{{if $i}}<br>{{end}}{{$l}}{{end}}{{end}}</td>{{end}}<td><span class="badge {{.Outcome}}">{{.Outcome}}</span>{{with .PersonState}} {{.}}{{end}}{{range .Reasons}}<br>{{.}}{{end}}{{range .Warnings}}<br><span class="badge warning">warning</span> {{.}}{{end}}{{range .Conditions}}<br><span class="badge condition">condition</span> {{.}}{{end}}</td><td class="missing">{{range $i, $l := .Missing}}{{if $i}}<br>{{end}}{{$l}}{{end}}</td></tr>
{{end}}</tbody>
</table>
{{with .Errors}}<h2>Files that could not be read</h2><ul>{{range .}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
`))

// recordHTML writes a record of processing activities: the controller, then a filterable
// table with a row per declaration.
func recordHTML(w io.Writer, r *ropa.Record, _ Options) error {
	columns := withCode(r, recordTableColumns)
	view := struct {
		Controller [][2]any
		Missing    []string
		Summary    string
		Filter     template.HTML
		Titles     []string
		Rows       []htmlRow
		Errors     []string
	}{Missing: missingLines(r.Missing), Summary: recordSummary(r), Filter: htmlpage.Filter("entries", ropa.Allow, ropa.Deny, ropa.Error)}
	for _, row := range controllerRows(r) {
		view.Controller = append(view.Controller, [2]any{row[0], strings.Split(row[1], "\n")})
	}
	for _, c := range columns {
		view.Titles = append(view.Titles, c.Title)
	}
	for i := range r.Entries {
		e := &r.Entries[i]
		row := htmlRow{ID: e.ID, Description: e.Description, Place: fileLine(e.File, e.Line), Outcome: e.Decision.Outcome, Reasons: findingLines("", e.Decision.Reasons, e.Decision.Errors),
			Warnings: findingLines("", e.Decision.Warnings), Conditions: findingLines("requires ", e.Decision.Conditions), Missing: missingLines(e.Missing)}
		if e.PersonState {
			row.PersonState = forOnePerson
		}
		if e.Role != "controller" {
			row.Role = roleColumn.Cell(e)[0]
		}
		for _, c := range columns {
			row.Cells = append(row.Cells, htmlCell{Items: c.Cell(e), Terms: recordTerms[c.Key]})
		}
		view.Rows = append(view.Rows, row)
	}
	for _, f := range r.Errors {
		view.Errors = append(view.Errors, fileLine(f.File, f.Line)+": "+f.Message)
	}
	var body strings.Builder
	if err := recordTemplate.Execute(&body, view); err != nil {
		return err
	}
	return htmlpage.Write(w, htmlpage.Page{
		Title:    "Record of processing activities: " + r.Organisation,
		Subtitle: "Kept under GDPR art. 30(1), from the declarations in the manifests, each decided under " + r.Title + " (policy " + shortRevision(r.Revision) + ")",
		Body:     template.HTML(body.String()),
	})
}
