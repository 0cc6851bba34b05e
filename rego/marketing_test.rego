package policyengine.rules.marketing_test

import data.policyengine.fixtures
import data.policyengine.rules.marketing

# A newsletter to leads on legitimate interest, varied by patch.
newsletter(patch) := object.union(
	fixtures.with_patch({
		"data_subjects": ["lead"],
		"data_categories": ["name", "email", "phone"],
		"purposes": ["marketing.materials"],
		"legal_basis": "legitimate_interest",
		"retention": {"period": "P24M", "from": "last_activity"},
	}),
	patch,
)

# "Confect uses email as a tool to communicate marketing, but only with your consent"
test_marketing_email_with_consent_given_is_allowed if {
	activity := newsletter({"channel": {"type": "email", "content": "marketing"}, "consent": {"status": "given"}})
	fixtures.findings(marketing.deny) == set() with input as activity
}

test_marketing_email_without_consent_is_denied if {
	result := marketing.deny with input as newsletter({"channel": {"type": "email", "content": "marketing"}})
	fixtures.findings(result) == {["marketing.email_without_consent", "/consent"]}
}

test_marketing_email_after_consent_was_withdrawn_is_denied if {
	activity := newsletter({"channel": {"type": "email", "content": "marketing"}, "consent": {"status": "withdrawn"}})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {["marketing.email_without_consent", "/consent/status"]}
}

# A record that still says given, with a withdrawal earlier today, is withdrawn consent.
test_marketing_email_after_a_withdrawal_today_is_denied if {
	activity := newsletter({
		"channel": {"type": "email", "content": "marketing"},
		"consent": {"status": "given", "given_at": "2025-01-10T09:00:00Z", "withdrawn_at": "2026-11-28T07:30:00Z"},
	})
	result := marketing.deny with input as activity with time.now_ns as time.parse_rfc3339_ns("2026-11-28T12:00:00Z")
	fixtures.findings(result) == {["marketing.email_without_consent", "/consent/withdrawn_at"]}
}

test_marketing_email_on_consent_to_other_purposes_is_denied if {
	activity := newsletter({
		"channel": {"type": "email", "content": "marketing"},
		"consent": {"status": "given", "purposes": ["purchase.orders"]},
	})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {["marketing.email_without_consent", "/consent/purposes"]}
}

test_marketing_sms_without_consent_is_denied if {
	result := marketing.deny with input as newsletter({"channel": {"type": "sms", "content": "marketing"}})
	fixtures.findings(result) == {["marketing.email_without_consent", "/consent"]}
}

test_marketing_by_phone_without_consent_is_not_email_without_consent if {
	fixtures.findings(marketing.deny) == set() with input as newsletter({"channel": {"type": "phone", "content": "marketing"}})
}

test_administrative_email_without_consent_is_allowed if {
	fixtures.findings(marketing.deny) == set() with input as fixtures.with_patch({"channel": {"type": "email", "content": "administrative"}})
}

# "You have the right to opt-out of receiving marketing materials from Confect [...] you may still
# receive administrative information from Confect, such as order confirmations"
test_administrative_email_after_marketing_opt_out_is_allowed if {
	activity := fixtures.with_patch({
		"channel": {"type": "email", "content": "administrative"},
		"subject": {"opted_out_marketing": true},
	})
	fixtures.findings(marketing.deny) == set() with input as activity
}

test_marketing_email_after_marketing_opt_out_is_denied if {
	activity := newsletter({
		"channel": {"type": "email", "content": "marketing"},
		"consent": {"status": "given"},
		"subject": {"opted_out_marketing": true},
	})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {
		["marketing.opted_out", "/channel/content"],
		["marketing.opted_out", "/purposes/0"],
	}
}

test_every_marketing_purpose_after_marketing_opt_out_is_denied if {
	every purpose, _ in data.privacy_policy.marketing.purposes {
		activity := fixtures.with_patch({"purposes": ["purchase.orders", purpose], "subject": {"opted_out_marketing": true}})
		result := marketing.deny with input as activity
		fixtures.findings(result) == {["marketing.opted_out", "/purposes/1"]}
	}
}

test_marketing_to_a_person_who_did_not_opt_out_is_allowed if {
	activity := newsletter({"channel": {"type": "social_media", "content": "marketing"}, "subject": {"opted_out_marketing": false}})
	fixtures.findings(marketing.deny) == set() with input as activity
}

# "You have the right to opt-out of [...] being subject to profiling."
test_profiling_after_profiling_opt_out_is_denied if {
	activity := fixtures.with_patch({"profiling": true, "subject": {"opted_out_profiling": true}})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {["profiling.opted_out", "/profiling"]}
}

test_profiling_purpose_after_profiling_opt_out_is_denied if {
	activity := newsletter({"purposes": ["marketing.materials", "marketing.profiling"], "subject": {"opted_out_profiling": true}})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {["profiling.opted_out", "/purposes/1"]}
}

test_marketing_without_profiling_after_profiling_opt_out_is_allowed if {
	activity := newsletter({"channel": {"type": "web", "content": "marketing"}, "profiling": false, "subject": {"opted_out_profiling": true}})
	fixtures.findings(marketing.deny) == set() with input as activity
}

test_profiling_purpose_after_both_opt_outs_is_denied_twice if {
	activity := newsletter({
		"purposes": ["marketing.profiling"],
		"profiling": true,
		"subject": {"opted_out_marketing": true, "opted_out_profiling": true},
	})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {
		["marketing.opted_out", "/purposes/0"],
		["profiling.opted_out", "/profiling"],
		["profiling.opted_out", "/purposes/0"],
	}
}

# "In these cases, Confect acts as a data processor": the customer's messages are the customer's.
test_processor_activity_marketing_to_opted_out_person_without_consent_is_out_of_scope if {
	activity := fixtures.processor_with_patch({
		"purposes": ["marketing.materials", "marketing.profiling"],
		"channel": {"type": "email", "content": "marketing"},
		"profiling": true,
		"subject": {"opted_out_marketing": true, "opted_out_profiling": true},
	})
	fixtures.findings(marketing.deny) == set() with input as activity
}

# "You can do this by following the opt-out instructions in the marketing communication."
test_marketing_without_opt_out_instructions_is_denied if {
	activity := newsletter({"channel": {"type": "email", "content": "marketing", "opt_out_instructions": false}, "consent": {"status": "given"}})
	result := marketing.deny with input as activity
	fixtures.findings(result) == {["marketing.without_opt_out", "/channel/opt_out_instructions"]}
}

test_marketing_with_opt_out_instructions_is_allowed if {
	activity := newsletter({"channel": {"type": "email", "content": "marketing", "opt_out_instructions": true}, "consent": {"status": "given"}})
	fixtures.findings(marketing.deny) == set() with input as activity
}

test_marketing_that_does_not_declare_opt_out_instructions_is_not_denied_for_it if {
	activity := newsletter({"channel": {"type": "email", "content": "marketing"}, "consent": {"status": "given"}})
	ids := {finding[0] | some finding in fixtures.findings(marketing.deny)} with input as activity
	not "marketing.without_opt_out" in ids
}

test_administrative_messages_need_no_opt_out_instructions if {
	activity := fixtures.with_patch({"channel": {"type": "email", "content": "administrative", "opt_out_instructions": false}})
	fixtures.findings(marketing.deny) == set() with input as activity
}

# "Confect uses email as a tool to communicate marketing, but only with your consent": a
# declaration of marketing email on legitimate interest does not collect the consent it needs.
test_marketing_email_on_legitimate_interest_warns_at_its_basis if {
	activity := newsletter({"channel": {"type": "email", "content": "marketing"}})
	fixtures.findings(marketing.warn) == {["marketing.consent_not_collected", "/legal_basis"]} with input as activity
}

test_marketing_email_on_consent_does_not_warn if {
	activity := newsletter({"legal_basis": "consent", "channel": {"type": "email", "content": "marketing"}})
	fixtures.findings(marketing.warn) == set() with input as activity
}

test_marketing_over_a_channel_that_needs_no_consent_does_not_warn if {
	activity := newsletter({"channel": {"type": "post", "content": "marketing"}})
	fixtures.findings(marketing.warn) == set() with input as activity
}

test_administrative_email_on_legitimate_interest_does_not_warn if {
	activity := newsletter({"channel": {"type": "email", "content": "administrative"}})
	fixtures.findings(marketing.warn) == set() with input as activity
}

test_processor_marketing_email_does_not_warn if {
	activity := newsletter({"role": "processor", "customer_dpa": "DPA-1", "channel": {"type": "email", "content": "marketing"}})
	fixtures.findings(marketing.warn) == set() with input as activity
}
