# METADATA
# title: What decision logs leave out
# description: >-
#   OPA applies data.system.log.mask to every decision log event before it is written (the
#   default decision_logs.mask_decision); the library applies the same rules to the decisions it
#   hands a logger. The event's input is the activity. Left out: the state of the person (subject),
#   their consent record, free text (description), and court order references, which identify a
#   case. What stays says what was decided about what kind of processing, not about whom.
package system.log

# JSON pointers into the decision log event to remove.
mask contains "/input/subject" if input.input.subject

mask contains "/input/consent" if input.input.consent

mask contains "/input/description" if input.input.description

mask contains sprintf("/input/recipients/%d/court_order/reference", [i]) if {
	some i, recipient in input.input.recipients
	recipient.court_order.reference
}
