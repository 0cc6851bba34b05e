package fides

import (
	"fmt"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/policy"
)

// One Fides key mapped to the policy's terms, and what a data use and a legal basis imply.

// term is one value of an activity's list with where it came from.
type term struct {
	value string
	at    Source
}

// mapKey maps one Fides key of a kind, found at a place: upgraded if renamed, resolved through
// the table, with findings for what is renamed, unknown or unmapped. It returns the terms the
// key stands for (none for data that is not personal), and whether it is personal data.
func (b *builder) mapKey(kind string, raw any, at place) ([]term, bool) {
	key, ok := raw.(string)
	if !ok || strings.TrimSpace(key) == "" {
		b.problem(at, "expected a Fides %s key (a non-empty string)", singular(kind))
		return nil, true
	}
	if !isKey(key) {
		b.problem(at, "expected a Fides %s key (letters, digits and _ . < > -)", singular(kind))
		return nil, true
	}
	src := at.source()
	if up, renamed := upgrade(kind, key, b.p.known(kind)); renamed {
		b.find(withKey(src, key, ""), finding.Finding{Reason: policyengine.Reason{Rule: RuleRenamed, Message: fmt.Sprintf("the fideslang 1.x key %q is %q since fideslang 2.0: read as %q; rename it in the file", key, up, up), ClauseID: clauseOf(kind)}})
		key = up
	}
	src.Key, src.Name = key, b.p.name(kind, key)
	if !b.p.known(kind)(key) {
		b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleUnknownKey, Message: fmt.Sprintf("%q is neither in the default taxonomy nor in this project's own %s resources; it is judged by its nearest known ancestor, if any. Declare it (with a parent_key) or fix its spelling", key, singular(kind)), ClauseID: clauseOf(kind)}})
	}
	r := b.p.resolve(kind, key)
	switch {
	case !r.Mapped:
		f := b.p.found(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleUnmapped, Message: fmt.Sprintf("%q has no entry in the policy's fides_mapping.%s, nor has any ancestor: it is read as a term outside the policy. Add an entry for it (or for its parent) to the table", key, kind), ClauseID: clauseOf(kind)}})
		b.record(f, src.Key)
		b.d.unwritable = append(b.d.unwritable, f)
		return []term{{outside(key), src}}, true
	case r.Entry.NotPersonalData:
		return nil, false
	case r.Entry.NotInPolicy:
		by := ""
		if r.From != key {
			by = fmt.Sprintf(" (by its entry for %q)", r.From)
		}
		b.d.unwritable = append(b.d.unwritable, b.p.found(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleUnmapped, Message: fmt.Sprintf("%q is one the policy's fides_mapping.%s marks not_in_policy%s: no term of the policy stands for it, so check denies the declaration for it. Map it to a term of the policy in the table, or change the declaration", key, kind, by), ClauseID: clauseOf(kind)}}))
		return []term{{outside(key), src}}, true
	}
	out := make([]term, len(r.Entry.To))
	for i, t := range r.Entry.To {
		out[i] = term{t, src}
	}
	if kind == kindUse {
		b.use(r.Entry, src)
	}
	return out, true
}

func withKey(s Source, key, name string) Source {
	s.Key, s.Name = key, name
	return s
}

func singular(kind string) string {
	return map[string]string{kindUse: "data use", kindCategory: "data category", kindSubject: "data subject"}[kind]
}

func clauseOf(kind string) string {
	switch kind {
	case kindUse:
		return "purposes"
	case kindSubject:
		return "data-subjects"
	}
	return "personal-data"
}

// use applies what a data use implies: a channel, profiling, a recipient.
func (b *builder) use(e policy.FidesUse, src Source) {
	a := b.d.Activity
	if e.Channel != nil {
		a["channel"] = map[string]any{"type": e.Channel.Type, "content": e.Channel.Content}
		b.d.at["/channel"] = src
	}
	if e.Profiling {
		a["profiling"] = true
		b.d.at["/profiling"] = src
	}
	if e.Recipient != "" {
		b.addRecipient(map[string]any{"name": src.Key, "type": e.Recipient}, src)
	}
}

// customUse reads what a 1.x custom data use held that fideslang 3 drops: legal_basis and
// recipients, with a warning; its legal basis applies when the declaration names none.
func (b *builder) customUse(key string) {
	c, ok := b.p.custom[kindUse][key]
	if !ok {
		return
	}
	for _, f := range []string{"legal_basis", "recipients"} {
		if v, ok := c.value[f]; ok && v != nil {
			b.find(c.at.sub("/"+f).source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleDropped, Message: fmt.Sprintf("the data use's %s is a fideslang 1.x field that fideslang 3 drops silently: it is read here", f), ClauseID: "legal-basis"}})
			b.d.Carried["data_use."+f] = v
			b.d.at[carriedPointer("data_use."+f)] = c.at.sub("/" + f).source()
		}
	}
	if _, has := b.d.Activity["legal_basis"]; !has {
		if v, ok := c.value["legal_basis"]; ok && v != nil {
			b.legalBasis(v, c.at.sub("/legal_basis"))
		}
	}
}

func (b *builder) legalBasis(v any, at place) {
	s, _ := v.(string)
	basis, ok := b.p.mapping.LegalBases[s]
	if !ok {
		for k, mapped := range b.p.mapping.LegalBases { // 1.x wrote them in other cases
			if strings.EqualFold(k, s) || strings.EqualFold(strings.ReplaceAll(k, " ", "_"), s) {
				basis, ok = mapped, true
			}
		}
	}
	if !ok {
		b.find(at.source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleUnmapped, Message: "this legal basis has no entry in the policy's fides_mapping.legal_bases: add it (Fides names Consent, Contract, Legal obligations, Vital interests, Public interest, Legitimate interests)", ClauseID: "legal-basis", Path: "/legal_basis"}})
		return
	}
	b.d.Activity["legal_basis"] = basis
	b.d.at["/legal_basis"] = at.source()
}
