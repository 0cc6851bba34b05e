// Command service shows policyengine used the way a Go service uses it: a mailer that, before it
// sends the newsletter to a person, asks the engine whether it may, at request time, and does
// not send when the answer is no or when the engine could not answer (fail closed).
//
//	go run ./examples/service
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/confect/policyengine"
)

// Person is what the mailer knows of a newsletter recipient.
type Person struct {
	ID             string // the customer id; the engine never needs the address itself
	Consent        string // given, withdrawn, ...
	OptedOut       bool
	LastActivityAt time.Time
}

// Mailer sends the newsletter to people the policy allows it to.
type Mailer struct {
	engine *policyengine.Engine
}

// Send decides, and reports what it did. It never sends on an error.
func (m *Mailer) Send(ctx context.Context, p Person) (sent bool, why string) {
	activity := policyengine.Activity{
		ID:             "newsletter-send",
		DataSubjects:   []string{"customer"},
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Consent:        &policyengine.Consent{Status: p.Consent},
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
		Subject:        &policyengine.Subject{OptedOutMarketing: p.OptedOut, LastActivityAt: p.LastActivityAt},
	}
	decision, err := m.engine.Evaluate(ctx, activity)
	if err != nil {
		return false, "not sent: the policy could not be evaluated: " + err.Error()
	}
	if !decision.Allow {
		return false, "not sent: " + decision.Reasons[0].Message + " (" + decision.Reasons[0].Rule + ")"
	}
	// ... hand the message to the mail provider here ...
	return true, "sent"
}

func main() {
	ctx := context.Background()
	// Prepare once, at start-up; the engine is then shared by every request.
	engine, err := policyengine.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, &Mailer{engine: engine}, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, m *Mailer, out io.Writer) error {
	people := []Person{
		{ID: "customer-1001", Consent: "given", LastActivityAt: time.Now().AddDate(0, -1, 0)},
		{ID: "customer-1002", Consent: "withdrawn", LastActivityAt: time.Now().AddDate(0, -2, 0)},
		{ID: "customer-1003", Consent: "given", OptedOut: true, LastActivityAt: time.Now()},
		{ID: "customer-1004", Consent: "given", LastActivityAt: time.Now().AddDate(-3, 0, 0)},
	}
	results := make([]string, len(people))
	var wg sync.WaitGroup
	for i, p := range people { // requests arrive concurrently
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, why := m.Send(ctx, p)
			results[i] = why
		}()
	}
	wg.Wait()
	for i, p := range people {
		if _, err := fmt.Fprintf(out, "%s: %s\n", p.ID, results[i]); err != nil {
			return err
		}
	}
	return nil
}
