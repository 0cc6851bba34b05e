package policyengine.rules.purposes_test

import data.policyengine.fixtures
import data.policyengine.rules.purposes

# The legal bases the contract's input vocabulary knows.
bases := {"consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"}

# "Why we process personal data": purchase and delivery, support and improvement, security,
# marketing, recruitment (and the rights requests Confect handles).
test_order_handling_on_contract_is_allowed if {
	fixtures.findings(purposes.deny) == set() with input as fixtures.activity
}

test_unlisted_purpose_is_denied_as_unlisted_only if {
	result := purposes.deny with input as fixtures.with_patch({"purposes": ["purchase.orders", "sales.cold_calling"]})
	fixtures.findings(result) == {["purpose.unlisted", "/purposes/1"]}
}

# "Confect processes personal data based on several legal grounds": Agreement with You, Your
# Consent, Legitimate Interest, as the policy document gives them per purpose.
test_every_purpose_on_every_basis_it_permits_is_allowed if {
	every name, purpose in data.privacy_policy.purposes {
		every basis, _ in purpose.legal_bases {
			fixtures.findings(purposes.deny) == set() with input as fixtures.with_patch({"purposes": [name], "legal_basis": basis})
		}
	}
}

test_every_purpose_on_a_basis_it_does_not_permit_is_denied if {
	every name, purpose in data.privacy_policy.purposes {
		every basis in bases - {b | some b, _ in purpose.legal_bases} {
			result := purposes.deny with input as fixtures.with_patch({"purposes": [name], "legal_basis": basis})
			fixtures.findings(result) == {["legal_basis.not_permitted", "/purposes/0"]}
		}
	}
}

test_order_handling_on_legitimate_interest_is_denied if {
	result := purposes.deny with input as fixtures.with_patch({"legal_basis": "legitimate_interest"})
	fixtures.findings(result) == {["legal_basis.not_permitted", "/purposes/0"]}
}

test_basis_must_be_permitted_for_every_purpose if {
	activity := fixtures.with_patch({
		"purposes": ["purchase.orders", "support.improvement", "security.maintenance"],
		"legal_basis": "contract",
	})
	result := purposes.deny with input as activity
	fixtures.findings(result) == {
		["legal_basis.not_permitted", "/purposes/1"],
		["legal_basis.not_permitted", "/purposes/2"],
	}
}

test_basis_permitted_for_every_purpose_is_allowed if {
	activity := fixtures.with_patch({
		"purposes": ["support.improvement", "security.maintenance", "security.threat_prevention"],
		"legal_basis": "legitimate_interest",
	})
	fixtures.findings(purposes.deny) == set() with input as activity
}

test_unlisted_purpose_beside_a_listed_one_is_not_also_not_permitted if {
	activity := fixtures.with_patch({"purposes": ["sales.cold_calling", "security.maintenance"], "legal_basis": "contract"})
	result := purposes.deny with input as activity
	fixtures.findings(result) == {
		["purpose.unlisted", "/purposes/0"],
		["legal_basis.not_permitted", "/purposes/1"],
	}
}

test_rights_request_rests_on_legal_obligation if {
	fixtures.findings(purposes.deny) == set() with input as fixtures.with_patch({"purposes": ["rights.access"], "legal_basis": "legal_obligation"})
}

test_rights_request_on_consent_is_denied if {
	result := purposes.deny with input as fixtures.with_patch({"purposes": ["rights.erasure"], "legal_basis": "consent"})
	fixtures.findings(result) == {["legal_basis.not_permitted", "/purposes/0"]}
}

test_missing_legal_basis_is_denied_as_missing_only if {
	result := purposes.deny with input as fixtures.without(["legal_basis"])
	fixtures.findings(result) == {["legal_basis.missing", "/legal_basis"]}
}

# "In these cases, Confect acts as a data processor and processes the data on behalf of and
# according to instructions from the customer": the customer decides why and on what basis.
test_processor_activity_with_unlisted_purpose_and_no_basis_is_out_of_scope if {
	activity := fixtures.processor_with_patch({"purposes": ["sales.cold_calling", "security.maintenance"]})
	fixtures.findings(purposes.deny) == set() with input as activity
}

test_processor_activity_with_basis_its_purpose_does_not_permit_is_out_of_scope if {
	activity := fixtures.processor_with_patch({"purposes": ["security.maintenance"], "legal_basis": "contract"})
	fixtures.findings(purposes.deny) == set() with input as activity
}

# With no legal basis at all, an unlisted purpose is still denied as unlisted, besides the
# missing basis.
test_unlisted_purpose_without_a_basis_is_denied_as_unlisted_too if {
	activity := fixtures.with_patch({"purposes": ["purchase.orders", "resale"]})
	fixtures.findings(purposes.deny) == {["legal_basis.missing", "/legal_basis"], ["purpose.unlisted", "/purposes/1"]} with input as object.remove(activity, {"legal_basis"})
}
