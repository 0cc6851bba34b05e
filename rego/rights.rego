# METADATA
# title: The person's rights
# description: >-
#   Objection to processing on legitimate interest, restriction of processing, erasure, and the
#   time the company has to answer a request.
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
# title: Restricted processing only for what the law still allows
# description: >-
#   A person can ask the company to limit the processing of their personal data. For a person who
#   did, GDPR art. 18(2) still allows storage, the establishment, exercise or defence of legal
#   claims, the protection of another's rights and important public interest: the purposes the
#   policy document exempts (rights.restriction_exempt_purposes) stay allowed, and so does a
#   disclosure only to recipients the document exempts (rights.restriction_exempt_recipients) on
#   a valid court order. Art. 18(2) also allows processing "with the data subject's consent":
#   where the document reads it so (rights.restriction_lifted_by_consent), an activity the
#   person's consent covers (given, not withdrawn since, for every purpose of the activity)
#   stays allowed, whatever its basis. Any other purpose is denied. To pass: do not process the
#   person's data until the restriction is lifted, or ask for their consent to this processing.
# custom:
#   every_person: true
#   id: restriction.requested
#   clause: restriction
#   requires: the person has not asked to restrict processing, or consents to this processing
deny contains reason if {
	input.subject.restricted == true
	lib.controller
	not _disclosure_on_court_order
	not _restriction_consented
	some i, purpose in input.purposes
	not policy.rights.restriction_exempt_purposes[purpose]
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/purposes/%d", [i]),
		sprintf("the person asked to restrict processing, and purpose %q is none the restriction allows", [purpose]),
	)
}

# GDPR art. 18(2): restricted data may be processed with the person's consent. The person's
# consent counts and covers every purpose of the activity, where the policy document reads the
# article so.
_restriction_consented if {
	policy.rights.restriction_lifted_by_consent == true
	lib.consent_covers_activity
}

# The activity discloses the data only to exempt recipients (an authority), each on a valid
# court order.
_disclosure_on_court_order if {
	count(input.recipients) > 0
	every recipient in input.recipients {
		object.get(policy.rights, ["restriction_exempt_recipients", object.get(recipient, "type", "")], false) == true
		lib.court_order_valid(recipient)
	}
}

# METADATA
# title: After a request for erasure, only the erasure and what the law still allows
# description: >-
#   A person can ask the company to delete their data (GDPR art. 17). The right applies on the
#   grounds of art. 17(1): consent withdrawn, an objection (read here into a request to erase
#   data processed on legitimate interest), data no longer needed. So from the time the person
#   asked (subject.erasure_requested_at) every processing is denied but the erasure itself
#   (rights.erasure_exempt_purposes), processing on a basis the document exempts
#   (rights.erasure_exempt_bases; art. 17(3)(b): a legal obligation), and, on contract, the
#   purposes the document keeps for a contract with the person (rights.erasure_contract_purposes:
#   an open order, a payment due), to which no ground of art. 17(1) applies while the contract
#   needs them. To pass: erase the data; keep only what a legal obligation or the person's
#   contract still requires.
# custom:
#   every_person: true
#   id: erasure.requested
#   clause: erasure
#   requires: the person has not asked for erasure
deny contains reason if {
	requested := input.subject.erasure_requested_at
	lib.controller
	not _erasure_exempt_basis
	lib.timestamp_ns(requested) <= lib.now_ns
	some i, purpose in input.purposes
	not _goes_on_after_erasure(purpose)
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/purposes/%d", [i]),
		sprintf("the person asked for erasure, and purpose %q on %s is neither the erasure itself nor processing the policy keeps after such a request", [purpose, _basis]),
	)
}

_erasure_exempt_basis if policy.rights.erasure_exempt_bases[input.legal_basis]

# The activity's basis, for a message. (Read as input.legal_basis, not object.get(input, ...):
# partial evaluation would keep the whole input in a declaration's residual for the latter.)
default _basis := "no basis"

_basis := input.legal_basis

# A purpose goes on after a request for erasure: the erasure itself, or, on contract, a purpose
# the policy keeps for a contract with the person (GDPR art. 17(1): no ground applies to
# processing still necessary for it).
_goes_on_after_erasure(purpose) if policy.rights.erasure_exempt_purposes[purpose]

_goes_on_after_erasure(purpose) if {
	input.legal_basis == "contract"
	policy.rights.erasure_contract_purposes[purpose]
}

# The decision changes when an erasure requested for a later time takes effect.
changes_at contains t if {
	input.subject.erasure_requested_at
	lib.controller
	not _erasure_exempt_basis
	some purpose in input.purposes
	not _goes_on_after_erasure(purpose)
	t := lib.timestamp_ns(input.subject.erasure_requested_at)
	t > lib.now_ns
}

# METADATA
# title: A person's request is answered in time
# description: >-
#   The company answers a request to exercise a right (access, art. 15; rectification, art. 16;
#   erasure, art. 17; portability, art. 20) without undue delay and within the response period
#   the policy document sets (rights.response_period; GDPR art. 12(3): one month, which may be
#   extended by two further months when the person is told why). A request of the person still
#   pending after it is flagged. A warning: a pending access, rectification or portability
#   request changes no decision (GDPR restricts processing during a rectification only when the
#   person asks, art. 18(1)(a)). To clear it: answer the request, and record it as answered.
# custom:
#   id: rights.request_overdue
#   clause: rights
#   requires: the person's requests are answered within the response period
#   declared_at: /purposes
warn contains reason if {
	input.subject
	some name, request in policy.rights.requests
	lib.controller
	_request_due_ns(request) < lib.now_ns
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/subject/%s", [request.subject_clock]),
		sprintf("the person's %s request (GDPR art. %s) has waited longer than the response period of %s", [name, request.article, policy.rights.response_period]),
	)
}

# The instant a pending request is overdue: when it was made, plus the response period.
_request_due_ns(request) := lib.add_duration(lib.timestamp_ns(input.subject[request.subject_clock]), _response_period)

_response_period := lib.duration(policy.rights.response_period)

# The decision changes once a pending request is overdue.
changes_at contains due + 1 if {
	input.subject
	some request in policy.rights.requests
	lib.controller
	due := _request_due_ns(request)
	due >= lib.now_ns
}
