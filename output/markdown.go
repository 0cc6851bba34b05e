package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/confect/policyengine/ropa"
)

// recordMarkdown writes a record of processing activities as a reviewer reads it in a pull request:
// the controller, then one table row per declaration.
func recordMarkdown(w io.Writer, r *ropa.Record, _ Options) error {
	columns := withCode(r, recordTableColumns)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Record of processing activities: %s\n\n", md(r.Organisation))
	fmt.Fprintf(bw, "Kept under GDPR art. 30(1), from the declarations in the manifests, each decided under %s (policy `%s`).\n\n",
		md(r.Title), shortRevision(r.Revision))
	fmt.Fprintln(bw, "## Controller")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "| | |")
	fmt.Fprintln(bw, "|---|---|")
	for _, row := range controllerRows(r) {
		fmt.Fprintf(bw, "| %s | %s |\n", row[0], mdLines(strings.Split(row[1], "\n")))
	}
	if len(r.Missing) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Missing from the record:")
		fmt.Fprintln(bw)
		for _, m := range missingLines(r.Missing) {
			fmt.Fprintf(bw, "- %s\n", md(m))
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "## Processing activities")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, md(recordSummary(r)))
	fmt.Fprintln(bw)
	fmt.Fprint(bw, "| Activity |")
	for _, c := range columns {
		fmt.Fprintf(bw, " %s |", c.Title)
	}
	fmt.Fprintln(bw, " Decision | Missing |")
	fmt.Fprint(bw, "|---|")
	fmt.Fprint(bw, strings.Repeat("---|", len(columns)+2))
	fmt.Fprintln(bw)
	for i := range r.Entries {
		e := &r.Entries[i]
		activity := "**" + md(e.ID) + "**"
		if e.Description != "" {
			activity += "<br>" + md(e.Description)
		}
		activity += "<br>" + mdCode(fileLine(e.File, e.Line))
		if e.Role != "controller" {
			activity += "<br>" + mdLines(roleColumn.Cell(e))
		}
		fmt.Fprintf(bw, "| %s |", activity)
		for _, c := range columns {
			if recordTerms[c.Key] && len(c.Cell(e)) > 0 {
				fmt.Fprintf(bw, " %s |", md(strings.Join(c.Cell(e), ", ")))
				continue
			}
			fmt.Fprintf(bw, " %s |", mdLines(c.Cell(e)))
		}
		fmt.Fprintf(bw, " %s | %s |\n", mdDecision(e), mdLines(missingLines(e.Missing)))
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "## Files that could not be read")
		fmt.Fprintln(bw)
		for _, f := range r.Errors {
			fmt.Fprintf(bw, "- %s: %s\n", mdCode(fileLine(f.File, f.Line)), md(f.Message))
		}
	}
	return bw.Flush()
}

func mdDecision(e *ropa.Entry) string {
	d := e.Decision
	items := []string{"**" + d.Outcome + "**"}
	if e.PersonState {
		items[0] += " " + forOnePerson
	}
	for _, s := range findingLines("", d.Reasons, d.Errors) {
		items = append(items, md(s))
	}
	for _, s := range findingLines("", d.Warnings) {
		items = append(items, "warning: "+md(s))
	}
	for _, s := range findingLines("requires ", d.Conditions) {
		items = append(items, "condition: "+md(s))
	}
	return strings.Join(items, "<br>")
}

// mdLines joins a cell's items for a table cell; an empty cell is a dash.
func mdLines(items []string) string {
	if len(items) == 0 {
		return "—"
	}
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = md(s)
	}
	return strings.Join(out, "<br>")
}

// md makes text safe in a markdown table cell: on one line and Printable, then no pipe, HTML,
// emphasis, code or link that is not escaped, and no backslash that could undo an escape.
func md(s string) string { return mdEscaper.Replace(oneLine(s)) }

var mdEscaper = strings.NewReplacer("\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"*", "\\*", "`", "\\`", "[", "\\[", "]", "\\]")

// mdCode shows a name (a file's) as code in a table cell: Printable, so that a line break in it
// shows as \n and cannot end the row; a pipe escaped as a table needs even in code; a backquote,
// which would end the code, as an apostrophe.
func mdCode(s string) string {
	return "`" + strings.NewReplacer("`", "'", "|", "\\|").Replace(Printable(s)) + "`"
}
