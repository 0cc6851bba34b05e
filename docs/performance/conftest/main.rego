# METADATA
# title: The conftest adapter for the performance comparison
# description: >-
#   conftest evaluates deny rules in package main with a whole file as input. This adapter splits
#   a manifest into its activities and asks policyengine's own decision for each, so conftest runs
#   exactly the rules the engine runs. See docs/performance.md.
package main

import data.policyengine

# The activities of a manifest: itself, its elements, or its activities list.
activities := input.activities if input.activities

activities := input if is_array(input)

activities := [input] if {
	is_object(input)
	not input.activities
}

deny contains message if {
	some activity in activities
	decision := policyengine.decision with input as activity
	some reason in decision.reasons
	message := sprintf("%s: %s at %s: %s", [activity.id, reason.rule, reason.path, reason.message])
}
