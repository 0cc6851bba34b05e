package compiler

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// Rule describes one rule that can deny or warn, from its METADATA, in the words of the
// policy document it was compiled with: its text filled with the document's facts
// (policy.Document.Describe), its clause's section and text. Its fields are those of
// policyengine.Rule, in the same order, which documents them: the engine converts one to the
// other, so the two cannot drift apart.
type Rule struct {
	ID              string
	Kind            string // "deny" or "warn"
	Title           string
	Description     string // what the rule checks, and why
	Remedy          string // what an activity must change to pass: the description's "To pass:" part
	Clause          string // the section of the clause
	ClauseID        string // the key of the clause in the policy document
	ClauseText      string
	Requires        string // for a person rule, what must hold for the person
	DeclaredAt      string // METADATA custom.declared_at
	AlsoDeclaration bool   // METADATA custom.also_declaration
	EveryPerson     bool   // METADATA custom.every_person
	Package         string // e.g. data.policyengine.rules.consent
	File            string
	Line            int
}

var ruleID = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// catalogue reads the METADATA of every deny and warn rule, and checks it; custom names the
// policy's own modules. customPerson says one of those holds a person rule.
func catalogue(c *ast.Compiler, p *policy.Policy, custom map[string]bool) (rules []Rule, customPerson bool, problems []*problem.Problem) {
	seen := map[string]Rule{}
	as := c.GetAnnotationSet()
	names := make([]string, 0, len(c.Modules))
	for name := range c.Modules {
		names = append(names, name)
	}
	// Built-in modules first: a policy's rule that claims a built-in id is the duplicate.
	sort.Slice(names, func(i, j int) bool {
		bi, bj := !custom[names[i]], !custom[names[j]]
		if bi != bj {
			return bi
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		m := c.Modules[name]
		pkg := m.Package.Path.String()
		if !under(pkg, RulesPackage) {
			continue
		}
		direct := !strings.Contains(strings.TrimPrefix(pkg, RulesPackage+"."), ".")
		for _, r := range m.Rules {
			head, ok := r.Head.Ref()[0].Value.(ast.Var)
			kind := string(head)
			if !ok || (kind != "deny" && kind != "warn") {
				continue
			}
			if !direct {
				problems = append(problems, at(r, fmt.Sprintf("%s rules are collected only from packages directly under %s, not %s", kind, strings.TrimPrefix(RulesPackage, "data."), strings.TrimPrefix(pkg, "data."))))
				continue
			}
			rule, prob := readRule(c, as, r, kind, pkg, p, !custom[name])
			if prob == nil {
				if prev, dup := seen[rule.ID]; dup {
					prob = at(r, fmt.Sprintf("rule id %s is already claimed by the rule at %s:%d", rule.ID, prev.File, prev.Line))
				}
			}
			if prob != nil {
				problems = append(problems, prob)
				continue
			}
			seen[rule.ID] = rule
			rules = append(rules, rule)
			customPerson = customPerson || (custom[name] && rule.Requires != "")
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules, customPerson, problems
}

// at is a problem at a rule's place.
func at(r *ast.Rule, msg string) *problem.Problem {
	return &problem.Problem{Kind: problem.Rego, File: r.Location.File, Line: r.Location.Row, Column: r.Location.Col, Message: msg}
}

// readRule reads a deny or warn rule's METADATA and checks it against the rule and the policy
// document; pkg is its package, builtin says the rule is one of the engine's own.
func readRule(c *ast.Compiler, as *ast.AnnotationSet, r *ast.Rule, kind, pkg string, p *policy.Policy, builtin bool) (Rule, *problem.Problem) {
	if r.Head.RuleKind() != ast.MultiValue || len(r.Head.Reference) != 1 {
		return Rule{}, at(r, fmt.Sprintf("%s must be a set of reasons: write `%s contains reason if { ... }`", kind, kind))
	}
	var ann *ast.Annotations
	for _, a := range as.GetRuleScope(r) {
		if a.Scope == "rule" {
			ann = a
		}
	}
	if ann == nil {
		return Rule{}, at(r, fmt.Sprintf("this %s rule has no METADATA block: give it a title, a description and custom id and clause", kind))
	}
	rule := Rule{Kind: kind, Title: ann.Title, Package: pkg, File: r.Location.File, Line: r.Location.Row}
	rule.Description, rule.Remedy = splitRemedy(ann.Description)
	rule.ID, _ = ann.Custom["id"].(string)
	rule.ClauseID, _ = ann.Custom["clause"].(string)
	rule.Requires, _ = ann.Custom["requires"].(string)
	rule.DeclaredAt, _ = ann.Custom["declared_at"].(string)
	rule.AlsoDeclaration, _ = ann.Custom["also_declaration"].(bool)
	rule.EveryPerson, _ = ann.Custom["every_person"].(bool)
	var missing []string
	if rule.Title == "" {
		missing = append(missing, "title")
	}
	if rule.Description == "" {
		missing = append(missing, "description")
	}
	if rule.ID == "" {
		missing = append(missing, "custom id")
	}
	if rule.ClauseID == "" {
		missing = append(missing, "custom clause")
	}
	if len(missing) > 0 {
		named := "this " + kind + " rule"
		if rule.ID != "" {
			named = "rule " + rule.ID
		}
		return Rule{}, at(r, fmt.Sprintf("%s: its METADATA lacks %s", named, strings.Join(missing, ", ")))
	}
	person := readsPerson(c, r)
	switch {
	case person && rule.Requires == "" && builtin:
		return Rule{}, at(r, fmt.Sprintf("rule %s reads the person's state (consent or subject): its METADATA must say what it requires of the person (custom requires)", rule.ID))
	case person && rule.Requires == "":
		rule.Requires = "the person's state passes: " + lowerFirst(rule.Title)
	case !person && rule.Requires != "":
		return Rule{}, at(r, fmt.Sprintf("rule %s says what it requires of the person, but reads nothing of the person's state (consent or subject)", rule.ID))
	}
	if rule.EveryPerson && !person {
		return Rule{}, at(r, fmt.Sprintf("rule %s says it is a right every person has (custom every_person), but reads nothing of the person's state (consent or subject)", rule.ID))
	}
	if !ruleID.MatchString(rule.ID) {
		return Rule{}, at(r, fmt.Sprintf("rule id %q is not of the form area.name (lower case, dotted)", rule.ID))
	}
	clause, ok := p.Document.Clauses[rule.ClauseID]
	if !ok {
		return Rule{}, at(r, fmt.Sprintf("rule %s names clause %q, which the policy document (%s) does not define", rule.ID, rule.ClauseID, p.DocumentFile))
	}
	rule.Clause, rule.ClauseText = clause.Section, clause.Text
	// What the rule says it checks, in this document's facts.
	rule.Title, rule.Description, rule.Remedy = p.Document.Describe(rule.Title), p.Document.Describe(rule.Description), p.Document.Describe(rule.Remedy)
	return rule, nil
}

// readsPerson says a rule reads the person's state: input.consent or input.subject, in its own
// body or in any rule or function it depends on.
func readsPerson(c *ast.Compiler, rule *ast.Rule) bool {
	return depends(c, rule, func(ref ast.Ref) bool { return personRef(ref) })
}

// personRef says a reference reads the person's state: input.consent, input.subject, or the
// input whole or by a computed key.
func personRef(ref ast.Ref) bool {
	if !ref[0].Equal(ast.InputRootDocument) {
		return false
	}
	if len(ref) < 2 {
		return true // the input whole
	}
	key, ok := ref[1].Value.(ast.String)
	return !ok || key == "consent" || key == "subject"
}

// remedyMarker introduces, in a rule's METADATA description, what an activity must change to
// pass the rule. Rules of a policy's own may follow the same convention.
const remedyMarker = "To pass:"

func splitRemedy(description string) (what, remedy string) {
	description = strings.Join(strings.Fields(description), " ")
	for _, marker := range []string{remedyMarker, "To clear it:"} {
		if i := strings.Index(description, marker); i >= 0 {
			return strings.TrimSpace(description[:i]), capitalise(strings.TrimSpace(description[i+len(marker):]))
		}
	}
	return description, ""
}

// capitalise upper-cases the first letter of s, lowerFirst lower-cases it: the first rune,
// whatever its width in bytes.
func capitalise(s string) string { return firstRune(s, unicode.ToUpper) }

func lowerFirst(s string) string { return firstRune(s, unicode.ToLower) }

func firstRune(s string, to func(rune) rune) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(to(r)) + s[n:]
}
