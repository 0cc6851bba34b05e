package output_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/htmltest"
	"github.com/confect/policyengine/internal/logtest"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/ropa"
)

var recordTime = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// record builds the record of the manifests under paths, under the policy in dir ("" for the
// embedded one).
func record(t *testing.T, dir string, paths ...string) *ropa.Record {
	t.Helper()
	var opts []policyengine.Option
	if dir != "" {
		opts = append(opts, policyengine.WithPolicyDir(dir))
	}
	e := engine(t, opts...)
	rep, err := check.Run(context.Background(), e, paths, check.Options{KeepEntries: true})
	require.NoError(t, err)
	rec, err := ropa.Build(rep)
	require.NoError(t, err)
	return rec
}

// write writes a record in a format.
func write(t *testing.T, rec *ropa.Record, format string) []byte {
	t.Helper()
	return render(t, output.WriteRecord, format, rec)
}

// manifest writes a manifest into a temporary directory and returns its path.
func manifest(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

// examples is the record of examples/manifests, its revision fixed so that the golden files
// change with what the record says, not with every edit of the policy.
func examples(t *testing.T) *ropa.Record {
	rec := record(t, "", "../examples/manifests")
	require.NotEmpty(t, rec.Revision)
	rec.Revision = "0123456789abcdef"
	return rec
}

func TestRecordGolden(t *testing.T) {
	rec := examples(t)
	for format, file := range map[string]string{"markdown": "examples.md", "csv": "examples.csv", "json": "examples.json"} {
		t.Run(format, func(t *testing.T) {
			got := write(t, rec, format)
			golden := filepath.Join("testdata", "ropa", file)
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./output -update to write the golden files")
			assert.Equal(t, string(want), string(got), "the record of examples/manifests changed: review it, then go test ./output -update")
		})
	}
}

func TestCSVParsesBack(t *testing.T) {
	rec := examples(t)
	rows, err := csv.NewReader(bytes.NewReader(write(t, rec, "csv"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(rec.Entries)+1, "a header row and one row per declaration")
	header := rows[0]
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %v", name, header)
		return -1
	}
	for i, e := range rec.Entries {
		row := rows[i+1]
		assert.Equal(t, e.ID, row[col("activity")])
		assert.Equal(t, e.Decision.Outcome, row[col("decision")])
		assert.Len(t, strings.Split(row[col("data_categories")], "; "), len(e.DataCategories), e.ID)
		for _, r := range e.Decision.Reasons {
			assert.Contains(t, row[col("reasons")], r.Rule, e.ID)
		}
		for _, m := range e.Missing {
			assert.Contains(t, row[col("missing")], m.Field, e.ID)
		}
	}
}

func TestCSVCellsStayInert(t *testing.T) {
	path := manifest(t, "odd.yaml", `id: odd
description: "=HYPERLINK(\"http://example.test\"), with \"quotes\",\nand a second line"
data_subjects: [customer]
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contract
retention: {period: P1Y, from: end_of_contract}
recipients: []
`)
	rows, err := csv.NewReader(bytes.NewReader(write(t, record(t, "", path), "csv"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	desc := rows[1][2]
	assert.Equal(t, "'=HYPERLINK(\"http://example.test\"), with \"quotes\",\nand a second line", desc,
		"a formula is prefixed so a spreadsheet shows it as text; quotes and line breaks survive")
}

func TestJSONFollowsItsSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	src, err := os.ReadFile("../schema/ropa.schema.json")
	require.NoError(t, err)
	require.NoError(t, c.AddResource("ropa.schema.json", bytes.NewReader(src)))
	s, err := c.Compile("ropa.schema.json")
	require.NoError(t, err)
	for name, rec := range map[string]*ropa.Record{
		"confect":    examples(t),
		"brightpath": record(t, "../examples/policies/brightpath", "../testdata/two-policies"),
	} {
		t.Run(name, func(t *testing.T) {
			var v any
			require.NoError(t, json.Unmarshal(write(t, rec, "json"), &v))
			assert.NoError(t, s.Validate(v))
			var back ropa.Record
			require.NoError(t, json.Unmarshal(write(t, rec, "json"), &back))
			assert.Equal(t, *rec, back, "the JSON holds the whole record")
		})
	}
}

func TestMissingFieldsAreListed(t *testing.T) {
	path := manifest(t, "gaps.yaml", `activities:
  - id: complete
    data_subjects: [customer]
    data_categories: [name, email]
    purposes: [purchase.orders]
    legal_basis: contract
    retention: {period: P5Y, from: end_of_contract}
    recipients:
      - {name: PayFlow Inc., type: subprocessor, country: US, dpa: true, transfer_safeguard: scc}
  - id: no-recipients-at-all
    data_subjects: [customer]
    data_categories: [name]
    purposes: [purchase.orders]
    legal_basis: contract
    retention: {period: P5Y, from: end_of_contract}
  - id: none-declared
    data_subjects: [customer]
    data_categories: [name]
    purposes: [purchase.orders]
    legal_basis: contract
    retention: {period: P5Y, from: end_of_contract}
    recipients: []
  - id: gaps
    data_categories: [name]
    purposes: [purchase.orders]
    retention: {period: P5Y}
    recipients:
      - {name: Somewhere Ltd, type: subprocessor, dpa: true}
      - {name: Faraway Inc., type: subprocessor, country: US, dpa: true}
  - id: hosted
    role: processor
    customer_dpa: DPA-1
    data_subjects: [customer]
    data_categories: [name]
    purposes: [purchase.services]
    recipients: []
`)
	rec := record(t, "", path)
	missing := map[string][]string{}
	lines := map[string]int{}
	for _, e := range rec.Entries {
		missing[e.ID] = []string{}
		for _, m := range e.Missing {
			missing[e.ID] = append(missing[e.ID], m.Article+" "+m.Field)
			lines[e.ID+m.Field] = m.Line
		}
	}
	assert.Equal(t, map[string][]string{
		"complete":             {},
		"no-recipients-at-all": {"art. 30(1)(d) /recipients"},
		"none-declared":        {},
		"gaps": {
			"art. 6(1) /legal_basis",
			"art. 30(1)(c) /data_subjects",
			"art. 30(1)(e) /recipients/0/country",
			"art. 30(1)(e) /recipients/1/transfer_safeguard",
			"art. 30(1)(f) /retention/from",
		},
		"hosted": {},
	}, missing)
	assert.Equal(t, 28, lines["gaps/recipients/0/country"], "a missing field is located at its nearest present parent")
	assert.Equal(t, 3, rec.Summary.Entries-rec.Summary.Incomplete, "three entries are complete")
	assert.Empty(t, rec.Missing, "Confect's document names the controller, its contact and the security measures")

	md := string(write(t, rec, "markdown"))
	assert.Contains(t, md, "art. 30(1)(f) /retention/from: the event the retention period runs from is not declared")
	assert.Contains(t, md, "Faraway Inc. to US, safeguard: not documented")
}

func TestControllerFromThePolicyDocument(t *testing.T) {
	rec := examples(t)
	require.NotNil(t, rec.Controller)
	assert.Equal(t, "Confect", rec.Controller.Name)
	assert.Contains(t, rec.Controller.Decisions, "management team")
	md := string(write(t, rec, "markdown"))
	assert.Contains(t, md, "| Data protection officer | not named in the policy document |")
	assert.Contains(t, md, "All important privacy decisions at Confect are made by the management team")

	// A document that names no controller: the record says so, it does not go blank.
	other := record(t, "../examples/policies/brightpath", "../testdata/two-policies")
	require.Nil(t, other.Controller)
	require.NotEmpty(t, other.Missing)
	assert.Equal(t, "art. 30(1)(a)", other.Missing[0].Article)
	assert.Contains(t, string(write(t, other, "markdown")), "| Controller | not named in the policy document |")
}

func TestRecordUnknownFormat(t *testing.T) {
	err := output.Validate(output.Record, "xlsx")
	require.ErrorIs(t, err, output.ErrUnknownFormat)
	assert.Contains(t, err.Error(), "csv, html, json, markdown")
}

func TestHTMLRecord(t *testing.T) {
	rec := examples(t)
	root, err := htmltest.Parse(write(t, rec, "html"))
	require.NoError(t, err)
	var rows, controller []*html.Node
	var scripts, fetches int
	var walk func(n *html.Node, table string)
	walk = func(n *html.Node, table string) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "id" && n.Data == "table" {
					table = a.Val
				}
				if a.Key == "src" || (a.Key == "href" && !strings.HasPrefix(a.Val, "#")) {
					fetches++
				}
			}
			switch {
			case n.Data == "script":
				scripts++
			case n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" && table == "entries":
				rows = append(rows, n)
			case n.Data == "tr" && table == "controller":
				controller = append(controller, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, table)
		}
	}
	walk(root, "")
	assert.Equal(t, 1, scripts, "one inline script, the filter")
	assert.Zero(t, fetches, "nothing fetched")
	require.Len(t, rows, len(rec.Entries), "a row per declaration")
	for i, e := range rec.Entries {
		got := htmltest.Text(rows[i])
		assert.Contains(t, got, e.ID)
		assert.Contains(t, got, e.Decision.Outcome)
		for _, m := range e.Missing {
			assert.Contains(t, got, m.Message, e.ID)
		}
		for _, p := range e.Purposes {
			assert.Contains(t, got, p.Description, e.ID)
		}
	}
	require.NotEmpty(t, controller)
	assert.Contains(t, htmltest.Text(controller[0]), "Confect")
}

// Every cell of the markdown record is escaped, whatever a manifest's file name or text holds: a
// newline and pipes in a file name cannot end the row, add a row, a heading or a link; nor can a
// backslash undo an escape, nor a control character reach the terminal that prints the record.
// The CSV and HTML records hold the same row as it is: a quoted cell, and html/template's text.
func TestMarkdownTableHoldsItsShape(t *testing.T) {
	name := "a\n| [link](javascript:alert(1)) | ![img](x) |\n\n# heading\n`code`\\|\x1b[2J::error::x.yaml"
	path := manifest(t, name, `id: hostile
description: "ends \\ | here\r\n| [more](javascript:x) |\e[31m <b>x</b> <script>alert(1)</script> **bold** `+"`"+`"
data_subjects: [customer]
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contract
retention: {period: P1Y, from: end_of_contract}
recipients: [{name: "X \\| Y\n# Z", type: group_company, country: SE}]
`)
	rec := record(t, "", path)
	require.Len(t, rec.Entries, 1)
	md := string(write(t, rec, "markdown"))
	assert.Empty(t, logtest.Unsafe(md))
	var header, rows []string
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "| Activity"):
			header = append(header, line)
		case strings.HasPrefix(line, "| **"):
			rows = append(rows, line)
		}
		assert.False(t, strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# Record") && !strings.HasPrefix(line, "## "), "a heading of the manifest's: %q", line)
	}
	require.Len(t, header, 1)
	require.Len(t, rows, 1, "one row for the one activity:\n%s", md)
	// A backslash escapes the character after it (a pipe, even in code, in a table); what is left
	// of a line is markup, and code spans are literal.
	markup := func(line string) string {
		line = regexp.MustCompile(`\\.`).ReplaceAllString(line, "x")
		return regexp.MustCompile("`[^`]*`").ReplaceAllString(line, "code")
	}
	assert.Equal(t, strings.Count(markup(header[0]), "|"), strings.Count(markup(rows[0]), "|"), "the row has as many cells as the header: %s", rows[0])
	assert.NotContains(t, markup(md), "](", "no link")
	assert.NotContains(t, md, "<b>")
	assert.NotContains(t, md, "<script>")
	assert.Contains(t, md, `\*\*bold\*\*`)

	table, err := csv.NewReader(bytes.NewReader(write(t, rec, "csv"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, table, 2, "a header and the one row")
	assert.Contains(t, table[1], path+":1", "the file name as it is, in a quoted cell")

	page, err := htmltest.Parse(write(t, rec, "html"))
	require.NoError(t, err)
	entries := htmltest.All(page, func(n *html.Node) bool { return n.Data == "table" && htmltest.Attr(n, "id") == "entries" })
	require.Len(t, entries, 1)
	assert.Len(t, htmltest.All(entries[0], htmltest.Tag("tr")), 2, "a header and the one row")
	assert.Empty(t, htmltest.All(entries[0], func(n *html.Node) bool { return n.Data == "a" || n.Data == "img" }))
	assert.Contains(t, htmltest.Text(entries[0]), "<b>x</b>", "the manifest's markup is text")
}
