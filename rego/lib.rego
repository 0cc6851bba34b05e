# METADATA
# title: Shared helpers for the rules
# description: >-
#   The activity's role, how a reason is built from a rule's METADATA and the policy's clauses,
#   consent, ISO 8601 durations and the evaluation clock. Facts come from data.privacy_policy.
package policyengine.lib

import data.privacy_policy as policy

# Processing on a customer's behalf under the customer's DPA: only the processor, sharing and
# transfer rules apply. (Rules read input.role == "processor" directly where they can: OPA
# indexes such a comparison, so a rule that does not apply costs next to nothing.)
processor if input.role == "processor"

# The company's own processing as controller: every rule applies. Anything but an explicit
# processor role counts as controller, so a misspelt role cannot switch the controller rules off
# (it is also a validation error).
controller if not processor

# reason builds the reason a rule reports, from the rule's METADATA (custom.id and
# custom.clause), a JSON pointer into the input and a message.
reason(meta, path, message) := reason_with_clause(meta, meta.custom.clause, path, message)

# reason_with_clause is reason for a rule whose clause depends on the case (a retention limit
# names its own clause).
reason_with_clause(meta, clause, path, message) := {
	"rule": meta.custom.id,
	"clause": object.get(policy.clauses, [clause, "section"], clause),
	"clause_id": clause,
	"path": path,
	"message": message,
}

# The person's consent is given.
consent_given if input.consent.status == "given"

# The field to fix when consent is missing: its status, or the consent object itself.
default consent_path := "/consent"

consent_path := "/consent/status" if input.consent.status

# How consent stands, in words for a message.
default consent_state := "not recorded"

consent_state := input.consent.status if input.consent.status

# The country is in the EU/EEA.
in_eu_eea(country) if policy.eu_eea_countries[country]

# The evaluation time, in nanoseconds since the epoch: the engine's clock.
now_ns := time.now_ns()

# An RFC 3339 timestamp in nanoseconds since the epoch.
timestamp_ns(ts) := time.parse_rfc3339_ns(upper(ts)) if regex.match(_timestamp_pattern, ts)

_timestamp_pattern := `^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`

_duration_pattern := `^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`

# duration is an ISO 8601 duration (integer fields) as [months, days, seconds]; undefined for
# anything else.
duration(text) := [(n[0] * 12) + n[1], (n[2] * 7) + n[3], ((n[4] * 3600) + (n[5] * 60)) + n[6]] if {
	is_string(text)
	text != "P"
	not endswith(text, "T")
	[match] := regex.find_all_string_submatch_n(_duration_pattern, text, 1)
	n := [_number(part) | some part in array.slice(match, 1, 8)]
}

_number("") := 0

_number(digits) := to_number(digits) if digits != ""

# add_durations adds two durations field by field.
add_durations(a, b) := [a[0] + b[0], a[1] + b[1], a[2] + b[2]]

# add_duration is the time a duration after a start time (nanoseconds). A duration without a
# time part adds no seconds: partial evaluation then leaves no arithmetic to do per person.
add_duration(start_ns, d) := time.add_date(start_ns, 0, d[0], d[1]) if d[2] == 0

add_duration(start_ns, d) := time.add_date(start_ns, 0, d[0], d[1]) + (d[2] * 1000000000) if d[2] != 0

# A duration short enough (at most 200 years) to be added to a date in OPA's time range.
bounded(d) if {
	d[0] <= 2400
	d[1] <= 73050
	d[2] <= 6311390400
}

# The four start dates XML Schema orders durations by (1696-09-01, 1697-02-01, 1903-03-01,
# 1903-07-01): between them they cover short and long months and leap years.
_reference_starts := [-8625484800000000000, -8612265600000000000, -2109283200000000000, -2098742400000000000]

# longer holds when duration a can last longer than duration b: from at least one reference
# start it ends later. So P2Y is not longer than P24M, P730D is not longer than P24M, but P731D is
# (from 1696-09-01, 24 months are 730 days), and P184D is longer than P6M.
longer(a, b) if {
	bounded(a)
	bounded(b)
	some start in _reference_starts
	add_duration(start, a) > add_duration(start, b)
}

longer(a, b) if {
	not bounded(a)
	bounded(b)
}
