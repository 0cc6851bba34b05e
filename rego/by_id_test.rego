package policyengine_test

import data.policyengine
import data.policyengine.fixtures

# Version 2, declarations: an OPA server is asked by declaration id with the person's state; it
# decides the declaration the bundle holds together with that state.
declarations := {"newsletter": object.union(fixtures.activity, {
	"id": "newsletter",
	"purposes": ["marketing.materials"],
	"legal_basis": "consent",
	"retention": {"period": data.privacy_policy.retention.limits.marketing.period, "from": "last_activity"},
})}

bundled := {"activities": declarations}

# Without a residual, the rules decide the declaration with the person's state.
test_a_declaration_is_decided_with_the_persons_state if {
	decision := policyengine.decision with input as {"declaration": "newsletter", "consent": {"status": "given"}}
		with data.policyengine_declarations as bundled
	decision.allow == true
}

test_a_declaration_without_the_persons_consent_is_denied if {
	decision := policyengine.decision with input as {"declaration": "newsletter", "subject": {"opted_out_marketing": true}}
		with data.policyengine_declarations as bundled
	decision.allow == false
	{r.rule | some r in decision.reasons} == {"consent.not_given", "marketing.opted_out"}
}

test_an_unknown_declaration_id_denies if {
	decision := policyengine.decision with input as {"declaration": "no-such"} with data.policyengine_declarations as bundled
	decision.allow == false
	decision.errors == [{"path": "/declaration", "message": "no declaration of this id is known"}]
}

test_a_declaration_request_carries_only_the_persons_state if {
	decision := policyengine.decision with input as {"declaration": "newsletter", "purposes": ["support.forum"]}
		with data.policyengine_declarations as bundled
	decision.allow == false
	[e.path | some e in decision.errors] == ["/purposes"]
}

# Contract §5: the person's state is validated as in a full activity, with the same errors; the
# declaration was validated when the bundle was built.
test_the_persons_state_is_validated if {
	decision := policyengine.decision with input as {"declaration": "newsletter", "consent": {"status": "given", "given_at": "yesterday"}}
		with data.policyengine_declarations as bundled
	decision.allow == false
	decision.errors == [{"path": "/consent/given_at", "message": "expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"}]
}

# A time the library refuses is refused by id too: a leap second anywhere but 23:59:60 in UTC,
# an offset out of range, a date out of range in a year beyond OPA's clock.
test_the_persons_times_are_held_to_what_the_library_accepts if {
	every given in ["2026-01-28T12:00:60Z", "2016-12-31T23:59:60+01:00", "2026-01-28T12:00:00+24:00", "1500-02-29T00:00:00Z"] {
		decision := policyengine.decision with input as {"declaration": "newsletter", "consent": {"status": "given", "given_at": given}}
			with data.policyengine_declarations as bundled
		decision.allow == false
		decision.errors == [{"path": "/consent/given_at", "message": "expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"}]
	}
}

test_the_persons_state_is_held_to_the_bundled_schema if {
	decision := policyengine.decision with input as {"declaration": "newsletter", "consent": {"status": "given", "colour": "red"}}
		with data.policyengine_declarations as bundled
		with data.policyengine_schema.person as {
			"type": "object",
			"properties": {"consent": {"type": "object", "additionalProperties": false, "properties": {"status": {}}}},
		}
	decision.allow == false
	[e.path | some e in decision.errors] == ["/consent/colour"]
}

test_the_declaration_is_not_validated_again if {
	# A declaration the bundle holds is not held to the schema per request: only the state is.
	decision := policyengine.decision with input as {"declaration": "newsletter", "consent": {"status": "given"}}
		with data.policyengine_declarations as bundled
		with data.policyengine_schema.activity as {"type": "object", "properties": {"recipients": {"type": "string"}}}
		with data.policyengine_schema.person as {"type": "object"}
	decision.errors == []
}

# With a residual (residual_fixture_test.rego holds one, for the id "residual-fixture"), the
# residual decides: its findings on the person's state, not the rules on the declaration.
residual_activities := {"residual-fixture": object.union(declarations.newsletter, {"id": "residual-fixture"})}

test_a_residual_decides_on_the_persons_state if {
	allowed := policyengine.decision with input as {"declaration": "residual-fixture", "consent": {"status": "given"}}
		with data.policyengine_declarations.activities as residual_activities
		with data.policyengine_revision as "r1"
	allowed == {"allow": true, "reasons": [], "warnings": [], "errors": []}

	# The person's times reach the residual as the request carries them, in any form RFC 3339
	# allows: here in lower case.
	denied := policyengine.decision with input as {"declaration": "residual-fixture", "consent": {"status": "withdrawn", "withdrawn_at": "2026-01-01t00:00:00z"}}
		with data.policyengine_declarations.activities as residual_activities
		with data.policyengine_revision as "r1"
		with time.now_ns as time.parse_rfc3339_ns("2025-06-01T00:00:00Z")
	denied.allow == false
	denied.reasons == [{"rule": "fixture.withdrawn", "path": "/consent/withdrawn_at", "message": "withdrawn", "clause": "c", "clause_id": "c"}]
	denied.valid_until == "2026-01-01T00:00:00Z"
}

test_a_residual_of_another_policy_revision_is_refused if {
	decision := policyengine.decision with input as {"declaration": "residual-fixture", "consent": {"status": "given"}}
		with data.policyengine_declarations.activities as residual_activities
		with data.policyengine_revision as "r2"
	decision.allow == false
	[e.path | some e in decision.errors] == ["/declaration"]
}

test_a_residual_without_the_bundles_revision_is_refused if {
	decision := policyengine.decision with input as {"declaration": "residual-fixture", "consent": {"status": "given"}}
		with data.policyengine_declarations.activities as residual_activities
	decision.allow == false
}

# Known by its residual alone, a declaration is decided: the bundle holds its residual.
test_a_residual_without_the_declarations_data_decides if {
	decision := policyengine.decision with input as {"declaration": "residual-fixture", "consent": {"status": "given"}}
		with data.policyengine_revision as "r1"
	decision.allow == true
}

# Issue 22, item 5: nothing written beside the bundle switches validation off.
test_no_data_switches_the_persons_validation_off if {
	decision := policyengine.decision with input as {"declaration": "newsletter", "consent": {"status": "given", "given_at": "yesterday"}}
		with data.policyengine_declarations as bundled
		with data.policyengine_engine.validated_input as true
	decision.allow == false
}
