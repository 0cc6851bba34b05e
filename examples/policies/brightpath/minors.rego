# METADATA
# title: Children
# description: Brightpath's own rule, that a child's data needs a parent's consent.
package policyengine.rules.minors

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: A child's data only with a parent's consent
# description: >-
#   Brightpath does not process the personal data of a child under the age of digital consent
#   (extensions.minors.age_of_digital_consent) without the consent of a parent or guardian. An
#   activity about such a child is denied unless it rests on consent that has been given. To
#   pass: rest the activity on the parent's consent and record it as given.
# custom:
#   id: minors.parental_consent
#   clause: children
#   requires: the person is of the age of digital consent, or a parent has consented
#   declared_at: /data_subjects
deny contains reason if {
	lib.controller
	age := input.subject.age
	age < policy.extensions.minors.age_of_digital_consent
	not _parental_consent
	reason := lib.reason(
		rego.metadata.rule(),
		"/subject/age",
		sprintf("the person is a child under %d; processing needs a parent's consent, given", [policy.extensions.minors.age_of_digital_consent]),
	)
}

_parental_consent if {
	input.legal_basis == "consent"
	lib.consent_given
}
