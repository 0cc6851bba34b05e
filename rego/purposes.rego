# METADATA
# title: Purposes and legal bases
# description: Why personal data is processed, and on which legal basis each purpose may rest.
package policyengine.rules.purposes

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Only the purposes the policy gives
# description: >-
#   The policy says why {organisation} processes personal data (purposes under: {purpose_groups};
#   policyengine vocabulary lists them) and the rights requests it handles. Any other purpose is
#   denied. To pass: use a purpose from the policy's list.
# custom:
#   id: purpose.unlisted
#   clause: purposes
deny contains reason if {
	some i in _unpermitted
	purpose := input.purposes[i]
	not policy.purposes[purpose]
	lib.controller
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
	not input.legal_basis
	lib.controller
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
	basis := input.legal_basis
	some i in _unpermitted
	name := input.purposes[i]
	purpose := policy.purposes[name]
	lib.controller
	permitted := concat(", ", sort([b | some b, ok in purpose.legal_bases; ok == true]))
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/purposes/%d", [i]),
		sprintf("purpose %q may rest only on %s, not on %s", [name, permitted, basis]),
	)
}

# The purposes (by index) that do not permit the activity's legal basis: unlisted ones (which
# permit nothing) among them. One pass over the purposes serves both rules.
_unpermitted := [] if {
	count([1 | some name in input.purposes; policy.purposes[name].legal_bases[_basis]]) == count(input.purposes)
} else := [i | some i, name in input.purposes; not policy.purposes[name].legal_bases[_basis]]

# The legal basis, "" when none is named (a missing one inside `not` would make the scan empty).
# A default rule, not object.get(input, ...): passing the whole input to a builtin copies it.
default _basis := ""

_basis := input.legal_basis
