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

# "You always have the option to withdraw your consent after it has been given": a record that
# still says given but carries a withdrawal since is withdrawn consent.
now := time.parse_rfc3339_ns("2026-11-28T12:00:00Z")

test_consent_withdrawn_today_is_denied_though_the_status_says_given if {
	activity := on_consent({"consent": {
		"status": "given",
		"given_at": "2025-03-01T10:00:00Z",
		"withdrawn_at": "2026-11-28T08:00:00Z",
	}})
	result := consent.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["consent.not_given", "/consent/withdrawn_at"]}
}

test_consent_withdrawn_without_a_date_of_giving_is_denied if {
	activity := on_consent({"consent": {"status": "given", "withdrawn_at": "2026-01-01T00:00:00Z"}})
	result := consent.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["consent.not_given", "/consent/withdrawn_at"]}
}

test_consent_given_again_after_a_withdrawal_counts if {
	activity := on_consent({"consent": {
		"status": "given",
		"given_at": "2026-06-01T10:00:00Z",
		"withdrawn_at": "2026-01-01T10:00:00Z",
	}})
	fixtures.findings(consent.deny) == set() with input as activity with time.now_ns as now
}

test_consent_given_only_later_does_not_count_yet if {
	activity := on_consent({"consent": {"status": "given", "given_at": "2026-12-01T00:00:00Z"}})
	result := consent.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["consent.not_given", "/consent/given_at"]}
}

test_consent_given_later_counts_from_the_instant_it_is_given if {
	activity := on_consent({"consent": {"status": "given", "given_at": "2026-12-01T00:00:00Z"}})
	given := time.parse_rfc3339_ns("2026-12-01T00:00:00Z")
	consent.changes_at == {given} with input as activity with time.now_ns as now
	fixtures.findings(consent.deny) == set() with input as activity with time.now_ns as given
}

test_a_withdrawal_recorded_for_later_takes_effect_then if {
	activity := on_consent({"consent": {
		"status": "given",
		"given_at": "2026-06-01T00:00:00Z",
		"withdrawn_at": "2026-12-15T00:00:00Z",
	}})
	withdrawn := time.parse_rfc3339_ns("2026-12-15T00:00:00Z")
	fixtures.findings(consent.deny) == set() with input as activity with time.now_ns as now
	withdrawn in consent.changes_at with input as activity with time.now_ns as now
	fixtures.findings(consent.deny) == {["consent.not_given", "/consent/withdrawn_at"]} with input as activity
		with time.now_ns as withdrawn
}

# GDPR art. 6(1)(a): consent "for one or more specific purposes".
test_consent_for_named_purposes_covers_them if {
	activity := on_consent({"consent": {"status": "given", "purposes": ["purchase.accounts", "marketing.materials"]}})
	fixtures.findings(consent.deny) == set() with input as activity
}

test_consent_for_other_purposes_does_not_cover_the_activity if {
	activity := on_consent({"consent": {"status": "given", "purposes": ["marketing.materials"]}})
	result := consent.deny with input as activity
	fixtures.findings(result) == {["consent.not_given", "/consent/purposes"]}
}

test_consent_must_cover_every_purpose_of_the_activity if {
	activity := on_consent({
		"purposes": ["purchase.accounts", "support.improvement"],
		"consent": {"status": "given", "purposes": ["purchase.accounts"]},
	})
	result := consent.deny with input as activity
	fixtures.findings(result) == {["consent.not_given", "/consent/purposes"]}
}

# GDPR art. 8(1): below the age of digital consent (Confect: 13, Sweden's), a child's own
# consent does not count.
test_consent_of_a_child_below_the_age_of_digital_consent_is_denied if {
	activity := on_consent({"consent": {"status": "given"}, "subject": {"age": 12}})
	result := consent.deny with input as activity
	fixtures.findings(result) == {["consent.minor", "/subject/age"]}
}

test_consent_at_the_age_of_digital_consent_counts if {
	activity := on_consent({"consent": {"status": "given"}, "subject": {"age": 13}})
	fixtures.findings(consent.deny) == set() with input as activity
}

test_a_child_on_a_contract_is_left_to_other_rules if {
	activity := fixtures.with_patch({"subject": {"age": 12}})
	fixtures.findings(consent.deny) == set() with input as activity
}

test_consent_of_a_person_of_unknown_age_is_not_held_back if {
	activity := on_consent({"consent": {"status": "given"}, "subject": {}})
	fixtures.findings(consent.deny) == set() with input as activity
}

test_without_an_age_of_digital_consent_no_age_is_checked if {
	activity := on_consent({"consent": {"status": "given"}, "subject": {"age": 5}})
	fixtures.findings(consent.deny) == set() with input as activity with data.privacy_policy.consent as {}
}

# Consent that lifts a restriction (GDPR art. 18(2)), or that a business partner receives the data
# on, changes the decision when it starts or stops counting, whatever the activity's own basis.
test_consent_relied_on_by_a_restriction_or_a_partner_reports_when_it_changes if {
	withdrawn := time.parse_rfc3339_ns("2026-12-15T00:00:00Z")
	person := {"consent": {"status": "given", "given_at": "2026-06-01T00:00:00Z", "withdrawn_at": "2026-12-15T00:00:00Z"}}
	restricted := object.union(fixtures.with_patch(person), {"subject": {"restricted": true}})
	withdrawn in consent.changes_at with input as restricted with time.now_ns as now
	partner := object.union(fixtures.with_patch(person), {"recipients": [{"name": "Partner AB", "type": "business_partner", "country": "SE", "legal_basis": "consent"}]})
	withdrawn in consent.changes_at with input as partner with time.now_ns as now
	not withdrawn in consent.changes_at with input as fixtures.with_patch(person) with time.now_ns as now
}

# The issue's edges. Consent withdrawn at the very instant it was given: the withdrawal wins (a
# consent given "again" counts only from a later given_at), so it does not count.
test_consent_withdrawn_at_the_instant_it_was_given_does_not_count if {
	activity := on_consent({"consent": {"status": "given", "given_at": "2026-01-01T00:00:00Z", "withdrawn_at": "2026-01-01T00:00:00Z"}})
	result := consent.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["consent.not_given", "/consent/withdrawn_at"]}
}

# A withdrawal with no given_at: consent recorded as given, with no time, and withdrawn, does
# not count (there is no giving after the withdrawal to count from).
test_consent_withdrawn_with_no_given_at_does_not_count if {
	activity := on_consent({"consent": {"status": "given", "withdrawn_at": "2026-01-01T00:00:00Z"}})
	result := consent.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["consent.not_given", "/consent/withdrawn_at"]}
}

# An empty consent.purposes list names the purposes consent covers: none. It covers no purpose
# of the activity (consent that names its purposes covers no other).
test_consent_for_an_empty_list_of_purposes_covers_nothing if {
	activity := on_consent({"consent": {"status": "given", "purposes": []}})
	result := consent.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["consent.not_given", "/consent/purposes"]}
}
