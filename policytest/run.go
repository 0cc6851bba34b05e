package policytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/problem"
)

// Result is how a case went.
type Result struct {
	// Case is the case.
	Case *Case `json:"-"`
	// Name, File and Line repeat the case's, for reports.
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
	// Passed says the decision was what the case expects.
	Passed bool `json:"passed"`
	// Expect is what the case expects.
	Expect Expect `json:"expect"`
	// Decision is the engine's decision (denying, when Err is set).
	Decision policyengine.Decision `json:"decision"`
	// Err is why the engine could not decide, if it could not.
	Err string `json:"error,omitempty"`
	// Failures say how the decision differs from the expectation.
	Failures []string `json:"failures,omitempty"`
	// Duration is how long the decision took.
	Duration time.Duration `json:"duration_ns"`
}

// Evaluate decides every case whose name matches filter (nil: all) and compares the decision
// with the case's expectation.
func Evaluate(ctx context.Context, engine *policyengine.Engine, cases []*Case, filter *regexp.Regexp) []Result {
	var out []Result
	for _, c := range cases {
		if filter != nil && !filter.MatchString(c.Name) {
			continue
		}
		out = append(out, Check(ctx, engine, c))
	}
	return out
}

// Clock is the clock of an engine that decides case files: a case's now while its case is
// decided, the current time otherwise. Give it to policyengine.WithClock; RunSuite does.
func Clock(ctx context.Context) time.Time {
	if t, ok := ctx.Value(caseTimeKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

type caseTimeKey struct{}

// Check decides one case (as at its Now, if it has one: the engine must have Clock as its clock) and compares the decision with its
// expectation. The case is decided through every entry point of the engine: the JSON document
// (the decision reported), the decoded document, the typed Activity, and the declaration (the
// activity without consent and subject) decided for the person (its consent and subject); an
// entry point that decides otherwise is a failure. It does not check the rule ids the case
// names: Validate does.
func Check(ctx context.Context, engine *policyengine.Engine, c *Case) Result {
	r := Result{Case: c, Name: c.Name, File: c.File, Line: c.Line, Expect: c.Expect}
	if !c.Now.IsZero() {
		ctx = context.WithValue(ctx, caseTimeKey{}, c.Now)
		if at := engine.Now(ctx); !at.Equal(c.Now) {
			r.Failures = []string{"the case's now is not the engine's evaluation time: make the engine with policyengine.WithClock(policytest.Clock)"}
			return r
		}
	}
	start := time.Now()
	d, err := engine.EvaluateJSON(ctx, c.Activity)
	r.Duration = time.Since(start)
	r.Decision = d
	if err != nil {
		r.Err = err.Error()
		r.Failures = []string{"the engine could not decide: " + err.Error()}
		return r
	}
	r.Failures = append(compare(c.Expect, d), entryPoints(ctx, engine, c.Activity, d)...)
	r.Passed = len(r.Failures) == 0
	return r
}

// entryPoints decides the activity through the engine's other entry points (the decoded
// document, the typed Activity, and the declaration decided for the person the activity holds)
// and lists each whose decision is not want, the decision on the JSON document.
func entryPoints(ctx context.Context, engine *policyengine.Engine, activity []byte, want policyengine.Decision) []string {
	var out []string
	differs := func(entry string, d policyengine.Decision, err error) {
		switch {
		case err != nil:
			out = append(out, entry+" could not decide: "+err.Error())
		case !reflect.DeepEqual(d, want):
			out = append(out, fmt.Sprintf("%s decided otherwise: %s (as JSON: %s)", entry, describe(d), describe(want)))
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(activity, &doc); err != nil {
		return append(out, "the activity is not a JSON object: "+err.Error())
	}
	d, err := engine.EvaluateDocument(ctx, doc)
	differs("the decoded document (EvaluateDocument)", d, err)

	var typed policyengine.Activity
	dec := json.NewDecoder(bytes.NewReader(activity))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&typed); err != nil {
		return append(out, "the activity is not a typed Activity: "+err.Error())
	}
	d, err = engine.Evaluate(ctx, typed)
	differs("the typed activity (Evaluate)", d, err)

	person := policyengine.Person{Consent: typed.Consent, Subject: typed.Subject}
	typed.Consent, typed.Subject = nil, nil
	decl, err := engine.Declare(ctx, typed)
	if err == nil {
		d, err = decl.Decide(ctx, person)
	}
	differs("the declaration decided for the person (Declare, Decide)", d, err)
	return out
}

// compare lists how a decision differs from an expectation, as a diff a person reads: what was
// expected and is missing (-), what was found and must not be (+).
func compare(want Expect, d policyengine.Decision) []string {
	var out []string
	if want.Allow != d.Allow {
		out = append(out, fmt.Sprintf("allow: expected %v, got %v", want.Allow, d.Allow))
	}
	if !want.ValidUntil.IsZero() && !want.ValidUntil.Equal(d.ValidUntil) {
		got := "none"
		if !d.ValidUntil.IsZero() {
			got = d.ValidUntil.UTC().Format(time.RFC3339Nano)
		}
		out = append(out, fmt.Sprintf("valid_until: expected %s, got %s", want.ValidUntil.UTC().Format(time.RFC3339Nano), got))
	}
	found := append(append([]policyengine.Reason{}, d.Reasons...), d.Warnings...)
	for _, f := range want.Fires {
		if !slices.ContainsFunc(found, f.matches) {
			out = append(out, "- "+f.String()+" (expected to fire, did not)")
		}
	}
	reported := map[policyengine.Reason]bool{}
	for _, f := range want.NotFires {
		for _, r := range found {
			if f.matches(r) && !reported[r] {
				reported[r] = true
				out = append(out, fmt.Sprintf("+ %s at %s (expected not to fire): %s", r.Rule, pathOrRoot(r.Path), r.Message))
			}
		}
	}
	if want.Allow && !d.Allow {
		for _, r := range d.Reasons {
			if !reported[r] {
				out = append(out, fmt.Sprintf("+ %s at %s: %s", r.Rule, pathOrRoot(r.Path), r.Message))
			}
		}
	}
	return out
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// Validate checks that every rule a case names in fires or not_fires is one of the engine's
// policy (a rule that denies or one that warns): a misspelt id would make a not_fires pass
// forever. The error wraps ErrInvalidCase and names the file and line of each unknown id.
func Validate(engine *policyengine.Engine, cases []*Case) error {
	known := map[string]bool{}
	var ids []string
	for _, r := range engine.Rules() {
		known[r.ID] = true
		ids = append(ids, r.ID)
	}
	var problems []*problem.Problem
	for _, c := range cases {
		for _, f := range append(append([]Expectation{}, c.Expect.Fires...), c.Expect.NotFires...) {
			if !known[f.Rule] {
				line := f.Line
				if line == 0 {
					line = c.Line
				}
				problems = append(problems, &problem.Problem{File: c.File, Line: line, Kind: problem.Reference,
					Message: fmt.Sprintf("case %q: the policy has no rule %q%s", c.Name, f.Rule, suggest.DidYouMean(f.Rule, ids))})
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidCase, problem.Join(problems...))
}

// Run runs the cases under path (a case file, or a directory of them) as subtests of t, one per
// case named as the case is, on engine (made with policyengine.WithClock(Clock) when a case has
// a now), and fails a subtest with the difference between the expected and
// the actual decision. A case file that cannot be read, or a case that names a rule the
// engine's policy does not have, fails t.
func Run(t *testing.T, engine *policyengine.Engine, path string) {
	t.Helper()
	cases, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(engine, cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r := Check(t.Context(), engine, c)
			if !r.Passed {
				t.Errorf("%s:%d: %s\n%s\ngot: %s", c.File, c.Line, c.Name, strings.Join(r.Failures, "\n"), describe(r.Decision))
			}
		})
	}
}

// Got says what the engine decided, in one line: the verdict and each reason and warning by rule
// and field, as a failure message says it.
func (r Result) Got() string { return describe(r.Decision) }

// describe renders a decision's findings for a failure message.
func describe(d policyengine.Decision) string {
	var parts []string
	for _, r := range d.Reasons {
		parts = append(parts, r.Rule+" at "+pathOrRoot(r.Path))
	}
	for _, r := range d.Warnings {
		parts = append(parts, "warning "+r.Rule+" at "+pathOrRoot(r.Path))
	}
	sort.Strings(parts)
	verdict := "deny"
	if d.Allow {
		verdict = "allow"
	}
	if len(parts) == 0 {
		return verdict
	}
	return verdict + ": " + strings.Join(parts, ", ")
}
