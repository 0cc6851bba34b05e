# METADATA
# title: The company as processor
# description: >-
#   In its services the company processes a customer's data on the customer's behalf, under the
#   customer's data processing agreement. Only this rule and the sharing and transfer rules apply
#   to such an activity.
package policyengine.rules.processor

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: Processing for a customer names the customer's DPA
# description: >-
#   Where the company acts as a data processor, how the data is processed is set by the data
#   processing agreement for that service. A processor activity must name it. To pass: set
#   customer_dpa to the agreement's reference.
# custom:
#   id: processor.no_customer_dpa
#   clause: processor
deny contains reason if {
	input.role == "processor"
	not _names_dpa
	reason := lib.reason(
		rego.metadata.rule(),
		"/customer_dpa",
		sprintf("%s acts as processor here, but no customer data processing agreement is named", [policy.organisation]),
	)
}

_names_dpa if trim_space(input.customer_dpa) != ""
