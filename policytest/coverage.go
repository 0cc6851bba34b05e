package policytest

import (
	"sort"

	"github.com/confect/policyengine"
)

// Coverage says which rules and clauses the cases exercise. A rule (one that denies, or one
// that warns) is covered when a passing case asserts that it fires (expect.fires) and a passing
// case asserts that it does not (expect.not_fires, anywhere or at a path, or expect.allow: true
// for a rule that denies): only what a case asserts counts, since only that would catch the rule
// breaking. A clause is covered when a rule fires with it in a passing case's assertion and a
// rule that enforces it is held back in another.
type Coverage struct {
	// Rules holds each rule of the policy, sorted by id.
	Rules []RuleCoverage `json:"rules"`
	// Clauses holds each clause of the policy document, sorted by key.
	Clauses []ClauseCoverage `json:"clauses"`
	// RulesPercent and ClausesPercent are the shares covered.
	RulesPercent   float64 `json:"rules_percent"`
	ClausesPercent float64 `json:"clauses_percent"`
	// Rego is line coverage of the policy's Rego by the cases and the Rego tests.
	Rego *RegoCoverage `json:"rego,omitempty"`
}

// RuleCoverage is one rule's coverage.
type RuleCoverage struct {
	// ID is the rule's id; Kind "deny" or "warn".
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Fires and HeldBack count the passing cases that assert the rule fires, and does not.
	Fires    int `json:"fires"`
	HeldBack int `json:"held_back"`
	// Covered says both counts are above zero.
	Covered bool `json:"covered"`
}

// ClauseCoverage is one clause's coverage.
type ClauseCoverage struct {
	// ID is the clause's key in the policy document; Section the part of the policy it is.
	ID      string `json:"id"`
	Section string `json:"section"`
	// Rules are the rules that enforce the clause.
	Rules []string `json:"rules"`
	// Fires says a passing case asserts a finding under the clause; HeldBack that one asserts
	// a rule enforcing it does not fire.
	Fires    bool `json:"fires"`
	HeldBack bool `json:"held_back"`
	// Covered says both.
	Covered bool `json:"covered"`
}

// Uncovered lists what the cases leave uncovered: rule ids, then clause ids.
func (c *Coverage) Uncovered() (rules, clauses []string) {
	for _, r := range c.Rules {
		if !r.Covered {
			rules = append(rules, r.ID)
		}
	}
	for _, cl := range c.Clauses {
		if !cl.Covered {
			clauses = append(clauses, cl.ID)
		}
	}
	return rules, clauses
}

// measure computes rule and clause coverage from the results of the cases.
func measure(engine *policyengine.Engine, results []Result) *Coverage {
	rules := engine.Rules()
	byID := map[string]*RuleCoverage{}
	cov := &Coverage{}
	enforces := map[string]map[string]bool{} // clause id -> rule ids
	link := func(clause, rule string) {
		if enforces[clause] == nil {
			enforces[clause] = map[string]bool{}
		}
		enforces[clause][rule] = true
	}
	for _, r := range rules {
		cov.Rules = append(cov.Rules, RuleCoverage{ID: r.ID, Kind: r.Kind})
		link(r.ClauseID, r.ID)
	}
	for i := range cov.Rules {
		byID[cov.Rules[i].ID] = &cov.Rules[i]
	}
	clauseFires := map[string]bool{}
	heldRules := map[string]bool{}
	for _, res := range results {
		if !res.Passed {
			continue
		}
		found := append(append([]policyengine.Reason{}, res.Decision.Reasons...), res.Decision.Warnings...)
		for _, f := range res.Case.Expect.Fires {
			if rc := byID[f.Rule]; rc != nil {
				rc.Fires++
			}
			for _, r := range found {
				if f.matches(r) {
					clauseFires[r.ClauseID] = true
					link(r.ClauseID, r.Rule)
				}
			}
		}
		held := map[string]bool{}
		for _, f := range res.Case.Expect.NotFires {
			held[f.Rule] = true
		}
		if res.Case.Expect.Allow {
			for _, r := range rules {
				if r.Kind == "deny" {
					held[r.ID] = true
				}
			}
		}
		for id := range held {
			if rc := byID[id]; rc != nil {
				rc.HeldBack++
				heldRules[id] = true
			}
		}
	}
	covered := 0
	for i := range cov.Rules {
		r := &cov.Rules[i]
		r.Covered = r.Fires > 0 && r.HeldBack > 0
		if r.Covered {
			covered++
		}
	}
	cov.RulesPercent = percent(covered, len(cov.Rules))

	doc := engine.Document()
	ids := make([]string, 0, len(doc.Clauses))
	for id := range doc.Clauses {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	covered = 0
	for _, id := range ids {
		c := ClauseCoverage{ID: id, Section: doc.Clauses[id].Section, Fires: clauseFires[id]}
		for rule := range enforces[id] {
			c.Rules = append(c.Rules, rule)
			c.HeldBack = c.HeldBack || heldRules[rule]
		}
		sort.Strings(c.Rules)
		c.Covered = c.Fires && c.HeldBack
		if c.Covered {
			covered++
		}
		cov.Clauses = append(cov.Clauses, c)
	}
	cov.ClausesPercent = percent(covered, len(ids))
	return cov
}

func percent(n, total int) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(n) / float64(total)
}
