package policyengine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/schema"
)

// A service prepares one engine at start-up and asks it, per request, whether it may process a
// person's data.
func ExampleNew() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx) // Confect's embedded policy
	if err != nil {
		panic(err)
	}
	fmt.Println(len(engine.Rules()) > 20)
	// Output: true
}

func ExampleEngine_Evaluate() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx, policyengine.WithTime(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		panic(err)
	}
	decision, err := engine.Evaluate(ctx, policyengine.Activity{
		ID:             "newsletter",
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "legitimate_interest",
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
		Subject:        &policyengine.Subject{OptedOutMarketing: true},
	})
	if err != nil { // invalid input or evaluation error: the decision denies
		panic(err)
	}
	fmt.Println("allow:", decision.Allow)
	for _, r := range decision.Reasons {
		fmt.Printf("%s at %s (%s)\n", r.Rule, r.Path, r.Clause)
	}
	// Output:
	// allow: false
	// marketing.email_without_consent at /consent (Marketing and Profiling › The Legitimate Interest)
	// marketing.opted_out at /channel/content (Marketing and Profiling › Right to Opt-Out of Marketing Communication)
	// marketing.opted_out at /purposes/0 (Marketing and Profiling › Right to Opt-Out of Marketing Communication)
}

func ExampleEngine_EvaluateJSON() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		panic(err)
	}
	decision, err := engine.EvaluateJSON(ctx, []byte(`{
		"id": "checkout",
		"data_subjects": ["customer"],
		"data_categories": ["name", "email", "postal_address"],
		"purposes": ["purchase.orders"],
		"legal_basis": "contract",
		"retention": {"period": "P5Y", "from": "end_of_contract"},
		"recipients": [{"name": "PayFlow Inc.", "type": "subprocessor", "country": "US", "dpa": true}]
	}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(decision)
	// Output:
	// deny: transfer.without_scc at /recipients/0/transfer_safeguard: the recipient is in US, outside the EU/EEA, and its transfer safeguard is none; the policy accepts scc
}

// Invalid input is an error naming each field at fault, and the decision that comes with it
// denies.
func ExampleEngine_EvaluateJSON_invalidInput() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		panic(err)
	}
	decision, err := engine.EvaluateJSON(ctx, []byte(`{"id": "x", "data_categories": [], "purposes": ["purchase.orders"], "retention": {"period": "6 months"}}`))
	fmt.Println("allow:", decision.Allow)
	fmt.Println(errors.Is(err, policyengine.ErrInvalidInput))
	for _, p := range schema.Problems(err) {
		fmt.Println(p.Pointer, "-", p.Message)
	}
	// Output:
	// allow: false
	// true
	// /data_categories - expected at least one item
	// /retention/period - expected an ISO 8601 duration such as P6M or P2Y
}

// Another company's policy is a directory holding its policy document (and any rules of its
// own): a new document, not new code.
func ExampleWithPolicyDir() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx, policyengine.WithPolicyDir("policy"))
	if err != nil {
		panic(err)
	}
	fmt.Println(engine.Policy().Organisation)
	// Output: Confect
}
