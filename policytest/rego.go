package policytest

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	builtinrego "github.com/confect/policyengine/rego"
)

// RegoResult is how one Rego unit test went.
type RegoResult struct {
	// Name is the test's package and rule, e.g. data.policyengine.rules.consent_test.test_x.
	Name string `json:"name"`
	// File and Line locate the test.
	File string `json:"file"`
	Line int    `json:"line"`
	// Passed says the test passed.
	Passed bool `json:"passed"`
	// Failure says how it failed.
	Failure string `json:"failure,omitempty"`
	// Duration is how long it ran.
	Duration time.Duration `json:"duration_ns"`

	builtin bool
}

// Builtin reports whether the test is one of the built-in rules' (run against the policy's
// document), not one of the policy's own.
func (t RegoResult) Builtin() bool { return t.builtin }

// Modules gathers what a policy's Rego tests run against: the built-in rules, the test
// fixtures, and the policy's own rules and tests (kept apart from the built-in ones whatever
// their names, as the compiler keeps them); with builtinTests, the built-in rules' tests too
// (they are written against Confect's document). builtin names the built-in modules.
func modules(p *policy.Policy, builtinTests bool) (mods map[string]*ast.Module, builtin map[string]bool, err error) {
	sources, err := compiler.Builtins()
	if err != nil {
		return nil, nil, err
	}
	err = fs.WalkDir(builtinrego.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, "_test.rego") {
			return err
		}
		if !builtinTests && name != "fixtures_test.rego" {
			return nil
		}
		src, err := fs.ReadFile(builtinrego.FS(), name)
		sources[compiler.BuiltinPrefix+name] = src
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	builtin = make(map[string]bool, len(sources))
	files := make(map[string]string, len(sources)) // the names errors and results give, by key
	for name := range sources {
		builtin[name], files[name] = true, name
	}
	for _, m := range append(append([]policy.Module{}, p.Modules...), p.Tests...) {
		key := compiler.ModuleKey(m)
		sources[key], files[key] = m.Source, m.Name
	}
	out := make(map[string]*ast.Module, len(sources))
	var problems []*problem.Problem
	for key, src := range sources {
		m, err := ast.ParseModuleWithOpts(files[key], string(src), compiler.ParserOptions())
		if err != nil {
			problems = append(problems, compiler.Problems(files[key], err)...)
			continue
		}
		out[key] = m
	}
	if len(problems) > 0 {
		return nil, nil, policy.Invalid(problems)
	}
	return out, builtin, nil
}

// RunRego runs a policy's Rego unit tests against its document, as `opa test` does: the
// built-in rules' tests when builtinTests is set (for Confect's own policy), and the tests
// beside the policy's own modules. Tests whose name does not match filter are skipped. With a
// coverage tracer, the lines the tests reach are recorded.
func RunRego(ctx context.Context, p *policy.Policy, builtinTests bool, filter *regexp.Regexp, cov *cover.Cover) ([]RegoResult, error) {
	mods, builtin, err := modules(p, builtinTests)
	if err != nil {
		return nil, err
	}
	// A test is the built-in rules' when its package is one no module of the policy's holds.
	own := map[string]bool{}
	for key, m := range mods {
		own[m.Package.Path.String()] = own[m.Package.Path.String()] || !builtin[key]
	}
	results, err := runRegoTests(ctx, p, mods, filter, cov, false)
	if err != nil {
		return nil, err
	}
	var out []RegoResult
	var failed []string
	for _, r := range results {
		if r.Fail && r.Error == nil {
			failed = append(failed, "^"+regexp.QuoteMeta(r.Package+"."+r.Name)+"$")
		}
	}
	// The tests that failed run once more, traced, to say where and with what values.
	why := map[string]string{}
	if len(failed) > 0 {
		traced, err := runRegoTests(ctx, p, mods, regexp.MustCompile(strings.Join(failed, "|")), nil, true)
		if err != nil {
			return nil, err
		}
		for _, r := range traced {
			if msg := failure(r); msg != "" {
				why[r.Package+"."+r.Name] = msg
			}
		}
	}
	for _, r := range results {
		res := RegoResult{Name: r.Package + "." + r.Name, Passed: r.Pass(), Duration: r.Duration, builtin: !own[r.Package]}
		if r.Location != nil {
			res.File, res.Line = r.Location.File, r.Location.Row
		}
		switch {
		case r.Error != nil:
			res.Failure = "error: " + r.Error.Error()
		case r.Fail:
			res.Failure = "failed"
			if msg, ok := why[res.Name]; ok {
				res.Failure = msg
			}
		}
		out = append(out, res)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

// runRegoTests runs the Rego tests of mods against the policy's document.
func runRegoTests(ctx context.Context, p *policy.Policy, mods map[string]*ast.Module, filter *regexp.Regexp, cov *cover.Cover, trace bool) ([]*tester.Result, error) {
	store := inmem.NewFromObject(p.Data())
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithStrict(true).WithCapabilities(compiler.Capabilities())).
		SetStore(store).
		SetModules(mods).
		EnableTracing(trace)
	if filter != nil {
		runner = runner.Filter(filter.String())
	}
	if cov != nil {
		runner = runner.SetCoverageQueryTracer(cov)
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, policy.Invalid(compiler.Problems("", err))
	}
	var out []*tester.Result
	for r := range ch {
		out = append(out, r)
	}
	return out, nil
}

// failure says where a traced test failed: the last expression of the test's own file that
// failed, with the values of its variables, as "failed at line 65: x == 2 (x = 3)".
func failure(r *tester.Result) string {
	if r.Location == nil {
		return ""
	}
	for i := len(r.Trace) - 1; i >= 0; i-- {
		ev := r.Trace[i]
		expr, ok := ev.Node.(*ast.Expr)
		if ev.Op != topdown.FailOp || !ok || ev.Location == nil || ev.Location.File != r.Location.File {
			continue
		}
		msg := fmt.Sprintf("failed at line %d: %s", ev.Location.Row, truncate(strings.Join(strings.Fields(string(ev.Location.Text)), " "), 200))
		// A comparison says both sides: what the test got (left) and what it expected (right).
		value := func(t *ast.Term) ast.Value {
			if v, ok := t.Value.(ast.Var); ok {
				return ev.Locals.Get(v)
			}
			if ast.IsConstant(t.Value) {
				return t.Value
			}
			return nil
		}
		if ops := expr.Operands(); len(ops) == 2 && (expr.Operator().Equal(ast.Equal.Ref()) || expr.Operator().Equal(ast.Equality.Ref())) {
			if got, want := value(ops[0]), value(ops[1]); got != nil && want != nil {
				msg += fmt.Sprintf("\ngot:      %s\nexpected: %s", truncate(got.String(), 500), truncate(want.String(), 500))
			}
		}
		return msg
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// traceCases evaluates the cases' activities with a coverage tracer, for the Rego lines the
// cases reach.
func traceCases(ctx context.Context, p *policy.Policy, cases []*Case, cov *cover.Cover) error {
	built, err := compiler.Build(p)
	if err != nil {
		return err
	}
	pq, err := rego.New(
		// The decision, as OPA servers ask for it, and the findings, as the engine does.
		rego.Query(compiler.Entrypoint+"; "+compiler.FindingsEntrypoint),
		rego.Compiler(built.Compiler),
		rego.Store(inmem.NewFromObject(built.Data)),
	).PrepareForEval(ctx)
	if err != nil {
		return err
	}
	for _, c := range cases {
		input, err := ast.ValueFromReader(strings.NewReader(string(c.Activity)))
		if err != nil {
			continue // the case reports it
		}
		now := c.Now
		if now.IsZero() {
			now = time.Now()
		}
		// A prepared query takes its tracers per evaluation.
		if _, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now), rego.EvalQueryTracer(cov)); err != nil {
			continue // the case reports it
		}
	}
	return nil
}

// RegoCoverage is line coverage of the policy's Rego (its rules, not its tests) by the cases and
// the Rego tests, from OPA's cover package.
type RegoCoverage struct {
	// Files holds each module's coverage, sorted by file.
	Files []RegoFileCoverage `json:"files"`
	// Covered and NotCovered count lines over all modules.
	Covered    int `json:"covered_lines"`
	NotCovered int `json:"not_covered_lines"`
	// Percent is the share of lines covered.
	Percent float64 `json:"percent"`
}

// RegoFileCoverage is one module's line coverage.
type RegoFileCoverage struct {
	// File is the module's name: rego/... for a built-in one, the path for a policy's own.
	File string `json:"file"`
	// Covered and NotCovered count its lines.
	Covered    int `json:"covered_lines"`
	NotCovered int `json:"not_covered_lines"`
	// Percent is the share of its lines covered.
	Percent float64 `json:"percent"`
	// Uncovered lists the lines no case or test reaches, in order, as "12" or "12-14".
	Uncovered []string `json:"uncovered,omitempty"`
}

func regoCoverage(report cover.Report) RegoCoverage {
	out := RegoCoverage{Files: []RegoFileCoverage{}}
	for name, f := range report.Files {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		fc := RegoFileCoverage{File: name, Covered: f.CoveredLines, NotCovered: f.NotCoveredLines, Percent: f.Coverage,
			Uncovered: lineRanges(f.NotCovered)}
		out.Files = append(out.Files, fc)
		out.Covered += f.CoveredLines
		out.NotCovered += f.NotCoveredLines
	}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].File < out.Files[j].File })
	if total := out.Covered + out.NotCovered; total > 0 {
		out.Percent = 100 * float64(out.Covered) / float64(total)
	}
	return out
}

// lineRanges merges OPA's ranges (several may share a line) into runs of lines: "12", "14-16".
func lineRanges(ranges []cover.Range) []string {
	var rows []int
	for _, r := range ranges {
		for row := r.Start.Row; row <= r.End.Row; row++ {
			rows = append(rows, row)
		}
	}
	slices.Sort(rows)
	rows = slices.Compact(rows)
	var out []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		if i == j {
			out = append(out, strconv.Itoa(rows[i]))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", rows[i], rows[j]))
		}
		i = j + 1
	}
	return out
}
