package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policytest"
)

const testLong = `Run a policy's test cases and its Rego unit tests together.

PATH is a case file or a directory of them (.yaml, .yml): each case an activity (inline, or
manifest: path#id), the decision it must get, and the rules that must and must not fire; see
the policytest package. The Rego tests are the built-in rules' own (for the embedded Confect
policy) or the *_test.rego files of --policy DIR.

--coverage prints which rules and which clauses of the policy the cases exercise, both firing
and held back, and the Rego lines the cases and tests reach; --min-coverage N fails below N
percent of rules or of clauses.

Exit codes: 0 everything passed; 1 a case or test failed, or coverage is below --min-coverage;
2 a usage, case-file or policy error.`

func newTestCmd(e env) *cobra.Command {
	var policyDir, run, out string
	var coverage bool
	var minCoverage float64
	cmd := &cobra.Command{
		Use:     "test [--policy DIR] [--run REGEX] [--coverage] PATH...",
		Short:   "Run a policy's test cases and Rego tests, with coverage",
		Long:    testLong,
		Example: "  policyengine test --coverage testdata/policy-cases\n  policyengine test --policy examples/policies/brightpath/policy examples/policies/brightpath/cases",
		RunE: func(cmd *cobra.Command, paths []string) error {
			var filter *regexp.Regexp
			if run != "" {
				var err error
				if filter, err = regexp.Compile(run); err != nil {
					return usageError("--run: %v", err)
				}
			}
			if !contains(policytest.Formats(), out) {
				return usageError("--output: unknown format %q (want one of %s)", out, strings.Join(policytest.Formats(), ", "))
			}
			if minCoverage < 0 || minCoverage > 100 {
				return usageError("--min-coverage: expected a percentage from 0 to 100")
			}
			p, err := loadPolicy(policyDir)
			if err != nil {
				return err
			}
			engine, err := policyengine.New(cmd.Context(), policyengine.WithPolicy(p))
			if err != nil {
				return &exit{code: exitError, err: err}
			}
			var cases []*policytest.Case
			for _, path := range paths {
				cs, err := policytest.Load(path)
				if err != nil {
					return &exit{code: exitError, err: err}
				}
				cases = append(cases, cs...)
			}
			rep, err := policytest.RunSuite(cmd.Context(), engine, p, cases, policytest.Options{
				BuiltinRegoTests: policyDir == "",
				Filter:           filter,
				Coverage:         coverage || minCoverage > 0,
			})
			if err != nil {
				return &exit{code: exitError, err: err}
			}
			if err := rep.Write(e.stdout, out); err != nil {
				return &exit{code: exitError, err: err}
			}
			if !rep.Passed() {
				return &exit{code: exitDenied}
			}
			if c := rep.Coverage; minCoverage > 0 && (c.RulesPercent < minCoverage || c.ClausesPercent < minCoverage) {
				return &exit{code: exitDenied, err: fmt.Errorf("coverage below %.1f%%: rules %.1f%%, clauses %.1f%%", minCoverage, c.RulesPercent, c.ClausesPercent)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&policyDir, "policy", "", "policy directory (default: the embedded Confect policy)")
	fl.StringVar(&run, "run", "", "run only the cases and Rego tests whose name matches this regular expression")
	fl.StringVarP(&out, "output", "o", "text", "output format: "+strings.Join(policytest.Formats(), "|"))
	fl.BoolVar(&coverage, "coverage", false, "report rule, clause and Rego line coverage")
	fl.Float64Var(&minCoverage, "min-coverage", 0, "fail when rule or clause coverage is below this percentage (implies --coverage)")
	return cmd
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
