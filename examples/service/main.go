// Command service shows policyengine used the way a Go service uses it: a mailer that declares
// once, in a manifest next to its code (manifests/, the file CI checks), what it does with
// personal data, loads that declaration at start-up, and before it sends the newsletter to a
// person asks whether it may, from that person's state alone. It does not send when the answer is
// no or when the engine could not answer (fail closed).
//
//	go run ./examples/service
package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"sync"
	"time"

	"github.com/confect/policyengine"
)

// The service ships the manifests CI checks.
//
//go:embed manifests
var manifests embed.FS

// Person is what the mailer knows of a newsletter recipient.
type Person struct {
	ID             string // the customer id; the engine never needs the address itself
	Consent        policyengine.ConsentStatus
	OptedOut       bool
	LastActivityAt time.Time
}

// Mailer sends the newsletter to people the policy allows it to.
type Mailer struct {
	declarations *policyengine.Declarations
}

// Send decides, and reports what it did. It never sends on an error.
func (m *Mailer) Send(ctx context.Context, p Person) (sent bool, why string) {
	// The person's state, as the service keeps it: the only thing decided per request.
	state, err := json.Marshal(policyengine.Person{
		Consent: &policyengine.Consent{Status: p.Consent},
		Subject: &policyengine.Subject{OptedOutMarketing: p.OptedOut, LastActivityAt: p.LastActivityAt},
	})
	if err != nil {
		return false, "not sent: " + err.Error()
	}
	decision, err := m.declarations.DecideJSON(ctx, "newsletter-send", state)
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
	m, err := newMailer(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, m, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// newMailer prepares once, at start-up: the engine and the service's declarations, shared by
// every request.
func newMailer(ctx context.Context) (*Mailer, error) {
	engine, err := policyengine.New(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := fs.Sub(manifests, "manifests")
	if err != nil {
		return nil, err
	}
	declarations, err := engine.LoadDeclarations(ctx, dir)
	if err != nil {
		return nil, err
	}
	return &Mailer{declarations: declarations}, nil
}

func run(ctx context.Context, m *Mailer, out io.Writer) error {
	people := []Person{
		{ID: "customer-1001", Consent: policyengine.ConsentGiven, LastActivityAt: time.Now().AddDate(0, -1, 0)},
		{ID: "customer-1002", Consent: policyengine.ConsentWithdrawn, LastActivityAt: time.Now().AddDate(0, -2, 0)},
		{ID: "customer-1003", Consent: policyengine.ConsentGiven, OptedOut: true, LastActivityAt: time.Now()},
		{ID: "customer-1004", Consent: policyengine.ConsentGiven, LastActivityAt: time.Now().AddDate(-3, 0, 0)},
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
