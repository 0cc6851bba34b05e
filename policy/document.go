package policy

// Document is a company's privacy policy as data: every fact the rules use. It is the value of
// the privacy_policy key of a policy document file, and the rules read it as
// data.privacy_policy. Lookups are maps keyed by the value looked up.
type Document struct {
	// Organisation is the company the policy is for.
	Organisation string `json:"organisation"`
	// Title is the policy's title.
	Title string `json:"title"`
	// Source says where the policy text is published.
	Source string `json:"source,omitempty"`
	// Controller names the controller for the record of processing activities; nil when the
	// document does not.
	Controller *Controller `json:"controller,omitempty"`
	// Clauses are the parts of the policy text the rules enforce, by key. A rule's METADATA
	// names the key of the clause it enforces.
	Clauses map[string]Clause `json:"clauses"`
	// DataSubjects are the kinds of people the policy covers.
	DataSubjects map[string]Term `json:"data_subjects"`
	// DataCategories are the personal data the policy says may be processed.
	DataCategories map[string]Category `json:"data_categories"`
	// SpecialCategories are sensitive data (GDPR art. 9 and 10) the rules recognise and refuse.
	SpecialCategories map[string]SpecialCategory `json:"special_categories"`
	// Sources are where personal data may be collected from.
	Sources map[string]Term `json:"sources"`
	// Purposes are why personal data may be processed, each with its permitted legal bases.
	Purposes map[string]Purpose `json:"purposes"`
	// RecipientTypes are who personal data may be shared with.
	RecipientTypes map[string]RecipientType `json:"recipient_types"`
	// EUEEATerritory says where the EU/EEA is: the law's facts, which the engine merges into
	// every policy (rego/privacy_policy/eu.yaml), not the document's.
	EUEEATerritory Territory `json:"eu_eea_territory"`
	// AdequacyDecisions are the European Commission's adequacy decisions (GDPR art. 45), by the
	// ISO 3166-1 alpha-2 code of the country: the law's facts, merged like EUEEATerritory.
	AdequacyDecisions map[string][]AdequacyDecision `json:"adequacy_decisions"`
	// TransferSafeguards are the safeguards accepted for a recipient outside the EU/EEA.
	TransferSafeguards map[string]bool `json:"transfer_safeguards"`
	// Retention holds the retention limits.
	Retention Retention `json:"retention"`
	// Consent holds the facts of the consent rules.
	Consent Consent `json:"consent,omitzero"`
	// Marketing holds the facts of the marketing and profiling rules.
	Marketing Marketing `json:"marketing"`
	// Rights holds the facts of the data-subject rights rules.
	Rights Rights `json:"rights"`
	// FidesMapping maps the fideslang taxonomy to the policy's vocabularies, for reading Fides
	// privacy declarations; nil when the document has none.
	FidesMapping *FidesMapping `json:"fides_mapping,omitempty"`
	// RecipientRegister describes the vendors and third parties Fides files name, keyed by a
	// system's fides_key or vendor_id.
	RecipientRegister map[string]RegisteredRecipient `json:"recipient_register,omitempty"`
	// ScannerMapping maps what code scanners (Privado, Bearer) report to the data categories,
	// for judging what the code does against the declarations; nil when the document has none.
	ScannerMapping *ScannerMapping `json:"scanner_mapping,omitempty"`
	// Extensions holds facts for a policy's own rules, free in shape.
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Controller is the controller as the record of processing activities (GDPR art. 30(1)(a) and
// (g)) names it.
type Controller struct {
	// Name is the controller's name.
	Name string `json:"name"`
	// Contact says how to reach the controller.
	Contact string `json:"contact,omitempty"`
	// Decisions says who makes the privacy decisions.
	Decisions string `json:"decisions,omitempty"`
	// Representative is the controller's representative in the Union (art. 27), if any.
	Representative *ContactPoint `json:"representative,omitempty"`
	// DPO is the data protection officer, where the document names one.
	DPO *ContactPoint `json:"dpo,omitempty"`
	// SecurityMeasures describe the technical and organisational security measures.
	SecurityMeasures []string `json:"security_measures,omitempty"`
}

// ContactPoint is a person or office and how to reach them.
type ContactPoint struct {
	// Name names the person or office.
	Name string `json:"name"`
	// Contact says how to reach them.
	Contact string `json:"contact,omitempty"`
}

// Clause is a part of the policy text.
type Clause struct {
	// Section is the heading path of the clause, as a reason reports it.
	Section string `json:"section"`
	// Text quotes the policy.
	Text string `json:"text"`
}

// Term is an entry of a vocabulary.
type Term struct {
	// Description says what the term means.
	Description string `json:"description,omitempty"`
}

// Category is a kind of personal data.
type Category struct {
	// Group is the policy's grouping (basic, content, recruitment, ...).
	Group string `json:"group"`
	// Description says what the category holds.
	Description string `json:"description,omitempty"`
}

// SpecialCategory is a kind of sensitive data.
type SpecialCategory struct {
	// Article is the GDPR article that makes it special: 9, or 10 for criminal-offence data.
	Article int `json:"article"`
	// Description says what the category holds.
	Description string `json:"description,omitempty"`
}

// Purpose is a reason for processing.
type Purpose struct {
	// Description is the policy's wording of the purpose.
	Description string `json:"description"`
	// LegalBases are the legal bases the purpose may rest on (true = permitted).
	LegalBases map[string]bool `json:"legal_bases"`
}

// Role is what a recipient type is to the sharing rules; schema/policy.schema.json lists them.
type Role string

// The roles a recipient type may have.
const (
	// RoleGroupCompany is a company within the group: no sharing rule of its own.
	RoleGroupCompany Role = "group_company"
	// RoleSubprocessor processes on the company's behalf, only under a data processing agreement.
	RoleSubprocessor Role = "subprocessor"
	// RoleBusinessPartner receives data only on a legal basis its type allows.
	RoleBusinessPartner Role = "business_partner"
	// RoleAuthority receives data only on a court order.
	RoleAuthority Role = "authority"
	// RolePublic sees only what its type's purposes and data categories allow, and needs no
	// transfer safeguard.
	RolePublic Role = "public"
)

// TypeFor returns the recipient type the document gives role (the first by name when several
// have it), or the role's own name when none has it: a recipient of that type is then one the
// policy does not share with.
func (d *Document) TypeFor(role Role) string {
	for _, name := range sortedKeys(d.RecipientTypes) {
		if d.RecipientTypes[name].Role == role {
			return name
		}
	}
	return string(role)
}

// RecipientType is a kind of recipient.
type RecipientType struct {
	// Description says who the recipient is.
	Description string `json:"description"`
	// Role says which sharing rules apply to a recipient of this type (one of the Role
	// constants). Required: a document that left it out would lose those rules without a word.
	Role Role `json:"role"`
	// Purposes, when set, are the only purposes data may be disclosed to it for.
	Purposes map[string]bool `json:"purposes,omitempty"`
	// DataCategories, when set, are the only categories that may be disclosed to it.
	DataCategories map[string]bool `json:"data_categories,omitempty"`
	// LegalBases, when set, are the only bases sharing with it may rest on (business partners).
	LegalBases map[string]bool `json:"legal_bases,omitempty"`
}

// Retention holds the retention limits.
type Retention struct {
	// Limits are the policy's retention limits by name.
	Limits map[string]RetentionLimit `json:"limits"`
	// EarlierEvents are, for an event, the events that can never fall after it: a period that
	// runs from one of them meets a limit that runs from the event when it is no longer.
	EarlierEvents map[string]map[string]bool `json:"earlier_events,omitempty"`
	// ReviewThreshold, an ISO 8601 duration, flags longer periods of data without a limit of
	// its own; empty, none are flagged.
	ReviewThreshold string `json:"review_threshold,omitempty"`
}

// RetentionLimit is a maximum time personal data may be kept after an event.
type RetentionLimit struct {
	// Clause is the key of the clause that sets the limit.
	Clause string `json:"clause"`
	// Description says what the limit is.
	Description string `json:"description,omitempty"`
	// AppliesTo says which activities the limit applies to.
	AppliesTo LimitScope `json:"applies_to"`
	// Period is the limit, an ISO 8601 duration.
	Period string `json:"period"`
	// From is the event the limit runs from.
	From string `json:"from"`
	// SubjectClock is the field of the activity's subject that records the event; without one,
	// data past the limit cannot be recognised (retention.expired does not apply).
	SubjectClock string `json:"subject_clock,omitempty"`
	// ExtensionAllowed says whether an extension agreed with the person lifts the limit.
	ExtensionAllowed bool `json:"extension_allowed,omitempty"`
}

// LimitScope selects activities: those listing one of the purposes or data subjects.
type LimitScope struct {
	// Purposes select activities with one of these purposes.
	Purposes map[string]bool `json:"purposes,omitempty"`
	// DataSubjects select activities about one of these kinds of people.
	DataSubjects map[string]bool `json:"data_subjects,omitempty"`
}

// Consent holds the facts of the consent rules.
type Consent struct {
	// ReviewAfter is how old consent may grow before it is flagged for review, an ISO 8601
	// duration; empty, consent is never flagged.
	ReviewAfter string `json:"review_after,omitempty"`
	// DigitalConsentAge is the age below which a child's own consent does not count (GDPR
	// art. 8(1): 13 to 16); zero, no age is checked.
	DigitalConsentAge int `json:"digital_consent_age,omitempty"`
}

// Marketing holds the facts of the marketing and profiling rules.
type Marketing struct {
	// Purposes are marketing: barred for a person who opted out of marketing.
	Purposes map[string]bool `json:"purposes"`
	// ProfilingPurposes build interest profiles: barred for a person who opted out of profiling.
	ProfilingPurposes map[string]bool `json:"profiling_purposes"`
	// ConsentChannels are the channels over which marketing needs consent.
	ConsentChannels map[string]bool `json:"consent_channels"`
	// TrackingSources read or store information on the person's device (ePrivacy art. 5(3)).
	TrackingSources map[string]bool `json:"tracking_sources,omitempty"`
}

// Rights holds the facts of the data-subject rights rules.
type Rights struct {
	// RestrictionExemptPurposes stay allowed for a person who asked to restrict processing.
	RestrictionExemptPurposes map[string]bool `json:"restriction_exempt_purposes"`
	// RestrictionExemptRecipients are recipient types a restricted person's data may still be
	// disclosed to, each on a valid court order.
	RestrictionExemptRecipients map[string]bool `json:"restriction_exempt_recipients,omitempty"`
	// ErasureExemptPurposes stay allowed after a person asked for erasure (the erasure itself).
	ErasureExemptPurposes map[string]bool `json:"erasure_exempt_purposes,omitempty"`
	// ErasureExemptBases are legal bases processing stays allowed on after a person asked for
	// erasure (a legal obligation, GDPR art. 17(3)(b)).
	ErasureExemptBases map[string]bool `json:"erasure_exempt_bases,omitempty"`
	// ErasureContractPurposes stay allowed after a person asked for erasure when the activity
	// rests on contract: processing still necessary for a contract with the person, to which no
	// ground of GDPR art. 17(1) applies.
	ErasureContractPurposes map[string]bool `json:"erasure_contract_purposes,omitempty"`
	// RestrictionLiftedByConsent says processing the person's consent covers stays allowed
	// after a request to restrict processing (GDPR art. 18(2)).
	RestrictionLiftedByConsent bool `json:"restriction_lifted_by_consent,omitempty"`
	// ResponsePeriod is how long the company has to answer a request, an ISO 8601 duration.
	ResponsePeriod string `json:"response_period,omitempty"`
	// Requests are the requests whose time is counted, by right.
	Requests map[string]Request `json:"requests,omitempty"`
}

// Request is a kind of request a person makes to exercise a right.
type Request struct {
	// SubjectClock is the field of the activity's subject that records when it was made.
	SubjectClock string `json:"subject_clock"`
	// Article is the GDPR article the right rests on.
	Article string `json:"article"`
}

// Territory says where the EU/EEA is: every territory with an ISO 3166-1 alpha-2 code of its own
// that is, or belongs to, a state of the EU/EEA, and what each status means.
type Territory struct {
	// Statuses are the statuses a territory may have, by name.
	Statuses map[string]TerritoryStatus `json:"statuses"`
	// Territories are the territories, by ISO 3166-1 alpha-2 code. A code not listed is outside
	// the EU/EEA.
	Territories map[string]TerritoryEntry `json:"territories"`
}

// TerritoryStatus is what a status of a territory means.
type TerritoryStatus struct {
	// Inside says a territory of this status is inside the EU/EEA.
	Inside bool `json:"inside"`
	// Description says what the status is.
	Description string `json:"description"`
	// Source is the law that gives it.
	Source string `json:"source"`
}

// TerritoryEntry is one territory.
type TerritoryEntry struct {
	// Name is the territory's English name.
	Name string `json:"name"`
	// Status is a key of Territory.Statuses.
	Status string `json:"status"`
	// PartOf is the state the territory belongs to, where it is not a state itself.
	PartOf string `json:"part_of,omitempty"`
	// Source is the law that gives the territory its status.
	Source string `json:"source"`
}

// Inside reports whether a country code is inside the EU/EEA.
func (t Territory) Inside(code string) bool {
	e, ok := t.Territories[code]
	return ok && t.Statuses[e.Status].Inside
}

// AdequacyDecision is one adequacy decision of the European Commission.
type AdequacyDecision struct {
	// Reference names the decision.
	Reference string `json:"reference"`
	// Adopted is the day it was adopted, YYYY-MM-DD: in force from its start (UTC).
	Adopted string `json:"adopted"`
	// Expires is the last day it applies, YYYY-MM-DD, where it has an end: in force to the end
	// of that day (UTC).
	Expires string `json:"expires,omitempty"`
	// Scope says what the decision covers.
	Scope string `json:"scope"`
	// OnlyRecipientsWith, when set, is the recipient field that must be true for the decision to
	// cover the recipient (dpf_certified).
	OnlyRecipientsWith string `json:"only_recipients_with,omitempty"`
	// Source is where the decision is published.
	Source string `json:"source"`
}
