package policyengine

import (
	"slices"
	"strings"
	"time"
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
	// Conditions, for a declaration decided alone (without a person's state), are what must
	// hold for a person at run time: a person rule that would deny for some person. They never
	// appear in a decision for a person, nor in one on a full activity.
	Conditions []Condition `json:"conditions,omitempty"`
	// Revision is the content hash of the policy (rules and document) the decision was made
	// under.
	Revision string `json:"revision"`
	// ValidUntil, when the decision depends on the clock, is the earliest instant at which the
	// same input would be decided differently (a retention deadline, a consent review date).
	// It is zero when no clock matters.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Condition is what a person rule needs of the person for a declaration to be allowed for them:
// the service meets it at run time, deciding per person.
type Condition struct {
	// Rule is the id of the person rule.
	Rule string `json:"rule"`
	// Message says what the rule checks, in words a product engineer understands.
	Message string `json:"message"`
	// Clause is the section of the policy the rule enforces.
	Clause string `json:"clause"`
	// ClauseID is the key of that clause in the policy document.
	ClauseID string `json:"clause_id,omitempty"`
	// Path is a JSON pointer to the field of the declaration that makes the rule apply.
	Path string `json:"path"`
	// Requires names what must hold for the person ("the person's consent is given").
	Requires string `json:"requires"`
}

// String renders the condition on one line: "rule at path: requires".
func (c Condition) String() string {
	return c.Rule + " at " + pointerOrRoot(c.Path) + ": requires " + c.Requires
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
func (r Reason) String() string { return r.Rule + " at " + pointerOrRoot(r.Path) + ": " + r.Message }

// pointerOrRoot is a JSON pointer as a person reads it: "/" for the whole activity.
func pointerOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// String renders the decision: "allow" (followed by its conditions, if any), or "deny"
// followed by its reasons.
func (d Decision) String() string {
	if d.Allow {
		if len(d.Conditions) > 0 {
			parts := make([]string, len(d.Conditions))
			for i, c := range d.Conditions {
				parts[i] = c.String()
			}
			return "allow if: " + strings.Join(parts, "; ")
		}
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
	// Requires, for a person rule (one that reads the person's consent or state), says what
	// must hold for the person; empty for a declaration rule.
	Requires string `json:"requires,omitempty"`
	// DeclaredAt is the field of a declaration a person rule's condition points at, when its
	// finding points into the person's state.
	DeclaredAt string `json:"declared_at,omitempty"`
	// AlsoDeclaration says a person rule also judges the declaration alone: for some
	// declarations it denies whatever the person's state.
	AlsoDeclaration bool `json:"also_declaration,omitempty"`
	// EveryPerson says a person rule is a right every person has, whatever the declaration
	// (erasure, restriction): nearly every declaration carries its condition, so reports say
	// it once for a run rather than under each declaration.
	EveryPerson bool `json:"every_person,omitempty"`
	// Package is the Rego package that holds the rule.
	Package string `json:"package"`
	// File and Line locate the rule's source.
	File string `json:"file"`
	Line int    `json:"line"`
}

// clone copies a decision's slices: the copy and the original share nothing a caller may change.
func (d Decision) clone() Decision {
	d.Reasons = slices.Clone(d.Reasons)
	d.Warnings = slices.Clone(d.Warnings)
	d.Conditions = slices.Clone(d.Conditions)
	return d
}
