// Package htmlpage is the frame of the HTML reports (check, diff, the record of processing): one
// self-contained page with its style and a small script inline, nothing fetched. A Content
// Security Policy in the page forbids every fetch, so a report cannot reach the network even
// where it quotes a manifest's text.
package htmlpage

import (
	"html/template"
	"io"
	"strings"
)

// Page is one report.
type Page struct {
	// Title heads the page; Subtitle says what it covers.
	Title, Subtitle string
	// Body is the report's content, rendered by the report's own template.
	Body template.HTML
}

// CSP is the page's Content Security Policy: inline style and script, images only as data:,
// nothing else.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="` + CSP + `">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>` + style + `</style>
</head>
<body>
<header><h1>{{.Title}}</h1>{{with .Subtitle}}<p class="subtitle">{{.}}</p>{{end}}</header>
<main>
{{.Body}}
</main>
<script>` + script + `</script>
</body>
</html>
`))

// Write writes the page.
func Write(w io.Writer, p Page) error {
	return page.Execute(w, p)
}

var filter = template.Must(template.New("filter").Parse(`<div class="filter" data-filter-for="{{.Table}}">
<label>Filter <input type="search" placeholder="file, activity, rule, text…" aria-label="Filter the rows"></label>
{{if .Kinds}}<label>Show <select aria-label="Show only">
<option value="">all</option>
{{range .Kinds}}<option value="{{.}}">{{.}}</option>
{{end}}</select></label>{{end}}
<span class="count" aria-live="polite"></span>
</div>`))

// Filter returns the controls that filter the rows of the table with the given id, in the
// browser, without a server: by text, and by a row's data-kind among kinds (none: no choice).
func Filter(table string, kinds ...string) template.HTML {
	var b strings.Builder
	if err := filter.Execute(&b, struct {
		Table string
		Kinds []string
	}{table, kinds}); err != nil {
		panic("htmlpage: the filter template cannot fail: " + err.Error())
	}
	return template.HTML(b.String())
}

// script filters the tables (each row's text lowercased once), and marks the page ready when it
// has run, so a browser test can tell that it did.
const script = `(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-filter-for]");
  Array.prototype.forEach.call(boxes, function (box) {
    var table = document.getElementById(box.getAttribute("data-filter-for"));
    if (!table || !table.tBodies.length) { return; }
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return { row: r, text: r.textContent.toLowerCase(), kind: r.getAttribute("data-kind") || "" };
    });
    var text = box.querySelector("input"), kind = box.querySelector("select"), count = box.querySelector(".count");
    function apply() {
      var q = text.value.trim().toLowerCase(), k = kind ? kind.value : "", shown = 0;
      rows.forEach(function (r) {
        var ok = (!q || r.text.indexOf(q) >= 0) && (!k || r.kind === k);
        r.row.hidden = !ok;
        if (ok) { shown++; }
      });
      count.textContent = shown + " of " + rows.length + " rows";
    }
    text.addEventListener("input", apply);
    if (kind) { kind.addEventListener("change", apply); }
    apply();
  });
  document.body.setAttribute("data-ready", "true");
}());`

const style = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --deny: #c62828; --allow: #2e7d32;
  --warn: #b26a00; --cond: #5c4ab4; --error: #6e2c91; --eea: #e8f1fb; --third: #fdf0e6; --unknown: #f1f1f1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); }
header { padding: 20px 28px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.subtitle { margin: 0 0 8px; color: var(--muted); }
main { padding: 8px 28px 40px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 120px; background: var(--bg); }
.card b { display: block; font-size: 22px; }
.card.deny b { color: var(--deny); } .card.allow b { color: var(--allow); } .card.warn b { color: var(--warn); }
.card.error b { color: var(--error); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
thead th { position: sticky; top: 0; }
tr[hidden] { display: none; }
table.kv th { width: 220px; }
table.record { font-size: 12.5px; } table.record td:first-child { min-width: 200px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.allow, .badge.newly_allowed { background: var(--allow); } .badge.deny, .badge.newly_denied { background: var(--deny); }
.badge.warning, .badge.warn { background: var(--warn); } .badge.condition { background: var(--cond); }
.badge.error { background: var(--error); } .badge.other_reasons { background: var(--muted); }
ul.items { margin: 0; padding-left: 16px; } ul.items li { margin: 0; }
.missing { color: var(--deny); }
.muted { color: var(--muted); }
.filter { display: flex; gap: 16px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.filter input { width: 320px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
.filter select { padding: 3px 6px; font: inherit; }
.filter .count { color: var(--muted); }
.legend { display: flex; gap: 18px; flex-wrap: wrap; margin: 6px 0; color: var(--muted); font-size: 13px; }
.legend i { display: inline-block; width: 26px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 6px; }
.legend i.allow, .legend i.newly_allowed { border-color: var(--allow); }
.legend i.deny, .legend i.newly_denied { border-color: var(--deny); border-top-style: dashed; }
.legend i.error { border-color: var(--error); border-top-style: dotted; }
.flow { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.flow svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .colhead { font-weight: 700; font-size: 13px; }
svg .node rect { fill: #fff; stroke: #8c959f; rx: 4; }
svg .node.deny rect, svg .node.newly_denied rect { stroke: var(--deny); stroke-width: 2; fill: #fdecea; }
svg .node.allow rect, svg .node.newly_allowed rect { stroke: var(--allow); }
svg .node.error rect { stroke: var(--error); stroke-dasharray: 3 2; }
svg .region rect.area { stroke: none; }
svg .region.eea rect.area { fill: var(--eea); } svg .region.third rect.area { fill: var(--third); }
svg .region.unknown rect.area { fill: var(--unknown); }
svg .region text.regionhead { font-weight: 700; }
svg .country text { fill: var(--muted); font-size: 11px; }
svg .edge { fill: none; stroke: #8c959f; stroke-opacity: .7; }
svg .edge.allow, svg .edge.newly_allowed { stroke: var(--allow); }
svg .edge.deny, svg .edge.newly_denied { stroke: var(--deny); stroke-dasharray: 6 3; stroke-opacity: .85; }
svg .edge.error { stroke: var(--error); stroke-dasharray: 2 3; }
svg .safeguard { font-size: 10.5px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .safeguard.unsafe { fill: var(--deny); }
details summary { cursor: pointer; }
blockquote { margin: 4px 0 10px; padding: 4px 12px; border-left: 3px solid var(--line); color: var(--muted); }
@media print {
  body { font-size: 11px; }
  header, main { padding-left: 0; padding-right: 0; }
  .filter { display: none; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr, .card, .flow { break-inside: avoid; }
  .flow { border: none; overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .badge { color: #000; border: 1px solid #000; background: none !important; }
  @page { size: A4 landscape; margin: 12mm; }
}
`
