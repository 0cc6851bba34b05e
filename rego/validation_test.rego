package policyengine.validation_test

import data.policyengine.fixtures
import data.policyengine.validation

# The paths of the problems found, in the order reported.
paths(errors) := [e.path | some e in errors]

# Contract §1: one JSON object describes one proposed processing of personal data.
test_well_formed_activities_have_no_errors if {
	validation.errors == [] with input as fixtures.activity
	validation.errors == [] with input as fixtures.processor_activity
}

test_input_that_is_not_an_object_is_an_error if {
	every value in [["order-handling"], "order-handling", 42, null] {
		validation.errors == [{"path": "", "message": "expected an object (a processing activity)"}] with input as value
	}
}

# "id: string, required"
test_blank_id_is_an_error if {
	validation.errors == [{"path": "/id", "message": "expected a non-empty string"}] with input as fixtures.with_patch({"id": ""})
}

test_blank_or_non_string_id_is_an_error if {
	every id in ["  ", 7, null] {
		paths(validation.errors) == ["/id"] with input as fixtures.with_patch({"id": id})
	}
}

# "data_categories: [string], required, ≥1", "purposes: [string], required, ≥1"
test_empty_purposes_is_an_error if {
	validation.errors == [{"path": "/purposes", "message": "expected a non-empty array of strings"}] with input as fixtures.with_patch({"purposes": []})
}

test_empty_data_categories_is_an_error if {
	paths(validation.errors) == ["/data_categories"] with input as fixtures.with_patch({"data_categories": []})
}

test_purposes_that_are_not_all_strings_is_an_error if {
	every purposes in ["purchase.orders", ["purchase.orders", 1]] {
		paths(validation.errors) == ["/purposes"] with input as fixtures.with_patch({"purposes": purposes})
	}
}

test_data_subjects_and_sources_must_be_arrays_of_strings if {
	activity := fixtures.with_patch({"data_subjects": "customer", "sources": [{"name": "web"}]})
	paths(validation.errors) == ["/data_subjects", "/sources"] with input as activity
}

test_recipients_must_be_objects if {
	paths(validation.errors) == ["/recipients"] with input as fixtures.with_patch({"recipients": ["Confect Sverige AB"]})
}

# "retention: {period: ISO-8601 duration such as "P6M", ...}"
test_malformed_retention_period_is_an_error if {
	activity := fixtures.with_patch({"retention": {"period": "6 months"}})
	validation.errors == [{"path": "/retention/period", "message": "expected an ISO 8601 duration such as P6M"}] with input as activity
}

test_malformed_agreed_extension_period_is_an_error if {
	activity := fixtures.with_patch({"retention": {"agreed_extension": {"reference": "EXT-1", "period": "P1.5Y"}}})
	paths(validation.errors) == ["/retention/agreed_extension/period"] with input as activity
}

test_null_retention_period_is_an_error if {
	paths(validation.errors) == ["/retention/period"] with input as fixtures.with_patch({"retention": {"period": null}})
}

# "times are RFC 3339"
test_malformed_subject_timestamp_is_an_error if {
	activity := fixtures.with_patch({"subject": {"last_activity_at": "2025-13-01"}})
	validation.errors == [{"path": "/subject/last_activity_at", "message": "expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"}] with input as activity
}

test_malformed_consent_timestamps_are_errors if {
	activity := fixtures.with_patch({"consent": {"status": "given", "given_at": "yesterday", "withdrawn_at": 1700000000}})
	paths(validation.errors) == ["/consent/given_at", "/consent/withdrawn_at"] with input as activity
}

test_well_formed_timestamps_are_not_errors if {
	activity := fixtures.with_patch({
		"consent": {"status": "given", "given_at": "2025-03-01T10:00:00Z"},
		"subject": {"last_activity_at": "2025-03-01T10:00:00+01:00", "last_application_at": "2025-01-15T00:00:00Z"},
	})
	validation.errors == [] with input as activity
}

test_errors_are_sorted_by_path if {
	activity := fixtures.with_patch({
		"id": "",
		"purposes": [],
		"retention": {"period": "6 months"},
		"subject": {"last_application_at": "soon"},
		"data_categories": "name",
	})
	paths(validation.errors) == ["/data_categories", "/id", "/purposes", "/retention/period", "/subject/last_application_at"] with input as activity
}

# A stock OPA server does not run the JSON Schema: a missing required field must still refuse the
# input, not let every rule that reads it fall silent.
test_missing_id_is_an_error if {
	paths(validation.errors) == ["/id"] with input as fixtures.without({"id"})
}

test_missing_categories_and_purposes_are_errors if {
	paths(validation.errors) == ["/data_categories", "/purposes"] with input as fixtures.without({"data_categories", "purposes"})
}

test_no_input_at_all_is_an_error if {
	validation.errors == [{"path": "", "message": "expected an object (a processing activity)"}]
}

# "role: controller (default) or processor"
test_unknown_role_is_an_error if {
	paths(validation.errors) == ["/role"] with input as fixtures.with_patch({"role": "controler"})
}

test_recipient_without_type_is_an_error if {
	paths(validation.errors) == ["/recipients/0/type"] with input as fixtures.with_patch({"recipients": [{"name": "Data broker", "country": "US"}]})
}

# With the activity's JSON Schema in the data, as a bundle carries it, the whole schema applies.
small_schema := {
	"type": "object",
	"properties": {"id": {"type": "string"}, "recipients": {"type": "array", "items": {"type": "object", "properties": {"dpa": {"type": "boolean"}}}}},
	"additionalProperties": true,
}

test_the_bundled_schema_is_applied if {
	errs := validation.errors with input as fixtures.with_patch({"recipients": [{"name": "Mailer", "type": "subprocessor", "dpa": "yes"}]})
		with data.policyengine_schema.activity as small_schema
	paths(errs) == ["/recipients/0/dpa"]
}

test_unknown_and_missing_keys_are_named_under_a_bundled_schema if {
	errs := validation.errors with input as fixtures.with_patch({"colour": "red", "recipients": [{"type": "subprocessor"}]})
		with data.policyengine_schema.activity as {
			"type": "object",
			"additionalProperties": false,
			"properties": {
				"id": {}, "description": {}, "role": {}, "data_subjects": {}, "data_categories": {}, "sources": {},
				"purposes": {}, "legal_basis": {}, "retention": {},
				"recipients": {"type": "array", "items": {"type": "object", "required": ["name"]}},
			},
		}
	paths(errs) == ["/colour", "/recipients/0/name"]
}

test_without_a_bundled_schema_only_the_structural_checks_apply if {
	validation.errors == [] with input as fixtures.with_patch({"recipients": [{"name": "Mailer", "type": "subprocessor", "dpa": "yes"}]})
}
