package policytest_test

import (
	"context"
	"fmt"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
)

// Run a file of cases against Confect's policy, with coverage, as `policyengine test` does.
func ExampleRunSuite() {
	ctx := context.Background()
	cases, err := policytest.Load("../testdata/policy-cases/rights.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := policytest.RunSuite(ctx, policy.Default(), cases, policytest.Options{Coverage: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Cases {
		fmt.Println(r.Passed, r.Name)
	}
	for _, r := range rep.Coverage.Rules {
		if r.ID == "objection.legitimate_interest" {
			fmt.Printf("%s: asserted firing %d time(s), held back %d\n", r.ID, r.Fires, r.HeldBack)
		}
	}
	fmt.Printf("cases: %d, failed: %d\n", rep.Summary.Cases, rep.Summary.CasesFailed)
	// Output:
	// true You have the right to object to processing based on legitimate interest
	// true An objection does not touch processing on a contract
	// true You can ask us to limit the processing of your personal data
	// true Handling the person's own requests goes on under a restriction
	// objection.legitimate_interest: asserted firing 1 time(s), held back 2
	// cases: 4, failed: 0
}
