package system.log_test

import data.policyengine.fixtures
import data.system.log

# A decision log event as OPA writes it: the activity is the event's input.
event(activity) := {"input": activity, "result": {"allow": true}}

# The fixture's description is free text: without it, nothing is left out.
plain := fixtures.without({"description"})

test_an_activity_without_personal_data_is_logged_whole if {
	log.mask == set() with input as event(plain)
}

test_the_persons_state_consent_and_free_text_are_left_out if {
	activity := fixtures.with_patch({
		"description": "Ada's order, phone 555-0100",
		"consent": {"status": "given", "given_at": "2026-01-02T03:04:05Z"},
		"subject": {"opted_out_marketing": true, "last_activity_at": "2026-01-02T03:04:05Z"},
	})
	log.mask == {"/input/subject", "/input/consent", "/input/description"} with input as event(activity)
}

test_court_order_references_are_left_out if {
	activity := object.union(plain, {"recipients": [
		{"name": "Confect Sverige AB", "type": "group_company", "country": "SE"},
		{"name": "Police", "type": "authority", "country": "SE", "court_order": {"reference": "B 1234-26", "jurisdiction": "SE"}},
	]})
	log.mask == {"/input/recipients/1/court_order/reference"} with input as event(activity)
}
