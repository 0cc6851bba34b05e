package impact_test

import (
	"context"
	"fmt"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/impact"
)

// What Brightpath's policy would decide otherwise than Confect's, on the same recruitment
// manifest.
func ExampleCompare() {
	ctx := context.Background()
	at := policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) })
	confect, err := policyengine.New(ctx, at)
	if err != nil {
		fmt.Println(err)
		return
	}
	brightpath, err := policyengine.New(ctx, at, policyengine.WithPolicyDir("../examples/policies/brightpath"))
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := impact.Compare(ctx, confect, brightpath, []string{"../testdata/two-policies"}, check.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rep.Changes {
		fmt.Println(c.Activity, c.Kind)
		for _, f := range c.Added {
			fmt.Println("  +", f.Kind, f.Rule)
		}
		for _, f := range c.Removed {
			fmt.Println("  -", f.Kind, f.Rule)
		}
	}
	fmt.Printf("%+v\n", rep.Summary)
	// Output:
	// applicant-tracking-uk newly_allowed
	//   + condition minors.parental_consent
	//   + warn retention.at_limit
	//   - deny transfer.without_scc
	// applications-inbox newly_denied
	//   + condition minors.parental_consent
	//   + deny retention.exceeds_limit
	//   - warn retention.at_limit
	// open-applications other_reasons
	//   + warn consent.stale
	// applicant-access-request other_reasons
	//   + condition minors.parental_consent
	// {Activities:5 NewlyDenied:1 NewlyAllowed:1 OtherReasons:2 Errors:0}
}
