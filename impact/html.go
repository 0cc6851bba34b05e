package impact

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/flow"
	"github.com/confect/policyengine/internal/htmlpage"
	"github.com/confect/policyengine/ropa"
)

// ErrNoEntries is returned by Write in html for a report compared without
// check.Options.KeepEntries: the picture needs the activities.
var ErrNoEntries = errors.New("impact: the html report needs the activities (compare with check.Options.KeepEntries)")

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

func (r *Report) writeHTML(w io.Writer) error {
	if r.after == nil || r.after.Policy == nil {
		return ErrNoEntries
	}
	results := map[string]check.Result{}
	for _, res := range r.after.Results {
		results[fmt.Sprintf("%s\x00%d", res.File, res.Index)] = res
	}
	var decls []flow.Declaration
	var rows []changeRow
	for _, c := range r.Changes {
		res, ok := results[fmt.Sprintf("%s\x00%d", c.File, c.index)]
		if !ok || res.Entry == nil {
			return ErrNoEntries
		}
		e := ropa.NewEntry(r.after.Policy, res)
		decls = append(decls, flow.FromEntry(&e, c.Kind))
		row := changeRow{Place: c.File, Activity: c.Activity, Kind: c.Kind, Before: verdict(c.Before), After: verdict(c.After)}
		if c.Line > 0 {
			row.Place = fmt.Sprintf("%s:%d", c.File, c.Line)
		}
		for _, f := range c.Added {
			row.Added = append(row.Added, describe(f))
		}
		for _, f := range c.Removed {
			row.Removed = append(row.Removed, describe(f))
		}
		rows = append(rows, row)
	}
	var errs []string
	for _, f := range r.Errors {
		place := f.File
		if f.Line > 0 {
			place = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		errs = append(errs, strings.TrimSpace(place+" "+f.Activity)+": "+f.Message)
	}
	view := struct {
		Summary Summary
		Picture flow.Picture
		Legend  [][2]string
		Filter  template.HTML
		Rows    []changeRow
		Errors  []string
	}{
		Summary: r.Summary,
		Picture: flow.Draw(decls, flow.Options{Label: "Flows the policy change newly denies or allows"}),
		Legend:  [][2]string{{NewlyDenied, "newly denied"}, {NewlyAllowed, "newly allowed"}, {OtherReasons, "other reasons, same decision"}},
		Filter:  htmlpage.Filter("changes", NewlyDenied, NewlyAllowed, OtherReasons),
		Rows:    rows,
		Errors:  errs,
	}
	var body strings.Builder
	if err := diffTemplate.Execute(&body, view); err != nil {
		return err
	}
	base, next := "the base policy", r.after.Policy.Title
	if r.before != nil && r.before.Policy != nil {
		base = r.before.Policy.Title
	}
	return htmlpage.Write(w, htmlpage.Page{
		Title:    "Policy change: what it does to the manifests",
		Subtitle: fmt.Sprintf("From %s (policy %s) to %s (policy %s)", base, short(r.BaseRevision), next, short(r.Revision)),
		Body:     template.HTML(body.String()),
	})
}
