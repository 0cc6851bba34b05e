package policyengine.lib_test

import data.policyengine.lib

ns(timestamp) := time.parse_rfc3339_ns(timestamp)

# "In these cases, Confect acts as a data processor": otherwise Confect is the controller.
test_activity_without_role_is_controller if {
	lib.controller with input as {"id": "a"}
	not lib.processor with input as {"id": "a"}
}

test_activity_with_role_processor_is_processor if {
	lib.processor with input as {"role": "processor"}
	not lib.controller with input as {"role": "processor"}
}

# A reason names the rule, the policy section it enforces and the field to fix.
test_reason_reports_the_clause_section if {
	meta := {"custom": {"id": "category.sensitive", "clause": "sensitive-data"}}
	lib.reason(meta, "/data_categories/0", "no") == {
		"rule": "category.sensitive",
		"clause": data.privacy_policy.clauses["sensitive-data"].section,
		"clause_id": "sensitive-data",
		"path": "/data_categories/0",
		"message": "no",
	}
}

test_reason_with_a_clause_the_policy_lacks_reports_the_clause_id if {
	reason := lib.reason_with_clause({"custom": {"id": "x.y"}}, "no-such-clause", "/id", "no")
	reason.clause == "no-such-clause"
}

# "You always have the option to withdraw your consent after it has been given."
test_consent_is_given_only_with_status_given if {
	lib.consent_given with input as {"consent": {"status": "given"}}
	not lib.consent_given with input as {"consent": {"status": "withdrawn"}}
	not lib.consent_given with input as {}
}

test_missing_consent_is_reported_at_the_consent_object if {
	lib.consent_path == "/consent" with input as {}
	lib.consent_state == "not recorded" with input as {}
}

test_consent_with_a_status_is_reported_at_the_status if {
	lib.consent_path == "/consent/status" with input as {"consent": {"status": "refused"}}
	lib.consent_state == "refused" with input as {"consent": {"status": "refused"}}
}

# "If subprocessors are located outside the EU/EEA": the EU 27 plus Iceland, Liechtenstein,
# Norway, as territories (TEU art. 52(1), TFEU art. 349 and 355, the EEA Agreement).
test_the_eu_eea_is_its_member_and_eea_states if {
	states := {code |
		some code, territory in data.privacy_policy.eu_eea_territory.territories
		territory.status in {"member_state", "eea_state"}
	}
	count(states) == 30
	every code in states {
		lib.in_eu_eea(code)
	}
}

# TFEU art. 349 and 355(1): the outermost regions are part of the EU; 355(4): so is Åland.
test_outermost_regions_and_aland_are_inside_the_eu_eea if {
	every code in ["GP", "GF", "MQ", "RE", "YT", "MF", "AX"] {
		lib.in_eu_eea(code)
	}
}

# TFEU art. 355(2) and annex II: overseas countries and territories are associated, not part of
# the EU; 355(5)(a): the Treaties do not apply to the Faroe Islands; EEA Protocol 40: nor the EEA
# Agreement to Svalbard.
test_territories_of_member_states_outside_the_treaties_are_outside if {
	every code in ["GL", "FO", "NC", "PF", "TF", "WF", "PM", "BL", "AW", "CW", "SX", "BQ", "SJ"] {
		not lib.in_eu_eea(code)
	}
}

# Every territory the facts list is inside or outside by its status, and nothing else.
test_a_territory_is_inside_exactly_when_its_status_is if {
	every code, territory in data.privacy_policy.eu_eea_territory.territories {
		inside(code) == data.privacy_policy.eu_eea_territory.statuses[territory.status].inside
	}
}

inside(code) if lib.in_eu_eea(code)

default inside(_) := false

# The territory is data: a status marked outside takes its territories out.
test_the_territory_is_read_from_the_facts if {
	not lib.in_eu_eea("RE") with data.privacy_policy.eu_eea_territory.statuses.outermost_region.inside as false
	lib.in_eu_eea("XK") with data.privacy_policy.eu_eea_territory.territories.XK as {"name": "Test", "status": "member_state", "source": "a test"}
}

# A territory of unknown status is outside: it fails closed.
test_a_territory_of_no_known_status_is_outside if {
	not lib.in_eu_eea("RE") with data.privacy_policy.eu_eea_territory.territories.RE.status as "mystery"
}

test_switzerland_uk_and_us_are_outside_the_eu_eea if {
	every country in ["CH", "GB", "US", "", "se"] {
		not lib.in_eu_eea(country)
	}
}

# "a maximum of 6 months after the last application date", "no later than 24 months after the
# last recorded activity": ISO 8601 durations as [months, days, seconds].
test_duration_of_months if {
	lib.duration("P6M") == [6, 0, 0]
	lib.duration("P24M") == [24, 0, 0]
}

test_duration_of_years_is_in_months if {
	lib.duration("P2Y") == [24, 0, 0]
}

test_duration_of_weeks_is_in_days if {
	lib.duration("P2W") == [0, 14, 0]
}

test_duration_of_time_is_in_seconds if {
	lib.duration("PT1H30M") == [0, 0, 5400]
}

test_duration_with_every_field if {
	lib.duration("P1Y2M3W4DT5H6M7S") == [14, 25, 18367]
}

test_duration_of_zero if {
	lib.duration("P0D") == [0, 0, 0]
}

test_malformed_duration_is_undefined if {
	every text in ["P", "PT", "P1YT", "P1.5Y", "6M", "P6m", "6 months", "", "P-6M", "PT6", " P6M"] {
		not lib.duration(text)
	}
}

test_duration_of_a_non_string_is_undefined if {
	every value in [6, null, true, ["P6M"]] {
		not lib.duration(value)
	}
}

test_durations_add_field_by_field if {
	lib.add_durations([6, 1, 2], [6, 10, 20]) == [12, 11, 22]
}

test_duration_after_a_time if {
	lib.add_duration(ns("2025-01-15T00:00:00Z"), [6, 1, 3600]) == ns("2025-07-16T01:00:00Z")
}

# longer: a period that, from some start date, ends later than the limit exceeds it.
test_two_years_is_not_longer_than_24_months if {
	not lib.longer(lib.duration("P2Y"), lib.duration("P24M"))
	not lib.longer(lib.duration("P24M"), lib.duration("P2Y"))
}

test_25_months_and_3_years_are_longer_than_24_months if {
	lib.longer(lib.duration("P25M"), lib.duration("P24M"))
	lib.longer(lib.duration("P3Y"), lib.duration("P24M"))
}

test_730_days_is_not_longer_than_24_months if {
	not lib.longer(lib.duration("P730D"), lib.duration("P24M"))
}

test_731_days_is_longer_than_24_months if {
	lib.longer(lib.duration("P731D"), lib.duration("P24M"))
}

test_24_months_can_be_longer_than_730_days_across_a_leap_day if {
	lib.longer(lib.duration("P24M"), lib.duration("P730D"))
}

test_6_months_is_not_longer_than_itself if {
	not lib.longer(lib.duration("P6M"), lib.duration("P6M"))
}

test_180_days_is_not_longer_than_6_months if {
	not lib.longer(lib.duration("P180D"), lib.duration("P6M"))
}

test_more_than_6_months_is_longer_than_6_months if {
	every text in ["P7M", "P6M1D", "P6MT1S", "P184D", "P1Y"] {
		lib.longer(lib.duration(text), lib.duration("P6M"))
	}
}

test_shorter_durations_are_not_longer if {
	not lib.longer(lib.duration("P5M"), lib.duration("P6M"))
	not lib.longer(lib.duration("P23M"), lib.duration("P730D"))
}

test_unbounded_duration_is_longer_than_any_limit if {
	lib.longer(lib.duration("P1000Y"), lib.duration("P24M"))
	not lib.longer(lib.duration("P24M"), lib.duration("P1000Y"))
	not lib.bounded(lib.duration("P1000Y"))
	lib.bounded(lib.duration("P200Y"))
}

# The evaluation clock is the engine's, and tests replace it.
test_now_is_the_engine_clock if {
	lib.now_ns == ns("2025-06-01T12:00:00Z") with time.now_ns as ns("2025-06-01T12:00:00Z")
}

test_timestamps_are_rfc3339 if {
	lib.timestamp_ns("2025-01-15T09:30:00+01:00") == ns("2025-01-15T08:30:00Z")
	not lib.timestamp_ns("2025-01-15")
}

# RFC 3339 allows t and z in lower case, and leap seconds; OPA's clock runs from 1678 to 2262.
# canonical_time puts a time in the one form timestamp_ns reads, the same instant.
test_times_in_any_case_are_read if {
	lib.canonical_time("2026-01-28t12:00:00z") == "2026-01-28T12:00:00Z"
	lib.timestamp_ns(lib.canonical_time("2026-01-28t12:00:00.5+01:00")) == time.parse_rfc3339_ns("2026-01-28T11:00:00.5Z")
	not lib.timestamp_ns("2026-01-28t12:00:00z")
}

test_a_leap_second_is_the_first_instant_of_the_next_second if {
	lib.timestamp_ns(lib.canonical_time("2016-12-31T23:59:60Z")) == time.parse_rfc3339_ns("2017-01-01T00:00:00Z")
	lib.timestamp_ns(lib.canonical_time("2016-12-31T18:59:60.5-05:00")) == time.parse_rfc3339_ns("2017-01-01T00:00:00.5Z")
	not lib.timestamp_ns("2016-12-31T23:59:60Z")
}

test_times_beyond_the_clock_count_as_its_first_or_last_instant if {
	lib.timestamp_ns(lib.canonical_time("0001-01-01T00:00:00Z")) == lib.earliest_ns
	lib.timestamp_ns(lib.canonical_time("9999-12-31T23:59:59Z")) == lib.latest_ns
	lib.timestamp_ns(lib.canonical_time("1678-01-01T00:00:00Z")) == lib.earliest_ns
	lib.timestamp_ns(lib.canonical_time("2261-12-31T23:59:59Z")) == lib.latest_ns
}

test_what_is_not_rfc_3339_has_no_canonical_form if {
	not lib.canonical_time("2026-01-28 12:00:00Z")
	not lib.canonical_time("2026-01-28T12:00:60Z") # a leap second at noon
	not lib.canonical_time("2016-12-31T23:59:60+01:00") # 22:59:60 in UTC
	not lib.canonical_time("2026-01-28T12:00:00+24:00")
	not lib.canonical_time("2026-01-28T12:00:00+23:60")
	not lib.any_timestamp_ns("2026-04-31T12:00:00Z")
	not lib.canonical_time("1500-02-29T00:00:00Z") # 1500 is no leap year, beyond the clock or not
	not lib.canonical_time("1500-13-45T99:99:99Z")
	not lib.canonical_time("9999-12-31T12:00:60Z")
	lib.canonical_time("1600-02-29T00:00:00Z") == "1678-01-01T00:00:00Z"
	lib.canonical_time("9999-12-31T18:59:60-05:00") == "2261-12-31T23:59:59Z"
}

test_canonical_times_rewrites_only_the_persons_times if {
	activity := {
		"id": "2026-01-28t12:00:00z",
		"consent": {"status": "given", "given_at": "2016-12-31T23:59:60Z"},
		"subject": {"age": 30, "last_activity_at": "2026-01-28t12:00:00z"},
	}
	lib.canonical_times(activity) == {
		"id": "2026-01-28t12:00:00z",
		"consent": {"status": "given", "given_at": "2017-01-01T00:00:00Z"},
		"subject": {"age": 30, "last_activity_at": "2026-01-28T12:00:00Z"},
	}
	lib.canonical_times([1]) == [1]
}

test_a_duration_past_the_clocks_end_ends_never if {
	not lib.add_duration(lib.latest_ns, lib.duration("P1D"))
	not lib.add_duration(time.parse_rfc3339_ns("2200-01-01T00:00:00Z"), lib.duration("P100Y"))
	lib.add_duration(lib.earliest_ns, lib.duration("P1D")) == lib.earliest_ns + ((24 * 3600) * 1000000000)
}

test_full_iso_8601_durations_are_read if {
	lib.duration("P1Y15D") == [12, 15, 0]
	lib.duration("P2M10D") == [2, 10, 0]
	lib.duration("PT36H") == [0, 0, 129600]
	lib.duration("P2Y1D") == [24, 1, 0]
}

# Month arithmetic across month ends (the issue's edges): months first, a day the last month does
# not have becomes its last day (Regulation 1182/71 art. 3(2)(c)), then days and seconds; in UTC.
at(ts) := time.parse_rfc3339_ns(ts)

test_a_month_from_the_31st_of_january_ends_on_the_last_day_of_february if {
	lib.add_duration(at("2027-01-31T10:00:00Z"), [1, 0, 0]) == at("2027-02-28T10:00:00Z")
	lib.add_duration(at("2028-01-31T10:00:00Z"), [1, 0, 0]) == at("2028-02-29T10:00:00Z")
	lib.add_duration(at("2027-03-31T10:00:00Z"), [1, 0, 0]) == at("2027-04-30T10:00:00Z")
	lib.add_duration(at("2027-01-28T10:00:00Z"), [1, 0, 0]) == at("2027-02-28T10:00:00Z")
	lib.add_duration(at("2027-08-31T10:00:00Z"), [6, 0, 0]) == at("2028-02-29T10:00:00Z")
}

test_a_year_from_the_29th_of_february_ends_on_the_28th_unless_it_is_a_leap_year if {
	lib.add_duration(at("2024-02-29T00:00:00Z"), lib.duration("P1Y")) == at("2025-02-28T00:00:00Z")
	lib.add_duration(at("2024-02-29T00:00:00Z"), lib.duration("P4Y")) == at("2028-02-29T00:00:00Z")
}

test_months_are_added_before_days_and_seconds if {
	lib.add_duration(at("2027-01-31T10:00:00Z"), lib.duration("P1M1D")) == at("2027-03-01T10:00:00Z")
	lib.add_duration(at("2027-01-31T23:00:00Z"), lib.duration("P1MT2H")) == at("2027-03-01T01:00:00Z")
	lib.add_duration(at("2027-01-31T10:00:00Z"), lib.duration("P30D")) == at("2027-03-02T10:00:00Z")
}

# The calendar is UTC's: 1 March 01:00 at UTC+2 is 28 February 23:00 UTC, and a month from it
# is 28 March 23:00 UTC (in its own offset it would have been 1 April 01:00, three days later).
test_month_arithmetic_is_in_utc_whatever_the_offset if {
	lib.add_duration(at("2027-03-01T01:00:00+02:00"), [1, 0, 0]) == at("2027-03-28T23:00:00Z")
	lib.add_duration(at("2027-03-01T01:00:00+02:00"), [1, 0, 0]) == lib.add_duration(at("2027-02-28T23:00:00Z"), [1, 0, 0])
}
