package policyengine.rules.rights_test

import data.policyengine.fixtures
import data.policyengine.rules.rights

# Improving the service on legitimate interest, for a person whose state is subject.
improvement(subject) := fixtures.with_patch({
	"purposes": ["support.improvement"],
	"legal_basis": "legitimate_interest",
	"subject": subject,
})

# "You have the right to object to our processing of your personal data based on legitimate
# interest or for direct marketing purposes."
test_legitimate_interest_over_an_objection_is_denied if {
	result := rights.deny with input as improvement({"objected_legitimate_interest": true})
	fixtures.findings(result) == {["objection.legitimate_interest", "/legal_basis"]}
}

test_legitimate_interest_without_objection_is_allowed if {
	fixtures.findings(rights.deny) == set() with input as improvement({"objected_legitimate_interest": false})
}

test_contract_basis_despite_an_objection_to_legitimate_interest_is_allowed if {
	activity := fixtures.with_patch({"subject": {"objected_legitimate_interest": true}})
	fixtures.findings(rights.deny) == set() with input as activity
}

# "Right to Restriction (of processing). You can ask us to limit the processing of your personal
# data."
test_processing_for_a_person_who_asked_for_restriction_is_denied if {
	result := rights.deny with input as fixtures.with_patch({"subject": {"restricted": true}})
	fixtures.findings(result) == {["restriction.requested", "/purposes/0"]}
}

test_handling_the_rights_requests_of_a_restricted_person_is_allowed if {
	every purpose, _ in data.privacy_policy.rights.restriction_exempt_purposes {
		activity := fixtures.with_patch({"purposes": [purpose], "legal_basis": "legal_obligation", "subject": {"restricted": true}})
		fixtures.findings(rights.deny) == set() with input as activity
	}
}

test_only_purposes_other_than_rights_requests_are_denied_under_restriction if {
	activity := fixtures.with_patch({"purposes": ["rights.access", "purchase.orders"], "subject": {"restricted": true}})
	result := rights.deny with input as activity
	fixtures.findings(result) == {["restriction.requested", "/purposes/1"]}
}

# "In these cases, Confect acts as a data processor": the customer answers the person's requests.
test_processor_activity_for_objecting_restricted_person_is_out_of_scope if {
	activity := fixtures.processor_with_patch({
		"legal_basis": "legitimate_interest",
		"subject": {"objected_legitimate_interest": true, "restricted": true},
	})
	fixtures.findings(rights.deny) == set() with input as activity
}
