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

test_agreed_extension_references_are_left_out if {
	activity := object.union(plain, {"retention": {
		"period": "P6M", "from": "end_of_contract",
		"agreed_extension": {"reference": "Agreement with Ada Lovelace", "period": "P3M"},
	}})
	log.mask == {"/input/retention/agreed_extension/reference"} with input as event(activity)
}

test_free_text_references_are_left_out if {
	log.mask == {"/input/customer_dpa"} with input as event(object.union(plain, {"customer_dpa": "DPA with Ada's clinic"}))
}

# Refused input keeps only what the allow-list names: unknown and misspelt keys go, wherever
# they are.
test_unknown_and_misspelt_keys_are_left_out if {
	activity := object.union(plain, {
		"subjects_name": "Ada Lovelace",
		"retention": {"period": "P6M", "notes": "Ada"},
		"recipients": [{"name": "Confect Sverige AB", "type": "group_company", "contact": "ada@example.com"}],
	})
	log.mask == {"/input/subjects_name", "/input/retention/notes", "/input/recipients/0/contact"} with input as event(activity)
}

# A value of the wrong shape keeps none of its content: an object where a string goes, an array
# in a list of names (removed with its field: removing one element would renumber the rest).
test_values_of_the_wrong_shape_are_left_out if {
	activity := object.union(plain, {
		"legal_basis": {"person": "Ada"},
		"data_categories": ["name", ["Ada"]],
		"channel": "Ada's phone",
	})
	log.mask == {"/input/legal_basis/person", "/input/data_categories", "/input/channel"} with input as event(activity)
}

# A key no pointer spells plainly takes the whole input with it; so does input that is not an
# object at all.
test_unspellable_keys_take_the_input if {
	log.mask == {"/input"} with input as event(object.union(plain, {"Ada Lovelace/notes": "x"}))
	log.mask == {"/input"} with input as event("Ada Lovelace")
	log.mask == {"/input"} with input as event(["Ada"])
}

test_a_refused_activitys_findings_are_left_out if {
	refused := {"input": plain, "result": {"allow": false, "errors": [{"path": "/x", "message": "m"}], "reasons": [{"message": "Ada"}]}}
	log.mask == {"/result/reasons", "/result/warnings"} with input as refused
}
