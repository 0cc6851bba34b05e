package policyengine.rules.transfers_test

import data.policyengine.fixtures
import data.policyengine.rules.transfers

# The base activity with a single subprocessor recipient.
subprocessor(patch) := fixtures.with_patch({"recipients": [object.union(
	{"name": "Cloud host", "type": "subprocessor", "dpa": true},
	patch,
)]})

without_scc := {["transfer.without_scc", "/recipients/0/transfer_safeguard"]}

# "If subprocessors are located outside the EU/EEA, Confect ensures legal grounds for
# international transfers on your behalf by using EU standard contractual clauses (EU SCC)."
test_recipient_in_every_territory_inside_the_eu_eea_needs_no_safeguard if {
	territory := data.privacy_policy.eu_eea_territory
	inside := {code | some code, t in territory.territories; territory.statuses[t.status].inside}
	count(inside) == 37 # 27 member states, 3 EEA states, 6 outermost regions with codes, Åland
	every code in inside {
		fixtures.findings(transfers.deny) == set() with input as subprocessor({"country": code})
	}
}

# The EU/EEA is a territory, not a list of states: a subprocessor hosted in Réunion (an outermost
# region, TFEU art. 349) or on Åland (TFEU art. 355(4)) is inside it.
test_recipient_in_an_outermost_region_or_aland_needs_no_safeguard if {
	every country in ["RE", "GP", "GF", "MQ", "YT", "MF", "AX"] {
		fixtures.findings(transfers.deny) == set() with input as subprocessor({"country": country})
	}
}

# A member state's overseas countries and territories (TFEU art. 355(2), annex II) and the Faroe
# Islands (art. 355(5)(a)) are outside: a transfer there needs a safeguard, and the message says why.
test_recipient_in_a_territory_of_a_member_state_outside_the_eu_needs_a_safeguard if {
	every country in ["GL", "FO", "NC", "PF", "AW", "CW", "BL", "SJ"] {
		result := transfers.deny with input as subprocessor({"country": country})
		fixtures.findings(result) == without_scc
	}
	[reason] := [r | some r in transfers.deny] with input as subprocessor({"country": "FO"})
	contains(reason.message, "FO (Faroe Islands, outside the treaties of DK: TFEU art. 355(5)(a)), outside the EU/EEA")
}

test_recipient_in_norway_iceland_or_liechtenstein_is_inside_the_eea if {
	every country in ["NO", "IS", "LI"] {
		fixtures.findings(transfers.deny) == set() with input as subprocessor({"country": country})
	}
}

test_recipient_in_switzerland_uk_or_us_without_safeguard_is_denied if {
	every country in ["CH", "GB", "US"] {
		result := transfers.deny with input as subprocessor({"country": country})
		fixtures.findings(result) == without_scc
	}
}

test_recipient_outside_the_eea_with_safeguard_none_is_denied if {
	result := transfers.deny with input as subprocessor({"country": "US", "transfer_safeguard": "none"})
	fixtures.findings(result) == without_scc
}

test_recipient_naming_no_country_needs_a_safeguard if {
	result := transfers.deny with input as subprocessor({})
	fixtures.findings(result) == without_scc
}

test_recipient_naming_no_country_under_scc_is_allowed if {
	fixtures.findings(transfers.deny) == set() with input as subprocessor({"transfer_safeguard": "scc"})
}

test_recipient_in_the_us_under_scc_is_allowed if {
	fixtures.findings(transfers.deny) == set() with input as subprocessor({"country": "US", "transfer_safeguard": "scc"})
}

# The policy names SCCs only: an adequacy decision or BCRs are not Confect's safeguards (a
# document that lists adequacy under transfer_safeguards accepts it, and then the EU-US Data
# Privacy Framework covers certified recipients only).
test_recipient_in_the_us_under_adequacy_is_denied if {
	result := transfers.deny with input as subprocessor({"country": "US", "transfer_safeguard": "adequacy"})
	fixtures.findings(result) == us_on_adequacy
}

us_on_adequacy := {["transfer.without_scc", "/recipients/0/dpf_certified"]} if {
	data.privacy_policy.transfer_safeguards.adequacy == true
} else := without_scc

test_recipient_in_the_us_under_bcr_is_denied if {
	result := transfers.deny with input as subprocessor({"country": "US", "transfer_safeguard": "bcr"})
	fixtures.findings(result) == without_scc
}

test_adequacy_passes_where_the_policy_document_accepts_it if {
	activity := subprocessor({"country": "GB", "transfer_safeguard": "adequacy"})
	fixtures.findings(transfers.deny) == set() with input as activity
		with data.privacy_policy.transfer_safeguards as accepts_adequacy
		with time.now_ns as ns("2026-11-28T00:00:00Z")
}

accepts_adequacy := {"scc": true, "adequacy": true}

ns(ts) := time.parse_rfc3339_ns(ts)

# Deciding a recipient on adequacy at an instant, under a policy that accepts adequacy.
on_adequacy(patch, at) := result if {
	result := transfers.deny with input as subprocessor(object.union({"transfer_safeguard": "adequacy"}, patch))
		with data.privacy_policy.transfer_safeguards as accepts_adequacy
		with time.now_ns as ns(at)
}

changes_on_adequacy(patch, at) := result if {
	result := transfers.changes_at with input as subprocessor(object.union({"transfer_safeguard": "adequacy"}, patch))
		with data.privacy_policy.transfer_safeguards as accepts_adequacy
		with time.now_ns as ns(at)
}

# GDPR art. 45: adequacy exists only where the Commission has decided it. India, China: none.
test_adequacy_for_a_country_without_a_decision_is_denied if {
	every country in ["IN", "CN", "AU", "SG"] {
		fixtures.findings(on_adequacy({"country": country}, "2026-11-28T00:00:00Z")) == without_scc
	}
	[reason] := [r | some r in on_adequacy({"country": "IN"}, "2026-11-28T00:00:00Z")]
	contains(reason.message, "no adequacy decision of the European Commission for IN is in force at the evaluation time")
}

test_adequacy_for_a_recipient_of_no_country_is_denied if {
	fixtures.findings(on_adequacy({}, "2026-11-28T00:00:00Z")) == without_scc
}

# A decision is in force from the start of the day it was adopted (UTC): the United Kingdom's of
# 28 June 2021.
test_adequacy_counts_from_the_day_the_decision_was_adopted if {
	fixtures.findings(on_adequacy({"country": "GB"}, "2021-06-27T23:59:59Z")) == without_scc
	fixtures.findings(on_adequacy({"country": "GB"}, "2021-06-28T00:00:00Z")) == set()
}

# The UK's first decision ran to 27 December 2025 (extended from 27 June 2025); its renewal of
# 19 December 2025 runs to 27 December 2031: in force through the end of that day, not after.
test_the_uk_decision_and_its_renewal_cover_the_uk_without_a_gap if {
	every at in ["2025-06-28T12:00:00Z", "2025-12-19T00:00:00Z", "2025-12-28T00:00:00Z", "2031-12-27T23:59:59Z"] {
		fixtures.findings(on_adequacy({"country": "GB"}, at)) == set()
	}
	fixtures.findings(on_adequacy({"country": "GB"}, "2031-12-28T00:00:00Z")) == without_scc
}

# A decision with an end date makes the decision change then: valid_until is its end, and a
# decision whose end another decision's cover bridges changes nothing.
test_adequacy_with_an_end_date_changes_the_decision_at_its_end if {
	changes_on_adequacy({"country": "GB"}, "2026-11-28T00:00:00Z") == {ns("2031-12-28T00:00:00Z")}
	changes_on_adequacy({"country": "GB"}, "2025-12-20T00:00:00Z") == {ns("2031-12-28T00:00:00Z")}
	min(changes_on_adequacy({"country": "GB"}, "2020-01-01T00:00:00Z")) == ns("2021-06-28T00:00:00Z")
	changes_on_adequacy({"country": "GB"}, "2032-01-01T00:00:00Z") == set()
}

test_adequacy_without_an_end_date_changes_nothing_once_in_force if {
	changes_on_adequacy({"country": "JP"}, "2026-11-28T00:00:00Z") == set()
	changes_on_adequacy({"country": "BR"}, "2025-11-28T00:00:00Z") == {ns("2026-01-26T00:00:00Z")}
}

# Brazil's decision of 26 January 2026: before, during.
test_adequacy_before_and_after_a_decision_is_adopted if {
	fixtures.findings(on_adequacy({"country": "BR"}, "2026-01-25T23:59:59Z")) == without_scc
	fixtures.findings(on_adequacy({"country": "BR"}, "2026-01-26T00:00:00Z")) == set()
}

# The EU-US Data Privacy Framework (10 July 2023) covers certified organisations only.
test_adequacy_for_the_us_needs_a_recipient_certified_under_the_framework if {
	fixtures.findings(on_adequacy({"country": "US"}, "2026-11-28T00:00:00Z")) == {["transfer.without_scc", "/recipients/0/dpf_certified"]}
	fixtures.findings(on_adequacy({"country": "US", "dpf_certified": false}, "2026-11-28T00:00:00Z")) == {["transfer.without_scc", "/recipients/0/dpf_certified"]}
	fixtures.findings(on_adequacy({"country": "US", "dpf_certified": true}, "2026-11-28T00:00:00Z")) == set()
	fixtures.findings(on_adequacy({"country": "US", "dpf_certified": true}, "2023-07-09T12:00:00Z")) == without_scc
	changes_on_adequacy({"country": "US", "dpf_certified": true}, "2023-07-09T12:00:00Z") == {ns("2023-07-10T00:00:00Z")}
	changes_on_adequacy({"country": "US"}, "2023-07-09T12:00:00Z") == set()
}

test_certification_counts_for_nothing_outside_the_us if {
	fixtures.findings(on_adequacy({"country": "IN", "dpf_certified": true}, "2026-11-28T00:00:00Z")) == without_scc
}

# The Faroe Islands are outside the EU, and have a decision of their own (2010/146/EU).
test_adequacy_for_a_territory_outside_the_eu_with_a_decision_of_its_own if {
	fixtures.findings(on_adequacy({"country": "FO"}, "2026-11-28T00:00:00Z")) == set()
	fixtures.findings(on_adequacy({"country": "GL"}, "2026-11-28T00:00:00Z")) == without_scc
}

# Under a policy that does not accept adequacy, no decision counts, and none changes the decision.
test_adequacy_under_a_policy_that_does_not_accept_it_changes_nothing if {
	activity := subprocessor({"country": "GB", "transfer_safeguard": "adequacy"})
	transfers.changes_at == set() with input as activity
		with data.privacy_policy.transfer_safeguards as {"scc": true}
		with time.now_ns as ns("2020-01-01T00:00:00Z")
}

# The decisions are data: a decision added to the table counts, and one that has expired does not.
test_adequacy_decisions_are_read_from_the_facts if {
	decisions := {"IN": [{"reference": "A test decision", "adopted": "2026-01-01", "expires": "2026-12-31", "scope": "India", "source": "a test"}]}
	fixtures.findings(on_adequacy({"country": "IN"}, "2026-11-28T00:00:00Z")) == set() with data.privacy_policy.adequacy_decisions as decisions
	fixtures.findings(on_adequacy({"country": "IN"}, "2027-01-01T00:00:00Z")) == without_scc with data.privacy_policy.adequacy_decisions as decisions
}

test_safeguard_the_policy_document_lists_as_false_is_denied if {
	activity := subprocessor({"country": "GB", "transfer_safeguard": "adequacy"})
	result := transfers.deny with input as activity
		with data.privacy_policy.transfer_safeguards as {"scc": true, "adequacy": false}
	fixtures.findings(result) == without_scc
}

test_every_recipient_type_but_public_needs_a_safeguard if {
	every type in ["group_company", "subprocessor", "business_partner", "authority"] {
		activity := fixtures.with_patch({"recipients": [{"name": "R", "type": type, "country": "US"}]})
		result := transfers.deny with input as activity
		fixtures.findings(result) == without_scc
	}
}

test_each_recipient_outside_the_eea_is_denied_at_its_index if {
	activity := fixtures.with_patch({"recipients": [
		{"name": "Analytics", "type": "subprocessor", "country": "US", "dpa": true},
		{"name": "Cloud host", "type": "subprocessor", "country": "IE", "dpa": true},
		{"name": "Support desk", "type": "subprocessor", "country": "IN", "dpa": true},
	]})
	result := transfers.deny with input as activity
	fixtures.findings(result) == {
		["transfer.without_scc", "/recipients/0/transfer_safeguard"],
		["transfer.without_scc", "/recipients/2/transfer_safeguard"],
	}
}

# "this information can be read and used by others who have access to these forums": readers of
# a public forum are wherever they are, so the public never needs a safeguard.
test_public_recipient_needs_no_safeguard if {
	every country in [{}, {"country": "US"}] {
		recipient := object.union({"name": "Forum readers", "type": "public"}, country)
		fixtures.findings(transfers.deny) == set() with input as fixtures.with_patch({"recipients": [recipient]})
	}
}

# It is the role that spares the public, not the type's name.
test_a_type_whose_role_is_public_needs_no_safeguard if {
	activity := fixtures.with_patch({"recipients": [{"name": "Readers", "type": "readers", "country": "US"}]})
	fixtures.findings(transfers.deny) == set() with input as activity
		with data.privacy_policy.recipient_types as {"readers": {"description": "Readers", "role": "public"}}
}

test_a_type_named_public_of_no_role_needs_a_safeguard if {
	activity := fixtures.with_patch({"recipients": [{"name": "Readers", "type": "public", "country": "US"}]})
	fixtures.findings(transfers.deny) == without_scc with input as activity
		with data.privacy_policy.recipient_types as {"public": {"description": "Readers"}}
}

# Transfers apply to processor activities too: Confect's own subprocessors move the data.
test_processor_activity_with_subprocessor_in_the_us_without_scc_is_denied if {
	activity := fixtures.processor_with_patch({"recipients": [{
		"name": "Cloud host", "type": "subprocessor", "country": "US",
		"dpa": true,
	}]})
	result := transfers.deny with input as activity
	fixtures.findings(result) == without_scc
}

test_processor_activity_with_subprocessor_in_the_us_under_scc_is_allowed if {
	activity := fixtures.processor_with_patch({"recipients": [{
		"name": "Cloud host", "type": "subprocessor", "country": "US",
		"dpa": true, "transfer_safeguard": "scc",
	}]})
	fixtures.findings(transfers.deny) == set() with input as activity
}

# A recipient that names no type is not thereby the public: outside the EU/EEA it needs SCCs.
test_recipient_without_type_outside_eea_needs_scc if {
	fixtures.findings(transfers.deny) == {["transfer.without_scc", "/recipients/0/transfer_safeguard"]} with input as fixtures.with_patch({"recipients": [{"name": "Data broker", "country": "US"}]})
}
