package drift

import (
	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
)

// The ids of drift's findings: what a scanner found that no declaration covers. Each denies.
const (
	// RuleUncovered: a flow of a data category to a recipient some declaration names, but no
	// declaration that names the recipient lists the category (or a flow of data the policy
	// does not process at all).
	RuleUncovered = "drift.uncovered_flow"
	// RuleUnmatchedSink: a flow to a third party no declaration names as a recipient (by its
	// domains, else by its name).
	RuleUnmatchedSink = "drift.unmatched_sink"
	// RuleUnmapped: a data element the policy's scanner_mapping table does not know.
	RuleUnmapped = "drift.unmapped_element"
)

// Rules describes drift's findings as catalogue entries, for the formats that list the rules
// (SARIF), with the sections of doc's clauses.
func Rules(doc *policy.Document) []policyengine.Rule {
	rule := func(id, title, desc, remedy, clause string) policyengine.Rule {
		c := doc.Clauses[clause]
		return policyengine.Rule{ID: id, Kind: "deny", Title: title, Description: desc, Remedy: remedy, Clause: c.Section, ClauseID: clause, ClauseText: c.Text, Package: "drift"}
	}
	return []policyengine.Rule{
		rule(RuleUncovered, "Code sends personal data no declaration covers",
			"A code scanner found a data element reaching a third party that a declaration names as a recipient, but no declaration naming that recipient lists the element's data category (by the policy's scanner_mapping), or the policy marks the element as data it does not process. What the code does is not what was declared.",
			"List the category in the declaration of this processing (and let the policy decide it), or stop sending the data.", "sharing"),
		rule(RuleUnmatchedSink, "Code sends personal data to a recipient no declaration names",
			"A code scanner found a data element reaching a third party, and no declaration names a recipient matching it: by the recipient's domains (a domain or a subdomain of one), or, where either has none, by name.",
			"Add the recipient, with its domains, to the declaration of this processing (and let the policy decide it), or stop sending the data.", "sharing"),
		rule(RuleUnmapped, "A scanner's data element the policy does not map",
			"A code scanner found a data element reaching a third party that the policy's scanner_mapping table has no entry for, so its data category is unknown and no declaration can be said to cover it.",
			"Add an entry for the element to the policy document's scanner_mapping table of that scanner: the data categories it is (to), not_in_policy or not_personal_data.", "personal-data"),
	}
}
