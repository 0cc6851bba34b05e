# METADATA
# title: Consent
# description: Processing that rests on consent needs consent that has been given.
package policyengine.rules.consent

import data.policyengine.lib

# METADATA
# title: Consent is given where consent is the basis
# description: >-
#   Confect may process personal data based on consent, and consent can be withdrawn. When the
#   legal basis is consent, the person's consent must stand as given: withdrawn, refused,
#   expired, unknown or missing consent is denied. To pass: record the consent as given, or
#   stop the processing.
# custom:
#   id: consent.not_given
#   clause: consent
deny contains reason if {
	lib.controller
	input.legal_basis == "consent"
	not lib.consent_given
	reason := lib.reason(
		rego.metadata.rule(),
		lib.consent_path,
		sprintf("the legal basis is consent, but consent is %s", [lib.consent_state]),
	)
}
