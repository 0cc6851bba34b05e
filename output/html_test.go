package output_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/htmltest"
	"github.com/confect/policyengine/output"
)

// page is an HTML report, parsed.
type page struct{ root *html.Node }

func parsePage(t *testing.T, src []byte) page {
	t.Helper()
	root, err := htmltest.Parse(src)
	require.NoError(t, err)
	return page{root}
}

var (
	all      = htmltest.All
	attr     = htmltest.Attr
	hasClass = htmltest.HasClass
	tag      = htmltest.Tag
	text     = htmltest.Text
)

func (p page) byID(t *testing.T, id string) *html.Node {
	t.Helper()
	found := all(p.root, func(n *html.Node) bool { return attr(n, "id") == id })
	require.Len(t, found, 1, "one element with id %q", id)
	return found[0]
}

// rows returns the body rows of a table, each as its cells' text.
func (p page) rows(t *testing.T, id string) (rows [][]string, kinds []string) {
	t.Helper()
	tbody := all(p.byID(t, id), tag("tbody"))
	require.Len(t, tbody, 1)
	for _, tr := range all(tbody[0], tag("tr")) {
		var cells []string
		for _, td := range all(tr, tag("td")) {
			cells = append(cells, strings.TrimSpace(text(td)))
		}
		rows = append(rows, cells)
		kinds = append(kinds, attr(tr, "data-kind"))
	}
	return rows, kinds
}

func htmlReport(t *testing.T, paths ...string) (*check.Report, page) {
	t.Helper()
	e := engine(t)
	require.True(t, output.NeedsEntries("html"))
	rep, err := check.Run(context.Background(), e, paths, check.Options{KeepEntries: true})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, output.WriteCheck(&buf, "html", rep, output.Options{}))
	return rep, parsePage(t, buf.Bytes())
}

func TestHTMLIsSelfContained(t *testing.T) {
	_, p := htmlReport(t, "../examples/manifests")
	metas := all(p.root, func(n *html.Node) bool {
		return n.Data == "meta" && strings.EqualFold(attr(n, "http-equiv"), "Content-Security-Policy")
	})
	require.Len(t, metas, 1)
	assert.Contains(t, attr(metas[0], "content"), "default-src 'none'", "the page may fetch nothing")
	assert.Empty(t, all(p.root, tag("link")), "no stylesheet is fetched")
	for _, n := range all(p.root, func(n *html.Node) bool { return attr(n, "src") != "" }) {
		t.Errorf("<%s src=%q>: the page loads nothing", n.Data, attr(n, "src"))
	}
	for _, n := range all(p.root, tag("a")) {
		assert.True(t, strings.HasPrefix(attr(n, "href"), "#"), "links stay in the page: %q", attr(n, "href"))
	}
	assert.Len(t, all(p.root, tag("script")), 1, "one inline script, the table filter")
	assert.Len(t, all(p.root, tag("style")), 1, "one inline stylesheet")
}

func TestHTMLListsEveryDeclarationAndFinding(t *testing.T) {
	rep, p := htmlReport(t, "../examples/manifests")
	decls, outcomes := p.rows(t, "declarations")
	findings, kinds := p.rows(t, "findings")
	var want, wantKinds []string
	i := 0
	for _, res := range rep.Results {
		require.Less(t, i, len(decls))
		row := decls[i]
		i++
		assert.Equal(t, fmt.Sprintf("%s:%d", res.File, res.Line), row[0])
		assert.Equal(t, res.Activity, row[1])
		outcome := "deny"
		if res.Allow {
			outcome = "allow"
		}
		assert.Equal(t, outcome, row[2], res.Activity)
		assert.Equal(t, outcome, outcomes[i-1])
		for _, f := range res.Reasons {
			assert.Contains(t, row[3], f.Rule, res.Activity)
			want = append(want, strings.Join([]string{fmt.Sprintf("%s:%d", res.File, f.Line), res.Activity, "deny", f.Rule, f.Path, f.Message, f.Clause}, "|"))
			wantKinds = append(wantKinds, "deny")
		}
		for _, c := range res.Conditions {
			want = append(want, strings.Join([]string{fmt.Sprintf("%s:%d", res.File, c.Line), res.Activity, "condition", c.Rule, c.Path, c.Message + "requires: " + c.Requires, c.Clause}, "|"))
			wantKinds = append(wantKinds, "condition")
		}
		for _, f := range res.Warnings {
			want = append(want, strings.Join([]string{fmt.Sprintf("%s:%d", res.File, f.Line), res.Activity, "warning", f.Rule, f.Path, f.Message, f.Clause}, "|"))
			wantKinds = append(wantKinds, "warning")
		}
	}
	assert.Len(t, decls, len(rep.Results))
	got := make([]string, len(findings))
	for i, row := range findings {
		got[i] = strings.Join(row, "|")
	}
	assert.Equal(t, want, got, "every finding with its file, line, rule, field, message and clause")
	assert.Equal(t, wantKinds, kinds)

	// Each clause a finding cites is quoted, once, where its link points.
	doc := rep.Policy
	links := all(p.byID(t, "findings"), tag("a"))
	require.NotEmpty(t, links)
	for _, a := range links {
		id := strings.TrimPrefix(attr(a, "href"), "#clause-")
		clause, ok := doc.Clauses[id]
		require.True(t, ok, "a link to a clause of the policy: %q", id)
		heading := p.byID(t, "clause-"+id)
		assert.Contains(t, text(heading), clause.Section)
		quote := heading.NextSibling
		for quote != nil && quote.Type != html.ElementNode {
			quote = quote.NextSibling
		}
		require.NotNil(t, quote)
		assert.Equal(t, "blockquote", quote.Data)
		assert.Equal(t, clause.Text, text(quote))
	}
}

// svg returns the picture's nodes by kind (data-node) and its edges.
func svg(t *testing.T, p page) (*html.Node, map[string][]*html.Node, []*html.Node) {
	t.Helper()
	svgs := all(p.root, tag("svg"))
	require.Len(t, svgs, 1)
	nodes := map[string][]*html.Node{}
	for _, n := range all(svgs[0], func(n *html.Node) bool { return attr(n, "data-node") != "" }) {
		nodes[attr(n, "data-node")] = append(nodes[attr(n, "data-node")], n)
	}
	edges := all(svgs[0], func(n *html.Node) bool { return n.Data == "path" && hasClass(n, "edge") })
	return svgs[0], nodes, edges
}

func TestHTMLFlowPicture(t *testing.T) {
	rep, p := htmlReport(t, "../examples/manifests")
	pic, nodes, edges := svg(t, p)
	assert.Equal(t, "false", attr(pic, "data-aggregated"), "39 declarations are drawn one by one")

	byLabel := map[string]*html.Node{}
	for _, n := range nodes["declaration"] {
		byLabel[attr(n, "data-label")] = n
	}
	assert.Len(t, nodes["declaration"], len(rep.Results), "a node for every declaration")
	recipients := map[string]bool{}
	for _, n := range nodes["recipient"] {
		recipients[attr(n, "data-label")] = true
	}
	for _, res := range rep.Results {
		n, ok := byLabel[res.Activity]
		require.True(t, ok, "a node for %s", res.Activity)
		status := "deny"
		if res.Allow {
			status = "allow"
		}
		assert.True(t, hasClass(n, status), "%s is drawn %s", res.Activity, status)
		// Every flow of the declaration carries its status: a denied declaration's flows are
		// denied, on both sides.
		id := attr(n, "data-id")
		in, out := 0, 0
		for _, e := range edges {
			if attr(e, "data-to") == id {
				in++
				assert.True(t, hasClass(e, status), "flow into %s", res.Activity)
			}
			if attr(e, "data-from") == id {
				out++
				assert.True(t, hasClass(e, status), "flow out of %s", res.Activity)
			}
		}
		assert.Positive(t, in, "%s has its data subjects", res.Activity)
		recipientsOf := res.Entry.Value["recipients"]
		list, _ := recipientsOf.([]any)
		assert.Len(t, list, out, "%s has an edge per recipient", res.Activity)
		for _, r := range list {
			assert.True(t, recipients[r.(map[string]any)["name"].(string)], "a node for recipient of %s", res.Activity)
		}
	}

	// Recipients are grouped by country, the EU/EEA and third countries apart.
	regions := map[string][]string{}
	for _, g := range all(pic, func(n *html.Node) bool { return hasClass(n, "region") }) {
		for _, c := range all(g, func(n *html.Node) bool { return hasClass(n, "country") }) {
			regions[attr(g, "data-region")] = append(regions[attr(g, "data-region")], attr(c, "data-country"))
		}
	}
	assert.Subset(t, regions["EU/EEA"], []string{"SE", "NO", "IE", "FI"})
	assert.Subset(t, regions["Third countries"], []string{"US", "GB"})
	assert.NotContains(t, regions["EU/EEA"], "US")

	// A transfer's safeguard is on its edge: the UK vendor's adequacy, the US trial's none.
	safeguards := map[string]string{}
	for _, e := range edges {
		if s := attr(e, "data-safeguard"); s != "" {
			safeguards[attr(e, "data-to")] = s
		}
	}
	seen := map[string]bool{}
	for to, s := range safeguards {
		seen[s] = true
		assert.Contains(t, to, "/", to)
	}
	assert.True(t, seen["adequacy"] && seen["scc"] && seen["no safeguard"], "safeguards drawn: %v", safeguards)

	// And where the policy does not accept a safeguard (Confect names SCCs only), its label says so.
	labels := map[string]bool{}
	for _, n := range all(pic, func(n *html.Node) bool { return n.Data == "text" && hasClass(n, "safeguard") }) {
		labels[text(n)] = hasClass(n, "unsafe")
	}
	assert.Equal(t, map[string]bool{"SCC": false, "ADEQUACY": true, "NO SAFEGUARD": true}, labels)
}

func TestHTMLAggregatesAThousandDeclarations(t *testing.T) {
	dir, denied := declarations(t, 1000)
	countries, purposes := generatedCountries, generatedPurposes
	rep, p := htmlReport(t, dir)
	require.Equal(t, 1000, rep.Summary.Activities)
	require.Equal(t, denied, rep.Summary.Denied)

	pic, nodes, edges := svg(t, p)
	assert.Equal(t, "true", attr(pic, "data-aggregated"))
	total := 0
	for _, n := range nodes["declaration"] {
		c, err := strconv.Atoi(attr(n, "data-count"))
		require.NoError(t, err)
		total += c
	}
	assert.Equal(t, 1000, total, "the aggregated nodes account for every declaration")
	assert.LessOrEqual(t, len(nodes["declaration"]), len(purposes), "declarations by purpose")
	assert.LessOrEqual(t, len(nodes["recipient"]), len(countries), "recipients by country and type")
	deniedFlows := 0
	for _, e := range edges {
		if hasClass(e, "deny") && strings.HasPrefix(attr(e, "data-to"), "r:") {
			c, _ := strconv.Atoi(attr(e, "data-count"))
			deniedFlows += c
		}
	}
	assert.Equal(t, denied, deniedFlows, "every denied flow is drawn, counted on its edge")

	decls, _ := p.rows(t, "declarations")
	assert.Len(t, decls, 1000, "the table lists every declaration")
	findings, _ := p.rows(t, "findings")
	assert.Len(t, findings, denied+rep.Summary.Conditions, "every finding and condition is listed")
}

func TestHTMLEscapesTheManifest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`id: "<script>alert(1)</script>"
description: "</style><img src=x onerror=alert(1)>"
data_subjects: [customer]
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contract
retention: {period: P1Y, from: end_of_contract}
recipients: [{name: "<b>Vendor</b>", type: subprocessor, country: US}]
`), 0o644))
	_, p := htmlReport(t, path)
	assert.Len(t, all(p.root, tag("script")), 1)
	assert.Empty(t, all(p.root, tag("img")))
	_, nodes, _ := svg(t, p)
	require.Len(t, nodes["recipient"], 1)
	assert.Equal(t, "<b>Vendor</b>", attr(nodes["recipient"][0], "data-label"))
	assert.Empty(t, all(nodes["recipient"][0], tag("b")))
	assert.Empty(t, all(p.byID(t, "declarations"), tag("b")))
	decls, _ := p.rows(t, "declarations")
	assert.Equal(t, "<script>alert(1)</script>", decls[0][1], "shown as text")
}

func TestHTMLNeedsTheEntries(t *testing.T) {
	rep := report(t)
	assert.ErrorIs(t, output.WriteCheck(&bytes.Buffer{}, "html", rep, output.Options{}), output.ErrNoEntries)
	assert.False(t, output.NeedsEntries("text"))
}

func TestHTMLReportsWhatCouldNotBeDecided(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.json"), []byte(brokenJSON), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "odd.yaml"), []byte("id: odd\ndata_categories: [name]\npurposes: [purchase.orders]\nfavourite_colour: blue\n"), 0o644))
	rep, p := htmlReport(t, dir)
	require.Equal(t, 2, rep.Summary.Errors)
	decls, outcomes := p.rows(t, "declarations")
	require.Len(t, decls, 1, "the activity that could not be decided is listed; the unreadable file is not a declaration")
	assert.Equal(t, []string{"error"}, outcomes)
	findings, kinds := p.rows(t, "findings")
	require.Len(t, findings, 2)
	assert.Equal(t, []string{"error", "error"}, kinds)
	var places []string
	for _, row := range findings {
		places = append(places, row[0])
		assert.Equal(t, check.InputRule, row[3])
	}
	assert.Contains(t, places, filepath.Join(dir, "odd.yaml")+":4", "the unknown key, on its line")
	assert.Contains(t, places, filepath.Join(dir, "broken.json")+":4")
}

var (
	generatedCountries = []string{"SE", "DE", "US", "GB", "IN"}
	generatedPurposes  = []string{"purchase.services", "support.customer_support", "security.maintenance", "support.improvement"}
)

// declarations writes n declarations (a multiple of 50) in files of 50: a tenth denied (no DPA
// with a US vendor), recipients in five countries. It returns the directory and how many are
// denied.
func declarations(tb testing.TB, n int) (string, int) {
	tb.Helper()
	dir := tb.TempDir()
	countries, purposes := generatedCountries, generatedPurposes
	denied := 0
	for f := 0; f < n/50; f++ {
		var b strings.Builder
		b.WriteString("activities:\n")
		for i := 0; i < 50; i++ {
			n := f*50 + i
			country := countries[n%len(countries)]
			dpa := "true"
			if n%10 == 0 {
				dpa, country = "false", "US"
				denied++
			}
			fmt.Fprintf(&b, `  - id: decl-%04d
    data_subjects: [customer]
    data_categories: [name, email]
    purposes: [%s]
    legal_basis: legitimate_interest
    retention: {period: P1Y, from: collection}
    recipients:
      - {name: Vendor %d, type: subprocessor, country: %q, dpa: %s, transfer_safeguard: scc}
`, n, purposes[n%len(purposes)], n%97, country, dpa)
		}
		require.NoError(tb, os.WriteFile(filepath.Join(dir, fmt.Sprintf("team-%02d.yaml", f)), []byte(b.String()), 0o644))
	}
	return dir, denied
}

// BenchmarkHTML renders the report of 1,000 declarations (the picture aggregated).
func BenchmarkHTML(b *testing.B) {
	dir, _ := declarations(b, 1000)
	e := engine(b)
	rep, err := check.Run(context.Background(), e, []string{dir}, check.Options{KeepEntries: true})
	require.NoError(b, err)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		require.NoError(b, output.WriteCheck(&buf, "html", rep, output.Options{}))
	}
	b.ReportMetric(float64(buf.Len()), "bytes/report")
}
