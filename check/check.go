// Package check runs the engine over manifest files, as a CI gate does: it walks files and
// directories, reads every activity with its place in its file, decides them in parallel, and
// returns a report in a deterministic order (by path as given, then file order), every reason
// located on the line of the field at fault.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// Stdin is the path that names standard input.
const Stdin = "-"

// InputRule is the rule id the reports give to an input error (a manifest or an activity that is
// not well-formed), which no policy rule covers.
const InputRule = "input.invalid"

// MaxWorkers bounds Options.Workers: more files decided at once than this gains nothing on any
// machine, and a huge number would start as many goroutines.
const MaxWorkers = 256

// Options tune a run.
type Options struct {
	// Workers is how many files are decided at once; 0 means one per CPU. It is capped at
	// MaxWorkers, and at the number of files.
	Workers int
	// Project is what the project's config file says about its manifests: read with no path
	// given, its ignore patterns in every walk (Select says how). Nil: no project.
	Project *Project
	// Ignore holds glob patterns (filepath.Match syntax) of files and directories every
	// directory walk leaves out, besides the project's; a pattern is matched against the path
	// and against the base name, and a pattern with a slash against the absolute path, "**"
	// standing for any directories.
	Ignore []string
	// Include, when not empty, keeps of the files a directory walk finds only those matching
	// one of its patterns (as Ignore's; a pattern naming a directory keeps all below it),
	// instead of the project's manifests. Files named as paths are always read.
	Include []string
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// Manifest bounds what one manifest may hold.
	Manifest manifest.Options
	// KeepEntries keeps each activity as read (Result.Entry), for reports that describe the
	// activities themselves (the record of processing, the data-flow picture). Off, a run holds
	// only the decisions.
	KeepEntries bool
	// Results, when set, receives every result in the report's order as soon as it and all
	// before it are decided, and the report keeps none of them (Report.Results stays empty; its
	// summary counts them): a run then holds only the files in flight, and those after a Fides
	// file, which is decided with the others once all are read. An error it returns stops the
	// run, and Run returns it.
	Results func(Result) error
	// Format says how the files are written: "" or FormatAuto recognises each file by its shape (a
	// fideslang file by its top-level resource lists, anything else a manifest), FormatFides
	// reads every file as a Fides file, FormatManifest every file as a manifest.
	Format string
}

// The formats of Options.Format.
const (
	// FormatAuto recognises each file by its shape, as "" does.
	FormatAuto = "auto"
	// FormatFides reads every file as a fideslang resource file.
	FormatFides = "fides"
	// FormatManifest reads every file as an activity manifest.
	FormatManifest = "manifest"
)

// Formats returns the names Options.Format takes (besides "").
func Formats() []string { return []string{FormatAuto, FormatFides, FormatManifest} }

// Rules is the catalogue of what a run can find, as a report lists it: the policy's rules and the
// Fides import's findings (fides.Rules, with a policy document to read their clauses from),
// whether or not the run reads a Fides file, so that it is known before the first result.
func Rules(engine *policyengine.Engine) []policyengine.Rule {
	rules := engine.Rules()
	if doc := engine.Document(); doc != nil {
		rules = append(rules, fides.Rules(doc)...)
	}
	return rules
}

// Report is the outcome of a run.
type Report struct {
	// Results holds one result per activity, and one per file that could not be read.
	Results []Result `json:"results"`
	// FailOnWarn says that warnings fail the run as denials do (the CLI's --fail-on-warn), so
	// that every format reports a warning as what failed it.
	FailOnWarn bool `json:"fail_on_warn,omitempty"`
	// Summary counts them.
	Summary Summary `json:"summary"`
	// Revision is the policy revision every decision was made under.
	Revision string `json:"revision"`
	// Rules is the catalogue of what a run can find (Rules), for formats that describe the rules
	// (SARIF).
	Rules []policyengine.Rule `json:"-"`
	// Policy is the policy document every decision was made under.
	Policy *policy.Document `json:"-"`
	// Skipped are the files a directory walk found and left unread: special files, and
	// symbolic links that lead out of the directory given.
	Skipped []Skipped `json:"skipped,omitempty"`
	// Selection is what the run read, and what its walks left out (Selection.Why says it for a
	// run that found nothing).
	Selection *Selection `json:"-"`
}

// Skipped is a file a directory walk left unread, and why.
type Skipped struct {
	// File is the path as walked.
	File string `json:"file"`
	// Reason says why it was not read.
	Reason string `json:"reason"`
}

// Empty reports whether the run found nothing to decide: no activity, and no Fides file.
func (rep *Report) Empty() bool { return rep.Summary.Activities == 0 && rep.Summary.FidesFiles == 0 }

// WarningsFail reports whether the report's warnings fail the run: FailOnWarn is set and there
// is at least one.
func (rep *Report) WarningsFail() bool { return rep.FailOnWarn && rep.Summary.Warnings > 0 }

// Summary counts a report's results.
type Summary struct {
	// Files is how many files were read.
	Files int `json:"files"`
	// Activities is how many activities were found.
	Activities int `json:"activities"`
	// Allowed and Denied count the activities decided.
	Allowed int `json:"allowed"`
	Denied  int `json:"denied"`
	// Errors counts results with an error: an activity that could not be decided, or a file
	// that could not be read.
	Errors int `json:"errors"`
	// Warnings counts warnings over all activities.
	Warnings int `json:"warnings"`
	// FidesFiles counts the fideslang files read (systems, datasets, policies, taxonomy).
	FidesFiles int `json:"fides_files,omitempty"`
	// Conditions counts the conditions of declarations over all activities: what services
	// must meet per person at run time.
	Conditions int `json:"conditions"`
}

// Result is the decision on one activity, or an error about one activity or file.
type Result struct {
	// File is the manifest's path as walked ("-" for standard input).
	File string `json:"file"`
	// Activity is the activity's id ("" for a file that could not be read).
	Activity string `json:"activity"`
	// Index is the activity's place in its manifest (-1 for a file: an error that it could not
	// be read, or findings about the file itself, such as a Fides organization's unknown key).
	Index int `json:"index"`
	// Line and Column locate the activity in its file.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Allow is the decision; false when there are errors.
	Allow bool `json:"allow"`
	// Reasons are why the activity was denied.
	Reasons []finding.Finding `json:"reasons"`
	// Warnings never deny.
	Warnings []finding.Finding `json:"warnings"`
	// Conditions, for a declaration (an activity without consent or subject), are what a
	// person must meet at run time; they never deny.
	Conditions []Condition `json:"conditions"`
	// ValidUntil, when the decision depends on the clock (a retention deadline, an adequacy
	// decision's end), is the earliest instant at which it would be decided differently.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// Carried, for a Fides declaration, are the Fides facts no rule judges, kept with it.
	Carried []Carried `json:"carried,omitempty"`
	// Errors are why the activity or file could not be decided.
	Errors []problem.Problem `json:"errors,omitempty"`
	// Entry is the activity as read, with the place of every field; kept only with
	// Options.KeepEntries (nil for a file that could not be read).
	Entry *manifest.Entry `json:"-"`
}

// Failed reports whether the result is an error rather than a decision.
func (r *Result) Failed() bool { return len(r.Errors) > 0 }

// NotPersonal reports whether the result is a Fides declaration whose every category is not
// personal data: decided, and kept without its entry, since there is nothing to record.
func (r *Result) NotPersonal() bool {
	return !r.Failed() && slices.ContainsFunc(r.Warnings, func(w finding.Finding) bool { return w.Rule == fides.RuleNotPersonal })
}

// Condition is a declaration's condition with its place in the manifest.
type Condition struct {
	policyengine.Condition
	// EveryPerson says the condition is a right every person has (its rule's
	// policyengine.Rule.EveryPerson): reports may say it once for the run.
	EveryPerson bool `json:"every_person,omitempty"`
	// File, when set, is the file the condition stands in, when that is not its result's.
	File string `json:"file,omitempty"`
	// Line and Column locate the field it points at (or its nearest present ancestor).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// In returns the file the condition stands in: its own File, or its result's file.
func (c Condition) In(resultFile string) string { return orFile(c.File, resultFile) }

func orFile(own, result string) string {
	if own != "" {
		return own
	}
	return result
}

// Run decides every activity in the files Select chooses from paths (with none, the
// project's manifests).
func Run(ctx context.Context, engine *policyengine.Engine, paths []string, opts Options) (*Report, error) {
	if engine == nil {
		return nil, errors.New("check: no engine")
	}
	sel, err := Select(paths, opts)
	if err != nil {
		return nil, err
	}
	units := sel.units
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, MaxWorkers, max(len(units), 1))
	// The policy's vocabularies, for the term a finding most likely meant, built once a run.
	var terms *policy.Terms
	if doc := engine.Document(); doc != nil {
		terms = doc.Terms()
	}
	rep := &Report{Results: []Result{}, Revision: engine.Revision(), Rules: Rules(engine), Policy: engine.Document(), Skipped: sel.Skipped, Selection: sel}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := newInOrder(rep, units, opts.Results, cancel)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var rs []Result
				var f *fides.File
				if u := units[i]; u.err != nil {
					rs = []Result{*u.err}
				} else {
					rs, f = checkFile(ctx, engine, terms, u.file, opts)
				}
				out.decided(i, rs, f)
			}
		}()
	}
	for i := range units {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if out.err != nil {
		return nil, out.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	decideFides(ctx, engine, units, out.fidesFiles, out.per, opts.KeepEntries)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out.flush()
	if out.err != nil {
		return nil, out.err
	}
	return rep, nil
}

// inOrder hands a run's results over in the report's order: a unit's once it and all before it
// are decided (a Fides file's once all files are read and the Fides files decided together),
// to the report or, when the run streams them, to Options.Results.
type inOrder struct {
	mu          sync.Mutex
	rep         *Report
	units       []unit
	per         [][]Result    // each unit's results, until handed over
	fidesFiles  []*fides.File // each unit's Fides file, if it is one
	ready       []bool        // the unit's results may be handed over
	next        int           // the first unit not handed over
	everyPerson map[string]bool
	results     func(Result) error // Options.Results
	cancel      context.CancelFunc // stops the run when results fails
	err         error              // results' first error
}

func newInOrder(rep *Report, units []unit, results func(Result) error, cancel context.CancelFunc) *inOrder {
	// A condition says whether its rule is a right every person has (the Fides file rules
	// are no person rules).
	everyPerson := map[string]bool{}
	for _, r := range rep.Rules {
		everyPerson[r.ID] = r.EveryPerson
	}
	return &inOrder{rep: rep, units: units, per: make([][]Result, len(units)), fidesFiles: make([]*fides.File, len(units)),
		ready: make([]bool, len(units)), everyPerson: everyPerson, results: results, cancel: cancel}
}

// decided takes a unit's results, and its Fides file (decided later, with the others).
func (o *inOrder) decided(i int, rs []Result, f *fides.File) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.per[i], o.fidesFiles[i] = rs, f
	o.ready[i] = f == nil
	o.emit()
}

// flush hands over what is left, the Fides files' results included.
func (o *inOrder) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.ready {
		o.ready[i] = true
	}
	o.emit()
}

// emit hands over the results of the units ready in order; with mu held.
func (o *inOrder) emit() {
	for o.next < len(o.units) && o.ready[o.next] {
		i := o.next
		o.next++
		if o.units[i].err == nil {
			o.rep.Summary.Files++
		}
		if o.fidesFiles[i] != nil {
			o.rep.Summary.FidesFiles++
		}
		for _, r := range o.per[i] {
			for j := range r.Conditions {
				r.Conditions[j].EveryPerson = o.everyPerson[r.Conditions[j].Rule]
			}
			if o.results == nil {
				o.rep.Append(r)
				continue
			}
			o.rep.count(r)
			if o.err == nil {
				if o.err = o.results(r); o.err != nil {
					o.cancel()
				}
			}
		}
		o.per[i] = nil
	}
}

// count counts a result in the summary.
func (rep *Report) count(r Result) {
	if r.Index >= 0 {
		rep.Summary.Activities++
	}
	switch {
	case r.Failed():
		rep.Summary.Errors++
	case r.Index < 0: // findings about a file: no activity allowed or denied
		if !r.Allow {
			rep.Summary.Denied++
		}
	case r.Allow:
		rep.Summary.Allowed++
	default:
		rep.Summary.Denied++
	}
	rep.Summary.Warnings += len(r.Warnings)
	rep.Summary.Conditions += len(r.Conditions)
}

// FileError is the result of a file that could not be read or decided: err's first problem,
// located in file (a problem in file names no other).
func FileError(file string, err error) Result {
	p := *problem.Of(err, file)[0]
	p.File = other(p.File, file)
	return Result{File: file, Index: -1, Line: p.Line, Column: p.Column, Reasons: []finding.Finding{}, Warnings: []finding.Finding{}, Conditions: []Condition{}, Errors: []problem.Problem{p}}
}

// checkFile decides the activities of a manifest, or returns the Fides file it is (decided
// with the others, for their datasets and taxonomy).
func checkFile(ctx context.Context, engine *policyengine.Engine, terms *policy.Terms, file string, opts Options) ([]Result, *fides.File) {
	var data []byte
	var err error
	if file == Stdin {
		in := opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		var rerr error
		if data, rerr = manifest.ReadAll(in, opts.Manifest); rerr != nil {
			return []Result{FileError(file, fmt.Errorf("cannot read standard input: %w", rerr))}, nil
		}
	} else if data, err = manifest.ReadData(file, opts.Manifest); err != nil {
		return []Result{FileError(file, err)}, nil
	}
	auto := opts.Format == "" || opts.Format == FormatAuto
	if opts.Format == FormatFides || (auto && fides.Sniff(data)) {
		f, err := fides.Parse(file, data, fides.Limits{MaxDepth: opts.Manifest.MaxDepth, MaxValues: opts.Manifest.MaxValues, MaxDeclarations: opts.Manifest.MaxActivities})
		switch {
		case err == nil:
			return nil, f
		case opts.Format == FormatFides || !errors.Is(err, fides.ErrNotFides):
			return []Result{FileError(file, err)}, nil
		}
	}
	m, err := manifest.Parse(file, data, manifest.Auto, opts.Manifest)
	if err != nil {
		return []Result{FileError(file, err)}, nil
	}
	out := make([]Result, 0, len(m.Entries))
	for _, e := range m.Entries {
		r := decide(ctx, engine, terms, file, e)
		if opts.KeepEntries {
			r.Entry = e
		}
		out = append(out, r)
	}
	return out, nil
}

func decide(ctx context.Context, engine *policyengine.Engine, terms *policy.Terms, file string, e *manifest.Entry) Result {
	r := Result{File: file, Activity: e.ID, Index: e.Index, Line: e.Line, Column: e.Column, Reasons: []finding.Finding{}, Warnings: []finding.Finding{}, Conditions: []Condition{}}
	if e.Err != nil {
		p := *e.Err
		p.File, p.Pointer = other(p.File, file), relative(e, p.Pointer)
		r.Errors = []problem.Problem{p}
		return r
	}
	var d policyengine.Decision
	var err error
	switch {
	case e.IsDeclaration():
		d, err = engine.EvaluateDeclaration(ctx, e.Value)
	case e.Value != nil:
		d, err = engine.EvaluateDocument(ctx, e.Value)
	default:
		d, err = engine.EvaluateJSON(ctx, e.JSON)
	}
	if err != nil {
		r.Errors = problems(e, err)
		suggestTerms(terms, e, &r)
		return r
	}
	r.Allow = d.Allow
	r.ValidUntil = d.ValidUntil
	r.Reasons = locate(e, d.Reasons)
	r.Warnings = locate(e, d.Warnings)
	for _, c := range d.Conditions {
		at := e.Locate(c.Path)
		r.Conditions = append(r.Conditions, Condition{Condition: c, Line: at.Line, Column: at.Column})
	}
	suggestTerms(terms, e, &r)
	return r
}

func relative(e *manifest.Entry, pointer string) string {
	if len(pointer) >= len(e.Pointer) && pointer[:len(e.Pointer)] == e.Pointer {
		return pointer[len(e.Pointer):]
	}
	return pointer
}

func locate(e *manifest.Entry, reasons []policyengine.Reason) []finding.Finding {
	out := make([]finding.Finding, len(reasons))
	for i, r := range reasons {
		at := e.Locate(r.Path)
		out[i] = finding.Finding{Reason: r, Line: at.Line, Column: at.Column}
	}
	return out
}

// problems places the problems of an activity's error at their fields in its file (the
// activity's own place for an error that names no field).
func problems(e *manifest.Entry, err error) []problem.Problem {
	fes := problem.All(err)
	if len(fes) == 0 {
		return []problem.Problem{{Message: err.Error(), Line: e.Line, Column: e.Column}}
	}
	out := make([]problem.Problem, len(fes))
	for i, fe := range fes {
		out[i] = *fe
		at := e.Locate(fe.Pointer)
		out[i].Line, out[i].Column = at.Line, at.Column
	}
	return out
}
