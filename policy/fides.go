package policy

// FidesMapping maps the keys of the fideslang taxonomy (Fides data uses, data categories and
// data subjects) and its enumerations (legal bases, transfer bases) to the policy's own
// vocabularies, so that Fides privacy declarations are judged by the policy's rules. A key
// without an entry takes its nearest ancestor's (by the taxonomy's parent_key, else by dotted
// prefix).
type FidesMapping struct {
	// Attribution credits the taxonomy whose keys the table names.
	Attribution string `json:"attribution"`
	// DataUses map Fides data uses to purposes, with what a use implies.
	DataUses map[string]FidesUse `json:"data_uses"`
	// DataCategories map Fides data categories to data categories.
	DataCategories map[string]FidesEntry `json:"data_categories"`
	// DataSubjects map Fides data subjects to data subjects.
	DataSubjects map[string]FidesEntry `json:"data_subjects"`
	// LegalBases map Fides legal bases for processing (Consent, Legitimate interests, ...)
	// one to one to the policy's legal bases.
	LegalBases map[string]string `json:"legal_bases"`
	// TransferBases map Fides legal bases for transfers (SCCs, Adequacy Decision, BCRs, ...)
	// to transfer safeguards.
	TransferBases map[string]string `json:"transfer_bases"`
}

// FidesEntry is what one Fides key means under the policy: the terms it maps to, or that it is
// known but outside the policy (the normal rule then refuses it), or that it is not personal
// data at all.
type FidesEntry struct {
	// Description names the Fides key (the taxonomy's name), for messages.
	Description string `json:"description,omitempty"`
	// To are the policy's terms the key maps to.
	To []string `json:"to,omitempty"`
	// NotInPolicy says the key is known but the policy does not cover it.
	NotInPolicy bool `json:"not_in_policy,omitempty"`
	// NotPersonalData says the key is not personal data; it is left out of the activity.
	NotPersonalData bool `json:"not_personal_data,omitempty"`
}

// FidesUse is a Fides data use's entry: purposes, and what the use implies.
type FidesUse struct {
	FidesEntry
	// Channel, when set, is the channel the use implies ({type, content}).
	Channel *FidesChannel `json:"channel,omitempty"`
	// Profiling says the use builds interest profiles.
	Profiling bool `json:"profiling,omitempty"`
	// Recipient, when set, is the recipient type the use implies (data leaves for a third party).
	Recipient string `json:"recipient,omitempty"`
}

// FidesChannel is a channel a data use implies.
type FidesChannel struct {
	// Type is the channel's type (email, sms, ...).
	Type string `json:"type"`
	// Content is marketing or administrative.
	Content string `json:"content"`
}

// RegisteredRecipient is an entry of the recipient register: what Fides cannot say about a
// vendor or third party, keyed by its system's fides_key or vendor_id (or the name a
// declaration's third_parties gives).
type RegisteredRecipient struct {
	// Name names the recipient.
	Name string `json:"name"`
	// Type is the recipient type (subprocessor, business_partner, ...).
	Type string `json:"type"`
	// Country is the recipient's country, ISO 3166-1 alpha-2.
	Country string `json:"country,omitempty"`
	// DPA says a data processing agreement is signed.
	DPA bool `json:"dpa,omitempty"`
	// TransferSafeguard is the safeguard of a transfer to it (scc, adequacy, bcr, none).
	TransferSafeguard string `json:"transfer_safeguard,omitempty"`
	// LegalBasis is the legal basis of sharing with it (for a business partner).
	LegalBasis string `json:"legal_basis,omitempty"`
	// DPFCertified says the recipient, in the United States, is certified under the EU-US Data
	// Privacy Framework, as an activity's recipient says (Fides has no field for it).
	DPFCertified bool `json:"dpf_certified,omitempty"`
	// Domains are the internet domains where it receives data, as an activity's recipient
	// names them (recipients[].domains).
	Domains []string `json:"domains,omitempty"`
}
