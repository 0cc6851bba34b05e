package fides

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/internal/document"
	"github.com/confect/policyengine/internal/printable"
	"github.com/confect/policyengine/internal/safefile"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// Export writes fideslang 3.x from activity manifests, so that a team that keeps its declarations
// as manifests can feed Fides' data map: each manifest becomes a Fides file of one system (its
// fides_key the manifest's name), each activity a privacy declaration (its name the activity's
// id) whose Fides fields say what Fides can say of it, through the policy's fides_mapping read
// backwards and its recipient_register; the recipients the register describes become vendor
// systems (system_type Third Party) the declarations send data to (egress), written once, in
// recipients.yml. What Fides has no field for (sources, consent to, retention from an event other
// than collection, a court order, the exact terms where a Fides key stands for several) is kept
// in the system's meta, under policyengine, with each activity as the manifest says it: reading
// the file back (check, import fides) decides as the manifests do. Once the Fides fields of a
// declaration are changed (in Fides, by hand), that activity is no longer read from the meta
// (fides.meta_stale) and the Fides fields are judged instead.
//
// Datasets are not written: a manifest names the data categories an activity processes, not the
// datasets that hold them.

// metaKey is the key under a system's meta that holds what export fides wrote.
const metaKey = "policyengine"

// ExportOptions say where Export writes and what it reads.
type ExportOptions struct {
	// Dir is the directory the Fides files are written to, created if missing. It must stand
	// inside the working directory once symbolic links are followed.
	Dir string
	// Read bounds each manifest read.
	Read manifest.Options
}

// Exported is what Export did.
type Exported struct {
	// Files are the Fides files written.
	Files []ExportedFile
	// Problems are why manifests, or activities of them, could not be exported (exit 2).
	Problems []*problem.Problem
	// Notes say what Fides' data map will not show: each term of the activities no Fides key
	// stands for alone in the policy's fides_mapping (the meta keeps it; reading back decides
	// the same).
	Notes []string
}

// ExportedFile is one Fides file Export wrote.
type ExportedFile struct {
	// Path is the file written.
	Path string
	// From is the manifest it was written from ("" for recipients.yml).
	From string
	// Declarations counts its privacy declarations.
	Declarations int
}

// Export reads the manifests named (files; the caller walks directories) and writes fideslang
// 3.x into opts.Dir, as the comment above says. The error is about the output; what is wrong
// with the input is in the result.
func Export(ctx context.Context, doc *policy.Document, files []string, opts ExportOptions) (*Exported, error) {
	if opts.Dir == "" {
		return nil, errors.New("no output directory")
	}
	ex := &Exported{}
	x := newExporter(doc)
	type out struct {
		from string
		sys  map[string]any
		n    int
	}
	var outs []out
	keys := map[string]bool{}
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m, err := manifest.ReadFile(name, opts.Read)
		if err != nil {
			ex.Problems = append(ex.Problems, problem.Of(err, name)...)
			continue
		}
		var acts []map[string]any
		for _, e := range m.Entries {
			p := exportable(name, e)
			if p == nil && x.firstUse(e.Value) == "" {
				p = &problem.Problem{File: name, Line: e.Line, Column: e.Column, Pointer: e.Pointer + "/purposes", Message: "none of the activity's purposes has a Fides data use in the policy's fides_mapping.data_uses, and a privacy declaration needs one: add a data use for one of them to the table"}
			}
			if p != nil {
				ex.Problems = append(ex.Problems, p)
				continue
			}
			acts = append(acts, e.Value)
		}
		if len(acts) == 0 {
			continue
		}
		key := uniqueKey(fidesKeyOf(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))), keys)
		sys := x.system(key, acts)
		sys["description"] = "Written by policyengine export fides from the manifest " + filepath.Base(name) + "."
		outs = append(outs, out{from: name, sys: sys, n: len(acts)})
	}
	ex.Notes = x.notes()
	if len(outs) == 0 {
		return ex, nil
	}
	dir, err := safefile.Dir(opts.Dir)
	if err != nil {
		return ex, err
	}
	used := map[string]bool{}
	vendorsFile := ""
	if len(x.vendors) > 0 {
		vendorsFile = uniqueName("recipients", ".yml", used)
	}
	for _, o := range outs {
		file := map[string]any{"system": []any{o.sys}}
		for _, kind := range []string{kindUse, kindCategory, kindSubject} {
			if list := x.customResources(kind, o.sys); len(list) > 0 {
				file[resourceList(kind)] = list
			}
		}
		head := "Fides (fideslang 3) resources written by policyengine export fides from " + printable.String(filepath.Base(o.from))
		if vendorsFile != "" {
			head += "; the vendors' systems its declarations send data to are in " + vendorsFile
		}
		name := uniqueName(unsafeName.ReplaceAllString(strings.TrimSuffix(filepath.Base(o.from), filepath.Ext(o.from)), "_"), ".yml", used)
		if err := writeFides(dir, name, head, file); err != nil {
			return ex, err
		}
		ex.Files = append(ex.Files, ExportedFile{Path: filepath.Join(opts.Dir, name), From: o.from, Declarations: o.n})
	}
	if vendorsFile != "" {
		var systems []any
		for _, k := range sortedKeys(x.vendors) {
			systems = append(systems, x.vendors[k])
		}
		if err := writeFides(dir, vendorsFile, "The vendors' systems (the policy's recipient_register) the exported declarations send data to", map[string]any{"system": systems}); err != nil {
			return ex, err
		}
		ex.Files = append(ex.Files, ExportedFile{Path: filepath.Join(opts.Dir, vendorsFile)})
	}
	return ex, nil
}

// resourceList is the resource list that extends the taxonomy of a kind of key.
func resourceList(kind string) string {
	for list, k := range customKinds {
		if k == kind {
			return list
		}
	}
	return ""
}

// exportable is why an entry of a manifest cannot be exported, or nil: an activity the manifest
// itself refuses, one the activity schema refuses, or a decision about one person (Fides
// declares; it does not decide per person).
func exportable(file string, e *manifest.Entry) *problem.Problem {
	at := func(msg string) *problem.Problem {
		return &problem.Problem{File: file, Line: e.Line, Column: e.Column, Pointer: e.Pointer, Message: msg}
	}
	switch {
	case e.Err != nil:
		return at(e.Err.Message)
	case e.Value == nil:
		return at("expected an activity (an object)")
	case !e.IsDeclaration():
		return at("a decision about one person (consent, subject) is not a declaration: Fides has none to write it to; export the declaration without them")
	}
	if err := schema.ValidateActivity(e.Value); err != nil {
		ps := problem.All(err)
		if len(ps) > 0 {
			p := *ps[0]
			line, col := e.Locate(p.Pointer)
			return &problem.Problem{File: file, Line: line, Column: col, Pointer: e.Pointer + p.Pointer, Message: p.Message}
		}
		return at(err.Error())
	}
	return nil
}

func writeFides(dir, name, head string, v map[string]any) error {
	node, err := toNode(v, fidesOrder)
	if err != nil {
		return err
	}
	node.HeadComment = comment([]string{head + "."})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return safefile.Write(dir, name, buf.Bytes(), 0o644)
}

// fidesOrder is the order of the keys of what export fides writes: a file's lists, a resource's
// fides_key and name first, a declaration's data use before its categories and subjects, an
// activity's fields as a manifest has them.
var fidesOrder = append([]string{"system", "id", "fides_key", "name", "description", "system_type", "parent_key", "responsibility",
	"data_use", "data_category", "data_subject", "data_categories", "data_subjects", "privacy_declarations", "declarations", "activity"}, order...)

var nonKey = regexp.MustCompile(`[^a-zA-Z0-9_.<>-]+`)

// fidesKeyOf makes a FidesKey of a name: other characters become _.
func fidesKeyOf(name string) string {
	k := strings.Trim(nonKey.ReplaceAllString(name, "_"), "_")
	if k == "" {
		return "system"
	}
	return k
}

func uniqueKey(k string, used map[string]bool) string {
	out := k
	for n := 2; used[out]; n++ {
		out = k + "_" + strconv.Itoa(n)
	}
	used[out] = true
	return out
}

func uniqueName(base, ext string, used map[string]bool) string {
	base = strings.TrimLeft(base, ".")
	if base == "" {
		base = "fides"
	}
	name := base + ext
	for n := 2; used[name]; n++ {
		name = base + "-" + strconv.Itoa(n) + ext
	}
	used[name] = true
	return name
}

// exporter reads the policy's fides_mapping and recipient_register backwards.
type exporter struct {
	p *project
	// keys are, by kind, the Fides keys that stand for each term: those that map to it alone
	// first, then those that map to it among others; each list in order of preference.
	keys    map[string]map[string][]string
	vendors map[string]map[string]any // the vendors' systems written, by register key
	// unmapped counts, by kind, the activities of each term no Fides key stands for.
	unmapped map[string]map[string]int
}

func newExporter(doc *policy.Document) *exporter {
	x := &exporter{p: tableOf(doc), keys: map[string]map[string][]string{}, vendors: map[string]map[string]any{}, unmapped: map[string]map[string]int{}}
	x.p.register, x.p.special = doc.RecipientRegister, doc.SpecialCategories
	for _, kind := range []string{kindUse, kindCategory, kindSubject} {
		candidates := DefaultKeys(kind)
		for _, k := range x.p.tableKeys(kind) {
			if !slices.Contains(candidates, k) {
				candidates = append(candidates, k)
			}
		}
		alone, among := map[string][]string{}, map[string][]string{}
		for _, k := range candidates {
			r := x.p.resolve(kind, k)
			if !r.Mapped || r.Entry.NotInPolicy || r.Entry.NotPersonalData {
				continue
			}
			for _, t := range r.Entry.To {
				if len(r.Entry.To) == 1 {
					alone[t] = append(alone[t], k)
				} else {
					among[t] = append(among[t], k)
				}
			}
		}
		prefer := func(a, b string) int {
			if da, db := isDefault(kind, a), isDefault(kind, b); da != db {
				if da {
					return -1
				}
				return 1
			}
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		}
		x.keys[kind] = map[string][]string{}
		for _, m := range []map[string][]string{alone, among} {
			for t, ks := range m {
				slices.SortFunc(ks, prefer)
				x.keys[kind][t] = append(x.keys[kind][t], ks...)
			}
		}
	}
	return x
}

// use is the data use that stands best for a purpose of an activity: one that maps to the
// purpose alone and implies what the activity has (its channel, profiling, no recipient) before
// any other.
func (x *exporter) use(purpose string, a map[string]any) (string, bool) {
	best, score := "", -1
	for _, k := range x.keys[kindUse][purpose] {
		e := x.p.resolve(kindUse, k).Entry
		s := 0
		if len(e.To) == 1 {
			s += 8
		}
		if e.Recipient == "" {
			s += 4
		}
		if ch, _ := a["channel"].(map[string]any); (e.Channel == nil && ch == nil) || e.Channel != nil && ch != nil && ch["type"] == e.Channel.Type && ch["content"] == e.Channel.Content {
			s += 2
		}
		if prof, _ := a["profiling"].(bool); prof == e.Profiling {
			s++
		}
		if s > score {
			best, score = k, s
		}
	}
	return best, best != ""
}

// firstUse is the data use of an activity's privacy declaration: that of its first purpose a
// Fides data use stands for, or "" when none does.
func (x *exporter) firstUse(a map[string]any) string {
	for _, s := range asList(a["purposes"]) {
		if k, ok := x.use(s, a); ok {
			return k
		}
	}
	return ""
}

// terms maps an activity's list of terms to Fides keys, each once; a term no key stands for is
// told to note.
func (x *exporter) terms(kind string, list any, note func(term string)) []any {
	items, _ := list.([]any)
	out := []any{}
	for _, t := range items {
		s, _ := t.(string)
		ks := x.keys[kind][s]
		if len(ks) == 0 {
			note(s)
			continue
		}
		if !slices.Contains(out, any(ks[0])) {
			out = append(out, ks[0])
		}
	}
	return out
}

// system writes one system of the activities of a manifest, and notes what Fides' data map will
// not show.
func (x *exporter) system(key string, acts []map[string]any) map[string]any {
	var decls, kept []any
	roles := map[string]bool{}
	profiling, transfers := false, false
	var bases, flows []string
	for _, a := range acts {
		id, _ := a["id"].(string)
		note := func(kind string) func(string) {
			return func(term string) {
				if x.unmapped[kind] == nil {
					x.unmapped[kind] = map[string]int{}
				}
				x.unmapped[kind][term]++
			}
		}
		d, decl := x.declaration(a, note)
		decls = append(decls, d)
		kept = append(kept, map[string]any{"name": id, "activity": document.Clone(a)})
		if r, _ := a["role"].(string); r == "processor" {
			roles["Processor"] = true
		} else {
			roles["Controller"] = true
		}
		if p, _ := a["profiling"].(bool); p {
			profiling = true
		}
		transfers = transfers || decl.transfers
		bases = append(bases, decl.bases...)
		flows = append(flows, decl.flows...)
	}
	sys := map[string]any{
		"fides_key":            key,
		"name":                 key,
		"system_type":          "Service",
		"privacy_declarations": decls,
		"meta":                 map[string]any{metaKey: map[string]any{"declarations": kept}},
	}
	var resp []any
	for _, r := range responsibilities {
		if roles[r] {
			resp = append(resp, r)
		}
	}
	sys["responsibility"] = resp
	if profiling {
		sys["uses_profiling"] = true
	}
	if transfers {
		sys["does_international_transfers"] = true
		sys["legal_basis_for_transfers"] = strs(sortedSet(bases))
	}
	if len(flows) > 0 {
		var egress []any
		for _, k := range sortedSet(flows) {
			egress = append(egress, map[string]any{"fides_key": k, "type": "system"})
		}
		sys["egress"] = egress
	}
	return sys
}

// notes say, term by term, what Fides' data map will not show.
func (x *exporter) notes() []string {
	var out []string
	for _, kind := range []string{kindUse, kindCategory, kindSubject} {
		for _, t := range sortedKeys(x.unmapped[kind]) {
			out = append(out, fmt.Sprintf("the %s %s (in %d activities) has no Fides key in the policy's fides_mapping.%s that stands for it alone: Fides' data map will not show it (reading the files back still decides as the manifests do). Add a key for it to the table", singular(kind), quoteKey(t), x.unmapped[kind][t], kind))
		}
	}
	return out
}

// declared is what a declaration says that its system says for it.
type declared struct {
	transfers bool
	bases     []string // legal bases for transfers
	flows     []string // the vendors' systems it sends data to
}

func (x *exporter) declaration(a map[string]any, note func(kind string) func(string)) (map[string]any, declared) {
	var out declared
	id, _ := a["id"].(string)
	d := map[string]any{"name": id}
	for _, s := range asList(a["purposes"]) {
		if _, ok := x.use(s, a); !ok {
			note(kindUse)(s)
		}
	}
	use := x.firstUse(a)
	d["data_use"] = use // Export has made sure there is one
	d["data_categories"] = x.terms(kindCategory, a["data_categories"], note(kindCategory))
	d["data_subjects"] = x.terms(kindSubject, a["data_subjects"], note(kindSubject))
	if basis, _ := a["legal_basis"].(string); basis != "" {
		for _, v := range legalBases { // fideslang's own spelling, when the table has it
			if x.p.mapping.LegalBases[v] == basis {
				d["legal_basis_for_processing"] = v
				break
			}
		}
	}
	if r, _ := a["retention"].(map[string]any); r != nil {
		if days, ok := retentionText(r["period"]); ok {
			d["retention_period"] = days
		}
	}
	for _, c := range asList(a["data_categories"]) {
		if _, special := x.p.special[c]; special {
			d["processes_special_category_data"] = true
		}
	}
	var others []string
	recipients, _ := a["recipients"].([]any)
	for _, r := range recipients {
		rm, _ := r.(map[string]any)
		if sg, _ := rm["transfer_safeguard"].(string); sg != "" && sg != "none" {
			out.transfers = true
			for _, v := range sortedKeys(x.p.mapping.TransferBases) {
				if x.p.mapping.TransferBases[v] == sg {
					out.bases = append(out.bases, v)
					break
				}
			}
		}
		if k, ok := x.registered(rm); ok {
			out.flows = append(out.flows, k)
			continue
		}
		name, _ := rm["name"].(string)
		others = append(others, name)
	}
	if len(out.flows) > 0 {
		d["egress"] = strs(sortedSet(out.flows))
	}
	if len(others) > 0 {
		d["data_shared_with_third_parties"] = true
		d["third_parties"] = strings.Join(others, ", ")
	}
	return d, out
}

// registered finds the register's entry that says exactly what a recipient says, and writes
// the vendor's system for it: its fides_key.
func (x *exporter) registered(r map[string]any) (string, bool) {
	for _, k := range sortedKeys(x.p.register) {
		e := x.p.register[k]
		want := map[string]any{"name": e.Name, "type": e.Type, "dpa": e.DPA}
		if e.Country != "" {
			want["country"] = e.Country
		}
		if e.TransferSafeguard != "" {
			want["transfer_safeguard"] = e.TransferSafeguard
		}
		if e.LegalBasis != "" {
			want["legal_basis"] = e.LegalBasis
		}
		got := map[string]any{}
		for f, v := range r {
			got[f] = v
		}
		if _, has := got["dpa"]; !has {
			got["dpa"] = false
		}
		if !reflect.DeepEqual(want, got) {
			continue
		}
		key := fidesKeyOf(k)
		if _, done := x.vendors[k]; !done {
			v := map[string]any{"fides_key": key, "name": e.Name, "system_type": "Third Party", "privacy_declarations": []any{}}
			if key != k {
				v["vendor_id"] = k
			}
			x.vendors[k] = v
		}
		return key, true
	}
	return "", false
}

// customResources are the taxonomy resources a system's declarations need that are not in the
// default taxonomy (keys of the mapping table of the policy's own), each with its ancestors that
// are not either.
func (x *exporter) customResources(kind string, sys map[string]any) []any {
	var keys []string
	field := map[string]string{kindUse: "data_use", kindCategory: "data_categories", kindSubject: "data_subjects"}[kind]
	decls, _ := sys["privacy_declarations"].([]any)
	for _, d := range decls {
		dm, _ := d.(map[string]any)
		v := dm[field]
		if s, ok := v.(string); ok {
			v = []any{s}
		}
		for _, k := range asList(v) {
			for ; k != "" && !isDefault(kind, k); k = parentOf(k) {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
	}
	slices.Sort(keys)
	var out []any
	for _, k := range keys {
		r := map[string]any{"fides_key": k}
		if n := x.p.name(kind, k); n != "" {
			r["name"] = n
		}
		if p := parentOf(k); p != "" && kind != kindSubject {
			r["parent_key"] = p
		}
		out = append(out, r)
	}
	return out
}

func parentOf(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}

// retentionText writes an ISO 8601 period of one unit as a retention_period the reader reads
// back: days as a number, else a count and its unit.
func retentionText(v any) (string, bool) {
	s, _ := v.(string)
	m := onePeriod.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]string{"D": "", "W": "week", "M": "month", "Y": "year"}[m[2]]
	switch {
	case unit == "":
		return m[1], true
	case n == 1:
		return "1 " + unit, true
	}
	return m[1] + " " + unit + "s", true
}

var onePeriod = regexp.MustCompile(`^P([0-9]{1,4})([DWMY])$`)

func asList(v any) []string {
	items, _ := v.([]any)
	var out []string
	for _, x := range items {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedSet(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

// keptActivity is an activity export fides kept in a system's meta, and where it stands.
type keptActivity struct {
	name     string
	activity map[string]any
	at       place
}

// exported reads the activities export fides kept in a system's meta, in their order; nil when
// there are none, or when the meta is not as export fides writes it.
func (p *project) exported(s resource) []keptActivity {
	meta, _ := s.value["meta"].(map[string]any)
	ours, _ := meta[metaKey].(map[string]any)
	list, _ := ours["declarations"].([]any)
	var out []keptActivity
	seen := map[string]bool{}
	for i, x := range list {
		m, _ := x.(map[string]any)
		name, _ := m["name"].(string)
		a, ok := m["activity"].(map[string]any)
		if !ok || seen[name] {
			return nil
		}
		seen[name] = true
		out = append(out, keptActivity{name: name, activity: a, at: s.at.sub("/meta/" + metaKey + "/declarations/" + strconv.Itoa(i) + "/activity")})
	}
	return out
}

// fresh reports whether a system's Fides fields are still what export fides writes for the
// activities kept in its meta, as far as the reader reads them: the system's fields, and each
// kept activity's declaration. A system changed since (in Fides, by hand) is read from its Fides
// fields instead, so that the meta never stands for what the Fides fields no longer say.
func (p *project) fresh(s resource, kept []keptActivity) bool {
	acts := make([]map[string]any, len(kept))
	for i, k := range kept {
		acts[i] = k.activity
	}
	want := newExporter(p.doc).system(s.key, acts)
	if !reflect.DeepEqual(decisionFields(want, systemDecides), decisionFields(s.value, systemDecides)) {
		return false
	}
	have := map[string]map[string]any{}
	decls, _ := s.value["privacy_declarations"].([]any)
	for _, d := range decls {
		if dm, ok := d.(map[string]any); ok {
			if n, _ := dm["name"].(string); have[n] == nil {
				have[n] = dm
			}
		}
	}
	wanted, _ := want["privacy_declarations"].([]any)
	for _, d := range wanted {
		dm := d.(map[string]any)
		name, _ := dm["name"].(string)
		got := have[name]
		if got == nil || !reflect.DeepEqual(decisionFields(dm, declarationDecides), decisionFields(got, declarationDecides)) {
			return false
		}
	}
	return true
}

// The fields the reader reads of a system and of a privacy declaration, with their defaults:
// what fresh compares.
var (
	systemDecides = map[string]any{
		"system_type": "", "responsibility": []string{}, "uses_profiling": false, "does_international_transfers": false,
		"legal_basis_for_transfers": []string{}, "vendor_id": "", "egress": []string{}, "ingress": []string{},
		"dataset_references": []string{}, "third_country_transfers": []string{}, "processes_personal_data": true,
	}
	declarationDecides = map[string]any{
		"data_use": "", "data_categories": []string{}, "data_subjects": []string{}, "dataset_references": []string{},
		"egress": []string{}, "ingress": []string{}, "legal_basis_for_processing": "", "retention_period": "",
		"processes_special_category_data": false, "data_shared_with_third_parties": false, "third_parties": "",
		"shared_categories": []string{}, "data_qualifier": "",
	}
)

// decisionFields reads the fields of obj that fields names, in one form: a missing field as its
// default, a flag as fideslang reads it, a list as the sorted set of its items (a flow as its
// fides_key and type).
func decisionFields(obj map[string]any, fields map[string]any) map[string]any {
	out := map[string]any{}
	for f, def := range fields {
		v, has := obj[f]
		switch d := def.(type) {
		case bool:
			b, ok := laxBool(v)
			if !has || !ok {
				b = d
			}
			out[f] = b
		case string:
			t, _ := textOf(v, true)
			out[f] = t
		default:
			var items []string
			if t, ok := v.(string); ok {
				items = []string{t}
			}
			list, _ := v.([]any)
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					k, _ := m["fides_key"].(string)
					t, _ := m["type"].(string)
					items = append(items, k+"\x00"+t)
				} else if t, ok := textOf(x, true); ok {
					items = append(items, t)
				}
			}
			out[f] = append([]string{}, sortedSet(items)...)
		}
	}
	return out
}

// fromExport makes the declaration the activity export fides kept for it, every field located
// in the meta.
func (d *Declaration) fromExport(k keptActivity) {
	d.Activity = document.Clone(k.activity).(map[string]any)
	if id, ok := d.Activity["id"].(string); ok && id != "" {
		d.ID = id
	} else {
		d.Activity["id"] = d.ID
	}
	d.PersonalData = true
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		d.at[ptr] = k.at.sub(ptr).source()
		switch x := v.(type) {
		case map[string]any:
			for key, e := range x {
				walk(e, document.AppendPointer(ptr, key))
			}
		case []any:
			for i, e := range x {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(k.activity, "")
}
