package policyengine.rules.cookies_test

import data.policyengine.fixtures
import data.policyengine.rules.cookies

# Interest profiles built from cookies, as the policy describes: "This is done, for example,
# through cookies and is called profiling."
profiling_from_cookies(patch) := object.union(
	fixtures.with_patch({
		"data_subjects": ["website_visitor"],
		"data_categories": ["ip_address", "interests", "device"],
		"sources": ["data_subject", "cookies"],
		"purposes": ["marketing.profiling"],
		"legal_basis": "legitimate_interest",
		"profiling": true,
	}),
	patch,
)

# ePrivacy art. 5(3) generally wants consent for such cookies: flagged, never denied.
test_profiling_through_cookies_on_legitimate_interest_is_flagged if {
	result := cookies.warn with input as profiling_from_cookies({})
	fixtures.findings(result) == {["cookies.consent_required", "/sources/1"]}
}

test_the_warning_names_the_law if {
	some reason in cookies.warn with input as profiling_from_cookies({})
	contains(reason.message, "ePrivacy Directive art. 5(3)")
}

test_marketing_from_cookies_on_legitimate_interest_is_flagged if {
	activity := profiling_from_cookies({"purposes": ["marketing.materials"], "profiling": false})
	fixtures.findings(cookies.warn) == {["cookies.consent_required", "/sources/1"]} with input as activity
}

test_profiling_through_cookies_on_consent_is_not_flagged if {
	fixtures.findings(cookies.warn) == set() with input as profiling_from_cookies({"legal_basis": "consent"})
}

test_cookies_for_a_purpose_that_is_neither_marketing_nor_profiling_are_not_flagged if {
	activity := profiling_from_cookies({"purposes": ["security.threat_prevention"], "profiling": false})
	fixtures.findings(cookies.warn) == set() with input as activity
}

test_profiling_from_other_sources_is_not_flagged if {
	fixtures.findings(cookies.warn) == set() with input as profiling_from_cookies({"sources": ["data_subject"]})
}

test_a_processor_activity_is_the_customers_to_judge if {
	activity := fixtures.processor_with_patch({"sources": ["cookies"], "profiling": true, "legal_basis": "legitimate_interest"})
	fixtures.findings(cookies.warn) == set() with input as activity
}
