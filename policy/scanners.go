package policy

// ScannerMapping maps what code scanners report to the policy's data categories, for judging
// what the code does against the declarations (policyengine drift): Privado's data element ids
// and Bearer's data type names. A scanner's element without an entry is a finding at the code
// that names this table, never dropped.
type ScannerMapping struct {
	// Privado maps Privado's data element ids (the sources[].id of privado.json, as its rules
	// name them: Data.Sensitive.ContactData.EmailAddress) to categories.
	Privado *ScannerTable `json:"privado,omitempty"`
	// Bearer maps Bearer's data type names (the third_party[].data_types of its privacy report:
	// Email Address) to categories.
	Bearer *ScannerTable `json:"bearer,omitempty"`
}

// ScannerTable is one scanner's table: where its names come from, and what each means under
// the policy.
type ScannerTable struct {
	// Source says where the scanner's names come from (its rules or data type list, with their
	// address), for the people who extend the table.
	Source string `json:"source"`
	// Elements are the entries, keyed exactly as the scanner writes the element.
	Elements map[string]ScannerEntry `json:"elements"`
}

// ScannerEntry is what one scanner element means under the policy: the data categories it is,
// or that the policy does not process it, or that it is no personal data (a flow of it needs no
// declaration).
type ScannerEntry struct {
	// To are the policy's data categories the element is; a flow of it is covered by a
	// declaration that lists any of them.
	To []string `json:"to,omitempty"`
	// NotInPolicy says the element is personal data the policy does not process: a flow of it
	// is a finding no declaration can cover.
	NotInPolicy bool `json:"not_in_policy,omitempty"`
	// NotPersonalData says the element is no personal data: its flows are not judged.
	NotPersonalData bool `json:"not_personal_data,omitempty"`
}
