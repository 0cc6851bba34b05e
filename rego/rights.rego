# METADATA
# title: The person's rights
# description: Objection to processing on legitimate interest, and restriction of processing.
package policyengine.rules.rights

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: No legitimate interest over an objection
# description: >-
#   A person has the right to object to processing based on legitimate interest. Where the person
#   objected, an activity on that basis is denied. To pass: stop the processing, or rest it on
#   another basis the purpose permits.
# custom:
#   id: objection.legitimate_interest
#   clause: objection
#   requires: the person has not objected to processing on legitimate interest
deny contains reason if {
	input.legal_basis == "legitimate_interest"
	input.subject.objected_legitimate_interest == true
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		"/legal_basis",
		"the basis is legitimate interest, and the person objected to processing on that basis",
	)
}

# METADATA
# title: Restricted processing only to handle the person's rights
# description: >-
#   A person can ask the company to limit the processing of their personal data. For a person who
#   did, any purpose but handling their rights requests is denied. To pass: do not process the
#   person's data until the restriction is lifted.
# custom:
#   id: restriction.requested
#   clause: restriction
#   requires: the person has not asked to restrict processing
deny contains reason if {
	input.subject.restricted == true
	lib.controller
	some i, purpose in input.purposes
	not policy.rights.restriction_exempt_purposes[purpose]
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/purposes/%d", [i]),
		sprintf("the person asked to restrict processing, and purpose %q is not handling their rights", [purpose]),
	)
}
