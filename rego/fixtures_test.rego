# METADATA
# title: Test fixtures
# description: >-
#   Activities every rule allows, and helpers to vary them. Loaded only by the tests: the engine
#   never reads *_test.rego files.
package policyengine.fixtures

# Confect handling a customer's order as controller: every rule allows it.
activity := {
	"id": "order-handling",
	"description": "Manage customer orders, agreements and payments",
	"role": "controller",
	"data_subjects": ["customer"],
	"data_categories": ["name", "email", "postal_address"],
	"sources": ["data_subject"],
	"purposes": ["purchase.orders"],
	"legal_basis": "contract",
	"retention": {"period": "P5Y", "from": "end_of_contract"},
	"recipients": [{"name": "Confect Sverige AB", "type": "group_company", "country": "SE"}],
}

# Confect processing a customer's data in one of its services, under the customer's DPA: every
# rule allows it.
processor_activity := {
	"id": "hosted-service",
	"description": "Store the customer's user data in the hosted service",
	"role": "processor",
	"customer_dpa": "DPA-2025-017",
	"data_subjects": ["user"],
	"data_categories": ["name", "email"],
	"purposes": ["support.customer_support"],
	"recipients": [{"name": "Cloud host", "type": "subprocessor", "country": "IE", "dpa": true}],
}

# The base controller activity with some keys replaced (objects are merged key by key).
with_patch(patch) := object.union(activity, patch)

# The base controller activity without some keys.
without(keys) := object.remove(activity, keys)

# The base processor activity with some keys replaced.
processor_with_patch(patch) := object.union(processor_activity, patch)

# The base processor activity without some keys.
processor_without(keys) := object.remove(processor_activity, keys)

# The [rule, path] pairs of a set of reasons, to compare with the findings a test expects.
findings(reasons) := {[r.rule, r.path] | some r in reasons}
