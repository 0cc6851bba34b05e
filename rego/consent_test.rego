package policyengine.rules.consent_test

import data.policyengine.fixtures
import data.policyengine.lib
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

# Consent "can be withdrawn after it has been given": consent older than the policy's review
# period (consent.review_after) is flagged, never denied.
on_consent_given_at(ts) := fixtures.with_patch({"legal_basis": "consent", "consent": {"status": "given", "given_at": ts}})

test_consent_older_than_the_review_period_is_flagged if {
	fixtures.findings(consent.warn) == {["consent.stale", "/consent/given_at"]} with input as on_consent_given_at("2024-11-27T00:00:00Z")
		with time.now_ns as time.parse_rfc3339_ns("2026-11-28T00:00:00Z")
	fixtures.findings(consent.deny) == set() with input as on_consent_given_at("2024-11-27T00:00:00Z")
		with time.now_ns as time.parse_rfc3339_ns("2026-11-28T00:00:00Z")
}

test_recent_consent_is_not_flagged if {
	fixtures.findings(consent.warn) == set() with input as on_consent_given_at("2024-11-29T00:00:00Z")
		with time.now_ns as time.parse_rfc3339_ns("2026-11-28T00:00:00Z")
}

test_consent_without_a_date_or_review_period_is_not_flagged if {
	fixtures.findings(consent.warn) == set() with input as fixtures.with_patch({"legal_basis": "consent", "consent": {"status": "given"}})
	fixtures.findings(consent.warn) == set() with input as on_consent_given_at("2020-01-01T00:00:00Z")
		with data.privacy_policy.consent as {}
}

test_withdrawn_consent_is_denied_not_flagged if {
	fixtures.findings(consent.warn) == set() with input as fixtures.with_patch({"legal_basis": "consent", "consent": {"status": "withdrawn", "given_at": "2020-01-01T00:00:00Z"}})
}

# valid_until: consent within its review period changes the instant the review is due.
test_consent_within_its_review_period_changes_when_the_review_is_due if {
	given := time.parse_rfc3339_ns("2026-01-01T00:00:00Z")
	activity := on_consent({"consent": {"status": "given", "given_at": "2026-01-01T00:00:00Z"}})
	due := lib.add_duration(given, lib.duration(data.privacy_policy.consent.review_after))
	consent.changes_at == {due + 1} with input as activity with time.now_ns as given
}

test_consent_past_its_review_period_changes_no_more if {
	activity := on_consent({"consent": {"status": "given", "given_at": "2020-01-01T00:00:00Z"}})
	consent.changes_at == set() with input as activity with time.now_ns as time.parse_rfc3339_ns("2026-02-01T00:00:00Z")
}
