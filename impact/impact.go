// Package impact shows what a policy change does to the activities already in use: it decides
// every activity under a base policy and under a new one, and lists each whose decision or
// reasons change. The report is data; the output package renders it (output.Diff).
package impact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/manifest"
)

// Kinds of change.
const (
	NewlyDenied  = "newly_denied"
	NewlyAllowed = "newly_allowed"
	OtherReasons = "other_reasons"
)

// Item is a finding as a change lists it: of a kind, since one list holds every kind.
type Item struct {
	// Kind is "deny" for a reason, "warn" for a warning, "condition" for a declaration's
	// condition (what a person must meet at run time; its Message says what it requires),
	// "error" for an activity that could not be decided (its Rule is then input.invalid).
	Kind string
	finding.Finding
}

// MarshalJSON writes the item as a diff's JSON has it: its kind, rule, path, message and line.
func (it Item) MarshalJSON() ([]byte, error) {
	return finding.MarshalView(struct {
		Kind    string `json:"kind"`
		Rule    string `json:"rule"`
		Path    string `json:"path"`
		Message string `json:"message"`
		Line    int    `json:"line,omitempty"`
	}{it.Kind, it.Rule, it.Path, it.Message, it.Line})
}

func (it Item) key() string { return it.Kind + " " + it.Rule + " " + it.Path }

// Change is an activity whose decision or findings differ between the two policies.
type Change struct {
	// File, Activity and Line locate the activity.
	File     string `json:"file"`
	Activity string `json:"activity"`
	Line     int    `json:"line,omitempty"`
	// Kind is NewlyDenied, NewlyAllowed or OtherReasons.
	Kind string `json:"kind"`
	// Before and After are the decisions (allow) under the base and the new policy.
	Before bool `json:"before"`
	After  bool `json:"after"`
	// Added and Removed are the findings the new policy makes and no longer makes.
	Added   []Item `json:"added"`
	Removed []Item `json:"removed"`
	// Index is the activity's place in its file (check.Result.Index), to find it in the runs.
	Index int `json:"-"`
}

// Summary counts the changes.
type Summary struct {
	// Activities counts the activities found.
	Activities int `json:"activities"`
	// NewlyDenied, NewlyAllowed and OtherReasons count the changes of each kind.
	NewlyDenied  int `json:"newly_denied"`
	NewlyAllowed int `json:"newly_allowed"`
	OtherReasons int `json:"other_reasons"`
	// Errors counts activities and files that could not be decided under one policy or both
	// (the same under both when the input is at fault): the comparison leaves them out.
	Errors int `json:"errors"`
}

// Failure is an activity, or a file, that could not be decided.
type Failure struct {
	// File is the manifest; Activity the activity's id ("" for a file that could not be read).
	File     string `json:"file"`
	Activity string `json:"activity"`
	// Line locates the problem, where known.
	Line int `json:"line,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// Report is what a policy change does to a set of manifests.
type Report struct {
	// BaseRevision and Revision are the revisions of the base and the new policy.
	BaseRevision string `json:"base_revision"`
	Revision     string `json:"revision"`
	// Changes are the activities whose decision or findings change, in file order.
	Changes []Change `json:"changes"`
	// Errors are the activities and files that could not be decided, in file order.
	Errors []Failure `json:"errors"`
	// Summary counts them.
	Summary Summary `json:"summary"`

	// The two runs compared, for the formats that describe the activities (Runs).
	before, after *check.Report
	// Skipped are the files the directory walk left unread (check.Report.Skipped).
	Skipped []check.Skipped `json:"skipped,omitempty"`
	// Selection is what the runs read, and what their walks left out (check.Report.Selection).
	Selection *check.Selection `json:"-"`
}

// Runs returns the two check reports compared, under the base policy and under the new one, for
// a format that describes the activities themselves (their entries are there when Compare was
// given check.Options.KeepEntries).
func (r *Report) Runs() (before, after *check.Report) { return r.before, r.after }

// Changed reports whether any activity's decision or findings changed.
func (r *Report) Changed() bool { return len(r.Changes) > 0 }

// Compare decides the activities under paths with both engines and lists what changes. Steps:
//
//  1. Decide every activity under paths with base, as check.Run does (standard input, "-", is
//     read once and given to both runs).
//  2. Decide them again with next.
//  3. Pair the results by file and place in the file; for each pair, the findings (reasons,
//     warnings, errors) next makes that base did not are Added, those it no longer makes
//     Removed. A pair with the same decision and no finding added or removed is no change.
//  4. Classify each change (NewlyDenied, NewlyAllowed, OtherReasons) and list what could not
//     be decided under either policy in Errors.
//
// Both engines should decide at one evaluation time (a fixed policyengine.WithClock), or retention
// deadlines may differ between the runs for no reason of the policies'.
func Compare(ctx context.Context, base, next *policyengine.Engine, paths []string, opts check.Options) (*Report, error) {
	if base == nil || next == nil {
		return nil, errors.New("impact: two engines are needed")
	}
	baseOpts, nextOpts := opts, opts
	if opts.Stdin != nil && slices.Contains(paths, check.Stdin) {
		// Both runs read the same input: read it once.
		data, err := manifest.ReadAll(opts.Stdin, opts.Manifest)
		if err != nil {
			return nil, fmt.Errorf("impact: reading standard input: %w", err)
		}
		baseOpts.Stdin, nextOpts.Stdin = bytes.NewReader(data), bytes.NewReader(data)
	}
	before, err := check.Run(ctx, base, paths, baseOpts)
	if err != nil {
		return nil, err
	}
	after, err := check.Run(ctx, next, paths, nextOpts)
	if err != nil {
		return nil, err
	}
	return compare(before, after), nil
}

func compare(before, after *check.Report) *Report {
	rep := &Report{BaseRevision: before.Revision, Revision: after.Revision, Changes: []Change{}, Errors: []Failure{}, Skipped: before.Skipped, Selection: before.Selection, before: before, after: after}
	type key struct {
		file  string
		index int
	}
	prior := map[key]check.Result{}
	for _, r := range before.Results {
		prior[key{r.File, r.Index}] = r
	}
	for _, a := range after.Results {
		if a.Index >= 0 {
			rep.Summary.Activities++
		}
		b, ok := prior[key{a.File, a.Index}]
		switch {
		case a.Failed():
			rep.fail(a)
		case ok && b.Failed():
			rep.fail(b)
		}
		// An activity that could not be decided under both policies has not changed.
		if ok && !(a.Failed() && b.Failed()) {
			rep.add(b, a)
		}
	}
	return rep
}

func (r *Report) fail(res check.Result) {
	f := Failure{File: res.File, Activity: res.Activity, Line: res.Line}
	if len(res.Errors) > 0 {
		p := res.Errors[0]
		f.Message = p.Message
		if p.Pointer != "" {
			f.Message = p.Pointer + ": " + p.Message
		}
		if p.Line > 0 {
			f.Line = p.Line
		}
	}
	r.Errors = append(r.Errors, f)
	r.Summary.Errors++
}

func (r *Report) add(b, a check.Result) {
	was, is := items(b), items(a)
	added, removed := diff(is, was), diff(was, is)
	if b.Allow == a.Allow && len(added) == 0 && len(removed) == 0 {
		return
	}
	c := Change{File: a.File, Activity: a.Activity, Line: a.Line, Before: b.Allow, After: a.Allow, Added: added, Removed: removed, Index: a.Index}
	switch {
	case b.Allow && !a.Allow:
		c.Kind = NewlyDenied
		r.Summary.NewlyDenied++
	case !b.Allow && a.Allow:
		c.Kind = NewlyAllowed
		r.Summary.NewlyAllowed++
	default:
		c.Kind = OtherReasons
		r.Summary.OtherReasons++
	}
	r.Changes = append(r.Changes, c)
}

func items(r check.Result) []Item {
	var out []Item
	for _, f := range r.Reasons {
		out = append(out, Item{"deny", f})
	}
	for _, f := range r.Warnings {
		out = append(out, Item{"warn", f})
	}
	for _, c := range r.Conditions {
		out = append(out, Item{"condition", finding.Finding{Reason: policyengine.Reason{Rule: c.Rule, Message: "requires " + c.Requires, Clause: c.Clause, ClauseID: c.ClauseID, Path: c.Path}, File: c.File, Line: c.Line, Column: c.Column}})
	}
	for _, p := range r.Errors {
		out = append(out, Item{"error", finding.Finding{Reason: policyengine.Reason{Rule: check.InputRule, Message: p.Message, Path: p.Pointer}, File: p.File, Line: p.Line, Column: p.Column}})
	}
	return out
}

// diff returns the items of a that b does not make.
func diff(a, b []Item) []Item {
	in := map[string]bool{}
	for _, f := range b {
		in[f.key()] = true
	}
	out := []Item{}
	for _, f := range a {
		if !in[f.key()] {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}
