package policyengine

import (
	"strings"
)

// Decision is the engine's answer for one activity. Allow is true only when no rule denies; every
// deny carries a Reason. Warnings never deny.
type Decision struct {
	// Allow says the activity may go ahead.
	Allow bool `json:"allow"`
	// Reasons say why it may not, sorted by rule id and then path. Empty when allowed.
	Reasons []Reason `json:"reasons"`
	// Warnings flag what deserves a look without denying, sorted like Reasons.
	Warnings []Reason `json:"warnings"`
	// Revision is the content hash of the policy (rules and document) the decision was made
	// under.
	Revision string `json:"revision"`
}

// Reason is one rule's finding about an activity.
type Reason struct {
	// Rule is the stable id of the rule, from the catalogue (e.g. consent.not_given).
	Rule string `json:"rule"`
	// Message says what is wrong, in words a product engineer understands.
	Message string `json:"message"`
	// Clause is the section of the policy the rule enforces.
	Clause string `json:"clause"`
	// ClauseID is the key of that clause in the policy document.
	ClauseID string `json:"clause_id,omitempty"`
	// Path is a JSON pointer to the field at fault in the activity (e.g. /recipients/1/dpa).
	Path string `json:"path"`
}

// String renders the reason on one line: "rule at path: message".
func (r Reason) String() string {
	path := r.Path
	if path == "" {
		path = "/"
	}
	return r.Rule + " at " + path + ": " + r.Message
}

// String renders the decision: "allow", or "deny" followed by its reasons.
func (d Decision) String() string {
	if d.Allow {
		return "allow"
	}
	if len(d.Reasons) == 0 {
		return "deny"
	}
	parts := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		parts[i] = r.String()
	}
	return "deny: " + strings.Join(parts, "; ")
}

// Rule describes one rule of the policy, from its METADATA and the policy document.
type Rule struct {
	// ID is the rule's stable id.
	ID string `json:"id"`
	// Kind is "deny" for a rule that denies, "warn" for one that only warns.
	Kind string `json:"kind"`
	// Title names the rule in a few words.
	Title string `json:"title"`
	// Description says what the rule checks, and why.
	Description string `json:"description"`
	// Remedy says what an activity must change to pass (or to clear a warning).
	Remedy string `json:"remedy,omitempty"`
	// Clause is the section of the policy the rule enforces.
	Clause string `json:"clause"`
	// ClauseID is the key of the clause in the policy document.
	ClauseID string `json:"clause_id"`
	// ClauseText quotes the policy.
	ClauseText string `json:"clause_text"`
	// Package is the Rego package that holds the rule.
	Package string `json:"package"`
	// File and Line locate the rule's source.
	File string `json:"file"`
	Line int    `json:"line"`
}
