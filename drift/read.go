package drift

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// The scanners whose reports drift reads.
const (
	// Privado is Privado's privado.json (privado scan; .privado/privado.json).
	Privado = "privado"
	// Bearer is Bearer CLI's privacy report in JSON (bearer scan --report privacy --format json).
	Bearer = "bearer"
)

// Scanners returns the names of the scanners whose reports drift reads.
func Scanners() []string { return []string{Privado, Bearer} }

// Limits bound what one scanner report may hold.
type Limits struct {
	// MaxBytes is the largest report read; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxValues is the most JSON values one report may hold; 0 means DefaultMaxValues.
	MaxValues int
}

const (
	// DefaultMaxBytes is the largest report read when Limits.MaxBytes is 0: a scan of a large
	// repository writes tens of megabytes.
	DefaultMaxBytes = 256 << 20
	// DefaultMaxValues is the most values a report may hold when Limits.MaxValues is 0.
	DefaultMaxValues = 1 << 24
)

// Scan is what one scanner report says: every flow of a data element to a third party.
type Scan struct {
	// Scanner is Privado or Bearer.
	Scanner string `json:"scanner"`
	// File is the report's path as given.
	File string `json:"file"`
	// Flows are the flows, in the report's order.
	Flows []Flow `json:"flows"`
}

// Flow is one data element a scanner found reaching a third party.
type Flow struct {
	// Scanner is Privado or Bearer; Report the report's file.
	Scanner string `json:"scanner"`
	Report  string `json:"report"`
	// Element is the data element as the scanner names it (Privado's id,
	// Data.Sensitive.ContactData.EmailAddress; Bearer's data type, Email Address).
	Element string `json:"element"`
	// Sink is the third party.
	Sink Sink `json:"sink"`
	// Pointer is the JSON pointer of the flow in the report: a Privado path, a Bearer data type.
	Pointer string `json:"pointer"`
	// Code is where the data leaves: the last step of Privado's path. For Bearer, which gives
	// no line, it is the data type's place in the report.
	Code Location `json:"code"`
}

// Sink is a third party as a scanner names it.
type Sink struct {
	// ID is the scanner's id of the sink (Privado: ThirdParties.SDK.Stripe); "" for Bearer.
	ID string `json:"id,omitempty"`
	// Name is the scanner's name of the third party.
	Name string `json:"name"`
	// Domains are the internet domains the scanner gives for it (Privado's domains, and the
	// hosts of its apiUrl), lower case.
	Domains []string `json:"domains,omitempty"`
}

// label names the sink: its name, or its id when the scanner gives no name.
func (s Sink) label() string {
	if s.Name == "" {
		return s.ID
	}
	return s.Name
}

// Location is a place in a file.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// ReadFile reads a scanner's report from a file: a regular file, within the limits. What
// cannot be read, or is not the scanner's report, is a *problem.Problem naming the file, the
// field (JSON pointer and line) and what was expected.
func ReadFile(scanner, path string, lim Limits) (*Scan, error) {
	max := lim.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	data, err := manifest.ReadData(path, manifest.Options{MaxBytes: max})
	if err != nil {
		return nil, problem.In(path, err)
	}
	return Read(scanner, path, data, lim)
}

// Read reads a scanner's report from its bytes; file names it in flows and problems.
func Read(scanner, file string, data []byte, lim Limits) (*Scan, error) {
	values := lim.MaxValues
	if values <= 0 {
		values = DefaultMaxValues
	}
	doc, err := jsonpos.ParseJSON(data, jsonpos.Options{Positions: true, MaxValues: values})
	if err != nil {
		return nil, problem.In(file, err)
	}
	r := &reader{file: file, doc: doc, scan: &Scan{Scanner: scanner, File: file, Flows: []Flow{}}}
	switch scanner {
	case Privado:
		err = r.privado()
	case Bearer:
		err = r.bearer()
	default:
		return nil, fmt.Errorf("drift: unknown scanner %q (want %s)", scanner, strings.Join(Scanners(), " or "))
	}
	if err != nil {
		return nil, err
	}
	return r.scan, nil
}

// reader walks one report, failing on the first field of the wrong shape.
type reader struct {
	file string
	doc  *jsonpos.Doc
	scan *Scan
}

// fail is the problem of the value at pointer: expected says what it should be.
func (r *reader) fail(pointer, expected string) error {
	pos := r.doc.Locate(pointer)
	return &problem.Problem{File: r.file, Line: pos.Line, Column: pos.Column, Pointer: pointer, Message: "expected " + expected, Kind: problem.Schema}
}

func (r *reader) object(v any, pointer, what string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, r.fail(pointer, what)
	}
	return m, nil
}

func (r *reader) list(m map[string]any, key, pointer, what string, required bool) ([]any, error) {
	v, has := m[key]
	if !has && !required {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, r.fail(jsonpos.AppendPointer(pointer, key), what)
	}
	return l, nil
}

func (r *reader) str(m map[string]any, key, pointer string, required bool) (string, error) {
	v, has := m[key]
	if !has && !required {
		return "", nil
	}
	s, ok := v.(string)
	if !ok || (required && s == "") {
		return "", r.fail(jsonpos.AppendPointer(pointer, key), "a string that is not empty")
	}
	return s, nil
}

func (r *reader) number(m map[string]any, key, pointer string) (int, error) {
	v, has := m[key]
	if !has {
		return 0, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, r.fail(jsonpos.AppendPointer(pointer, key), "a whole number")
	}
	i, err := n.Int64()
	if err != nil || i < 0 || i > 1<<31 {
		return 0, r.fail(jsonpos.AppendPointer(pointer, key), "a whole number")
	}
	return int(i), nil
}

func (r *reader) strings(m map[string]any, key, pointer string) ([]string, error) {
	l, err := r.list(m, key, pointer, "a list of strings", false)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, r.fail(fmt.Sprintf("%s/%d", jsonpos.AppendPointer(pointer, key), i), "a string")
		}
		out = append(out, s)
	}
	return out, nil
}

// privado reads privado.json: dataFlow.third_parties[] of {sourceId, sinks[]}, each sink
// {id, name, domains[], apiUrl[], paths[] of {pathId, path[] of {fileName, lineNumber,
// columnNumber, ...}}}. Other fields, and the other kinds of flow (storages, leakages, ...), are
// not read.
func (r *reader) privado() error {
	const what = "a Privado report (privado.json): an object with dataFlow.third_parties"
	top, err := r.object(r.doc.Value, "", what)
	if err != nil {
		return err
	}
	if _, ok := top["dataFlow"]; !ok {
		return r.fail("", what)
	}
	if _, err := r.list(top, "sources", "", "a list of data elements", false); err != nil {
		return err
	}
	df, err := r.object(top["dataFlow"], "/dataFlow", "an object of data flows by kind (third_parties, storages, ...)")
	if err != nil {
		return err
	}
	tps, err := r.list(df, "third_parties", "/dataFlow", "a list of flows to third parties", true)
	if err != nil {
		return err
	}
	for i, v := range tps {
		p := fmt.Sprintf("/dataFlow/third_parties/%d", i)
		flow, err := r.object(v, p, "an object with sourceId and sinks")
		if err != nil {
			return err
		}
		element, err := r.str(flow, "sourceId", p, true)
		if err != nil {
			return err
		}
		sinks, err := r.list(flow, "sinks", p, "a list of sinks", true)
		if err != nil {
			return err
		}
		for j, sv := range sinks {
			sp := fmt.Sprintf("%s/sinks/%d", p, j)
			if err := r.privadoSink(element, sv, sp); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *reader) privadoSink(element string, v any, pointer string) error {
	sink, err := r.object(v, pointer, "an object with id, name, domains and paths")
	if err != nil {
		return err
	}
	var s Sink
	if s.ID, err = r.str(sink, "id", pointer, true); err != nil {
		return err
	}
	if s.Name, err = r.str(sink, "name", pointer, false); err != nil {
		return err
	}
	domains, err := r.strings(sink, "domains", pointer)
	if err != nil {
		return err
	}
	urls, err := r.strings(sink, "apiUrl", pointer)
	if err != nil {
		return err
	}
	s.Domains = domainsOf(domains, urls)
	paths, err := r.list(sink, "paths", pointer, "a list of paths", false)
	if err != nil {
		return err
	}
	if len(paths) == 0 { // a sink with no path: the flow stands at the sink in the report
		pos := r.doc.Locate(pointer)
		r.scan.Flows = append(r.scan.Flows, Flow{Scanner: Privado, Report: r.file, Element: element, Sink: s, Pointer: pointer,
			Code: Location{File: r.file, Line: pos.Line, Column: pos.Column}})
		return nil
	}
	for k, pv := range paths {
		pp := fmt.Sprintf("%s/paths/%d", pointer, k)
		path, err := r.object(pv, pp, "an object with a path")
		if err != nil {
			return err
		}
		steps, err := r.list(path, "path", pp, "a list of steps", true)
		if err != nil {
			return err
		}
		if len(steps) == 0 {
			return r.fail(pp+"/path", "a list of at least one step")
		}
		var last Location
		for n, st := range steps { // every step is checked; the last is where the data leaves
			stp := fmt.Sprintf("%s/path/%d", pp, n)
			step, err := r.object(st, stp, "an object with fileName and lineNumber")
			if err != nil {
				return err
			}
			if last.File, err = r.str(step, "fileName", stp, true); err != nil {
				return err
			}
			if last.Line, err = r.number(step, "lineNumber", stp); err != nil {
				return err
			}
			if last.Column, err = r.number(step, "columnNumber", stp); err != nil {
				return err
			}
		}
		r.scan.Flows = append(r.scan.Flows, Flow{Scanner: Privado, Report: r.file, Element: element, Sink: s, Pointer: pp, Code: last})
	}
	return nil
}

// bearer reads Bearer's privacy report: third_party[] of {third_party, subject_name,
// data_types[], ...}. Its subjects[] and counts are not read.
func (r *reader) bearer() error {
	const what = "a Bearer privacy report (bearer scan --report privacy --format json): an object with third_party"
	top, err := r.object(r.doc.Value, "", what)
	if err != nil {
		return err
	}
	if _, ok := top["third_party"]; !ok {
		if _, subjects := top["subjects"]; !subjects {
			return r.fail("", what)
		}
		return nil // Bearer leaves third_party out when it found none
	}
	tps, err := r.list(top, "third_party", "", "a list of third parties", true)
	if err != nil {
		return err
	}
	for i, v := range tps {
		p := fmt.Sprintf("/third_party/%d", i)
		tp, err := r.object(v, p, "an object with third_party and data_types")
		if err != nil {
			return err
		}
		name, err := r.str(tp, "third_party", p, true)
		if err != nil {
			return err
		}
		types, err := r.list(tp, "data_types", p, "a list of data type names", true)
		if err != nil {
			return err
		}
		for j, tv := range types {
			tpp := fmt.Sprintf("%s/data_types/%d", p, j)
			t, ok := tv.(string)
			if !ok || t == "" {
				return r.fail(tpp, "a data type name")
			}
			pos := r.doc.Locate(tpp)
			r.scan.Flows = append(r.scan.Flows, Flow{Scanner: Bearer, Report: r.file, Element: t, Sink: Sink{Name: name}, Pointer: tpp,
				Code: Location{File: r.file, Line: pos.Line, Column: pos.Column}})
		}
	}
	return nil
}

// domainsOf returns the domains a sink names, and the hosts of its API URLs, lower case,
// without a trailing dot, each once.
func domainsOf(domains, urls []string) []string {
	var out []string
	add := func(d string) {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d == "" || strings.ContainsAny(d, "/:@ ") {
			return
		}
		for _, have := range out {
			if have == d {
				return
			}
		}
		out = append(out, d)
	}
	for _, d := range domains {
		if strings.Contains(d, "://") {
			if u, err := url.Parse(d); err == nil {
				d = u.Hostname()
			}
		}
		add(d)
	}
	for _, s := range urls {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			add(u.Hostname())
		}
	}
	return out
}
