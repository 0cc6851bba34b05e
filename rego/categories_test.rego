package policyengine.rules.categories_test

import data.policyengine.fixtures
import data.policyengine.rules.categories

# "Personal data that Confect may process about you includes: Basic personal data [...] Content
# you have uploaded or shared [...] Information via job applications"
test_order_data_is_allowed if {
	fixtures.findings(categories.deny) == set() with input as fixtures.activity
}

test_every_category_the_policy_lists_is_allowed if {
	every category, _ in data.privacy_policy.data_categories {
		fixtures.findings(categories.deny) == set() with input as fixtures.with_patch({"data_categories": [category]})
	}
}

test_unlisted_category_is_denied if {
	result := categories.deny with input as fixtures.with_patch({"data_categories": ["name", "shoe_size"]})
	fixtures.findings(result) == {["category.unlisted", "/data_categories/1"]}
}

test_each_unlisted_category_is_denied_at_its_index if {
	result := categories.deny with input as fixtures.with_patch({"data_categories": ["salary", "email", "bank_account"]})
	fixtures.findings(result) == {
		["category.unlisted", "/data_categories/0"],
		["category.unlisted", "/data_categories/2"],
	}
}

# "For the purposes mentioned in the section "Why we process personal data," Confect does not
# process sensitive personal data about you."
test_special_category_is_denied if {
	result := categories.deny with input as fixtures.with_patch({"data_categories": ["name", "health"]})
	fixtures.findings(result) == {["category.sensitive", "/data_categories/1"]}
}

test_every_special_category_is_denied_as_sensitive_not_unlisted if {
	every category, _ in data.privacy_policy.special_categories {
		fixtures.findings(categories.deny) == {["category.sensitive", "/data_categories/0"]} with input as fixtures.with_patch({"data_categories": [category]})
	}
}

test_criminal_record_is_named_as_article_10_data if {
	[reason] := [r | some r in categories.deny] with input as fixtures.with_patch({"data_categories": ["criminal_record"]})
	contains(reason.message, "GDPR art. 10")
}

# "In these cases, Confect acts as a data processor": the customer's DPA decides what data it holds.
test_processor_activity_with_sensitive_and_unlisted_categories_is_out_of_scope if {
	activity := fixtures.processor_with_patch({"data_categories": ["health", "shoe_size"]})
	fixtures.findings(categories.deny) == set() with input as activity
}
