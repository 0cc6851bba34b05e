# METADATA
# title: Transfers outside the EU/EEA
# description: >-
#   Personal data that leaves the EU/EEA goes only under a safeguard the policy accepts. This
#   rule applies to processor activities too.
package policyengine.rules.transfers

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Recipients outside the EU/EEA under standard contractual clauses
# description: >-
#   If a recipient is outside the EU/EEA, the company ensures legal grounds for the transfer with a
#   safeguard. The EU/EEA is a territory, not a list of countries (eu_eea_territory, the law's
#   facts beside the document): the outermost regions and Åland are inside, a member state's
#   overseas countries and territories and the Faroe Islands are not. A recipient (other than
#   one whose type's role is public) outside the EU/EEA, or with no country named, must name a
#   transfer_safeguard the policy accepts ({transfer_safeguards}). Adequacy counts only where
#   the European Commission's adequacy decision for the recipient's country is in force at the
#   evaluation time (adequacy_decisions: adopted, expires), and only for a recipient within its
#   scope: a decision that covers only certified organisations (the EU-US Data Privacy
#   Framework) needs the recipient marked so (dpf_certified).
#   To pass: put an accepted safeguard in place and set transfer_safeguard, or keep the data in
#   the EU/EEA.
# custom:
#   id: transfer.without_scc
#   clause: transfers
deny contains reason if {
	some i, recipient in input.recipients

	# object.get, not recipient.country: a missing field inside `not` would make the rule
	# undefined, and let the recipient through.
	country := object.get(recipient, "country", "")
	not lib.in_eu_eea(country)
	safeguard := object.get(recipient, "transfer_safeguard", "none")
	not _safeguarded(recipient, country, safeguard)
	not lib.recipient_role(recipient) == "public"
	[field, message] := _problem(country, safeguard)
	reason := lib.reason(rego.metadata.rule(), sprintf("/recipients/%d/%s", [i, field]), message)
}

# A safeguard the policy accepts, other than adequacy, holds wherever the recipient is.
_safeguarded(_, _, safeguard) if {
	safeguard != "adequacy"
	policy.transfer_safeguards[safeguard] == true
}

# Adequacy, where the policy accepts it, holds where a decision covers the recipient now.
_safeguarded(recipient, country, "adequacy") if {
	policy.transfer_safeguards.adequacy == true
	_adequate_at(recipient, country, lib.now_ns)
}

# An adequacy decision for the country covers the recipient, and is in force at an instant.
_adequate_at(recipient, country, t) if {
	some decision in policy.adequacy_decisions[country]
	_within_scope(decision, recipient)
	_in_force_at(decision, t)
}

# The decision covers every recipient in the country, or this one has the field it asks for.
_within_scope(decision, _) if not decision.only_recipients_with

_within_scope(decision, recipient) if object.get(recipient, decision.only_recipients_with, false) == true

# A decision is in force from the start of the day it was adopted to the end of the day it
# expires (UTC).
_start_ns(decision) := time.parse_ns("2006-01-02", decision.adopted)

_end_ns(decision) := time.add_date(time.parse_ns("2006-01-02", decision.expires), 0, 0, 1)

_in_force_at(decision, t) if {
	_start_ns(decision) <= t
	not _ended_by(decision, t)
}

_ended_by(decision, t) if _end_ns(decision) <= t

# What is wrong, as [the recipient's field at fault, a message]: a safeguard the policy does not
# accept; adequacy, where a decision in force covers only recipients with a field this one does
# not have; adequacy, where no such decision is in force (so none at all: one that covers every
# recipient would have been a safeguard). The three cases leave none out, so a recipient the rule
# denies always gets a reason.
_problem(country, safeguard) := ["transfer_safeguard", sprintf("the recipient %s, and %s; the policy accepts %s", [
	_where(country),
	_safeguard(safeguard),
	_accepted,
])] if {
	not _adequacy_accepted(safeguard)
}

_problem(country, safeguard) := [field, sprintf("the recipient %s; the adequacy decision in force for %s covers only recipients with %s true, and this one is not; the policy accepts %s", [
	_where(country),
	country,
	field,
	_accepted,
])] if {
	_adequacy_accepted(safeguard)
	some decision in policy.adequacy_decisions[country]
	_scoped_in_force_now(decision)
	field := decision.only_recipients_with
}

_problem(country, safeguard) := ["transfer_safeguard", sprintf("the recipient %s, and no adequacy decision of the European Commission for %s is in force at the evaluation time; the policy accepts %s", [
	_where(country),
	_country_or_none(country),
	_accepted,
])] if {
	_adequacy_accepted(safeguard)
	not _any_scoped_in_force_now(country)
}

_adequacy_accepted("adequacy") if policy.transfer_safeguards.adequacy == true

# A decision in force now asks the recipient for a field; some decision of the country does.
# (Rules, not a set comprehension of the fields: partial evaluation keeps a comprehension that
# reads the clock whole, and reduces these to the clock tests a per-person residual compiles.)
_scoped_in_force_now(decision) if {
	decision.only_recipients_with
	_in_force_at(decision, lib.now_ns)
}

_any_scoped_in_force_now(country) if {
	some decision in policy.adequacy_decisions[country]
	_scoped_in_force_now(decision)
}

# The decision changes when an adequacy decision the recipient relies on comes into force or
# ends: at each such instant after now where the recipient's cover differs from now's.
changes_at contains t if {
	policy.transfer_safeguards.adequacy == true
	some recipient in input.recipients
	object.get(recipient, "transfer_safeguard", "none") == "adequacy"
	country := object.get(recipient, "country", "")
	not lib.in_eu_eea(country)
	not lib.recipient_role(recipient) == "public"
	some decision in policy.adequacy_decisions[country]
	_within_scope(decision, recipient)
	some t in _bounds(decision)
	t > lib.now_ns
	not _same_cover(recipient, country, t)
}

_bounds(decision) := {_start_ns(decision), _end_ns(decision)} if decision.expires

_bounds(decision) := {_start_ns(decision)} if not decision.expires

_same_cover(recipient, country, t) if {
	_adequate_at(recipient, country, t)
	_adequate_at(recipient, country, lib.now_ns)
}

_same_cover(recipient, country, t) if {
	not _adequate_at(recipient, country, t)
	not _adequate_at(recipient, country, lib.now_ns)
}

_accepted_list := sort([s | some s, ok in policy.transfer_safeguards; ok == true])

default _accepted := "no safeguard at all"

_accepted := concat(", ", _accepted_list) if count(_accepted_list) > 0

_country_or_none("") := "a recipient of no country"

_country_or_none(country) := country if country != ""

_safeguard("none") := "has no transfer safeguard"

_safeguard(safeguard) := sprintf("its transfer safeguard is %s", [safeguard]) if safeguard != "none"

_where("") := "names no country, so it counts as outside the EU/EEA"

_where(country) := sprintf("is in %s, outside the EU/EEA", [country]) if {
	country != ""
	not policy.eu_eea_territory.territories[country]
}

# A territory of an EU/EEA state that is outside it says why.
_where(country) := sprintf("is in %s (%s, %s of %s: %s), outside the EU/EEA", [
	country,
	territory.name,
	replace(territory.status, "_", " "),
	territory.part_of,
	territory.source,
]) if {
	territory := policy.eu_eea_territory.territories[country]
	territory.part_of
}
