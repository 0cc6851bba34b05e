package policyengine.rules.consent_test

import data.policyengine.fixtures
import data.policyengine.rules.consent

# An account created on the person's consent.
on_consent(patch) := object.union(
	fixtures.with_patch({"purposes": ["purchase.accounts"], "legal_basis": "consent"}),
	patch,
)

# "Confect may process your personal data based on consent."
test_processing_on_given_consent_is_allowed if {
	activity := on_consent({"consent": {"status": "given", "given_at": "2025-03-01T10:00:00Z"}})
	fixtures.findings(consent.deny) == set() with input as activity
}

test_processing_on_consent_never_recorded_is_denied if {
	result := consent.deny with input as on_consent({})
	fixtures.findings(result) == {["consent.not_given", "/consent"]}
}

# "You always have the option to withdraw your consent after it has been given."
test_processing_on_withdrawn_consent_is_denied if {
	activity := on_consent({"consent": {
		"status": "withdrawn",
		"given_at": "2025-03-01T10:00:00Z",
		"withdrawn_at": "2025-04-01T10:00:00Z",
	}})
	result := consent.deny with input as activity
	fixtures.findings(result) == {["consent.not_given", "/consent/status"]}
}

test_processing_on_consent_in_any_state_but_given_is_denied if {
	every status in ["withdrawn", "refused", "expired", "unknown"] {
		result := consent.deny with input as on_consent({"consent": {"status": status}})
		fixtures.findings(result) == {["consent.not_given", "/consent/status"]}
	}
}

test_withdrawn_consent_does_not_matter_when_the_basis_is_contract if {
	activity := fixtures.with_patch({"consent": {"status": "withdrawn"}})
	fixtures.findings(consent.deny) == set() with input as activity
}

# "In these cases, Confect acts as a data processor": consent is the customer's to collect.
test_processor_activity_on_withdrawn_consent_is_out_of_scope if {
	activity := fixtures.processor_with_patch({"legal_basis": "consent", "consent": {"status": "withdrawn"}})
	fixtures.findings(consent.deny) == set() with input as activity
}
