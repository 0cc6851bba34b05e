# METADATA
# title: Cookies
# description: >-
#   Tracking through cookies for marketing and profiling. The policy rests such profiling on
#   legitimate interest; the ePrivacy Directive generally wants consent for the cookies.
package policyengine.rules.cookies

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Tracking cookies for marketing or profiling on a basis other than consent are flagged
# description: >-
#   The policy profiles people through cookies on legitimate interest. The ePrivacy Directive
#   (2002/58/EC) art. 5(3) allows storing or reading information on a person's device without
#   their consent only where that is strictly necessary for a service they asked for, which
#   marketing and profiling are not. An activity that uses data from a tracking source
#   (marketing.tracking_sources) for marketing or profiling on any basis but
#   consent is flagged. A warning, never a denial: the company's policy allows it. To clear it:
#   ask for consent to the cookies and rest the activity on it.
# custom:
#   id: cookies.consent_required
#   clause: profiling
warn contains reason if {
	some i, source in input.sources
	policy.marketing.tracking_sources[source]
	lib.controller
	input.legal_basis != "consent"
	_marketing_or_profiling
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/sources/%d", [i]),
		sprintf("data from %q is used for marketing or profiling on %s: ePrivacy Directive art. 5(3) generally requires consent for such cookies", [source, input.legal_basis]),
	)
}

_marketing_or_profiling if input.profiling == true

_marketing_or_profiling if {
	some purpose in input.purposes
	policy.marketing.purposes[purpose]
}

_marketing_or_profiling if {
	some purpose in input.purposes
	policy.marketing.profiling_purposes[purpose]
}
