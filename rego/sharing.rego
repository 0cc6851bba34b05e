# METADATA
# title: Sharing personal data
# description: >-
#   Who personal data may be shared with, and on what terms: within the group, with subprocessors
#   under a DPA, with business partners on a legal basis, with authorities on a court order, and
#   with the public on the user forum only. These rules apply to processor activities too.
package policyengine.rules.sharing

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Only recipients the policy shares with
# description: >-
#   The policy names who the company shares personal data with. A recipient of any other type is
#   denied. To pass: use a recipient type from the policy's list.
# custom:
#   id: sharing.recipient_unlisted
#   clause: sharing
deny contains reason if {
	some type in _types
	not policy.recipient_types[type]
	some i, recipient in input.recipients
	object.get(recipient, "type", "") == type
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/recipients/%d/type", [i]),
		sprintf("the recipient is of type %q, which the policy does not share personal data with", [_type(recipient)]),
	)
}

# METADATA
# title: Authorities only on a court order from an EU/EEA court
# description: >-
#   The company gives personal data to the police or another authority only on a court order. A
#   recipient of a type whose role is authority (recipient_types.*.role) needs a court_order, issued by a court in the EU/EEA or
#   recognised under an international agreement. To pass: name the court order, or do not share.
# custom:
#   id: sharing.authority_without_court_order
#   clause: authorities
deny contains reason if {
	_roles.authority
	some i, recipient in input.recipients
	lib.recipient_role(recipient) == "authority"
	some field, message in _court_order_problems(recipient)
	reason := lib.reason(rego.metadata.rule(), sprintf("/recipients/%d/%s", [i, field]), message)
}

_court_order_problems(recipient) := {"court_order": "the authority gets personal data only on a court order, and none is named"} if {
	not lib.names_court_order(recipient)
}

_court_order_problems(recipient) := {"court_order/jurisdiction": message} if {
	lib.names_court_order(recipient)
	order := recipient.court_order
	not lib.court_order_recognised(order)
	jurisdiction := object.get(order, "jurisdiction", "")
	message := sprintf("the court order for the authority is from a court outside the EU/EEA (%q) and is not recognised under an international agreement", [jurisdiction])
}

# METADATA
# title: Subprocessors under a data processing agreement
# description: >-
#   When the company uses subprocessors it enters into data processing agreements with them. A
#   recipient of a type whose role is subprocessor must have dpa set to true. To pass: sign the DPA and set dpa.
# custom:
#   id: sharing.subprocessor_without_dpa
#   clause: subprocessors
deny contains reason if {
	_roles.subprocessor
	some i, recipient in input.recipients
	lib.recipient_role(recipient) == "subprocessor"
	not recipient.dpa == true
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/recipients/%d/dpa", [i]),
		"the subprocessor has no data processing agreement (dpa is not true)",
	)
}

# METADATA
# title: Business partners on a legal basis
# description: >-
#   The company shares personal data with partners only where it is legitimate and in accordance with
#   data protection law. A recipient of a type whose role is business_partner must name the legal
#   basis for the sharing. To pass: set the recipient's legal_basis.
# custom:
#   id: sharing.partner_without_legal_basis
#   clause: business-partners
deny contains reason if {
	_roles.business_partner
	some i, recipient in input.recipients
	lib.recipient_role(recipient) == "business_partner"
	not recipient.legal_basis
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/recipients/%d/legal_basis", [i]),
		"the business partner is given personal data with no legal basis for the sharing",
	)
}

# METADATA
# title: Business partners on a basis the policy allows
# description: >-
#   Naming a basis is not having one. The basis for sharing with a business partner must be one
#   the policy document allows for the partner's type (recipient_types.*.legal_bases):
#   a private company has no public task, and
#   vital interests or a legal obligation are not what the policy's "legitimate from a business
#   perspective" describes. A partner that receives data on consent needs the person's consent
#   to count for the activity. To pass: rest the sharing on a basis the policy allows for
#   partners, and where that is consent, record it as given.
# custom:
#   id: sharing.partner_basis_not_permitted
#   clause: business-partners
#   requires: the person's consent is given, where a business partner receives the data on consent
#   also_declaration: true
deny contains reason if {
	_roles.business_partner
	some i, recipient in input.recipients
	lib.recipient_role(recipient) == "business_partner"
	some message in _partner_basis_problems(policy.recipient_types[recipient.type], recipient.legal_basis)
	reason := lib.reason(rego.metadata.rule(), sprintf("/recipients/%d/legal_basis", [i]), message)
}

_partner_basis_problems(type, basis) := {sprintf("a business partner receives personal data on %s, which the policy does not allow for sharing with partners", [basis])} if {
	allowed := type.legal_bases
	not allowed[basis]
}

_partner_basis_problems(type, "consent") := {"a business partner receives personal data on consent, but the person's consent does not count for this activity"} if {
	_partner_allows(type, "consent")
	lib.controller
	not lib.consent_covers_activity
}

# METADATA
# title: The public sees only what users post on the forum
# description: >-
#   What users post on the company's user forum can be read by others with access to it. That is
#   the only disclosure to the public: a recipient whose type's role is public is denied for any
#   purpose but the ones the policy gives its type (recipient_types.*.purposes) and for any data
#   but what it lists (recipient_types.*.data_categories). To pass: drop the public recipient, or
#   the other purposes and categories.
# custom:
#   id: sharing.public_not_forum
#   clause: forum
deny contains reason if {
	_roles.public
	some path, message in _public_problems
	reason := lib.reason(rego.metadata.rule(), path, message)
}

# A policy document that lists no bases for a partner's type leaves every basis to the other rules.
_partner_allows(type, _) if not type.legal_bases

_partner_allows(type, basis) if type.legal_bases[basis]

# The types of the public recipients the activity names, as the policy document describes them.
_public contains policy.recipient_types[recipient.type] if {
	some recipient in input.recipients
	lib.recipient_role(recipient) == "public"
}

_public_problems[sprintf("/purposes/%d", [i])] := message if {
	some type in _public
	allowed := type.purposes
	some i, purpose in input.purposes
	not allowed[purpose]
	message := sprintf("personal data is disclosed to the public for purpose %q; the policy discloses to the public only for %s", [purpose, _listed(allowed)])
}

_public_problems[sprintf("/data_categories/%d", [i])] := message if {
	some type in _public
	allowed := type.data_categories
	some i, category in input.data_categories
	not allowed[category]
	message := sprintf("%q is disclosed to the public; the policy discloses to the public only %s", [category, _listed(allowed)])
}

# The terms a set of the policy document allows, in order, for a message.
_listed(set) := concat(", ", sort([term | some term, ok in set; ok == true]))

# The recipient types the activity shares with, one pass over the recipients.
_types := {object.get(recipient, "type", "") | some recipient in input.recipients}

# The roles of the recipients the activity shares with, one pass over the recipients: a rule
# about a role that is not among them stops at once.
_roles := {role | some recipient in input.recipients; role := lib.recipient_role(recipient)}

_type(recipient) := object.get(recipient, "type", "(none)")
