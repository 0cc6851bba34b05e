# METADATA
# title: Transfers outside the EU/EEA
# description: >-
#   Personal data that leaves the EU/EEA goes only under a safeguard the policy accepts. This
#   rule applies to processor activities too.
package policyengine.rules.transfers

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Recipients outside the EU/EEA under standard contractual clauses
# description: >-
#   If a recipient is outside the EU/EEA, the company ensures legal grounds for the transfer with a
#   safeguard. A recipient (other than one whose type's role is public) outside the EU/EEA, or
#   with no country named, must name a transfer_safeguard the policy accepts
#   ({transfer_safeguards}).
#   To pass: put an accepted safeguard in place and set transfer_safeguard, or keep the data in
#   the EU/EEA.
# custom:
#   id: transfer.without_scc
#   clause: transfers
deny contains reason if {
	some i, recipient in input.recipients

	# object.get, not recipient.country: a missing field inside `not` would make the rule
	# undefined, and let the recipient through.
	country := object.get(recipient, "country", "")
	not policy.eu_eea_countries[country]
	safeguard := object.get(recipient, "transfer_safeguard", "none")
	not policy.transfer_safeguards[safeguard]
	not lib.recipient_role(recipient) == "public"
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/recipients/%d/transfer_safeguard", [i]),
		sprintf("the recipient %s, and its transfer safeguard is %s; the policy accepts %s", [
			_where(country),
			safeguard,
			_accepted,
		]),
	)
}

_accepted_list := sort([s | some s, ok in policy.transfer_safeguards; ok == true])

default _accepted := "no safeguard at all"

_accepted := concat(", ", _accepted_list) if count(_accepted_list) > 0

_where("") := "names no country, so it counts as outside the EU/EEA"

_where(country) := sprintf("is in %s, outside the EU/EEA", [country]) if country != ""
