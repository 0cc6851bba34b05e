// Package flow draws the data-flow picture of the HTML reports as inline SVG: data subjects on
// the left, declarations in the middle, recipients on the right grouped by country, the EU/EEA
// and third countries apart. Each edge carries its declaration's status (allowed, denied, ...) as
// a class, and an edge to a recipient in a third country is labelled with the transfer's
// safeguard. Past MaxNodes declarations the picture aggregates: declarations by group (their
// first purpose), recipients by country and type, so it stays readable for a thousand.
package flow

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Declaration is one declaration as the picture shows it.
type Declaration struct {
	// Key identifies it uniquely (file and place); Label names it.
	Key, Label string
	// Group is what aggregation groups it under (its first purpose).
	Group string
	// Subjects are its categories of data subjects.
	Subjects []string
	// Status is its class: allow, deny, error, or newly_denied, newly_allowed in a diff.
	Status string
	// Recipients are who it discloses data to.
	Recipients []Recipient
	// Note is said when the node is pointed at (the rules that deny it, say).
	Note string
}

// Recipient is one recipient of a declaration.
type Recipient struct {
	// Name and Type name it.
	Name, Type string
	// Country is where it is (empty when not named); Region is EEA, Third or Unknown.
	Country string
	Region  Region
	// Transfer says the disclosure is a transfer out of the EU/EEA; Safeguard is the
	// transfer's safeguard as declared ("" when none is).
	Transfer  bool
	Safeguard string
	// Accepted says the policy accepts the safeguard; an edge with one it does not is marked.
	Accepted bool
}

// Region is where a recipient is.
type Region int

// Regions, in the order the picture shows them.
const (
	EEA Region = iota
	Third
	Unknown
)

var regions = [...]struct{ class, title string }{
	EEA:     {"eea", "EU/EEA"},
	Third:   {"third", "Third countries"},
	Unknown: {"unknown", "No country named"},
}

// Options tune the picture.
type Options struct {
	// MaxNodes is the most declarations drawn one by one (0: DefaultMaxNodes); more are
	// aggregated. It also bounds every column: the smallest groups beyond it are merged into
	// one "others" node.
	MaxNodes int
	// Label describes the picture for screen readers.
	Label string
}

// DefaultMaxNodes is Options.MaxNodes when zero.
const DefaultMaxNodes = 40

// Picture is a drawn data-flow picture.
type Picture struct {
	// SVG is the picture.
	SVG template.HTML
	// Aggregated says declarations were grouped, not drawn one by one.
	Aggregated bool
}

type node struct {
	id, label, title string
	col              int
	region           Region
	country          string
	count            int
	status           map[string]int
	y                float64
}

type edge struct {
	from, to  *node
	status    string
	safeguard string
	accepted  bool
	count     int
}

// Draw draws the declarations.
func Draw(decls []Declaration, opts Options) Picture {
	max := opts.MaxNodes
	if max <= 0 {
		max = DefaultMaxNodes
	}
	aggregate := len(decls) > max
	g := newGraph()
	for _, d := range decls {
		dk, dl := "d:"+d.Key, d.Label
		if aggregate {
			dk, dl = "d:"+d.Group, d.Group
		}
		note := d.Note
		if aggregate {
			note = ""
		}
		dn := g.node(1, dk, dl, note, Unknown, "")
		dn.count++
		dn.status[d.Status]++
		subjects := d.Subjects
		if len(subjects) == 0 {
			subjects = []string{"(not declared)"}
		}
		for _, s := range subjects {
			sn := g.node(0, "s:"+s, s, "", Unknown, "")
			sn.count++
			sn.status[d.Status]++
			g.edge(sn, dn, d.Status, "", true)
		}
		for _, r := range d.Recipients {
			rk, rl := fmt.Sprintf("r:%d/%s/%s/%s", r.Region, r.Country, r.Type, r.Name), r.Name
			if aggregate {
				rk, rl = fmt.Sprintf("r:%d/%s/%s", r.Region, r.Country, r.Type), r.Type
			}
			rn := g.node(2, rk, rl, r.Type+" "+r.Name, r.Region, r.Country)
			rn.count++
			rn.status[d.Status]++
			safeguard := ""
			if r.Transfer {
				safeguard = r.Safeguard
				if safeguard == "" {
					safeguard = "no safeguard"
				}
			}
			g.edge(dn, rn, d.Status, safeguard, r.Transfer && r.Accepted)
		}
	}
	for c := range g.cols {
		g.cols[c] = bound(g.cols[c], max, g)
	}
	return g.draw(opts.Label, aggregate)
}

type graph struct {
	cols  [3][]*node
	nodes map[string]*node
	edges map[string]*edge
	order []string
}

func newGraph() *graph {
	return &graph{nodes: map[string]*node{}, edges: map[string]*edge{}}
}

func (g *graph) node(col int, key, label, title string, region Region, country string) *node {
	if n, ok := g.nodes[key]; ok {
		return n
	}
	n := &node{id: key, label: label, title: title, col: col, region: region, country: country, status: map[string]int{}}
	g.nodes[key] = n
	g.cols[col] = append(g.cols[col], n)
	return n
}

func (g *graph) edge(from, to *node, status, safeguard string, accepted bool) {
	key := from.id + "\x00" + to.id + "\x00" + status + "\x00" + safeguard
	e, ok := g.edges[key]
	if !ok {
		e = &edge{from: from, to: to, status: status, safeguard: safeguard, accepted: accepted}
		g.edges[key] = e
		g.order = append(g.order, key)
	}
	e.count++
}

// bound keeps at most max nodes in a column (per region for recipients): the largest, and one
// "others" node that takes the rest and their edges.
func bound(col []*node, max int, g *graph) []*node {
	byRegion := map[Region][]*node{}
	var keys []Region
	for _, n := range col {
		if _, ok := byRegion[n.region]; !ok {
			keys = append(keys, n.region)
		}
		byRegion[n.region] = append(byRegion[n.region], n)
	}
	var out []*node
	for _, r := range keys {
		ns := byRegion[r]
		if len(ns) <= max {
			out = append(out, ns...)
			continue
		}
		sort.SliceStable(ns, func(i, j int) bool { return ns[i].count > ns[j].count })
		kept, rest := ns[:max-1], ns[max-1:]
		others := &node{id: fmt.Sprintf("%s:others:%d", rest[0].id[:1], r), label: fmt.Sprintf("%d others", len(rest)),
			col: rest[0].col, region: r, status: map[string]int{}}
		merged := map[*node]bool{}
		for _, n := range rest {
			merged[n] = true
			others.count += n.count
			for s, c := range n.status {
				others.status[s] += c
			}
		}
		for _, k := range g.order {
			e := g.edges[k]
			if merged[e.from] {
				e.from = others
			}
			if merged[e.to] {
				e.to = others
			}
		}
		out = append(out, kept...)
		out = append(out, others)
	}
	return out
}

// Geometry.
const (
	width    = 1040.0
	nodeW    = 250.0
	nodeH    = 22.0
	gap      = 6.0
	top      = 44.0
	regionH  = 22.0
	countryH = 16.0
)

var colX = [3]float64{10, 395, 780}

func (g *graph) draw(label string, aggregated bool) Picture {
	// Recipients: by region, then country, then label.
	sort.SliceStable(g.cols[2], func(i, j int) bool {
		a, b := g.cols[2][i], g.cols[2][j]
		if a.region != b.region {
			return a.region < b.region
		}
		if a.country != b.country {
			return a.country < b.country
		}
		return a.label < b.label
	})
	sort.SliceStable(g.cols[0], func(i, j int) bool { return g.cols[0][i].label < g.cols[0][j].label })
	var b strings.Builder
	heights := [3]float64{}
	for c := 0; c < 2; c++ {
		y := top
		for _, n := range g.cols[c] {
			n.y = y
			y += nodeH + gap
		}
		heights[c] = y
	}
	// Recipient column: region areas with country labels.
	var areas strings.Builder
	y := top
	col := g.cols[2]
	for i := 0; i < len(col); {
		r := col[i]
		start := y
		j := i
		for j < len(col) && col[j].region == r.region {
			j++
		}
		fmt.Fprintf(&areas, `<g class="region %s" data-region="%s">`, regions[r.region].class, esc(regions[r.region].title))
		inner := strings.Builder{}
		y += regionH
		for k := i; k < j; {
			country := col[k].country
			l := k
			for l < j && col[l].country == country {
				l++
			}
			name := country
			if name == "" {
				name = "—"
			}
			fmt.Fprintf(&inner, `<g class="country" data-country="%s"><text x="%.1f" y="%.1f">%s</text></g>`, esc(country), colX[2]+8, y+11, esc(name))
			y += countryH
			for m := k; m < l; m++ {
				col[m].y = y
				y += nodeH + gap
			}
			k = l
		}
		fmt.Fprintf(&areas, `<rect class="area" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="6"></rect>`, colX[2]-6, start, nodeW+12, y-start+2)
		fmt.Fprintf(&areas, `<text class="regionhead" x="%.1f" y="%.1f">%s</text>`, colX[2], start+15, esc(regions[r.region].title))
		areas.WriteString(inner.String())
		areas.WriteString(`</g>`)
		y += 10
		i = j
	}
	heights[2] = y
	h := math.Max(heights[0], math.Max(heights[1], heights[2])) + 10

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s" data-aggregated="%t">`,
		width, h, width, h, esc(label), aggregated)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(label))
	heads := [3]string{"Data subjects", "Declarations", "Recipients"}
	if aggregated {
		heads[1] = "Declarations, by purpose"
		heads[2] = "Recipients, by country and type"
	}
	for c, t := range heads {
		fmt.Fprintf(&b, `<text class="colhead" x="%.1f" y="24">%s</text>`, colX[c], esc(t))
	}
	b.WriteString(areas.String())
	most := 1
	for _, e := range g.edges {
		most = max(most, e.count)
	}
	b.WriteString(`<g class="edges">`)
	for _, k := range g.order {
		e := g.edges[k]
		x0, y0 := colX[e.from.col]+nodeW, e.from.y+nodeH/2
		x1, y1 := colX[e.to.col], e.to.y+nodeH/2
		xm := (x0 + x1) / 2
		// Width grows with the flows an edge stands for, the busiest at 7.5.
		w := 1.5
		if most > 1 {
			w += 6 * math.Sqrt(float64(e.count-1)/float64(most-1))
		}
		title := fmt.Sprintf("%s → %s: %s", e.from.label, e.to.label, e.status)
		if e.count > 1 {
			title += fmt.Sprintf(" (%d)", e.count)
		}
		if e.safeguard != "" {
			title += ", transfer safeguard: " + e.safeguard
		}
		fmt.Fprintf(&b, `<path class="edge %s" d="M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f" stroke-width="%.1f" data-from="%s" data-to="%s" data-status="%s" data-count="%d"`,
			esc(e.status), x0, y0, xm, y0, xm, y1, x1, y1, w, esc(e.from.id), esc(e.to.id), esc(e.status), e.count)
		if e.safeguard != "" {
			fmt.Fprintf(&b, ` data-safeguard="%s"`, esc(e.safeguard))
		}
		fmt.Fprintf(&b, `><title>%s</title></path>`, esc(title))
	}
	// Each recipient's safeguards, once, where its transfer edges arrive.
	safeguards := map[*node][]string{}
	refused := map[string]bool{}
	for _, k := range g.order {
		e := g.edges[k]
		if e.safeguard != "" && !slices.Contains(safeguards[e.to], e.safeguard) {
			safeguards[e.to] = append(safeguards[e.to], e.safeguard)
		}
		if e.safeguard != "" && !e.accepted {
			refused[e.safeguard] = true
		}
	}
	for _, n := range g.cols[2] {
		for i, sg := range safeguards[n] {
			class := "safeguard"
			if refused[sg] {
				class += " unsafe"
			}
			fmt.Fprintf(&b, `<text class="%s" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, class, colX[2]-8, n.y+nodeH/2+4+float64(i)*11-float64(len(safeguards[n])-1)*5.5, esc(strings.ToUpper(sg)))
		}
	}
	b.WriteString(`</g>`)
	for c := range g.cols {
		for _, n := range g.cols[c] {
			drawNode(&b, n, aggregated)
		}
	}
	b.WriteString(`</svg>`)
	return Picture{SVG: template.HTML(b.String()), Aggregated: aggregated}
}

func drawNode(b *strings.Builder, n *node, aggregated bool) {
	kinds := [3]string{"subject", "declaration", "recipient"}
	// Only declarations are coloured by their status: a data subject or recipient shares in
	// allowed and denied flows alike, which its edges show.
	status := "neutral"
	if n.col == 1 {
		status = dominant(n.status)
	}
	label := n.label
	if aggregated || n.col != 1 {
		if n.count > 1 {
			label += " ×" + strconv.Itoa(n.count)
		}
	}
	title := n.label
	if n.title != "" {
		title = n.title
	}
	title += " — " + summarise(n.status)
	fmt.Fprintf(b, `<g class="node %s %s" data-node="%s" data-id="%s" data-label="%s" data-count="%d">`,
		kinds[n.col], esc(status), kinds[n.col], esc(n.id), esc(n.label), n.count)
	fmt.Fprintf(b, `<title>%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, esc(title), colX[n.col], n.y, nodeW, nodeH)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text></g>`, colX[n.col]+7, n.y+15, esc(truncate(label, 38)))
}

// dominant is the status a node shows: denied when any of its declarations is, then error,
// newly denied, newly allowed, allowed.
func dominant(status map[string]int) string {
	for _, s := range []string{"deny", "newly_denied", "error", "newly_allowed", "allow"} {
		if status[s] > 0 {
			return s
		}
	}
	for s := range status {
		return s
	}
	return ""
}

func summarise(status map[string]int) string {
	keys := make([]string, 0, len(status))
	for k := range status {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", status[k], strings.ReplaceAll(k, "_", " "))
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return template.HTMLEscapeString(s) }
