package policyengine_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/problem"
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
	engine, err := policyengine.New(ctx, policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
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
	// deny: transfer.without_scc at /recipients/0/transfer_safeguard: the recipient is in US, outside the EU/EEA, and has no transfer safeguard; the policy accepts scc
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
	for _, p := range problem.All(err) {
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
	fmt.Println(engine.Document().Organisation)
	// Output: Confect
}

// A service prepares each declaration it makes once, at start-up, and decides per request from
// the person's state alone.
func ExampleEngine_Declare() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx, policyengine.WithClock(func(context.Context) time.Time {
		return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) // a service leaves the clock out: the current time
	}))
	if err != nil {
		panic(err)
	}
	newsletter, err := engine.Declare(ctx, policyengine.Activity{
		ID:             "newsletter",
		DataSubjects:   []string{"lead"},
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
	})
	if err != nil {
		panic(err)
	}
	for _, state := range []string{
		`{"consent": {"status": "given", "given_at": "2026-03-02T10:15:00Z"}, "subject": {"last_activity_at": "2026-10-01T08:00:00Z"}}`,
		`{"consent": {"status": "withdrawn"}}`,
	} {
		d, err := newsletter.DecideJSON(ctx, []byte(state))
		if err != nil { // bad person state: the decision denies
			panic(err)
		}
		fmt.Println(d.Allow, d.ValidUntil.Format(time.RFC3339))
	}
	// Output:
	// true 2028-03-02T10:15:00Z
	// false 0001-01-01T00:00:00Z
}

// A CI gate decides a declaration alone: what depends on one person is a condition, not a denial.
func ExampleEngine_EvaluateDeclaration() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		panic(err)
	}
	d, err := engine.EvaluateDeclaration(ctx, map[string]any{
		"id":              "newsletter",
		"data_categories": []any{"name", "email"},
		"purposes":        []any{"marketing.materials"},
		"legal_basis":     "consent",
		"retention":       map[string]any{"period": "P12M", "from": "last_activity"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("allow:", d.Allow)
	for _, c := range d.Conditions {
		fmt.Printf("%s at %s: requires %s\n", c.Rule, c.Path, c.Requires)
	}
	// Output:
	// allow: true
	// consent.minor at /legal_basis: requires the person is at least the age of digital consent
	// consent.not_given at /legal_basis: requires the person's consent is given, not withdrawn since, and covers the activity's purposes
	// erasure.requested at /purposes/0: requires the person has not asked for erasure
	// marketing.opted_out at /purposes/0: requires the person has not opted out of marketing
	// restriction.requested at /purposes/0: requires the person has not asked to restrict processing, or consents to this processing
	// retention.expired at /retention/period: requires the person's data is still within the retention limit
}

// A service loads its declarations at start-up from the manifests CI checks (it embeds them:
// //go:embed), learns which of them no person can pass, and decides each request from the
// person's state alone.
func ExampleEngine_LoadDeclarations() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx) // once, at start-up; safe for concurrent use
	if err != nil {
		log.Fatal(err)
	}
	declarations, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	if err != nil {
		log.Fatal(err) // a manifest that cannot be read, an invalid declaration, or none at all
	}
	denied, err := declarations.Denied(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if d, ok := denied["invoice-archive"]; ok { // a service logs each, or refuses to start
		fmt.Println("no person can pass invoice-archive:", d)
	}

	// Per request: the person's state alone.
	for _, consent := range []policyengine.ConsentStatus{policyengine.ConsentGiven, policyengine.ConsentWithdrawn} {
		decision, err := declarations.Decide(ctx, "newsletter-monthly", policyengine.Person{
			Consent: &policyengine.Consent{Status: consent},
		})
		if err != nil || !decision.Allow { // fail closed: an unknown id, a bad state, or a reason to deny
			fmt.Println("not sent:", decision)
			continue
		}
		fmt.Println("sent")
	}
	// Output:
	// no person can pass invoice-archive: deny: retention.missing at /retention: the activity declares no retention period; say how long the data is kept
	// sent
	// not sent: deny: consent.not_given at /consent/status: the legal basis is consent, but consent is withdrawn; marketing.email_without_consent at /consent/status: marketing by email needs the person's consent, but consent is withdrawn
}

// At start-up a service learns which of its declarations no person can pass: those the CI gate
// denies, each with its reasons.
func ExampleDeclarations_Denied() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	declarations, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	if err != nil {
		log.Fatal(err)
	}
	denied, err := declarations.Denied(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []string{"checkout", "invoice-archive"} {
		if d, ok := denied[id]; ok {
			fmt.Println(id, "is denied for everyone:", d.Reasons[0].Rule)
		} else {
			fmt.Println(id, "is allowed, as the person's state permits")
		}
	}
	// Output:
	// checkout is allowed, as the person's state permits
	// invoice-archive is denied for everyone: retention.missing
}

// An id that is not loaded is an error naming it, and the decision denies.
func ExampleDeclarations_DecideJSON() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	declarations, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	if err != nil {
		log.Fatal(err)
	}
	d, err := declarations.DecideJSON(ctx, "checkout", []byte(`{"subject": {"restricted": true}}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d)
	d, err = declarations.DecideJSON(ctx, "check-out", []byte(`{}`))
	fmt.Println(d.Allow, errors.Is(err, policyengine.ErrUnknownDeclaration))
	fmt.Println(err)
	// Output:
	// deny: restriction.requested at /purposes/0: the person asked to restrict processing, and purpose "purchase.orders" is none the restriction allows
	// false true
	// invalid input: no declaration of this id: "check-out" (did you mean "checkout"?)
}

// A service exports how its per-person decisions were made: by a declaration's compiled residual
// (Compiled), handed back to OPA on a surprise at run time (Fallbacks, which should stay at zero),
// or by OPA's topdown for a residual the engine does not compile (Topdown).
func ExampleEngine_Stats() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	if err != nil {
		panic(err)
	}
	declarations, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	if err != nil {
		panic(err)
	}
	for _, state := range []string{`{}`, `{"subject": {"restricted": true}}`, `{"consent": {"status": "given"}}`} {
		if _, err := declarations.DecideJSON(ctx, "checkout", []byte(state)); err != nil {
			panic(err)
		}
	}
	s := engine.Stats()
	fmt.Printf("compiled %d, fallbacks %d, topdown %d\n", s.Compiled, s.Fallbacks, s.Topdown)
	// Output: compiled 3, fallbacks 0, topdown 0
}

// Reload swaps the policy in while the engine decides: from the one Source given (only a Source
// compiles here), or, with none, from where the policy was last loaded, read anew.
func ExampleEngine_Reload() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx) // the embedded Confect policy
	if err != nil {
		panic(err)
	}
	confect := engine.Revision()
	if err := engine.Reload(ctx, policyengine.WithPolicyDir("examples/policies/brightpath")); err != nil {
		panic(err)
	}
	brightpath := engine.Revision()
	fmt.Println("policy changed:", brightpath != confect)
	if err := engine.Reload(ctx); err != nil { // the directory, read again
		panic(err)
	}
	fmt.Println("same policy:", engine.Revision() == brightpath)
	// Output:
	// policy changed: true
	// same policy: true
}

// A service logs its decisions as a fleet of OPA servers does: the activity masked by the
// bundle's mask policy, so that no state of the person, consent record or free text reaches the
// log.
func ExampleWithDecisionLogger() {
	ctx := context.Background()
	engine, err := policyengine.New(ctx, policyengine.WithDecisionLogger(func(ctx context.Context, d policyengine.DecisionLog) {
		// Hand d to the service's log (as JSON: d.DecisionID, d.Time, d.Revision, d.ActivityID,
		// d.Input masked, d.Allow, d.Reasons).
		fmt.Println(d.ActivityID, d.Allow, d.Input["subject"] == nil, d.Input["description"] == nil)
	}))
	if err != nil {
		log.Fatal(err)
	}
	decision, err := engine.Evaluate(ctx, policyengine.Activity{
		ID:             "newsletter",
		Description:    "Monthly newsletter",
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Consent:        &policyengine.Consent{Status: policyengine.ConsentGiven},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
		Subject:        &policyengine.Subject{OptedOutMarketing: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("decided:", decision.Allow)
	// Output:
	// newsletter false true true
	// decided: false
}
