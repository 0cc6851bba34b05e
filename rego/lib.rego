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

# The person's consent counts: its status is given, it was not given only after the evaluation
# time (given_at), and it was not withdrawn between its giving and the evaluation time
# (withdrawn_at). GDPR art. 7(3): withdrawal stops consent from counting from then on.
consent_given if {
	input.consent.status == "given"
	not consent_given_later
	not consent_withdrawn
}

# The person's consent counts and covers every purpose of the activity: consent that names the
# purposes it covers (consent.purposes) covers no other (GDPR art. 6(1)(a), "for one or more
# specific purposes").
consent_covers_activity if {
	consent_given
	not consent_uncovered_purpose
}

# Consent that names its purposes leaves one of the activity's purposes out.
consent_uncovered_purpose if {
	some purpose in input.purposes
	not consent_covers(purpose)
}

# consent_covers holds when the person's consent covers a purpose: it names no purposes (so it
# covers those of the activity it was recorded for), or it names this one.
consent_covers(_) if not input.consent.purposes

consent_covers(purpose) if purpose in input.consent.purposes

# Consent recorded as given, but with a given_at after the evaluation time: it counts from then.
consent_given_later if timestamp_ns(input.consent.given_at) > now_ns

# Consent withdrawn at or after it was given, and not after the evaluation time.
consent_withdrawn if {
	withdrawn := timestamp_ns(input.consent.withdrawn_at)
	withdrawn <= now_ns
	not consent_given_after(withdrawn)
}

# consent_given_after holds when consent was given (again) after an instant.
consent_given_after(instant) if timestamp_ns(input.consent.given_at) > instant

# The activity relies on the person's consent: its basis is consent, it markets over a channel
# that needs consent, a business partner receives the data on consent, or the person asked to
# restrict processing and the policy lets consent lift the restriction (GDPR art. 18(2)). The
# consent rules report when the person's consent starts or stops counting for such an activity.
consent_relied_on if input.legal_basis == "consent"

consent_relied_on if {
	some recipient in input.recipients
	recipient_role(recipient) == "business_partner"
	recipient.legal_basis == "consent"
}

consent_relied_on if {
	input.subject.restricted == true
	policy.rights.restriction_lifted_by_consent == true
}

consent_relied_on if {
	input.channel.content == "marketing"
	policy.marketing.consent_channels[input.channel.type]
}

# The field to fix when consent does not count or does not cover the activity.
default consent_path := "/consent"

consent_path := "/consent/status" if {
	input.consent.status
	input.consent.status != "given"
}

consent_path := "/consent/given_at" if {
	input.consent.status == "given"
	consent_given_later
}

consent_path := "/consent/withdrawn_at" if {
	input.consent.status == "given"
	not consent_given_later
	consent_withdrawn
}

consent_path := "/consent/purposes" if {
	consent_given
	consent_uncovered_purpose
}

# How consent stands, in words for a message.
default consent_state := "not recorded"

consent_state := input.consent.status if {
	input.consent.status
	input.consent.status != "given"
}

consent_state := "given only from a later time (given_at is after the evaluation time)" if {
	input.consent.status == "given"
	consent_given_later
}

consent_state := "withdrawn since it was given (withdrawn_at)" if {
	input.consent.status == "given"
	not consent_given_later
	consent_withdrawn
}

consent_state := "given for other purposes (consent.purposes), not for every purpose of the activity" if {
	consent_given
	consent_uncovered_purpose
}

# The role the policy document gives the recipient's type (recipient_types.*.role): which of the
# sharing rules apply to it (authority, subprocessor, business_partner, public, group_company).
# "" for a recipient of no type, or of a type the document does not list or gives no role (never
# undefined: a caller may negate a comparison with it).
recipient_role(recipient) := object.get(policy.recipient_types, [object.get(recipient, "type", ""), "role"], "")

# A court order counts when it names its reference and comes from a court in the EU/EEA, or one
# recognised under an international agreement.
court_order_valid(recipient) if {
	names_court_order(recipient)
	court_order_recognised(recipient.court_order)
}

# The recipient names the court order it gets the data on, by its reference.
names_court_order(recipient) if trim_space(object.get(recipient, ["court_order", "reference"], "")) != ""

# The order comes from a court in the EU/EEA, or one recognised under an international agreement.
court_order_recognised(order) if in_eu_eea(object.get(order, "jurisdiction", ""))

court_order_recognised(order) if order.international_agreement == true

# The country (an ISO 3166-1 alpha-2 code) is inside the EU/EEA: a territory whose status is
# inside (eu_eea_territory, the law's facts beside the document). A code the facts do not list is
# outside: a member state's overseas country or territory, a third country.
in_eu_eea(country) if {
	territory := policy.eu_eea_territory.territories[country]
	policy.eu_eea_territory.statuses[territory.status].inside == true
}

# The evaluation time, in nanoseconds since the epoch: the engine's clock.
now_ns := time.now_ns()

# An RFC 3339 timestamp in nanoseconds since the epoch, in the form the engine passes times to
# the rules: upper-case T and Z, no leap second, a year from 1678 to 2261 (OPA counts time in
# nanoseconds, from 1678 to 2262). The library puts the person's times in that form before it
# asks; an OPA server's decision does so with canonical_times. Nothing else reaches it: the
# library validates and puts times in that form, and an OPA server evaluates without strict
# builtin errors, where a time it cannot parse leaves the rule undefined (the decision's
# validation then refuses the input). One builtin, so that a decision per person, evaluated
# from partial evaluation's residual, parses each time once and matches no pattern.
timestamp_ns(ts) := time.parse_rfc3339_ns(ts)

# any_timestamp_ns is timestamp_ns of a time in any form RFC 3339 allows (through
# canonical_time): how a server deciding by declaration id reads the person's times, which it
# does not put in canonical form first. Undefined for what is not RFC 3339. A time already in
# canonical form is matched once and parsed.
any_timestamp_ns(ts) := timestamp_ns(ts) if {
	regex.match(_canonical_timestamp_pattern, ts)
} else := timestamp_ns(_canonical_time(ts)) if {
	regex.match(_any_timestamp_pattern, ts)
}

# canonical_time is an RFC 3339 timestamp in the form timestamp_ns reads, the same instant:
# t and z in upper case; a leap second (23:59:60 in UTC, the only place RFC 3339 allows one) as
# the first instant of the next second; a year before 1678 as the clock's first instant
# (1678-01-01T00:00:00Z), one after 2261 as its last (2261-12-31T23:59:59Z). Undefined for what is
# not RFC 3339 in form, an offset out of range, a leap second anywhere but 23:59:60 in UTC, and a
# time it rewrites whose date or time is out of range (a time in canonical form is parsed by
# timestamp_ns, which is undefined for those). any_timestamp_ns is defined for exactly the
# date-times the library accepts (its schema's date-time format; a Go test holds them equal).
# A decision by declaration id puts every time of the person's state through it on every
# request: a time already in that form (upper case, a year from 1700 to 2199, no leap second)
# is matched once and kept.
canonical_time(ts) := ts if {
	regex.match(_canonical_timestamp_pattern, ts)
} else := _canonical_time(ts) if {
	regex.match(_any_timestamp_pattern, ts)
}

_canonical_timestamp_pattern := `^(1[7-9]|2[01])\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`

_canonical_time(ts) := "1678-01-01T00:00:00Z" if {
	to_number(substring(ts, 0, 4)) < 1678
	_in_clock(_in_a_year_like_it(ts))
} else := "2261-12-31T23:59:59Z" if {
	to_number(substring(ts, 0, 4)) > 2261
	_in_clock(_in_a_year_like_it(ts))
} else := _in_clock(ts)

# _in_clock is canonical_time of a time whose year OPA's clock holds, parsed: undefined when it
# does not parse, or when it is a leap second anywhere but 23:59:60 in UTC.
_in_clock(ts) := time.format(ns) if {
	substring(ts, 17, 2) == "60"
	ns := time.parse_rfc3339_ns(concat("", [substring(upper(ts), 0, 17), "59", substring(upper(ts), 19, -1)])) + 1000000000
	time.clock([ns, "UTC"]) == [0, 0, 0]
} else := upper(ts) if {
	substring(ts, 17, 2) != "60"
	time.parse_rfc3339_ns(upper(ts))
}

# _in_a_year_like_it is a time of a year OPA's clock cannot hold, moved to a year it holds with
# the same days (2000 for a leap year, 2001 otherwise), so that its month, day and time are
# checked as the year's own would be.
_in_a_year_like_it(ts) := concat("", [_year_like(to_number(substring(ts, 0, 4))), substring(ts, 4, -1)])

_year_like(year) := "2000" if {
	year % 4 == 0
	not _century_not_leap(year)
} else := "2001"

_century_not_leap(year) if {
	year % 100 == 0
	year % 400 != 0
}

_any_timestamp_pattern := `^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$`

# time_field says a field of the activity holds an RFC 3339 date-time: a key ending in _at of one
# of time_objects (the person's state). The activity schema's date-times are exactly these (a Go
# test holds them equal), so a stock OPA server, which has no schema, knows them too.
time_field(object, field) if {
	object in time_objects
	endswith(field, "_at")
}

# time_objects are the objects of the activity that hold times: consent and subject.
time_objects := {"consent", "subject"}

# canonical_times is an activity with the times of the person's state in canonical form (a
# time that is not RFC 3339 is left as it is, for the validation to refuse).
canonical_times(doc) := object.union(doc, {key: object.union(fields, _canonical_fields(key, fields)) |
	some key in time_objects
	fields := doc[key]
	is_object(fields)
}) if is_object(doc)

canonical_times(doc) := doc if not is_object(doc)

_canonical_fields(key, fields) := {name: canonical_time(value) |
	some name, value in fields
	time_field(key, name)
}

# The first and last instants the clock holds: 1678-01-01T00:00:00Z and 2261-12-31T23:59:59Z.
earliest_ns := -9214560000000000000

latest_ns := 9214646399000000000

_duration_pattern := `^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`

# duration is an ISO 8601 duration (integer fields) as [months, days, seconds]; undefined for
# anything else. The forms most periods take (years, months or days alone: P6M, P2Y, P90D) are
# read without a regular expression.
duration(text) := [to_number(_single(text, "Y")) * 12, 0, 0] if {
	is_string(text)
	_single(text, "Y")
} else := [to_number(_single(text, "M")), 0, 0] if {
	is_string(text)
	_single(text, "M")
} else := [0, to_number(_single(text, "D")), 0] if {
	is_string(text)
	_single(text, "D")
} else := [(n[0] * 12) + n[1], (n[2] * 7) + n[3], ((n[4] * 3600) + (n[5] * 60)) + n[6]] if {
	is_string(text)
	text != "P"
	not endswith(text, "T")
	[match] := regex.find_all_string_submatch_n(_duration_pattern, text, 1)
	n := [_number(part) | some part in array.slice(match, 1, 8)]
}

# The digits of a duration of one date unit alone (P6M: "6" for M).
_single(text, unit) := digits if {
	startswith(text, "P")
	endswith(text, unit)
	digits := substring(text, 1, count(text) - 2)
	digits != ""
	trim_left(digits, "0123456789") == ""
}

_number("") := 0

_number(digits) := to_number(digits) if digits != ""

# add_durations adds two durations field by field.
add_durations(a, b) := [a[0] + b[0], a[1] + b[1], a[2] + b[2]]

# add_duration is the time a duration after a start time (nanoseconds); undefined when that
# lies beyond the clock's last instant (counting a month as 31 days, with a day to spare), where
# it is never before the evaluation time. (One definition, for partial evaluation.)
#
# The calendar is UTC's, whatever offset the time was written with: one instant, one answer.
# Months are added first, and a day the last month does not have becomes its last day (P1M from
# 31 January is 28 or 29 February, P1Y from 29 February is 28 February): the day a period "should
# expire [that] does not occur in the last month" ends it on that month's last day (Regulation
# (EEC, Euratom) No 1182/71 art. 3(2)(c)), as XML Schema adds durations. Then days, then seconds.
add_duration(start_ns, d) := _add(start_ns, d) if {
	start_ns < latest_ns - ((((((d[0] * 31) + d[1]) + 1) * 86400) + d[2]) * 1000000000)
}

# _add is add_duration for a start known to leave room (the reference starts of longer): the
# months added to the start, or the last day of the month they reach where that month has fewer
# days than the start's (the earlier of the two, at the start's clock time: Go's calendar
# carries 31 February into March), then the days and seconds (a day in UTC is 86,400 s).
_add(start_ns, d) := min([time.add_date(start_ns, 0, d[0], 0), time.add_date(start_ns, 0, d[0] + 1, 0 - time.date(start_ns)[2])]) + (((d[1] * 86400) + d[2]) * 1000000000)

# A duration no greater than another in each field (months, days, seconds) never lasts longer,
# whatever the start: longer need not count it out.
_field_by_field_at_most(a, b) if {
	a[0] <= b[0]
	a[1] <= b[1]
	a[2] <= b[2]
}

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
	not _field_by_field_at_most(a, b)
	some start in _reference_starts
	_add(start, a) > _add(start, b)
}

longer(a, b) if {
	not bounded(a)
	bounded(b)
}
