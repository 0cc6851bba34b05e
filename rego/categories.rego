# METADATA
# title: Personal data categories
# description: Which kinds of personal data the policy allows the company to process.
package policyengine.rules.categories

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: No sensitive personal data
# description: >-
#   The policy says the company processes no sensitive personal data. A special category (GDPR
#   art. 9) or criminal-offence data (art. 10) among the activity's data categories is denied.
#   To pass: remove the category, or do not process it.
# custom:
#   id: category.sensitive
#   clause: sensitive-data
deny contains reason if {
	some i in _not_listed
	category := input.data_categories[i]
	special := policy.special_categories[category]
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/data_categories/%d", [i]),
		sprintf("%q is a special category of personal data (GDPR art. %d); the policy processes no sensitive personal data", [category, special.article]),
	)
}

# METADATA
# title: Only the personal data the policy lists
# description: >-
#   The policy lists the personal data {organisation} may process (in these groups:
#   {data_category_groups}; policyengine vocabulary lists them). A category outside that list is
#   denied.
#   To pass: use a category from the policy's list, or change the policy first.
# custom:
#   id: category.unlisted
#   clause: personal-data
deny contains reason if {
	some i in _not_listed
	category := input.data_categories[i]
	not policy.special_categories[category]
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/data_categories/%d", [i]),
		sprintf("%q is not personal data the policy says %s processes", [category, policy.organisation]),
	)
}

# The categories (by index) that are not personal data the policy lists: special categories and
# unknown ones. Counting the listed ones first, with lookups and no negation, settles the usual
# case (every category listed) in one cheap pass.
_not_listed := [] if {
	count([1 | some category in input.data_categories; policy.data_categories[category]]) == count(input.data_categories)
} else := [i | some i, category in input.data_categories; not policy.data_categories[category]]
