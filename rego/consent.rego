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
#   legal basis is consent, the person's consent must count: its status is given, it was not
#   given only after the evaluation time (given_at), no withdrawal (withdrawn_at) lies between
#   its giving and the evaluation time, and, where it names the purposes it covers
#   (consent.purposes), it covers every purpose of the activity (GDPR art. 6(1)(a) and 7(3)).
#   Withdrawn, refused, expired, unknown, missing, not yet given or too narrow consent is
#   denied. To pass: record consent given for the activity's purposes, or stop the processing.
# custom:
#   id: consent.not_given
#   clause: consent
#   requires: the person's consent is given, not withdrawn since, and covers the activity's purposes
#   declared_at: /legal_basis
deny contains reason if {
	input.legal_basis == "consent"
	not lib.consent_covers_activity
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		lib.consent_path,
		sprintf("the legal basis is consent, but consent is %s", [lib.consent_state]),
	)
}

# The decision changes when consent recorded as given from a later time starts to count, and
# when a withdrawal recorded for a later time takes effect (for every rule that relies on the
# person's consent).
changes_at contains t if {
	lib.consent_relied_on
	lib.controller
	input.consent.status == "given"
	t := lib.timestamp_ns(input.consent.given_at)
	t > lib.now_ns
}

changes_at contains t if {
	lib.consent_relied_on
	lib.controller
	input.consent.status == "given"
	t := lib.timestamp_ns(input.consent.withdrawn_at)
	t > lib.now_ns
	not lib.consent_given_after(t)
}

# METADATA
# title: Consent by a child below the age of digital consent does not count
# description: >-
#   Where consent is the basis, a child's own consent counts only from the age of digital consent
#   the policy document sets (consent.digital_consent_age; GDPR art. 8(1) lets each member state
#   set it between 13 and 16). For a person whose age is below it, processing on consent is
#   denied, whatever the consent record says. To pass: rest the processing on another basis,
#   or do not process the child's data on their own consent.
# custom:
#   id: consent.minor
#   clause: consent
#   requires: the person is at least the age of digital consent
#   declared_at: /legal_basis
deny contains reason if {
	input.legal_basis == "consent"
	lib.controller
	input.subject.age < policy.consent.digital_consent_age
	reason := lib.reason(
		rego.metadata.rule(),
		"/subject/age",
		sprintf("the legal basis is consent, but the person is younger than the age of digital consent (%d), so their consent does not count", [policy.consent.digital_consent_age]),
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
	lib.consent_given
	lib.controller
	_review_due_ns < lib.now_ns
	reason := lib.reason(
		rego.metadata.rule(),
		"/consent/given_at",
		sprintf("consent was given more than %s ago; renew it", [policy.consent.review_after]),
	)
}

# The instant the person's consent is due for review, where the policy sets a review period.
_review_due_ns := lib.add_duration(lib.timestamp_ns(input.consent.given_at), _review_after)

_review_after := lib.duration(policy.consent.review_after)

# The decision changes once the review is due.
changes_at contains after if {
	lib.consent_given
	lib.controller
	after := _review_due_ns + 1
	after > lib.now_ns
}
