package policyengine.rules.processor_test

import data.policyengine.fixtures
import data.policyengine.rules.processor

# "Information on how personal data is processed in one of our many services is described in the
# respective data processing agreement for that service. In these cases, Confect acts as a data
# processor"
test_processor_activity_naming_the_customer_dpa_is_allowed if {
	fixtures.findings(processor.deny) == set() with input as fixtures.processor_activity
}

test_processor_activity_without_customer_dpa_is_denied if {
	result := processor.deny with input as fixtures.processor_without(["customer_dpa"])
	fixtures.findings(result) == {["processor.no_customer_dpa", "/customer_dpa"]}
}

test_processor_activity_with_blank_customer_dpa_is_denied if {
	result := processor.deny with input as fixtures.processor_with_patch({"customer_dpa": "  "})
	fixtures.findings(result) == {["processor.no_customer_dpa", "/customer_dpa"]}
}

test_controller_activity_needs_no_customer_dpa if {
	fixtures.findings(processor.deny) == set() with input as fixtures.activity
}

test_activity_without_role_is_a_controller_and_needs_no_customer_dpa if {
	fixtures.findings(processor.deny) == set() with input as fixtures.without(["role"])
}
