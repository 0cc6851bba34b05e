# METADATA
# title: Marketing and profiling
# description: >-
#   Marketing over the channels the policy names needs consent; a person who opted out of
#   marketing or profiling gets neither, while administrative messages stay allowed.
package policyengine.rules.marketing

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Marketing over a channel that needs consent only with consent
# description: >-
#   The company communicates marketing over some channels only with the person's consent.
#   Marketing content over a channel that needs consent (marketing.consent_channels:
#   {consent_channels}) is denied unless the person's consent counts (given, not given only
#   later, not withdrawn since) and covers the activity's purposes. To pass: record the
#   person's consent, or send administrative content only.
# custom:
#   id: marketing.email_without_consent
#   clause: marketing-consent
#   requires: the person's consent to marketing is given
#   declared_at: /channel/type
deny contains reason if {
	input.channel.content == "marketing"
	policy.marketing.consent_channels[input.channel.type]
	not lib.consent_covers_activity
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		lib.consent_path,
		sprintf("marketing by %s needs the person's consent, but consent is %s", [input.channel.type, lib.consent_state]),
	)
}

# METADATA
# title: Marketing that needs consent rests on consent
# description: >-
#   The company communicates marketing over some channels only with the person's consent
#   (marketing.consent_channels: {consent_channels}). A declaration of marketing content over such
#   a channel on another legal basis does not collect that consent, yet at run time it is allowed
#   only for a person whose consent counts: a condition nothing the declaration provides can meet.
#   A warning, so that --fail-on-warn blocks it; the declaration stays allowed, with its
#   condition. To pass: rest the activity on consent (legal_basis consent) and collect it, or
#   send administrative content only.
# custom:
#   id: marketing.consent_not_collected
#   clause: marketing-consent
warn contains reason if {
	input.channel.content == "marketing"
	policy.marketing.consent_channels[input.channel.type]
	input.legal_basis != "consent"
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		"/legal_basis",
		sprintf("marketing by %s needs the person's consent, but the declaration rests on %s and does not collect it", [input.channel.type, input.legal_basis]),
	)
}

# METADATA
# title: No marketing to a person who opted out
# description: >-
#   A person may opt out of marketing materials. For a person who did, marketing content and
#   marketing purposes are denied; administrative information (order confirmations, account
#   notifications) stays allowed. To pass: do not market to the person.
# custom:
#   id: marketing.opted_out
#   clause: opt-out
#   requires: the person has not opted out of marketing
deny contains reason if {
	input.subject.opted_out_marketing == true
	lib.controller
	some path, message in _marketing
	reason := lib.reason(rego.metadata.rule(), path, message)
}

_marketing["/channel/content"] := "the message is marketing, and the person opted out of marketing" if {
	input.channel.content == "marketing"
}

_marketing[sprintf("/purposes/%d", [i])] := message if {
	some i, purpose in input.purposes
	policy.marketing.purposes[purpose]
	message := sprintf("purpose %q is marketing, and the person opted out of marketing", [purpose])
}

# METADATA
# title: Marketing messages say how to opt out
# description: >-
#   A person opts out of marketing by following the opt-out instructions in the marketing
#   communication. Marketing content over a channel whose messages, as declared
#   (channel.opt_out_instructions false), do not tell the person how to opt out is denied. To
#   pass: put the opt-out instructions in every marketing message, and declare it.
# custom:
#   id: marketing.without_opt_out
#   clause: opt-out
deny contains reason if {
	input.channel.content == "marketing"
	input.channel.opt_out_instructions == false
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		"/channel/opt_out_instructions",
		"the marketing messages do not say how to opt out of receiving more",
	)
}

# METADATA
# title: No profiling of a person who opted out
# description: >-
#   A person may opt out of being subject to profiling. For a person who did, building an
#   interest profile (profiling true, or a profiling purpose) is denied. To pass: do not profile
#   the person.
# custom:
#   id: profiling.opted_out
#   clause: opt-out
#   requires: the person has not opted out of profiling
deny contains reason if {
	input.subject.opted_out_profiling == true
	lib.controller
	some path, message in _profiling
	reason := lib.reason(rego.metadata.rule(), path, message)
}

_profiling["/profiling"] := "the activity builds an interest profile, and the person opted out of profiling" if {
	input.profiling == true
}

_profiling[sprintf("/purposes/%d", [i])] := message if {
	some i, purpose in input.purposes
	policy.marketing.profiling_purposes[purpose]
	message := sprintf("purpose %q builds an interest profile, and the person opted out of profiling", [purpose])
}
