package fides

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/policy"
)

// Who a declaration's data goes to: vendors' systems, third parties and countries, described by
// the policy's recipient register.

// countries reads a 1.x third_country_transfers list (ISO 3166-1 alpha-3 codes, a system's or
// a dataset's): each country becomes one the declaration's data goes to, for the transfer rules.
func (b *builder) countries(list any, at place) {
	b.find(at.source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleDropped, Message: "third_country_transfers is a fideslang 1.x field that fideslang 3 drops silently (it has does_international_transfers and legal_basis_for_transfers instead): its countries are read as where recipients of this declaration are", ClauseID: "transfers"}})
	items, ok := list.([]any)
	if !ok {
		b.problem(at, "expected a list of ISO 3166-1 alpha-3 country codes such as USA")
		return
	}
	for i, x := range items {
		where := at.sub("/" + strconv.Itoa(i))
		code, _ := x.(string)
		a2, ok := Alpha2(code)
		if !ok {
			b.find(where.source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleUnknownKey, Message: fmt.Sprintf("%s is not an ISO 3166-1 alpha-3 country code: it is not read. Write the country's three-letter code, such as USA", quoteKey(code)), ClauseID: "transfers"}})
			continue
		}
		b.abroad = append(b.abroad, term{a2, where.source()})
	}
}

func (b *builder) addRecipient(r map[string]any, src Source) {
	list, _ := b.d.Activity["recipients"].([]any)
	b.d.at["/recipients/"+strconv.Itoa(len(list))] = src
	b.d.Activity["recipients"] = append(list, r)
}

// recipients adds who the data goes to: the system itself when it is a vendor's (Third Party
// system type or a vendor_id), and the third parties a declaration shares with, each described
// by the recipient register; an entry missing from the register is a finding that says what to
// add. The system's legal basis for transfers gives the safeguard of recipients without one.
func (b *builder) recipients(s resource, obj map[string]any, at place) {
	sys := s.value
	key := s.key
	if vendor, ok := isVendor(s); ok {
		src := s.at.source()
		if vendor != "" {
			src = s.at.sub("/vendor_id").source()
		}
		b.registered([]string{key, vendor}, b.p.vendor, key, src, fmt.Sprintf("the system %s is a vendor's", quoteKey(key)))
	}
	// The vendors' systems this declaration's egress sends data to.
	egress, _ := obj["egress"].([]any)
	for i, x := range egress {
		k, _ := x.(string)
		to, ok := b.p.systemByKey[k]
		if !ok || k == key {
			continue
		}
		if vendor, ok := isVendor(to); ok {
			b.registered([]string{k, vendor}, b.p.vendor, k, at.sub("/egress/"+strconv.Itoa(i)).source(), fmt.Sprintf("this declaration's egress sends data to the system %s, a vendor's,", quoteKey(k)))
		}
	}
	if boolField(obj, "data_shared_with_third_parties", false) {
		name, _ := obj["third_parties"].(string)
		src := at.sub("/data_shared_with_third_parties").source()
		if name != "" {
			src = at.sub("/third_parties").source()
		}
		b.registered([]string{strings.TrimSpace(name)}, b.p.partner, "third parties", src, "this declaration shares data with third parties")
	}
	b.countryRecipients(key)
	if boolField(sys, "does_international_transfers", false) {
		safeguard := ""
		src := s.at.sub("/legal_basis_for_transfers").source()
		bases, _ := sys["legal_basis_for_transfers"].([]any)
		if s, ok := sys["legal_basis_for_transfers"].(string); ok {
			bases = []any{s}
		}
		for _, x := range bases {
			if s, ok := x.(string); ok {
				if m, ok := b.p.mapping.TransferBases[s]; ok && (safeguard == "" || m == "scc") {
					safeguard = m
				} else if !ok {
					b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleUnmapped, Message: "this legal basis for transfers has no entry in the policy's fides_mapping.transfer_bases: add it", ClauseID: "transfers"}})
				}
			}
		}
		list, _ := b.d.Activity["recipients"].([]any)
		if len(list) == 0 {
			b.find(s.at.sub("/does_international_transfers").source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleUnregistered, Message: fmt.Sprintf("the system %s does international transfers but this declaration names no recipient: add the recipients to the policy's recipient_register (under a vendor system's fides_key or vendor_id) and the vendor systems to the Fides files", quoteKey(key)), ClauseID: "transfers", Path: "/recipients"}})
		}
		for i, r := range list {
			rm := r.(map[string]any)
			if _, has := rm["transfer_safeguard"]; !has && safeguard != "" {
				rm["transfer_safeguard"] = safeguard
				b.d.at["/recipients/"+strconv.Itoa(i)+"/transfer_safeguard"] = src
			}
		}
	}
}

// isVendor reports whether a system is a vendor's (a vendor_id, or system_type Third Party), and
// its vendor_id.
func isVendor(s resource) (string, bool) {
	vendor, _ := s.value["vendor_id"].(string)
	stype, _ := s.value["system_type"].(string)
	return vendor, vendor != "" || strings.EqualFold(strings.ReplaceAll(stype, "_", " "), "third party")
}

// countryRecipients adds a recipient in each country of a 1.x third_country_transfers that no
// recipient of the declaration is in yet: one nothing else is known of (so the transfer rule
// judges its safeguard), with a finding that says what to add to the register.
func (b *builder) countryRecipients(system string) {
	for _, c := range b.abroad {
		list, _ := b.d.Activity["recipients"].([]any)
		there := false
		for _, r := range list {
			if rm, _ := r.(map[string]any); rm["country"] == c.value {
				there = true
			}
		}
		if there {
			continue
		}
		b.find(c.at, finding.Finding{Reason: policyengine.Reason{Rule: RuleUnregistered, Message: fmt.Sprintf("the system %s transfers data to %s (third_country_transfers) but no recipient of this declaration the policy's recipient_register describes is there: add the recipient (a vendor's system's fides_key or vendor_id) to the register with its country and transfer_safeguard", quoteKey(system), c.value), ClauseID: "transfers", Path: "/recipients"}})
		b.addRecipient(map[string]any{"name": "recipient in " + c.value, "type": b.p.vendor, "country": c.value}, c.at)
	}
}

// registered adds the recipient the register holds under the first of keys it has, or, when it
// has none, a recipient of the fallback type with nothing known of it (so the sharing and
// transfer rules judge it as unknown) and a finding that says what to add.
func (b *builder) registered(keys []string, fallback, name string, src Source, what string) {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if e, ok := b.p.register[k]; ok {
			b.addRecipient(recipientOf(e), src)
			return
		}
	}
	hint := "the system's fides_key or vendor_id"
	if len(keys) == 1 {
		hint = "the declaration's third_parties"
	}
	var named []string
	for _, k := range keys {
		if keyShaped(k) {
			named = append(named, quoteKey(k))
		}
	}
	if len(named) > 0 {
		hint += " (" + strings.Join(named, " or ") + ")"
	}
	b.find(src, finding.Finding{Reason: policyengine.Reason{Rule: RuleUnregistered, Message: what + " but the policy's recipient_register has no entry for it: add one under " + hint + " with its name, type, country, dpa and transfer_safeguard", ClauseID: "sharing", Path: "/recipients"}})
	b.addRecipient(map[string]any{"name": name, "type": fallback}, src)
}

// recipientOf is the activity's recipient a register entry describes: what the import writes,
// and what export matches a recipient against.
func recipientOf(e policy.RegisteredRecipient) map[string]any {
	r := map[string]any{"name": e.Name, "type": e.Type, "dpa": e.DPA}
	if e.Country != "" {
		r["country"] = e.Country
	}
	if e.TransferSafeguard != "" {
		r["transfer_safeguard"] = e.TransferSafeguard
	}
	if e.LegalBasis != "" {
		r["legal_basis"] = e.LegalBasis
	}
	if e.DPFCertified {
		r["dpf_certified"] = true
	}
	if len(e.Domains) > 0 {
		r["domains"] = strs(e.Domains)
	}
	return r
}
