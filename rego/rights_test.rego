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

# GDPR art. 18(2): "with the exception of storage, [restricted data] shall [...] only be processed
# with the data subject's consent or [...]". The person's consent to the activity lifts it.
test_processing_the_person_consents_to_goes_on_under_a_restriction if {
	activity := fixtures.with_patch({"purposes": ["marketing.materials"], "legal_basis": "consent", "consent": {"status": "given"}, "subject": {"restricted": true}})
	fixtures.findings(rights.deny) == set() with input as activity
	on_contract := fixtures.with_patch({"consent": {"status": "given", "purposes": ["purchase.orders"]}, "subject": {"restricted": true}})
	fixtures.findings(rights.deny) == set() with input as on_contract
}

test_consent_that_does_not_count_or_cover_the_activity_does_not_lift_a_restriction if {
	every consent in [
		{"status": "withdrawn"},
		{"status": "given", "given_at": "2026-01-01T00:00:00Z", "withdrawn_at": "2026-06-01T00:00:00Z"},
		{"status": "given", "purposes": ["marketing.profiling"]},
	] {
		activity := fixtures.with_patch({"purposes": ["marketing.materials"], "legal_basis": "consent", "consent": consent, "subject": {"restricted": true}})
		result := rights.deny with input as activity with time.now_ns as now
		fixtures.findings(result) == {["restriction.requested", "/purposes/0"]}
	}
}

# Whether consent lifts a restriction is the policy document's reading of art. 18(2).
test_consent_lifts_a_restriction_only_where_the_document_says_so if {
	activity := fixtures.with_patch({"consent": {"status": "given"}, "subject": {"restricted": true}})
	result := rights.deny with input as activity with data.privacy_policy.rights.restriction_lifted_by_consent as false
	fixtures.findings(result) == {["restriction.requested", "/purposes/0"]}
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

# GDPR art. 18(2): "with the exception of storage, [...] only [...] for the establishment,
# exercise or defence of legal claims [...] or for reasons of important public interest".
test_storage_and_legal_claims_go_on_under_a_restriction if {
	every purpose in ["records.storage", "legal.claims"] {
		activity := fixtures.with_patch({"purposes": [purpose], "legal_basis": "legitimate_interest", "subject": {"restricted": true}})
		fixtures.findings(rights.deny) == set() with input as activity
	}
}

police(court_order) := {"name": "Polismyndigheten", "type": "authority", "country": "SE", "court_order": court_order}

# "Confect will only provide the information if there is a court order to do so."
test_a_disclosure_to_an_authority_on_a_swedish_court_order_goes_on_under_a_restriction if {
	activity := fixtures.with_patch({
		"purposes": ["security.threat_prevention"],
		"legal_basis": "legal_obligation",
		"recipients": [police({"reference": "B 1234-26", "jurisdiction": "SE"})],
		"subject": {"restricted": true},
	})
	fixtures.findings(rights.deny) == set() with input as activity
}

test_a_disclosure_without_a_valid_court_order_is_denied_under_a_restriction if {
	every order in [{"reference": " ", "jurisdiction": "SE"}, {"reference": "1:26-mc-42", "jurisdiction": "US"}] {
		activity := fixtures.with_patch({
			"purposes": ["security.threat_prevention"],
			"legal_basis": "legal_obligation",
			"recipients": [police(order)],
			"subject": {"restricted": true},
		})
		fixtures.findings(rights.deny) == {["restriction.requested", "/purposes/0"]} with input as activity
	}
}

test_a_disclosure_to_an_authority_and_others_is_denied_under_a_restriction if {
	activity := fixtures.with_patch({
		"recipients": [police({"reference": "B 1234-26", "jurisdiction": "SE"}), fixtures.activity.recipients[0]],
		"subject": {"restricted": true},
	})
	fixtures.findings(rights.deny) == {["restriction.requested", "/purposes/0"]} with input as activity
}

# "Right to Erasure. You can request that Confect deletes your data."
erasure_requested := {"erasure_requested_at": "2026-11-01T09:00:00Z"}

now := time.parse_rfc3339_ns("2026-11-28T12:00:00Z")

# GDPR art. 17(1)(b): consent withdrawn, which a request to erase data processed on consent is.
test_processing_on_consent_after_a_request_for_erasure_is_denied if {
	activity := fixtures.with_patch({"purposes": ["marketing.materials"], "legal_basis": "consent", "consent": {"status": "given"}, "subject": erasure_requested})
	result := rights.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["erasure.requested", "/purposes/0"]}
}

# GDPR art. 17(1)(c): an objection, which this project reads into a request to erase data
# processed on legitimate interest (whether the company has overriding grounds is a person's
# judgement, not the engine's).
test_processing_on_legitimate_interest_after_a_request_for_erasure_is_denied if {
	result := rights.deny with input as improvement(erasure_requested) with time.now_ns as now
	fixtures.findings(result) == {["erasure.requested", "/purposes/0"]}
}

# GDPR art. 17(1): no ground applies to processing still necessary for a contract with the
# person. An open order is delivered, and paid for, after the person asked for erasure.
test_processing_on_contract_a_contract_still_needs_goes_on_after_a_request_for_erasure if {
	every purpose, _ in data.privacy_policy.rights.erasure_contract_purposes {
		activity := fixtures.with_patch({"purposes": [purpose], "legal_basis": "contract", "subject": erasure_requested})
		fixtures.findings(rights.deny) == set() with input as activity with time.now_ns as now
	}
	count(data.privacy_policy.rights.erasure_contract_purposes) > 0
}

# The same purposes on another basis are not kept for a contract: on consent or legitimate
# interest, a request to erase ends them.
test_a_contract_purpose_on_another_basis_is_denied_after_a_request_for_erasure if {
	activity := fixtures.with_patch({"purposes": ["purchase.services"], "legal_basis": "legitimate_interest", "subject": erasure_requested})
	result := rights.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["erasure.requested", "/purposes/0"]}
}

# On contract, only the purposes the policy keeps for a contract go on: an application the
# applicant asks to erase is withdrawn (art. 17(1)(a): no longer needed).
test_a_purpose_the_policy_does_not_keep_for_a_contract_is_denied_after_a_request_for_erasure if {
	activity := fixtures.with_patch({"purposes": ["purchase.orders", "recruitment.applications"], "legal_basis": "contract", "subject": erasure_requested})
	result := rights.deny with input as activity with time.now_ns as now
	fixtures.findings(result) == {["erasure.requested", "/purposes/1"]}
}

# The purposes kept for a contract are the policy document's.
test_the_purposes_kept_for_a_contract_are_the_documents if {
	activity := fixtures.with_patch({"subject": erasure_requested})
	result := rights.deny with input as activity with time.now_ns as now
		with data.privacy_policy.rights.erasure_contract_purposes as {}
	fixtures.findings(result) == {["erasure.requested", "/purposes/0"]}
}

test_the_erasure_itself_goes_on if {
	activity := fixtures.with_patch({"purposes": ["rights.erasure"], "legal_basis": "legal_obligation", "subject": erasure_requested})
	fixtures.findings(rights.deny) == set() with input as activity with time.now_ns as now
	on_consent := fixtures.with_patch({"purposes": ["rights.erasure"], "legal_basis": "consent", "subject": erasure_requested})
	fixtures.findings(rights.deny) == set() with input as on_consent with time.now_ns as now
}

# GDPR art. 17(3)(b): erasure does not reach processing a legal obligation requires.
test_processing_on_a_legal_obligation_goes_on_after_a_request_for_erasure if {
	activity := fixtures.with_patch({"purposes": ["security.threat_prevention"], "legal_basis": "legal_obligation", "subject": erasure_requested})
	fixtures.findings(rights.deny) == set() with input as activity with time.now_ns as now
}

test_an_erasure_requested_for_a_later_time_takes_effect_then if {
	activity := improvement({"erasure_requested_at": "2026-12-01T00:00:00Z"})
	requested := time.parse_rfc3339_ns("2026-12-01T00:00:00Z")
	fixtures.findings(rights.deny) == set() with input as activity with time.now_ns as now
	requested in rights.changes_at with input as activity with time.now_ns as now
	fixtures.findings(rights.deny) == {["erasure.requested", "/purposes/0"]} with input as activity with time.now_ns as requested
}

test_a_processor_activity_leaves_erasure_to_the_customer if {
	activity := fixtures.processor_with_patch({"subject": erasure_requested})
	fixtures.findings(rights.deny) == set() with input as activity with time.now_ns as now
}

# GDPR art. 12(3): a request is answered within one month (the document's response period).
test_a_request_pending_longer_than_the_response_period_is_flagged if {
	activity := fixtures.with_patch({"subject": {"access_requested_at": "2026-10-01T00:00:00Z"}})
	fixtures.findings(rights.warn) == {["rights.request_overdue", "/subject/access_requested_at"]} with input as activity
		with time.now_ns as now
	fixtures.findings(rights.deny) == set() with input as activity with time.now_ns as now
}

test_a_request_within_the_response_period_is_not_flagged_until_it_is_due if {
	activity := fixtures.with_patch({"subject": {"portability_requested_at": "2026-11-20T00:00:00Z"}})
	due := time.parse_rfc3339_ns("2026-12-20T00:00:00Z")
	fixtures.findings(rights.warn) == set() with input as activity with time.now_ns as now
	rights.changes_at == {due + 1} with input as activity with time.now_ns as now
	fixtures.findings(rights.warn) == {["rights.request_overdue", "/subject/portability_requested_at"]} with input as activity
		with time.now_ns as due + 1
}

test_every_request_the_policy_counts_is_flagged_when_overdue if {
	subject := {request.subject_clock: "2026-01-01T00:00:00Z" | some request in data.privacy_policy.rights.requests}
	activity := fixtures.with_patch({"purposes": ["rights.erasure"], "legal_basis": "legal_obligation", "subject": subject})
	result := rights.warn with input as activity with time.now_ns as now
	count(result) == count(data.privacy_policy.rights.requests)
}
