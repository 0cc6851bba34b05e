# METADATA
# title: Retention
# description: >-
#   How long personal data may be kept. Every controller activity declares a retention period;
#   where the policy sets a limit (recruitment, marketing contacts), the period stays within it
#   and data past it is already due for deletion.
package policyengine.rules.retention

import data.policyengine.lib
import data.privacy_policy as policy

# METADATA
# title: A retention period is declared
# description: >-
#   The company stores personal data only as long as required for the purpose. A controller activity
#   must say how long it keeps the data. To pass: set retention.period (and retention.from).
# custom:
#   id: retention.missing
#   clause: retention
deny contains reason if {
	not input.retention.period
	lib.controller
	reason := lib.reason(
		rego.metadata.rule(),
		_missing_path,
		"the activity declares no retention period; say how long the data is kept",
	)
}

_missing_path := "/retention/period" if input.retention

_missing_path := "/retention" if not input.retention

# METADATA
# title: The retention period is within the policy's limit
# description: >-
#   The policy limits how long some data is kept: {retention_limits}. A longer period is
#   denied, and so is one that runs from another event, unless that event can never fall after
#   the limit's own (retention.earlier_events, this project's reading of the order of events). To
#   pass: shorten the period, run it from the limit's event or an earlier one, or (where the
#   policy allows) record the agreed extension.
# custom:
#   id: retention.exceeds_limit
#   clause: retention
deny contains reason if {
	some key, message in _limit_problems
	lib.controller
	[name, path] := key
	reason := lib.reason_with_clause(rego.metadata.rule(), policy.retention.limits[name].clause, path, message)
}

# Each way the declared retention breaks a limit, keyed by [limit name, path].
_limit_problems[[name, "/retention/period"]] := message if {
	some name, limit in applicable_limits
	period := _period
	lib.longer(period, allowed_period(limit))
	message := sprintf("retention %s is longer than the policy's %s limit of %s from %s", [
		input.retention.period, name, _allowed_text(limit), limit.from,
	])
}

_limit_problems[[name, "/retention/from"]] := message if {
	some name, limit in applicable_limits
	allowed_period(limit)
	from := input.retention.from
	from != limit.from
	not policy.retention.earlier_events[limit.from][from]
	message := sprintf("retention runs from %s, but the policy's %s limit runs from %s", [from, name, limit.from])
}

# METADATA
# title: A retention period right at its limit is flagged
# description: >-
#   A retention period exactly as long as the policy's limit leaves no margin: any delay in
#   deleting the data breaks the policy. The activity is flagged. A warning: it never denies. To
#   clear it: choose a shorter period.
# custom:
#   id: retention.at_limit
#   clause: retention
warn contains reason if {
	some name, limit in applicable_limits
	lib.controller
	allowed := allowed_period(limit)
	period := _period
	not lib.longer(period, allowed)
	not lib.longer(allowed, period)
	reason := lib.reason_with_clause(
		rego.metadata.rule(),
		limit.clause,
		"/retention/period",
		sprintf("retention %s is exactly the policy's %s limit of %s: deletion has no margin", [input.retention.period, name, _allowed_text(limit)]),
	)
}

# METADATA
# title: A long retention period without a limit of the policy's is flagged
# description: >-
#   For data without a limit of its own the policy says it is kept "as long as necessary to
#   fulfill the purpose of the processing". The policy document may set a review threshold for
#   such data (retention.review_threshold): this project's reading, not the policy's text. A
#   declared period longer than the threshold, on an activity no limit of the policy applies
#   to, is flagged. A warning: it never denies. To clear it: shorten the period, or record why
#   the purpose needs it and raise the threshold in the policy document.
# custom:
#   id: retention.unbounded
#   clause: retention
warn contains reason if {
	lib.controller
	count(applicable_limits) == 0
	lib.longer(_period, _review_threshold)
	reason := lib.reason(
		rego.metadata.rule(),
		"/retention/period",
		sprintf("the retention period is longer than the review threshold of %s the policy document sets for data without a limit of its own", [policy.retention.review_threshold]),
	)
}

_review_threshold := lib.duration(policy.retention.review_threshold)

# The declared retention period, read once.
_period := lib.duration(input.retention.period)

# METADATA
# title: Data past its retention limit is already deleted
# description: >-
#   Data the policy says is deleted a set time after an event must not be processed once that
#   time has passed. Where the subject's clock of a limit (retention.limits.*.subject_clock:
#   {subject_clocks}) plus the limit and any agreed extension lies before the evaluation time,
#   the activity is denied. To pass: delete the data; do not process it.
# custom:
#   id: retention.expired
#   clause: retention
#   requires: the person's data is still within the retention limit
#   declared_at: /retention/period
deny contains reason if {
	some name, limit in applicable_limits
	lib.controller
	_deletion_due_ns(limit) < lib.now_ns
	reason := lib.reason_with_clause(
		rego.metadata.rule(),
		limit.clause,
		sprintf("/subject/%s", [limit.subject_clock]),
		sprintf("the policy's %s limit (%s from %s) has passed for this person: the data should already be deleted", [name, _allowed_text(limit), limit.from]),
	)
}

# The instant a limit has passed for this person: their clock plus the limit (and any agreed
# extension).
_deletion_due_ns(limit) := lib.add_duration(lib.timestamp_ns(input.subject[limit.subject_clock]), allowed) if {
	allowed := allowed_period(limit)
	lib.bounded(allowed)
}

# The decision changes once a limit has passed.
changes_at contains after if {
	some limit in applicable_limits
	lib.controller
	after := _deletion_due_ns(limit) + 1
	after > lib.now_ns
}

# The policy's retention limits that apply to this activity: it lists one of the limit's
# purposes or data subjects.
applicable_limits[name] := limit if {
	some purpose in input.purposes
	some name, limit in policy.retention.limits
	limit.applies_to.purposes[purpose]
}

applicable_limits[name] := limit if {
	some subject in input.data_subjects
	some name, limit in policy.retention.limits
	limit.applies_to.data_subjects[subject]
}

# An extension agreed with the person, where the limit allows one ("unless otherwise agreed").
extension_agreed(limit) if {
	limit.extension_allowed == true
	trim_space(input.retention.agreed_extension.reference) != ""
}

# The longest the data may be kept under a limit: the limit, plus the period of an agreed
# extension. An extension agreed with no period sets no bound, so the limit is not checked.
allowed_period(limit) := lib.duration(limit.period) if not extension_agreed(limit)

allowed_period(limit) := lib.add_durations(lib.duration(limit.period), lib.duration(input.retention.agreed_extension.period)) if {
	extension_agreed(limit)
}

_allowed_text(limit) := sprintf("%s plus the agreed extension of %s", [limit.period, input.retention.agreed_extension.period]) if {
	extension_agreed(limit)
}

_allowed_text(limit) := limit.period if not extension_agreed(limit)
