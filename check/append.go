package check

// Append adds a result to the report and counts it in the summary as Run does: for a report
// made of other results than a run's (policyengine drift's findings at the code), rendered by the
// same formats.
func (rep *Report) Append(r Result) {
	rep.Results = append(rep.Results, r)
	rep.count(r)
}
