package policyengine.rules.collection_test

import data.policyengine.fixtures
import data.policyengine.rules.collection

# "Confect's privacy policy applies when Confect and its subsidiaries process your personal data
# [...] when you interact with us": the people the policy names, and children are not among them.
test_every_data_subject_the_policy_names_is_allowed if {
	every subject, _ in data.privacy_policy.data_subjects {
		fixtures.findings(collection.deny) == set() with input as fixtures.with_patch({"data_subjects": [subject]})
	}
}

test_child_is_denied if {
	result := collection.deny with input as fixtures.with_patch({"data_subjects": ["customer", "child"]})
	fixtures.findings(result) == {["data_subject.unlisted", "/data_subjects/1"]}
}

test_activity_naming_no_data_subjects_is_allowed if {
	fixtures.findings(collection.deny) == set() with input as fixtures.without(["data_subjects"])
}

# "Confect collects personal data directly from you or other people connected to our customer.
# We also use cookies [...] data aggregation from third parties, marketing partners, public
# sources, or third-party social networks."
test_every_source_the_policy_names_is_allowed if {
	every source, _ in data.privacy_policy.sources {
		fixtures.findings(collection.deny) == set() with input as fixtures.with_patch({"sources": [source]})
	}
}

test_unlisted_source_is_denied if {
	result := collection.deny with input as fixtures.with_patch({"sources": ["data_subject", "cookies", "purchased_list"]})
	fixtures.findings(result) == {["source.unlisted", "/sources/2"]}
}

test_unlisted_subject_and_source_are_denied_together if {
	result := collection.deny with input as fixtures.with_patch({"data_subjects": ["patient"], "sources": ["purchased_list"]})
	fixtures.findings(result) == {
		["data_subject.unlisted", "/data_subjects/0"],
		["source.unlisted", "/sources/0"],
	}
}

# "In these cases, Confect acts as a data processor": whose data and from where is the customer's
# matter.
test_processor_activity_with_unlisted_subject_and_source_is_out_of_scope if {
	activity := fixtures.processor_with_patch({"data_subjects": ["child"], "sources": ["purchased_list"]})
	fixtures.findings(collection.deny) == set() with input as activity
}
