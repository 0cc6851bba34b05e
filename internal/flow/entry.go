package flow

import (
	"strings"

	"github.com/confect/policyengine/ropa"
)

// FromEntry is the declaration of a record entry as the picture shows it, with the given status
// (the entry's own outcome when empty).
func FromEntry(e *ropa.Entry, status string) Declaration {
	if status == "" {
		status = e.Decision.Outcome
	}
	d := Declaration{Key: e.File + "#" + e.ID, Label: e.ID, Group: "(no purpose)", Status: status}
	if len(e.Purposes) > 0 {
		d.Group = e.Purposes[0].ID
	}
	for _, s := range e.DataSubjects {
		d.Subjects = append(d.Subjects, s.ID)
	}
	var rules []string
	for _, f := range e.Decision.Reasons {
		rules = append(rules, f.Rule)
	}
	d.Note = e.ID
	if len(rules) > 0 {
		d.Note += ": " + strings.Join(rules, ", ")
	}
	for _, r := range e.Recipients {
		region := Unknown
		switch r.Region {
		case ropa.RegionEEA:
			region = EEA
		case ropa.RegionThird:
			region = Third
		}
		d.Recipients = append(d.Recipients, Recipient{Name: r.Name, Type: r.Type.ID, Country: r.Country, Region: region,
			Transfer: r.Transfer, Safeguard: r.Safeguard, Accepted: r.SafeguardAccepted})
	}
	return d
}
