package policyengine_test

import data.policyengine
import data.policyengine.fixtures
import data.policyengine.lib

# Contract §2: "allow is true only when no deny rule fires."
test_order_handling_is_allowed_with_nothing_to_report if {
	policyengine.decision == {"allow": true, "reasons": [], "warnings": [], "errors": []} with input as fixtures.activity
}

test_processor_activity_under_customer_dpa_is_allowed_with_nothing_to_report if {
	policyengine.decision == {"allow": true, "reasons": [], "warnings": [], "errors": []} with input as fixtures.processor_activity
}

test_any_deny_denies if {
	decision := policyengine.decision with input as fixtures.with_patch({"data_categories": ["name", "health"]})
	decision.allow == false
	[[r.rule, r.path] | some r in decision.reasons] == [["category.sensitive", "/data_categories/1"]]
	decision.errors == []
}

# "Every deny carries a reason: {rule, message, clause, path}"
test_reason_names_rule_message_clause_and_path if {
	[reason] := policyengine.reasons with input as fixtures.with_patch({"data_categories": ["name", "health"]})
	reason.rule == "category.sensitive"
	reason.path == "/data_categories/1"
	reason.clause == data.privacy_policy.clauses["sensitive-data"].section
	contains(reason.message, "health")
}

# "Reasons are sorted (rule, path) so output is deterministic."
test_reasons_are_sorted_by_rule_then_path if {
	activity := fixtures.with_patch({
		"data_categories": ["health", "name", "criminal_record"],
		"purposes": ["sales.cold_calling", "purchase.orders"],
		"recipients": [
			{"name": "Analytics", "type": "subprocessor", "country": "US"},
			{"name": "Police", "type": "authority", "country": "SE"},
		],
	})
	[[r.rule, r.path] | some r in policyengine.reasons] == [
		["category.sensitive", "/data_categories/0"],
		["category.sensitive", "/data_categories/2"],
		["purpose.unlisted", "/purposes/0"],
		["sharing.authority_without_court_order", "/recipients/1/court_order"],
		["sharing.subprocessor_without_dpa", "/recipients/0/dpa"],
		["transfer.without_scc", "/recipients/0/transfer_safeguard"],
	] with input as activity
}

test_marketing_email_to_opted_out_lead_without_consent_gives_each_reason_in_order if {
	activity := fixtures.with_patch({
		"purposes": ["marketing.materials"],
		"legal_basis": "legitimate_interest",
		"retention": {"period": data.privacy_policy.retention.limits.marketing.period, "from": "last_activity"},
		"channel": {"type": "email", "content": "marketing"},
		"subject": {"opted_out_marketing": true},
	})
	[[r.rule, r.path] | some r in policyengine.reasons] == [
		["marketing.email_without_consent", "/consent"],
		["marketing.opted_out", "/channel/content"],
		["marketing.opted_out", "/purposes/0"],
	] with input as activity
}

# "An input that fails validation [...] yields allow = false (fail closed) and says why."
test_activity_with_blank_id_is_refused if {
	decision := policyengine.decision with input as fixtures.with_patch({"id": " "})
	decision.allow == false
	decision.reasons == []
	[e.path | some e in decision.errors] == ["/id"]
}

test_activity_with_empty_purposes_is_refused if {
	decision := policyengine.decision with input as fixtures.with_patch({"purposes": []})
	decision.allow == false
	[e.path | some e in decision.errors] == ["/purposes"]
}

test_activity_with_malformed_duration_is_refused if {
	decision := policyengine.decision with input as fixtures.with_patch({"retention": {"period": "6 months"}})
	decision.allow == false
	decision.reasons == []
	[e.path | some e in decision.errors] == ["/retention/period"]
}

test_recruitment_kept_for_a_malformed_duration_is_refused if {
	activity := fixtures.with_patch({
		"data_subjects": ["job_applicant"],
		"purposes": ["recruitment.applications"],
		"retention": {"period": "6 months", "from": "last_application_date"},
	})
	decision := policyengine.decision with input as activity
	decision.allow == false
	[e.path | some e in decision.errors] == ["/retention/period"]
}

test_activity_with_malformed_timestamp_is_refused if {
	decision := policyengine.decision with input as fixtures.with_patch({"subject": {"last_activity_at": "last week"}})
	decision.allow == false
	decision.reasons == []
	[e.path | some e in decision.errors] == ["/subject/last_activity_at"]
}

test_input_that_is_not_an_object_is_refused if {
	every value in [[fixtures.activity], "order-handling"] {
		decision := policyengine.decision with input as value
		decision.allow == false
		[e.path | some e in decision.errors] == [""]
	}
}

# An activity that breaks most rules about Confect's own processing, and shares data with a
# subprocessor in the US that has neither a DPA nor SCCs.
broken := object.union(fixtures.activity, {
	"data_subjects": ["child"],
	"data_categories": ["health", "shoe_size"],
	"sources": ["purchased_list"],
	"purposes": ["sales.cold_calling", "marketing.profiling", "recruitment.applications"],
	"legal_basis": "consent",
	"consent": {"status": "withdrawn"},
	"profiling": true,
	"channel": {"type": "email", "content": "marketing"},
	"retention": {"period": "P10Y", "from": "collection"},
	"subject": {
		"opted_out_marketing": true,
		"opted_out_profiling": true,
		"objected_legitimate_interest": true,
		"restricted": true,
		"last_activity_at": "2000-01-01T00:00:00Z",
		"last_application_at": "2000-01-01T00:00:00Z",
	},
	"recipients": [{"name": "Cloud host", "type": "subprocessor", "country": "US"}],
})

now := time.parse_rfc3339_ns("2025-01-01T00:00:00Z")

# Contract §3, scope: "a processor activity is governed by the customer's DPA, so only
# processor.no_customer_dpa and the sharing.* and transfer.* rules apply to it"
test_processor_activity_is_judged_only_by_processor_sharing_and_transfer_rules if {
	decision := policyengine.decision with input as object.union(broken, {"role": "processor"}) with time.now_ns as now
	decision.allow == false
	decision.errors == []
	[[r.rule, r.path] | some r in decision.reasons] == [
		["processor.no_customer_dpa", "/customer_dpa"],
		["sharing.subprocessor_without_dpa", "/recipients/0/dpa"],
		["transfer.without_scc", "/recipients/0/transfer_safeguard"],
	]
}

test_same_activity_as_controller_is_judged_by_the_controller_rules_too if {
	decision := policyengine.decision with input as broken with time.now_ns as now
	decision.allow == false
	{r.rule | some r in decision.reasons} == {
		"category.sensitive", "category.unlisted", "consent.not_given", "data_subject.unlisted",
		"marketing.email_without_consent", "marketing.opted_out", "profiling.opted_out",
		"purpose.unlisted", "restriction.requested", "retention.exceeds_limit", "retention.expired",
		"sharing.subprocessor_without_dpa", "source.unlisted", "transfer.without_scc",
	}
}

# Fail closed: an input the rules cannot read is never allowed, even with no rule to deny it.
test_missing_id_is_not_allowed if {
	not policyengine.decision.allow with input as fixtures.without({"id"})
}

test_no_input_is_not_allowed if {
	not policyengine.decision.allow
}

test_misspelt_role_keeps_the_controller_rules if {
	d := policyengine.decision with input as fixtures.with_patch({"role": "controler", "data_categories": ["health"]})
	not d.allow
	fixtures.findings(d.reasons) == {["category.sensitive", "/data_categories/0"]}
}

# A reason without a rule id (a company's rule written wrongly) still denies.
test_reason_without_rule_id_still_denies if {
	d := policyengine.decision with input as fixtures.activity with data.policyengine.rules.faulty.deny as {{"message": "no id"}}
	not d.allow
	d.reasons == [{"message": "no id"}]
}

# Nothing in data switches validation off: the switch the library once set
# (data.policyengine_engine.validated_input) lay outside a bundle's roots, where a server's data
# API can write it.
test_no_data_switches_validation_off if {
	d := policyengine.decision with input as fixtures.without({"id"}) with data.policyengine_engine.validated_input as true
	[e.path | some e in d.errors] == ["/id"]
	not d.allow
}

# valid_until: the instant after which the same input is decided differently, where the clock
# matters, and absent where it does not.
test_a_decision_that_depends_on_the_clock_says_until_when_it_holds if {
	activity := object.union(declarations.newsletter, {
		"consent": {"status": "given"},
		"subject": {"last_activity_at": "2026-01-01T00:00:00Z"},
	})
	decision := policyengine.decision with input as activity with time.now_ns as time.parse_rfc3339_ns("2026-01-02T00:00:00Z")
	decision.allow == true
	limit := lib.duration(data.privacy_policy.retention.limits.marketing.period)
	decision.valid_until == time.format(lib.add_duration(time.parse_rfc3339_ns("2026-01-01T00:00:00Z"), limit) + 1)
}

test_a_decision_that_does_not_depend_on_the_clock_has_no_valid_until if {
	decision := policyengine.decision with input as fixtures.activity
	not "valid_until" in object.keys(decision)
}

# An OPA server decides the person's times in any form RFC 3339 allows: a withdrawal this
# morning written in lower case, or at a leap second, withdraws consent.
test_a_withdrawal_in_lower_case_or_at_a_leap_second_is_decided if {
	every withdrawn in ["2026-11-28t07:30:00z", "2016-12-31T23:59:60Z"] {
		activity := fixtures.with_patch({
			"purposes": ["purchase.accounts"],
			"legal_basis": "consent",
			"consent": {"status": "given", "given_at": "2015-01-01T00:00:00Z", "withdrawn_at": withdrawn},
		})
		d := policyengine.decision with input as activity with time.now_ns as time.parse_rfc3339_ns("2026-11-28T12:00:00Z")
		not d.allow
		[r.rule | some r in d.reasons] == ["consent.not_given"]
		d.errors == []
	}
}
