package ropa

import (
	"html/template"
	"io"
	"strings"

	"github.com/confect/policyengine/internal/htmlpage"
)

// htmlColumns are the record's table in html, after the activity's own cell (its id,
// description, file and role) and before the decision's.
var htmlColumns = columnsNamed("purposes", "legal_basis", "data_subjects", "data_categories", "sources", "recipients",
	"transfers", "retention")

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

// writeHTML writes the record as one self-contained page: the controller, then a filterable
// table with a row per declaration.
func writeHTML(w io.Writer, r *Record) error {
	view := struct {
		Controller [][2]any
		Missing    []string
		Summary    string
		Filter     template.HTML
		Titles     []string
		Rows       []htmlRow
		Errors     []string
	}{Missing: missingLines(r.Missing), Summary: r.summaryLine(), Filter: htmlpage.Filter("entries", Allow, Deny, Error)}
	for _, row := range r.controllerRows() {
		view.Controller = append(view.Controller, [2]any{row[0], strings.Split(row[1], "\n")})
	}
	for _, c := range htmlColumns {
		view.Titles = append(view.Titles, c.Title)
	}
	for i := range r.Entries {
		e := &r.Entries[i]
		row := htmlRow{ID: e.ID, Description: e.Description, Place: place(e.File, e.Line), Outcome: e.Decision.Outcome, Reasons: lines("", e.Decision.Reasons, e.Decision.Errors),
			Warnings: lines("", e.Decision.Warnings), Conditions: lines("requires ", e.Decision.Conditions), Missing: missingLines(e.Missing)}
		if e.PersonState {
			row.PersonState = forOnePerson
		}
		if e.Role != "controller" {
			row.Role = columnsNamed("role")[0].Cell(e)[0]
		}
		for _, c := range htmlColumns {
			row.Cells = append(row.Cells, htmlCell{Items: c.Cell(e), Terms: terms[c.Key]})
		}
		view.Rows = append(view.Rows, row)
	}
	for _, f := range r.Errors {
		view.Errors = append(view.Errors, place(f.File, f.Line)+": "+f.Message)
	}
	var body strings.Builder
	if err := recordTemplate.Execute(&body, view); err != nil {
		return err
	}
	return htmlpage.Write(w, htmlpage.Page{
		Title:    "Record of processing activities: " + r.Organisation,
		Subtitle: "Kept under GDPR art. 30(1), from the declarations in the manifests, each decided under " + r.Title + " (policy " + short(r.Revision) + ")",
		Body:     template.HTML(body.String()),
	})
}
