package main

import (
	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policytest"
)

const testLong = `Run a policy's test cases and its Rego unit tests together.

PATH is a case file or a directory of them (.yaml, .yml): each case an activity (inline, or
manifest: path#id), the decision it must get, and the rules that must and must not fire; see
the policytest package. Cases pin their evaluation time with now (per file or per case).

The Rego tests run with OPA's tester against the policy's document: for the embedded Confect
policy the built-in rules' own tests; for --policy DIR the *_test.rego files in DIR, or, when it
has none (a copy of Confect's policy, edited), the built-in rules' tests against DIR's document.
--builtin-tests=true|false says which explicitly. The summary says which tests ran. A failing
Rego test names the expression that failed, with what it got and what it expected.

--coverage prints which rules and which clauses of the policy the cases exercise, both firing
and held back, the Rego lines the cases and tests reach, and lists what is uncovered;
--min-coverage N fails below N percent of rules or of clauses.

Exit codes: 0 everything passed; 1 a case or test failed, or coverage is below --min-coverage;
2 a usage error, a case file that cannot be read (named with its line), or a policy that cannot
be loaded or compiled (named with its file and line).`

const testExample = `  policyengine test --coverage testdata/policy-cases
  policyengine test --policy examples/policies/brightpath examples/policies/brightpath/tests
  policyengine test --run 'court order' -o junit testdata/policy-cases > cases.xml`

type testFlags struct {
	engineFlags
	run          string
	output       string
	coverage     bool
	minCoverage  float64
	builtinTests bool
}

func newTestCmd(e env) *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:     "test [--policy DIR] [--run REGEX] [--coverage] PATH...",
		Short:   "Run a policy's test cases and Rego tests, with coverage",
		Long:    testLong,
		Example: testExample,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return runTest(cmd, e, f, paths)
		},
	}
	addPolicyFlags(cmd, &f.engineFlags)
	addOutputFlag(cmd, &f.output, output.Test)
	fl := cmd.Flags()
	fl.StringVar(&f.run, "run", "", "run only the cases and Rego tests whose name matches this regular expression")
	fl.BoolVar(&f.coverage, "coverage", false, "report rule, clause and Rego line coverage, and what is uncovered")
	fl.Float64Var(&f.minCoverage, "min-coverage", 0, "fail when rule or clause coverage is below this percentage (implies --coverage)")
	fl.BoolVar(&f.builtinTests, "builtin-tests", false, "run the built-in rules' Rego tests against the policy's document (default: for the embedded policy, and for a --policy DIR with no *_test.rego of its own)")
	return cmd
}

func runTest(cmd *cobra.Command, e env, f testFlags, paths []string) error {
	if len(paths) == 0 {
		return fmt.Errorf("test needs at least one PATH: a case file or a directory of them")
	}
	var filter *regexp.Regexp
	if f.run != "" {
		var err error
		if filter, err = regexp.Compile(f.run); err != nil {
			return fmt.Errorf("--run: %v", err)
		}
	}
	if err := output.Validate(output.Test, f.output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if f.minCoverage < 0 || f.minCoverage > 100 {
		return fmt.Errorf("--min-coverage: expected a percentage from 0 to 100")
	}
	p, err := f.loadPolicy()
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("builtin-tests") {
		// A policy without Rego tests of its own (a copy of Confect's, edited) is tested with
		// the built-in rules' tests, against its document.
		f.builtinTests = len(p.Tests) == 0
	}
	var cases []*policytest.Case
	for _, path := range paths {
		cs, err := policytest.Load(path)
		if err != nil {
			return err
		}
		cases = append(cases, cs...)
	}
	rep, err := policytest.RunSuite(cmd.Context(), p, cases, policytest.Options{
		BuiltinRegoTests: f.builtinTests,
		Filter:           filter,
		Coverage:         f.coverage || f.minCoverage > 0,
	})
	if err != nil {
		return err
	}
	if err := output.WriteTest(e.stdout, f.output, rep, output.Options{}); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if !rep.Passed() {
		return errDenied
	}
	if c := rep.Coverage; f.minCoverage > 0 && (c.RulesPercent < f.minCoverage || c.ClausesPercent < f.minCoverage) {
		return violation(fmt.Sprintf("coverage below %.1f%%: rules %.1f%%, clauses %.1f%%", f.minCoverage, c.RulesPercent, c.ClausesPercent))
	}
	return nil
}
