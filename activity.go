package policyengine

import (
	"encoding/json"
	"strconv"
	"time"
)

// Activity is one proposed processing of personal data: who, what data, why, on which legal
// basis, shared with whom, kept how long. Its JSON form is the manifest format.
//
// Vocabulary values (data subjects, categories, sources, purposes, recipient types) are the
// policy's: a value outside them is not an error here but a reason to deny.
type Activity struct {
	// ID is the activity's stable name, unique within a manifest. Required.
	ID string `json:"id"`
	// Description is free text. It is never echoed in decisions or errors.
	Description string `json:"description,omitempty"`
	// Role is "controller" (the default when empty) or "processor" (processing a customer's
	// data in one of Confect's services on the customer's behalf).
	Role string `json:"role,omitempty"`
	// CustomerDPA references the customer's data processing agreement; required of a processor.
	CustomerDPA string `json:"customer_dpa,omitempty"`
	// DataSubjects are the kinds of people whose data is processed (customer, lead, ...).
	DataSubjects []string `json:"data_subjects,omitempty"`
	// DataCategories are the kinds of personal data processed (email, ip_address, ...). At
	// least one is required.
	DataCategories []string `json:"data_categories"`
	// Sources are where the data comes from (data_subject, cookies, ...).
	Sources []string `json:"sources,omitempty"`
	// Purposes are why the data is processed (purchase.orders, marketing.materials, ...). At
	// least one is required.
	Purposes []string `json:"purposes"`
	// LegalBasis is consent, contract, legitimate_interest, legal_obligation, vital_interests
	// or public_task.
	LegalBasis string `json:"legal_basis,omitempty"`
	// Consent is the person's consent, where it matters.
	Consent *Consent `json:"consent,omitempty"`
	// Profiling says the activity builds interest profiles of people.
	Profiling bool `json:"profiling,omitempty"`
	// Channel is how the person is contacted, for a communication.
	Channel *Channel `json:"channel,omitempty"`
	// Retention is how long the data is kept.
	Retention *Retention `json:"retention,omitempty"`
	// Recipients are who the data is shared with.
	Recipients []Recipient `json:"recipients,omitempty"`
	// Subject is the state of the person, where the activity concerns one.
	Subject *Subject `json:"subject,omitempty"`
}

// Consent is the state of a person's consent.
type Consent struct {
	// Status is the consent's state: ConsentGiven, ConsentWithdrawn, ConsentRefused,
	// ConsentExpired or ConsentUnknown. Consent counts only when it is given (and not withdrawn
	// since).
	Status ConsentStatus `json:"status"`
	// GivenAt is when consent was given.
	GivenAt time.Time `json:"given_at,omitzero"`
	// WithdrawnAt is when consent was withdrawn. Consent given at or before it counts no more
	// from then on.
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
	// Purposes, when set, are the only purposes the consent covers (GDPR art. 6(1)(a)): empty
	// (not nil), it covers none. Nil, it covers those of the activity it was recorded for.
	Purposes []string `json:"purposes,omitzero"`
}

// ConsentStatus is the state of a person's consent, as the activity schema names it
// (consent.status).
type ConsentStatus string

// The consent statuses: the schema's, and no other.
const (
	// ConsentGiven is consent the person gave: the only status under which consent counts.
	ConsentGiven ConsentStatus = "given"
	// ConsentWithdrawn is consent the person gave and then withdrew.
	ConsentWithdrawn ConsentStatus = "withdrawn"
	// ConsentRefused is consent the person was asked for and refused.
	ConsentRefused ConsentStatus = "refused"
	// ConsentExpired is consent that lapsed (the service's own rule of how long it lasts).
	ConsentExpired ConsentStatus = "expired"
	// ConsentUnknown is a consent record whose state is not known: it does not count.
	ConsentUnknown ConsentStatus = "unknown"
)

// Channel is how a person is contacted.
type Channel struct {
	// Type is email, sms, phone, social_media, web, in_app or post.
	Type string `json:"type"`
	// Content is marketing or administrative.
	Content string `json:"content"`
	// OptOutInstructions says whether each message tells the person how to opt out of receiving
	// more; nil when the activity does not declare it.
	OptOutInstructions *bool `json:"opt_out_instructions,omitempty"`
}

// Retention is how long data is kept.
type Retention struct {
	// Period is an ISO 8601 duration such as P6M.
	Period string `json:"period,omitempty"`
	// From is the event the period runs from: collection, last_activity,
	// last_application_date, end_of_contract or account_closure.
	From string `json:"from,omitempty"`
	// AgreedExtension is an extension agreed with the person, where the policy allows one.
	AgreedExtension *Extension `json:"agreed_extension,omitempty"`
}

// Extension is a retention extension agreed with the person.
type Extension struct {
	// Reference identifies the agreement.
	Reference string `json:"reference,omitempty"`
	// Period is how much longer the data may be kept, an ISO 8601 duration.
	Period string `json:"period,omitempty"`
}

// Recipient is someone personal data is shared with.
type Recipient struct {
	// Name is the recipient's name. Required.
	Name string `json:"name"`
	// Type is group_company, subprocessor, business_partner, authority or public. Required.
	Type string `json:"type"`
	// Country is where the recipient is, ISO 3166-1 alpha-2.
	Country string `json:"country,omitempty"`
	// DPA says a data processing agreement is in place.
	DPA bool `json:"dpa,omitempty"`
	// TransferSafeguard is scc, adequacy, bcr or none.
	TransferSafeguard string `json:"transfer_safeguard,omitempty"`
	// Domains are the internet domains where the recipient receives data (stripe.com); a
	// subdomain of one matches it. They match the third parties code scanners find.
	Domains []string `json:"domains,omitempty"`
	// DPFCertified says the recipient, in the United States, is certified under the EU-US Data
	// Privacy Framework: the adequacy decision for the US covers only such recipients.
	DPFCertified bool `json:"dpf_certified,omitempty"`
	// CourtOrder is the order an authority's request rests on.
	CourtOrder *CourtOrder `json:"court_order,omitempty"`
	// LegalBasis is the legal basis for sharing with a business partner.
	LegalBasis string `json:"legal_basis,omitempty"`
}

// CourtOrder is a court's order to disclose personal data.
type CourtOrder struct {
	// Reference identifies the order.
	Reference string `json:"reference"`
	// Jurisdiction is the issuing court's country, ISO 3166-1 alpha-2.
	Jurisdiction string `json:"jurisdiction"`
	// InternationalAgreement says a foreign order is recognised under an international agreement.
	InternationalAgreement bool `json:"international_agreement,omitempty"`
}

// Subject is the state of the person an activity concerns.
type Subject struct {
	// OptedOutMarketing says the person opted out of marketing.
	OptedOutMarketing bool `json:"opted_out_marketing,omitempty"`
	// OptedOutProfiling says the person opted out of profiling.
	OptedOutProfiling bool `json:"opted_out_profiling,omitempty"`
	// ObjectedLegitimateInterest says the person objected to processing on legitimate interest.
	ObjectedLegitimateInterest bool `json:"objected_legitimate_interest,omitempty"`
	// Restricted says the person asked to restrict processing.
	Restricted bool `json:"restricted,omitempty"`
	// LastActivityAt is the person's last recorded activity.
	LastActivityAt time.Time `json:"last_activity_at,omitzero"`
	// LastApplicationAt is the person's last job application.
	LastApplicationAt time.Time `json:"last_application_at,omitzero"`
	// AccessRequestedAt is when the person asked for a copy of their data, if that request is
	// pending.
	AccessRequestedAt time.Time `json:"access_requested_at,omitzero"`
	// RectificationRequestedAt is when the person asked to correct their data, if that request
	// is pending.
	RectificationRequestedAt time.Time `json:"rectification_requested_at,omitzero"`
	// ErasureRequestedAt is when the person asked for their data to be erased.
	ErasureRequestedAt time.Time `json:"erasure_requested_at,omitzero"`
	// PortabilityRequestedAt is when the person asked for their data in a machine-readable
	// format, if that request is pending.
	PortabilityRequestedAt time.Time `json:"portability_requested_at,omitzero"`
	// Age is the person's age in years, where known (0: unknown).
	Age int `json:"age,omitempty"`
}

// document returns the activity as the decoded JSON document it marshals to, built directly
// (no JSON round trip): the form the schema validates and the rules read.
func (a *Activity) document() map[string]any {
	m := make(map[string]any, 16)
	m["id"] = a.ID
	putString(m, "description", a.Description)
	putString(m, "role", a.Role)
	putString(m, "customer_dpa", a.CustomerDPA)
	putStrings(m, "data_subjects", a.DataSubjects, true)
	putStrings(m, "data_categories", a.DataCategories, false)
	putStrings(m, "sources", a.Sources, true)
	putStrings(m, "purposes", a.Purposes, false)
	putString(m, "legal_basis", a.LegalBasis)
	putPerson(m, a.Consent, a.Subject)
	if a.Profiling {
		m["profiling"] = true
	}
	if c := a.Channel; c != nil {
		cm := map[string]any{"type": c.Type, "content": c.Content}
		if c.OptOutInstructions != nil {
			cm["opt_out_instructions"] = *c.OptOutInstructions
		}
		m["channel"] = cm
	}
	if r := a.Retention; r != nil {
		rm := map[string]any{}
		putString(rm, "period", r.Period)
		putString(rm, "from", r.From)
		if e := r.AgreedExtension; e != nil {
			em := map[string]any{}
			putString(em, "reference", e.Reference)
			putString(em, "period", e.Period)
			rm["agreed_extension"] = em
		}
		m["retention"] = rm
	}
	if len(a.Recipients) > 0 {
		rs := make([]any, len(a.Recipients))
		for i := range a.Recipients {
			r := &a.Recipients[i]
			rm := map[string]any{"name": r.Name, "type": r.Type}
			putString(rm, "country", r.Country)
			if r.DPA {
				rm["dpa"] = true
			}
			putString(rm, "transfer_safeguard", r.TransferSafeguard)
			putStrings(rm, "domains", r.Domains, true)
			if r.DPFCertified {
				rm["dpf_certified"] = true
			}
			if o := r.CourtOrder; o != nil {
				om := map[string]any{"reference": o.Reference, "jurisdiction": o.Jurisdiction}
				if o.InternationalAgreement {
					om["international_agreement"] = true
				}
				rm["court_order"] = om
			}
			putString(rm, "legal_basis", r.LegalBasis)
			rs[i] = rm
		}
		m["recipients"] = rs
	}
	return m
}

// putPerson sets the person's state in m as its JSON form has it: consent and subject, each
// when there is one. Activity.document and Declaration.Decide build the person alike.
func putPerson(m map[string]any, c *Consent, s *Subject) {
	if c != nil {
		cm := map[string]any{"status": string(c.Status)}
		putTime(cm, "given_at", c.GivenAt)
		putTime(cm, "withdrawn_at", c.WithdrawnAt)
		if c.Purposes != nil { // an empty list is consent for no purpose, not a record without a list
			putStrings(cm, "purposes", c.Purposes, false)
		}
		m["consent"] = cm
	}
	if s != nil {
		sm := map[string]any{}
		putBool(sm, "opted_out_marketing", s.OptedOutMarketing)
		putBool(sm, "opted_out_profiling", s.OptedOutProfiling)
		putBool(sm, "objected_legitimate_interest", s.ObjectedLegitimateInterest)
		putBool(sm, "restricted", s.Restricted)
		putTime(sm, "last_activity_at", s.LastActivityAt)
		putTime(sm, "last_application_at", s.LastApplicationAt)
		putTime(sm, "access_requested_at", s.AccessRequestedAt)
		putTime(sm, "rectification_requested_at", s.RectificationRequestedAt)
		putTime(sm, "erasure_requested_at", s.ErasureRequestedAt)
		putTime(sm, "portability_requested_at", s.PortabilityRequestedAt)
		if s.Age != 0 {
			sm["age"] = json.Number(strconv.Itoa(s.Age))
		}
		m["subject"] = sm
	}
}

func putString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func putBool(m map[string]any, k string, v bool) {
	if v {
		m[k] = true
	}
}

func putTime(m map[string]any, k string, t time.Time) {
	if !t.IsZero() {
		m[k] = t.Format(time.RFC3339Nano)
	}
}

// putStrings sets a list as encoding/json would: omitted when empty if omitEmpty, else null
// when nil.
func putStrings(m map[string]any, k string, v []string, omitEmpty bool) {
	if len(v) == 0 && omitEmpty {
		return
	}
	if v == nil {
		m[k] = nil
		return
	}
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	m[k] = out
}
