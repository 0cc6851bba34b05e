# METADATA
# title: Purposes and legal bases
# description: Why personal data is processed, and on which legal basis each purpose may rest.
package policyengine.rules.purposes

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Only the purposes the policy gives
# description: >-
#   The policy says why the company processes personal data (for Confect: purchase and delivery,
#   support and improvement, security, marketing, recruitment) and the rights requests it
#   handles. Any other purpose is denied. To pass: use a purpose from the policy's list.
# custom:
#   id: purpose.unlisted
#   clause: purposes
deny contains reason if {
	lib.controller
	some i, purpose in input.purposes
	not policy.purposes[purpose]
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/purposes/%d", [i]),
		sprintf("%q is not a purpose the policy gives for processing personal data", [purpose]),
	)
}

# METADATA
# title: A legal basis is named
# description: >-
#   The company processes personal data on a legal ground. An activity where the company is the
#   controller must name its legal basis. To pass: set legal_basis.
# custom:
#   id: legal_basis.missing
#   clause: legal-basis
deny contains reason if {
	lib.controller
	not input.legal_basis
	reason := lib.reason(
		rego.metadata.rule(),
		"/legal_basis",
		sprintf("the activity names no legal basis; as controller, %s must process on one", [policy.organisation]),
	)
}

# METADATA
# title: The legal basis is one the policy gives for every purpose
# description: >-
#   The policy gives, for each purpose, the legal bases it may rest on. The activity's basis
#   must be permitted for every purpose it lists; each purpose that does not permit it is denied.
#   To pass: choose a basis every purpose permits, or split the activity.
# custom:
#   id: legal_basis.not_permitted
#   clause: legal-basis
deny contains reason if {
	lib.controller
	basis := input.legal_basis
	some i, name in input.purposes
	purpose := policy.purposes[name]
	not purpose.legal_bases[basis]
	permitted := concat(", ", sort([b | some b, ok in purpose.legal_bases; ok == true]))
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/purposes/%d", [i]),
		sprintf("purpose %q may rest only on %s, not on %s", [name, permitted, basis]),
	)
}
