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
test_recipient_in_every_eu_eea_country_needs_no_safeguard if {
	every country, _ in data.privacy_policy.eu_eea_countries {
		fixtures.findings(transfers.deny) == set() with input as subprocessor({"country": country})
	}
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
# document that lists adequacy under transfer_safeguards accepts it).
test_recipient_in_the_us_under_adequacy_is_denied if {
	result := transfers.deny with input as subprocessor({"country": "US", "transfer_safeguard": "adequacy"})
	fixtures.findings(result) == unless_accepted("adequacy")
}

unless_accepted(safeguard) := set() if data.privacy_policy.transfer_safeguards[safeguard] == true

unless_accepted(safeguard) := without_scc if not data.privacy_policy.transfer_safeguards[safeguard]

test_recipient_in_the_us_under_bcr_is_denied if {
	result := transfers.deny with input as subprocessor({"country": "US", "transfer_safeguard": "bcr"})
	fixtures.findings(result) == without_scc
}

test_adequacy_passes_where_the_policy_document_accepts_it if {
	activity := subprocessor({"country": "GB", "transfer_safeguard": "adequacy"})
	fixtures.findings(transfers.deny) == set() with input as activity
		with data.privacy_policy.transfer_safeguards as {"scc": true, "adequacy": true}
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
