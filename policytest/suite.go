package policytest

import (
	"context"
	"regexp"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
)

// Options tune a suite run.
type Options struct {
	// BuiltinRegoTests runs the built-in rules' Rego tests besides the policy's own, against
	// the policy's document. They are written against Confect's document: set it for Confect's
	// policy, or a change to it; another company's document fails them.
	BuiltinRegoTests bool
	// Filter keeps the cases and Rego tests whose name matches; nil keeps all.
	Filter *regexp.Regexp
	// Coverage measures rule, clause and Rego line coverage.
	Coverage bool
}

// Report is the outcome of a suite: every case, every Rego test, and coverage if asked. It is
// data; the output package renders it (output.Test).
type Report struct {
	// Cases are the cases run, in file order.
	Cases []Result `json:"cases"`
	// Rego are the Rego unit tests run, by file and line.
	Rego []RegoResult `json:"rego"`
	// Coverage is there when Options.Coverage asked for it.
	Coverage *Coverage `json:"coverage,omitempty"`
	// Summary counts the cases and tests.
	Summary Summary `json:"summary"`
}

// Summary counts a report.
type Summary struct {
	// Cases and CasesFailed count the cases run, and those that failed.
	Cases       int `json:"cases"`
	CasesFailed int `json:"cases_failed"`
	// Rego and RegoFailed count the Rego tests run, and those that failed.
	Rego       int `json:"rego"`
	RegoFailed int `json:"rego_failed"`
}

// Passed reports whether every case and Rego test passed.
func (r *Report) Passed() bool { return r.Summary.CasesFailed == 0 && r.Summary.RegoFailed == 0 }

// RunSuite runs the cases against an engine made from the policy, and the policy's Rego tests
// against the policy. Steps:
//
//  1. Prepare an engine under the policy (a policy that does not compile is the error).
//  2. Validate the cases against the engine's rules (an unknown rule id is an ErrInvalidCase).
//  3. Decide each case whose name matches opts.Filter, as at the case's now (else as at the time
//     it is run), and compare the decision with its expectation.
//  4. Run the Rego tests with OPA's tester against the policy's document (a test module that
//     does not compile is a policy error naming its file and line).
//  5. With opts.Coverage, measure rule and clause coverage from the cases' assertions, and Rego
//     line coverage from the tests and from evaluating the cases again with OPA's cover tracer.
//
// The error is for what stops the suite from running (a case file or the policy at fault); a
// case or test that fails is in the report.
func RunSuite(ctx context.Context, p *policy.Policy, cases []*Case, opts Options) (*Report, error) {
	engine, err := policyengine.New(ctx, policyengine.WithPolicy(p), policyengine.WithClock(Clock))
	if err != nil {
		return nil, err
	}
	if err := Validate(engine, cases); err != nil {
		return nil, err
	}
	rep := &Report{Cases: Evaluate(ctx, engine, cases, opts.Filter)}
	var cov *cover.Cover
	if opts.Coverage {
		cov = cover.New()
	}
	rego, err := RunRego(ctx, p, opts.BuiltinRegoTests, opts.Filter, cov)
	if err != nil {
		return nil, err
	}
	rep.Rego = rego
	if opts.Coverage {
		rep.Coverage = measure(engine, rep.Cases)
		var traced []*Case
		for _, r := range rep.Cases {
			traced = append(traced, r.Case)
		}
		if err := traceCases(ctx, p, traced, cov); err != nil {
			return nil, err
		}
		mods, _, err := modules(p, false)
		if err != nil {
			return nil, err
		}
		// The tracer names a line by its module's file, as errors do: the report is keyed alike.
		files := make(map[string]*ast.Module, len(mods))
		for _, m := range mods {
			files[m.Package.Location.File] = m
		}
		rc := regoCoverage(cov.Report(files))
		rep.Coverage.Rego = &rc
	}
	for _, r := range rep.Cases {
		rep.Summary.Cases++
		if !r.Passed {
			rep.Summary.CasesFailed++
		}
	}
	for _, r := range rep.Rego {
		rep.Summary.Rego++
		if !r.Passed {
			rep.Summary.RegoFailed++
		}
	}
	return rep, nil
}
