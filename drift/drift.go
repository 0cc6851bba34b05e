// Package drift judges what code does against what was declared: it reads code scanners'
// reports (Privado's privado.json, Bearer's privacy report), maps each data element they found
// reaching a third party to the policy's data categories (the policy document's
// scanner_mapping), and joins the flows to the declarations of a check report. A flow is
// covered when one declaration lists its category and names a recipient matching its sink; a
// flow no declaration covers, a sink no declaration names and an element the mapping does not
// know are findings located at the code, where the data leaves.
//
// Judge returns the outcome as a check report, which every output format renders (SARIF, JUnit,
// GitHub annotations, JSON, text): the declarations that cover the flows, decided by the policy
// as check decides them, and a result per finding at the code. Declarations that cover no flow
// are check's business, not drift's.
package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/ropa"
)

// ErrNoEntries is returned by Judge for a check report run without check.Options.KeepEntries.
var ErrNoEntries = errors.New("drift: the check report holds no declarations (run it with KeepEntries)")

// Input names a scanner's report to read.
type Input struct {
	// Scanner is Privado or Bearer.
	Scanner string
	// File is the report's path.
	File string
}

// The outcomes of a flow.
const (
	// Covered: a declaration lists the flow's category and names a recipient matching its sink.
	Covered = "covered"
	// Uncovered, UnmatchedSink and Unmapped are findings (RuleUncovered, RuleUnmatchedSink,
	// RuleUnmapped).
	Uncovered     = "uncovered"
	UnmatchedSink = "unmatched_sink"
	Unmapped      = "unmapped"
	// NotPersonal: the mapping says the element is no personal data; not judged.
	NotPersonal = "not_personal_data"
)

// Result is what drift found.
type Result struct {
	// Report is the outcome as a check report, for the output formats: the results of the
	// declarations that decide the flows, the errors of manifests and reports that could not be
	// read, and a result per finding at the code (Index -1, located at the code, named
	// "<scanner>: <third party>", the finding's path a JSON pointer into the scanner's report).
	Report *check.Report
	// Flows are the flows of every report read, in order, each with its outcome.
	Flows []Judged
	// Unread are the problems of the reports that could not be read (each also an error result
	// in Report).
	Unread []problem.Problem
}

// Judged is a flow with its outcome.
type Judged struct {
	Flow
	// Categories are the data categories the mapping gives the element.
	Categories []string `json:"categories,omitempty"`
	// Outcome is Covered, Uncovered, UnmatchedSink, Unmapped or NotPersonal.
	Outcome string `json:"outcome"`
	// DecidedBy are the declarations that decide a covered flow: those that cover it and are
	// allowed, or, when none is, every one that covers it.
	DecidedBy []Declaration `json:"decided_by,omitempty"`
	// Naming, for an uncovered flow, are the declarations that name its recipient but list none
	// of its categories.
	Naming []Declaration `json:"naming,omitempty"`
}

// Declaration names a declaration of the check report.
type Declaration struct {
	// File is its manifest; Index its place there; ID its id.
	File  string `json:"file"`
	Index int    `json:"index"`
	ID    string `json:"id"`
}

// declared is a declaration of the check report as the join reads it.
type declared struct {
	Declaration
	result     int // its place in the check report's results
	allow      bool
	categories []string
	recipients []policyengine.Recipient
}

// Judge reads the scanners' reports and joins their flows to the declarations of rep, a check
// report run with check.Options.KeepEntries. A report that cannot be read, or is not the
// scanner's, is an error result in the outcome (as a manifest that cannot be read is in
// check's), and nothing it holds is judged.
func Judge(rep *check.Report, inputs []Input, lim Limits) (*Result, error) {
	if rep == nil || rep.Policy == nil {
		return nil, errors.New("drift: the check report names no policy document")
	}
	decls, err := declarations(rep)
	if err != nil {
		return nil, err
	}
	doc := rep.Policy
	out := &check.Report{Results: []check.Result{}, Revision: rep.Revision, FailOnWarn: rep.FailOnWarn, Policy: doc, Skipped: rep.Skipped,
		Rules: append(slices.Clip(rep.Rules), Rules(doc)...)}
	out.Summary.Files, out.Summary.FidesFiles = rep.Summary.Files, rep.Summary.FidesFiles
	for _, res := range rep.Results {
		if res.Failed() {
			out.Append(res)
		}
	}
	res := &Result{Report: out, Flows: []Judged{}}
	deciding := map[Declaration]bool{}
	var findings []check.Result
	seen := map[string]bool{}
	for _, in := range inputs {
		scan, err := ReadFile(in.Scanner, in.File, lim)
		if err != nil {
			out.Append(check.FileError(in.File, err))
			res.Unread = append(res.Unread, *problem.Of(err, in.File)[0]) // with its file: a command names it
			continue
		}
		out.Summary.Files++
		table := tableOf(doc, in.Scanner)
		for _, f := range scan.Flows {
			j := judge(f, table, decls)
			res.Flows = append(res.Flows, j)
			for _, d := range j.DecidedBy {
				deciding[d] = true
			}
			if r, ok := resultOf(doc, in.Scanner, j); ok {
				key := r.Reasons[0].Rule + "\x00" + f.Element + "\x00" + f.Sink.Name + "\x00" + f.Code.File + "\x00" + strconv.Itoa(f.Code.Line) + ":" + strconv.Itoa(f.Code.Column)
				if !seen[key] { // many paths of a flow may leave at the same line
					seen[key] = true
					findings = append(findings, r)
				}
			}
		}
	}
	for _, d := range decls {
		if deciding[d.Declaration] {
			out.Append(rep.Results[d.result])
		}
	}
	sort.SliceStable(findings, func(a, b int) bool {
		x, y := findings[a], findings[b]
		if x.File != y.File {
			return x.File < y.File
		}
		if x.Line != y.Line {
			return x.Line < y.Line
		}
		return x.Column < y.Column
	})
	for _, r := range findings {
		out.Append(r)
	}
	return res, nil
}

// declarations reads the declarations of a check report that were decided.
func declarations(rep *check.Report) ([]declared, error) {
	var out []declared
	for i, res := range rep.Results {
		if res.Index < 0 || res.Failed() {
			continue
		}
		if res.Entry == nil {
			if res.NotPersonal() {
				continue // nothing to record: kept without its entry
			}
			return nil, ErrNoEntries
		}
		var a policyengine.Activity
		_ = json.Unmarshal(res.Entry.JSON, &a) // a declaration decided is well-formed
		out = append(out, declared{Declaration: Declaration{File: res.File, Index: res.Index, ID: res.Activity}, result: i, allow: res.Allow,
			categories: a.DataCategories, recipients: a.Recipients})
	}
	return out, nil
}

// tableOf is the policy's table for a scanner, or nil.
func tableOf(doc *policy.Document, scanner string) *policy.ScannerTable {
	if doc.ScannerMapping == nil {
		return nil
	}
	if scanner == Privado {
		return doc.ScannerMapping.Privado
	}
	return doc.ScannerMapping.Bearer
}

// judge decides one flow: its element's categories by the table, then the declarations that
// name a recipient matching its sink, then those of them that list one of the categories.
func judge(f Flow, table *policy.ScannerTable, decls []declared) Judged {
	j := Judged{Flow: f}
	var entry policy.ScannerEntry
	var known bool
	if table != nil {
		entry, known = table.Elements[f.Element]
	}
	switch {
	case !known:
		j.Outcome = Unmapped
		return j
	case entry.NotPersonalData:
		j.Outcome = NotPersonal
		return j
	case entry.NotInPolicy:
		j.Outcome = Uncovered
		return j
	}
	j.Categories = entry.To
	var naming, covering []declared
	for _, d := range decls {
		if !slices.ContainsFunc(d.recipients, func(r policyengine.Recipient) bool { return Matches(f.Sink, r) }) {
			continue
		}
		naming = append(naming, d)
		if slices.ContainsFunc(d.categories, func(c string) bool { return slices.Contains(entry.To, c) }) {
			covering = append(covering, d)
		}
	}
	switch {
	case len(naming) == 0:
		j.Outcome = UnmatchedSink
	case len(covering) == 0:
		j.Outcome = Uncovered
		for _, d := range naming {
			j.Naming = append(j.Naming, d.Declaration)
		}
	default:
		j.Outcome = Covered
		allowed := slices.ContainsFunc(covering, func(d declared) bool { return d.allow })
		for _, d := range covering {
			if d.allow || !allowed {
				j.DecidedBy = append(j.DecidedBy, d.Declaration)
			}
		}
	}
	return j
}

// Matches reports whether a scanner's sink is a declared recipient: when both name domains, a
// domain of the sink that is one of the recipient's or a subdomain of one; else the same name,
// letters and digits compared without regard to case.
func Matches(s Sink, r policyengine.Recipient) bool {
	if len(s.Domains) > 0 && len(r.Domains) > 0 {
		for _, d := range s.Domains {
			for _, want := range r.Domains {
				want = strings.ToLower(want)
				if d == want || strings.HasSuffix(d, "."+want) {
					return true
				}
			}
		}
		return false
	}
	a, b := nameKey(s.Name), nameKey(r.Name)
	return a != "" && a == b
}

// nameKey is a name's letters and digits, lower case.
func nameKey(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 127 {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// scannerName is how a message names a scanner.
func scannerName(scanner string) string {
	if scanner == Privado {
		return "Privado"
	}
	return "Bearer"
}

// resultOf is the result at the code for a flow no declaration covers, or false.
func resultOf(doc *policy.Document, scanner string, j Judged) (check.Result, bool) {
	el := fmt.Sprintf("%s's %s", scannerName(scanner), strconv.Quote(j.Element))
	sink := sinkWords(j.Sink)
	what := el
	if len(j.Categories) > 0 {
		what = strings.Join(j.Categories, " or ") + " (" + el + ")"
	}
	var rule, msg string
	switch j.Outcome {
	case Unmapped:
		rule = RuleUnmapped
		msg = fmt.Sprintf("the code sends %s to %s, and the policy's scanner_mapping.%s table has no entry for it: add one (to: the data categories it is, not_in_policy or not_personal_data)", el, sink, scanner)
	case UnmatchedSink:
		rule = RuleUnmatchedSink
		msg = fmt.Sprintf("the code sends %s to %s, and no declaration names a recipient matching it (by domains, else by name): add the recipient, with its domains, to the declaration of this processing", what, sink)
	case Uncovered:
		rule = RuleUncovered
		if len(j.Categories) == 0 {
			msg = fmt.Sprintf("the code sends %s to %s: personal data the policy does not process (scanner_mapping.%s marks it not_in_policy), which no declaration can cover", el, sink, scanner)
			break
		}
		ids := make([]string, len(j.Naming))
		for i, d := range j.Naming {
			ids[i] = strconv.Quote(d.ID)
		}
		msg = fmt.Sprintf("the code sends %s to %s, and no declaration naming that recipient (%s) lists %s: add it to the declaration of this processing", what, sink, strings.Join(ids, ", "), strings.Join(j.Categories, " or "))
	default:
		return check.Result{}, false
	}
	clauseID := "sharing"
	if rule == RuleUnmapped {
		clauseID = "personal-data"
	}
	c := doc.Clauses[clauseID]
	f := finding.Finding{Reason: policyengine.Reason{Rule: rule, Message: msg, Clause: c.Section, ClauseID: clauseID, Path: j.Pointer}, Line: j.Code.Line, Column: j.Code.Column}
	return check.Result{File: j.Code.File, Activity: scanner + ": " + j.Sink.label(), Index: -1, Line: j.Code.Line, Column: j.Code.Column, Reasons: []finding.Finding{f}, Warnings: []finding.Finding{}, Conditions: []check.Condition{}}, true
}

// sinkWords names a sink in a message: its name and domains, quoted.
func sinkWords(s Sink) string {
	name := s.label()
	w := strconv.Quote(name)
	if len(s.Domains) > 0 {
		q := make([]string, len(s.Domains))
		for i, d := range s.Domains {
			q[i] = strconv.Quote(d)
		}
		w += " (" + strings.Join(q, ", ") + ")"
	}
	return w
}

// Annotate lists in a record of processing activities, made from the same check report, the
// code paths that feed each declaration: the covered flows it decides.
func (r *Result) Annotate(rec *ropa.Record) {
	type key struct{ file, id string }
	feeds := map[key][]ropa.CodePath{}
	type path struct {
		decl                              key
		scanner, element, recipient, file string
		line, column                      int
	}
	seen := map[path]bool{}
	for _, f := range r.Flows {
		if f.Outcome != Covered {
			continue
		}
		name := f.Sink.label()
		for _, d := range f.DecidedBy {
			k := key{d.File, d.ID}
			c := ropa.CodePath{Scanner: f.Scanner, Element: f.Element, Categories: f.Categories, Recipient: name, File: f.Code.File, Line: f.Code.Line, Column: f.Code.Column}
			id := path{k, c.Scanner, c.Element, c.Recipient, c.File, c.Line, c.Column}
			if seen[id] { // many paths leave at one line
				continue
			}
			seen[id] = true
			feeds[k] = append(feeds[k], c)
		}
	}
	for i := range rec.Entries {
		e := &rec.Entries[i]
		e.Code = feeds[key{e.File, e.ID}]
	}
}
