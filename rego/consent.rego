# METADATA
# title: Consent
# description: Processing that rests on consent needs consent that has been given.
package policyengine.rules.consent

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Consent is given where consent is the basis
# description: >-
#   The company may process personal data based on consent, and consent can be withdrawn. When the
#   legal basis is consent, the person's consent must stand as given: withdrawn, refused,
#   expired, unknown or missing consent is denied. To pass: record the consent as given, or
#   stop the processing.
# custom:
#   id: consent.not_given
#   clause: consent
#   requires: the person's consent is given
#   declared_at: /legal_basis
deny contains reason if {
	input.legal_basis == "consent"
	not lib.consent_given
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		lib.consent_path,
		sprintf("the legal basis is consent, but consent is %s", [lib.consent_state]),
	)
}

# METADATA
# title: Old consent is reviewed
# description: >-
#   Consent can be withdrawn at any time, so consent given long ago deserves a fresh look. Where
#   the policy sets a review period (consent.review_after) and consent was given longer ago than
#   that, the activity is flagged. A warning: it never denies. To clear it: renew the consent
#   and record the new given_at.
# custom:
#   id: consent.stale
#   clause: consent
#   requires: the person's consent was given within the review period
#   declared_at: /legal_basis
warn contains reason if {
	input.consent.status == "given"
	lib.controller
	_review_due_ns < lib.now_ns
	reason := lib.reason(
		rego.metadata.rule(),
		"/consent/given_at",
		sprintf("consent was given more than %s ago; renew it", [policy.consent.review_after]),
	)
}

# The instant the person's consent is due for review, where the policy sets a review period.
_review_due_ns := lib.add_duration(lib.timestamp_ns(input.consent.given_at), lib.duration(policy.consent.review_after))

# The decision changes once the review is due.
changes_at contains after if {
	input.consent.status == "given"
	lib.controller
	after := _review_due_ns + 1
	after > lib.now_ns
}
