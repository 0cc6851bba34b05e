package drift_test

import (
	"context"
	"fmt"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/drift"
)

// Judge joins what Privado found in the code to the declarations of the manifests: the flow of a
// phone number to Stripe is in no declaration, though the email flow beside it is.
func ExampleJudge() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		panic(err)
	}
	rep, err := check.Run(ctx, engine, []string{"testdata/manifests"}, check.Options{KeepEntries: true})
	if err != nil {
		panic(err)
	}
	res, err := drift.Judge(rep, []drift.Input{{Scanner: drift.Privado, File: "testdata/privado/drift.json"}}, drift.Limits{})
	if err != nil {
		panic(err)
	}
	for _, f := range res.Flows {
		fmt.Printf("%s:%d %s: %s\n", f.Code.File, f.Code.Line, f.Element, f.Outcome)
	}
	// Output:
	// src/billing/charge.js:42 Data.Sensitive.ContactData.EmailAddress: covered
	// src/billing/charge.js:42 Data.Sensitive.ContactData.EmailAddress: covered
	// src/billing/charge.js:57 Data.Sensitive.ContactData.PhoneNumber: uncovered
	// src/analytics/track.js:12 Data.Sensitive.PersonalIdentification.FirstName: unmatched_sink
	// src/analytics/track.js:30 Data.Sensitive.PersonalIdentification.FirstName: unmatched_sink
	// src/errors.js:7 Data.Sensitive.OnlineIdentifiers.IPAddress: covered
	// src/billing/refund.js:8 Data.Sensitive.FinancialData.BankAccountDetails: unmapped
}
