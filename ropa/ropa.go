// Package ropa builds the record of processing activities that GDPR art. 30(1) asks a controller
// to keep, from the declarations in the manifests and the policy document: one entry per
// declaration, in the policy's words, with the decision on it. Fields the record needs and a
// declaration leaves out are listed per entry, never left blank silently.
//
// Build takes a check report run with check.Options.KeepEntries and returns the record as data;
// the output package renders it (output.Formats(output.Record): markdown, csv, json as
// schema/ropa.schema.json describes, or html).
package ropa

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/policy"
)

// ErrNoEntries is returned by Build for a report run without check.Options.KeepEntries.
var ErrNoEntries = errors.New("ropa: the check report holds no activities (run it with KeepEntries)")

// Record is the record of processing activities.
type Record struct {
	// Organisation and Title name the policy the record was made under.
	Organisation string `json:"organisation"`
	Title        string `json:"policy_title"`
	// Revision is the policy revision every decision was made under.
	Revision string `json:"revision"`
	// Controller names the controller (art. 30(1)(a)) and the security measures (art. 30(1)(g));
	// nil when the policy document does not.
	Controller *policy.Controller `json:"controller"`
	// Missing lists what the record as a whole lacks (the controller, its contact, the security
	// measures).
	Missing []Missing `json:"missing"`
	// Entries holds one entry per declaration, in file order.
	Entries []Entry `json:"entries"`
	// Errors are the files that could not be read.
	Errors []Failure `json:"errors"`
	// Summary counts the entries.
	Summary Summary `json:"summary"`
}

// Summary counts a record's entries.
type Summary struct {
	// Entries counts the declarations.
	Entries int `json:"entries"`
	// Allowed, Denied and Errors count the entries by outcome.
	Allowed int `json:"allowed"`
	Denied  int `json:"denied"`
	Errors  int `json:"errors"`
	// Incomplete counts the entries with at least one missing field.
	Incomplete int `json:"incomplete"`
}

// Entry is one declaration as the record holds it.
type Entry struct {
	// File and Line locate the declaration.
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// ID names the declaration; Description is its own.
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Role is controller or processor; CustomerDPA the customer's agreement for a processor.
	Role        string `json:"role"`
	CustomerDPA string `json:"customer_dpa,omitempty"`
	// Purposes, with the policy's words for them (art. 30(1)(b)).
	Purposes []Term `json:"purposes"`
	// LegalBasis is the basis of the processing (art. 6(1)); nil when none is named.
	LegalBasis *Term `json:"legal_basis"`
	// DataSubjects and DataCategories are the categories of people and of personal data
	// (art. 30(1)(c)).
	DataSubjects   []Term `json:"data_subjects"`
	DataCategories []Term `json:"data_categories"`
	// Sources are where the data is collected from.
	Sources []Term `json:"sources"`
	// Recipients are who the data is disclosed to, by category, with third countries and the
	// safeguard of each transfer (art. 30(1)(d), (e)); nil when the declaration names none.
	Recipients []Recipient `json:"recipients"`
	// Retention is how long the data is kept, and from which event (art. 30(1)(f)).
	Retention *Retention `json:"retention"`
	// PersonState says the manifest gives a person's state (consent, subject) with the
	// declaration: a test fixture of one person, decided for that person.
	PersonState bool `json:"person_state,omitempty"`
	// Decision is the policy's decision on the declaration.
	Decision Decision `json:"decision"`
	// Missing lists the fields of the record the declaration leaves out.
	Missing []Missing `json:"missing"`
	// Code are the code paths that feed the declaration, as a code scanner found them
	// (policyengine drift); empty unless the record was made with a scanner's report.
	Code []CodePath `json:"code,omitempty"`
}

// CodePath is a flow of personal data in the code that a declaration covers: where the data
// leaves for a recipient, as a code scanner reported it.
type CodePath struct {
	// Scanner names the scanner (privado, bearer); Element the data element as it names it.
	Scanner string `json:"scanner"`
	Element string `json:"element"`
	// Categories are the element's data categories under the policy.
	Categories []string `json:"categories"`
	// Recipient is the third party as the scanner names it.
	Recipient string `json:"recipient"`
	// File, Line and Column are where the data leaves (for a scanner that gives no line, the
	// element's place in its report).
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Term is a vocabulary term with the policy's words for it.
type Term struct {
	// ID is the term as the declaration names it.
	ID string `json:"id"`
	// Description is the policy document's wording; empty when the document has none (or does
	// not know the term).
	Description string `json:"description,omitempty"`
}

// Recipient is one recipient of the data.
type Recipient struct {
	// Name names the recipient.
	Name string `json:"name"`
	// Type is its category, with the policy's words for it.
	Type Term `json:"type"`
	// Country is where it is (ISO 3166-1 alpha-2), CountryName the policy's name for it.
	Country     string `json:"country,omitempty"`
	CountryName string `json:"country_name,omitempty"`
	// Region is RegionEEA, RegionThird or RegionUnknown.
	Region string `json:"region"`
	// Transfer says the disclosure is a transfer to a third country (or to a place not named).
	Transfer bool `json:"transfer"`
	// Safeguard is the transfer's safeguard as declared (scc, adequacy, bcr, none), if any.
	Safeguard string `json:"safeguard,omitempty"`
	// SafeguardAccepted says the policy document accepts that safeguard for a transfer.
	SafeguardAccepted bool `json:"safeguard_accepted"`
	// DPA says a data processing agreement is in place.
	DPA bool `json:"dpa"`
}

// Regions of a recipient.
const (
	RegionEEA     = "EU/EEA"
	RegionThird   = "third country"
	RegionUnknown = "no country named"
)

// Retention is how long the data is kept.
type Retention struct {
	// Period is the ISO 8601 duration as declared; Words says it in words ("6 months").
	Period string `json:"period,omitempty"`
	Words  string `json:"words,omitempty"`
	// From is the event the period runs from.
	From string `json:"from,omitempty"`
	// Extension is the reference of an agreed extension, if any.
	Extension string `json:"extension,omitempty"`
}

// Outcomes of a decision.
const (
	Allow = "allow"
	Deny  = "deny"
	Error = "error"
)

// Decision is the policy's decision on a declaration.
type Decision struct {
	// Outcome is Allow, Deny, or Error when the declaration could not be decided.
	Outcome string `json:"outcome"`
	// Reasons, Warnings and Conditions are the decision's findings; Errors say why it could
	// not be decided (each of rule input.invalid, with no clause).
	Reasons    Findings `json:"reasons"`
	Warnings   Findings `json:"warnings"`
	Conditions Findings `json:"conditions"`
	Errors     Findings `json:"errors"`
}

// Findings are a decision's findings as the record lists them: each located by its line in its
// entry's file (File and Column are left out).
type Findings []finding.Finding

// MarshalJSON writes the findings as schema/ropa.schema.json has them: each finding's rule,
// message, clause and clause_id (where it has them), path, line and, for a condition, requires.
func (fs Findings) MarshalJSON() ([]byte, error) {
	type recorded struct {
		Rule     string `json:"rule"`
		Message  string `json:"message"`
		Clause   string `json:"clause,omitempty"`
		ClauseID string `json:"clause_id,omitempty"`
		Path     string `json:"path"`
		Line     int    `json:"line,omitempty"`
		Requires string `json:"requires,omitempty"`
	}
	if fs == nil {
		return []byte("null"), nil // as a nil slice is written
	}
	out := make([]recorded, len(fs))
	for i, f := range fs {
		out[i] = recorded{f.Rule, f.Message, f.Clause, f.ClauseID, f.Path, f.Line, f.Requires}
	}
	return finding.MarshalView(out)
}

// Missing is a field of the record a declaration (or the policy document) leaves out.
type Missing struct {
	// Field is the JSON pointer of the field (in the declaration, or in the policy document).
	Field string `json:"field"`
	// Article is the provision that asks for it, e.g. "art. 30(1)(f)".
	Article string `json:"article"`
	// Message says what is missing and how to supply it.
	Message string `json:"message"`
	// Line locates the nearest present field in the file (0 for the policy document).
	Line int `json:"line,omitempty"`
}

// Failure is a file that could not be read.
type Failure struct {
	// File is the manifest; Line locates the problem where known.
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// legalBases are GDPR's art. 6(1) bases, as the record names them.
var legalBases = map[string]string{
	"consent":             "art. 6(1)(a) consent",
	"contract":            "art. 6(1)(b) performance of a contract",
	"legal_obligation":    "art. 6(1)(c) compliance with a legal obligation",
	"vital_interests":     "art. 6(1)(d) vital interests",
	"public_task":         "art. 6(1)(e) a task in the public interest",
	"legitimate_interest": "art. 6(1)(f) legitimate interests",
}

// Build makes the record from a check report run with check.Options.KeepEntries.
func Build(rep *check.Report) (*Record, error) {
	if rep == nil || rep.Policy == nil {
		return nil, errors.New("ropa: the check report names no policy document")
	}
	doc := rep.Policy
	rec := &Record{Organisation: doc.Organisation, Title: doc.Title, Revision: rep.Revision, Controller: doc.Controller,
		Missing: recordMissing(doc.Controller), Entries: []Entry{}, Errors: []Failure{}}
	for _, res := range rep.Results {
		if res.Index < 0 && !res.Failed() {
			continue // findings about a file, not processing the record lists
		}
		if res.Index < 0 {
			f := Failure{File: res.File, Line: res.Line}
			if len(res.Errors) > 0 {
				f.Message = res.Errors[0].Message
			}
			rec.Errors = append(rec.Errors, f)
			continue
		}
		if res.Entry == nil && res.NotPersonal() {
			continue // a Fides declaration of no personal data is no processing the record lists
		}
		if res.Entry == nil {
			return nil, ErrNoEntries
		}
		e := NewEntry(doc, res)
		rec.Entries = append(rec.Entries, e)
		rec.Summary.Entries++
		switch e.Decision.Outcome {
		case Allow:
			rec.Summary.Allowed++
		case Deny:
			rec.Summary.Denied++
		default:
			rec.Summary.Errors++
		}
		if len(e.Missing) > 0 {
			rec.Summary.Incomplete++
		}
	}
	return rec, nil
}

func recordMissing(c *policy.Controller) []Missing {
	const base = "/privacy_policy/controller"
	out := []Missing{}
	if c == nil {
		return append(out, Missing{Field: base, Article: "art. 30(1)(a)", Message: "the policy document names no controller: add controller.name and controller.contact"})
	}
	if c.Contact == "" {
		out = append(out, Missing{Field: base + "/contact", Article: "art. 30(1)(a)", Message: "the controller's contact details are not given"})
	}
	if len(c.SecurityMeasures) == 0 {
		out = append(out, Missing{Field: base + "/security_measures", Article: "art. 30(1)(g)", Message: "no technical and organisational security measures are described"})
	}
	return out
}

// NewEntry describes one declaration of a check report run with check.Options.KeepEntries, in
// the words of the policy document it was decided under.
func NewEntry(doc *policy.Document, res check.Result) Entry {
	var a policyengine.Activity
	// A declaration that failed validation may not decode in full; what decodes is recorded.
	_ = json.Unmarshal(res.Entry.JSON, &a)
	e := Entry{File: res.File, Line: res.Line, ID: res.Activity, Description: a.Description, Role: a.Role, CustomerDPA: a.CustomerDPA,
		Purposes: []Term{}, DataSubjects: []Term{}, DataCategories: []Term{}, Sources: []Term{}}
	if e.Role == "" {
		e.Role = "controller"
	}
	for _, p := range a.Purposes {
		e.Purposes = append(e.Purposes, Term{ID: p, Description: doc.Purposes[p].Description})
	}
	if a.LegalBasis != "" {
		e.LegalBasis = &Term{ID: a.LegalBasis, Description: legalBases[a.LegalBasis]}
	}
	for _, s := range a.DataSubjects {
		e.DataSubjects = append(e.DataSubjects, Term{ID: s, Description: doc.DataSubjects[s].Description})
	}
	for _, c := range a.DataCategories {
		e.DataCategories = append(e.DataCategories, category(doc, c))
	}
	for _, s := range a.Sources {
		e.Sources = append(e.Sources, Term{ID: s, Description: doc.Sources[s].Description})
	}
	if a.Recipients != nil {
		e.Recipients = []Recipient{}
	}
	for _, r := range a.Recipients {
		e.Recipients = append(e.Recipients, recipient(doc, r))
	}
	if r := a.Retention; r != nil {
		e.Retention = &Retention{Period: r.Period, Words: Words(r.Period), From: r.From}
		if r.AgreedExtension != nil {
			e.Retention.Extension = r.AgreedExtension.Reference
		}
	}
	e.PersonState = a.Consent != nil || a.Subject != nil
	e.Decision = decision(res)
	e.Missing = missing(e, res)
	return e
}

// SpecialCategory begins the description of a special category of personal data (GDPR art. 9
// and 10) in a record: "special category (GDPR art. 9)".
const SpecialCategory = "special category"

func category(doc *policy.Document, c string) Term {
	if dc, ok := doc.DataCategories[c]; ok {
		d := dc.Description
		if d == "" {
			d = dc.Group + " personal data"
		}
		return Term{ID: c, Description: d}
	}
	if sc, ok := doc.SpecialCategories[c]; ok {
		return Term{ID: c, Description: SpecialCategory + " (GDPR art. " + strconv.Itoa(sc.Article) + ")"}
	}
	return Term{ID: c}
}

func recipient(doc *policy.Document, r policyengine.Recipient) Recipient {
	out := Recipient{Name: r.Name, Type: Term{ID: r.Type, Description: doc.RecipientTypes[r.Type].Description},
		Country: r.Country, Safeguard: r.TransferSafeguard, SafeguardAccepted: doc.TransferSafeguards[r.TransferSafeguard], DPA: r.DPA}
	territory := doc.EUEEATerritory.Territories[r.Country]
	switch {
	case r.Country == "":
		out.Region = RegionUnknown
	case doc.EUEEATerritory.Inside(r.Country):
		out.Region, out.CountryName = RegionEEA, territory.Name
	default:
		// A territory of an EU/EEA state outside it (the Faroe Islands, Greenland) is named too.
		out.Region, out.CountryName = RegionThird, territory.Name
	}
	// Others reading a forum post are not a transfer, as the transfer rule reads the policy.
	out.Transfer = out.Region != RegionEEA && doc.RecipientTypes[r.Type].Role != policy.RolePublic
	return out
}

func decision(res check.Result) Decision {
	d := Decision{Outcome: Deny, Reasons: inEntry(res.Reasons), Warnings: inEntry(res.Warnings), Conditions: Findings{}, Errors: Findings{}}
	switch {
	case res.Failed():
		d.Outcome = Error
	case res.Allow:
		d.Outcome = Allow
	}
	for _, p := range res.Errors {
		d.Errors = append(d.Errors, finding.Finding{Reason: policyengine.Reason{Rule: check.InputRule, Message: p.Message, Path: p.Pointer}, Line: p.Line})
	}
	for _, c := range res.Conditions {
		d.Conditions = append(d.Conditions, finding.Finding{Reason: policyengine.Reason{Rule: c.Rule, Message: c.Message, Clause: c.Clause, ClauseID: c.ClauseID, Path: c.Path}, Requires: c.Requires, Line: c.Line})
	}
	return d
}

// inEntry are fs as the record lists them: by their line in the entry's file.
func inEntry(fs []finding.Finding) Findings {
	out := make(Findings, len(fs))
	for i, f := range fs {
		out[i] = finding.Finding{Reason: f.Reason, Line: f.Line}
	}
	return out
}

// missing lists the fields of the record the declaration leaves out. A processor's record is
// art. 30(2)'s: the customer it processes for, the categories of processing, transfers.
func missing(e Entry, res check.Result) []Missing {
	out := []Missing{}
	add := func(field, article, msg string) {
		out = append(out, Missing{Field: field, Article: article, Message: msg, Line: res.Entry.Locate(field).Line})
	}
	processor := e.Role == "processor"
	if processor && e.CustomerDPA == "" {
		add("/customer_dpa", "art. 30(2)(a)", "the customer (controller) this is processed for is not named: give customer_dpa")
	}
	if len(e.Purposes) == 0 {
		add("/purposes", "art. 30(1)(b)", "no purpose is declared")
	}
	if !processor && e.LegalBasis == nil {
		add("/legal_basis", "art. 6(1)", "no legal basis is declared")
	}
	if len(e.DataSubjects) == 0 {
		add("/data_subjects", "art. 30(1)(c)", "the categories of data subjects are not declared")
	}
	if len(e.DataCategories) == 0 {
		add("/data_categories", "art. 30(1)(c)", "the categories of personal data are not declared")
	}
	if e.Recipients == nil {
		add("/recipients", "art. 30(1)(d)", "no recipients are declared: list them, or declare recipients: [] for none")
	}
	for i, r := range e.Recipients {
		base := "/recipients/" + strconv.Itoa(i)
		switch {
		case r.Transfer && r.Country == "": // not the public (whose disclosure is no transfer) and no country
			add(base+"/country", "art. 30(1)(e)", fmt.Sprintf("recipient %d: the country is not named, so a transfer to a third country cannot be ruled out", i+1))
		case r.Transfer && r.Safeguard == "":
			add(base+"/transfer_safeguard", "art. 30(1)(e)", fmt.Sprintf("recipient %d: the safeguard of the transfer to a third country is not documented", i+1))
		}
	}
	if !processor {
		switch {
		case e.Retention == nil || e.Retention.Period == "":
			add("/retention", "art. 30(1)(f)", "no time limit for erasure is declared: give retention.period and retention.from")
		case e.Retention.From == "":
			add("/retention/from", "art. 30(1)(f)", "the event the retention period runs from is not declared")
		}
	}
	return out
}

// Words says an ISO 8601 duration in words: "P6M" is "6 months", "P1Y15D" "1 year 15 days".
// A value it does not read is returned as it is.
func Words(period string) string {
	if !strings.HasPrefix(period, "P") || len(period) < 3 {
		return period
	}
	units := map[byte][2]string{'Y': {"year", "years"}, 'M': {"month", "months"}, 'W': {"week", "weeks"}, 'D': {"day", "days"},
		'H': {"hour", "hours"}, 'S': {"second", "seconds"}}
	var parts []string
	num := ""
	timePart := false
	for i := 1; i < len(period); i++ {
		c := period[i]
		switch {
		case c >= '0' && c <= '9':
			num += string(c)
		case c == 'T' && num == "" && !timePart:
			timePart = true
		case num != "":
			u, ok := units[c]
			if timePart && c == 'M' {
				u, ok = [2]string{"minute", "minutes"}, true
			}
			if !ok || (!timePart && (c == 'H' || c == 'S')) {
				return period
			}
			n, err := strconv.Atoi(num)
			if err != nil {
				return period
			}
			word := u[1]
			if n == 1 {
				word = u[0]
			}
			parts = append(parts, strconv.Itoa(n)+" "+word)
			num = ""
		default:
			return period
		}
	}
	if num != "" || len(parts) == 0 {
		return period
	}
	return strings.Join(parts, " ")
}
