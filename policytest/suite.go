package policytest

import (
	"context"
	"regexp"

	"github.com/open-policy-agent/opa/v1/cover"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
)

// Options tune a suite run.
type Options struct {
	// BuiltinRegoTests runs the built-in rules' Rego tests (written against Confect's
	// document) besides the policy's own.
	BuiltinRegoTests bool
	// Filter keeps the cases and Rego tests whose name matches; nil keeps all.
	Filter *regexp.Regexp
	// Coverage measures rule, clause and Rego line coverage.
	Coverage bool
}

// Report is the outcome of a suite: every case, every Rego test, and coverage if asked.
type Report struct {
	Cases    []Result     `json:"cases"`
	Rego     []RegoResult `json:"rego"`
	Coverage *Coverage    `json:"coverage,omitempty"`
	Summary  Summary      `json:"summary"`
}

// Summary counts a report.
type Summary struct {
	Cases       int `json:"cases"`
	CasesFailed int `json:"cases_failed"`
	Rego        int `json:"rego"`
	RegoFailed  int `json:"rego_failed"`
}

// Passed reports whether every case and Rego test passed.
func (r *Report) Passed() bool { return r.Summary.CasesFailed == 0 && r.Summary.RegoFailed == 0 }

// RunSuite runs the cases against the engine and the policy's Rego tests against the policy the
// engine was made from.
func RunSuite(ctx context.Context, engine *policyengine.Engine, p *policy.Policy, cases []*Case, opts Options) (*Report, error) {
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
		mods, err := modules(p, false)
		if err != nil {
			return nil, err
		}
		rc := regoCoverage(cov.Report(mods))
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
