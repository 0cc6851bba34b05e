# METADATA
# title: Whose data, and where it comes from
# description: The people the policy speaks of and the sources it says data is collected from.
package policyengine.rules.collection

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Only the people the policy speaks of
# description: >-
#   The policy applies to the people it names (data_subjects: {data_subjects}), and to no one
#   else. A data subject type outside that list is denied. To pass: use a type from the
#   policy's list.
# custom:
#   id: data_subject.unlisted
#   clause: data-subjects
deny contains reason if {
	some i, subject in input.data_subjects
	not policy.data_subjects[subject]
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/data_subjects/%d", [i]),
		sprintf("%q is not a kind of person the policy covers", [subject]),
	)
}

# METADATA
# title: Only the collection sources the policy names
# description: >-
#   The policy says where personal data comes from (sources: {sources}). Any other source is
#   denied. To pass: use a source from the policy's list.
# custom:
#   id: source.unlisted
#   clause: collection
deny contains reason if {
	some i, source in input.sources
	not policy.sources[source]
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		sprintf("/sources/%d", [i]),
		sprintf("%q is not a source the policy says personal data is collected from", [source]),
	)
}
