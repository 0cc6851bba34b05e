package policyengine.rules.minors_test

import data.policyengine.rules.minors

# A learner enrolled in a course.
learner(subject, basis, consent) := {
	"id": "course",
	"data_subjects": ["learner"],
	"data_categories": ["name", "course_progress"],
	"purposes": ["learning.courses"],
	"legal_basis": basis,
	"consent": {"status": consent},
	"retention": {"period": "P36M", "from": "account_closure"},
	"subject": subject,
}

# "We do not process the personal data of a child under 13 without the consent of a parent or
# guardian."
test_a_child_on_contract_is_denied if {
	{r.rule | some r in minors.deny} == {"minors.parental_consent"} with input as learner({"age": 11}, "contract", "unknown")
}

test_a_child_whose_parent_withdrew_consent_is_denied if {
	count(minors.deny) == 1 with input as learner({"age": 12}, "consent", "withdrawn")
}

test_a_child_with_a_parents_consent_is_allowed if {
	count(minors.deny) == 0 with input as learner({"age": 11}, "consent", "given")
}

test_a_learner_of_13_or_older_is_allowed if {
	count(minors.deny) == 0 with input as learner({"age": 13}, "contract", "unknown")
	count(minors.deny) == 0 with input as learner({}, "contract", "unknown")
}
