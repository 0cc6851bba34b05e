package policyengine.rules.retention_test

import data.policyengine.fixtures
import data.policyengine.lib
import data.policyengine.rules.retention

# The base activity, with retention kept (a retention object).
keeping(kept) := object.union(fixtures.without(["retention"]), {"retention": kept})

# A recruitment activity about a job applicant, with retention kept (a retention object).
recruitment(kept) := object.union(keeping(kept), {
	"id": "recruitment",
	"data_subjects": ["job_applicant"],
	"data_categories": ["name", "email", "cv", "job_application"],
	"purposes": ["recruitment.applications"],
})

# A marketing activity about leads, with retention kept (a retention object).
marketing(kept) := object.union(keeping(kept), {
	"id": "newsletter",
	"data_subjects": ["lead"],
	"data_categories": ["name", "email"],
	"purposes": ["marketing.materials"],
	"legal_basis": "legitimate_interest",
})

# Retention at exactly the policy's limits, from their events, as the document sets them
# (Confect's: six months for recruitment, twenty-four for marketing), so that the tests hold for a
# document of the same shape with other limits.
limits := data.privacy_policy.retention.limits

six_months := {"period": limits.recruitment.period, "from": limits.recruitment.from}

twenty_four_months := {"period": limits.marketing.period, "from": limits.marketing.from}

# The marketing limit in whole months (a limit of months or years, as Confect's is).
marketing_months := lib.duration(limits.marketing.period)[0]

# The marketing limit written in years, and in the fewest days it can span (a year is at least
# 365 days, a month at least 28).
marketing_in_years := sprintf("P%dY", [marketing_months / 12]) if marketing_months % 12 == 0

# The fewest days n months span from any of the reference dates periods are compared from (see
# lib.duration_leq): a period of as many days is within n months, one day more is not.
fewest_days(n) := min({d | some date in reference_dates; d := (time.add_date(ns(date), 0, n, 0) - ns(date)) / 86400000000000})

reference_dates := ["1696-09-01T00:00:00Z", "1697-02-01T00:00:00Z", "1903-03-01T00:00:00Z", "1903-07-01T00:00:00Z"]

days(n) := sprintf("P%sD", [format_int(n, 10)])

marketing_days := fewest_days(marketing_months)

marketing_in_days := days(marketing_days)

# Periods just beyond the marketing limit: a day more than it can be short (Confect's: 731 days),
# a month more, a year more.
marketing_beyond_days := days(marketing_days + 1)

marketing_beyond_months := sprintf("P%dM", [marketing_months + 1])

marketing_beyond_years := sprintf("P%sY", [format_int(floor(marketing_months / 12) + 1, 10)])

# A day before, and a day after, the marketing limit has run from a lead's last activity.
within_marketing_limit(timestamp) := time.add_date(ns(timestamp), 0, marketing_months, -1)

past_marketing_limit(timestamp) := time.add_date(ns(timestamp), 0, marketing_months, 1)

# The recruitment limit in whole months, and periods just beyond it: a month more, a day more,
# more days than its months can hold, a year more.
recruitment_months := lib.duration(limits.recruitment.period)[0]

months(n) := sprintf("P%dM", [n])

beyond_recruitment := [
	months(recruitment_months + 1),
	sprintf("P%dM1D", [recruitment_months]),
	days(fewest_days(recruitment_months) + 1),
	sprintf("P%sY", [format_int(floor(recruitment_months / 12) + 1, 10)]),
]

# As many days as the recruitment limit can be short (Confect's: 181).
recruitment_in_days := days(fewest_days(recruitment_months))

# Twice the limit (Confect's: twelve months): the limit and as much again agreed with the
# applicant.
extended := {
	"period": months(2 * recruitment_months), "from": "last_application_date",
	"agreed_extension": {"reference": "talent-pool consent 2025-02", "period": limits.recruitment.period},
}

# An applicant's clock from timestamp plus n months and s seconds.
after_applying(timestamp, n, s) := time.add_date(ns(timestamp), 0, n, 0) + (s * 1000000000)

ns(timestamp) := time.parse_rfc3339_ns(timestamp)

too_long := {["retention.exceeds_limit", "/retention/period"]}

# "Confect stores your personal data only as long as required to fulfill our contractual
# obligations": every activity says how long that is.
test_order_data_kept_five_years_after_end_of_contract_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as fixtures.activity
}

test_activity_without_retention_is_denied if {
	result := retention.deny with input as fixtures.without(["retention"])
	fixtures.findings(result) == {["retention.missing", "/retention"]}
}

test_retention_without_period_is_denied if {
	result := retention.deny with input as keeping({"from": "end_of_contract"})
	fixtures.findings(result) == {["retention.missing", "/retention/period"]}
}

test_empty_retention_is_denied_at_its_period if {
	result := retention.deny with input as keeping({})
	fixtures.findings(result) == {["retention.missing", "/retention/period"]}
}

# "These personal data will be deleted no later than 24 months after the last recorded activity."
test_marketing_data_kept_24_months_after_last_activity_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as marketing(twenty_four_months)
}

test_marketing_data_kept_two_years_is_as_long_as_24_months if {
	fixtures.findings(retention.deny) == set() with input as marketing({"period": marketing_in_years, "from": "last_activity"})
}

test_marketing_data_kept_730_days_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as marketing({"period": marketing_in_days, "from": "last_activity"})
}

test_marketing_data_kept_731_days_is_denied if {
	result := retention.deny with input as marketing({"period": marketing_beyond_days, "from": "last_activity"})
	fixtures.findings(result) == too_long
}

test_marketing_data_kept_25_months_is_denied if {
	result := retention.deny with input as marketing({"period": marketing_beyond_months, "from": "last_activity"})
	fixtures.findings(result) == too_long
}

test_marketing_data_kept_three_years_is_denied if {
	result := retention.deny with input as marketing({"period": marketing_beyond_years, "from": "last_activity"})
	fixtures.findings(result) == too_long
}

# Data is collected before the last recorded activity (retention.earlier_events): a period from
# collection that is no longer than the limit deletes the data no later than the limit does.
test_marketing_data_kept_from_collection_within_the_limit_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as marketing({"period": twenty_four_months.period, "from": "collection"})
	fixtures.findings(retention.deny) == set() with input as marketing({"period": "P1M", "from": "collection"})
}

test_marketing_data_kept_from_collection_beyond_the_limit_is_denied if {
	result := retention.deny with input as marketing({"period": marketing_beyond_years, "from": "collection"})
	fixtures.findings(result) == too_long
}

test_marketing_data_kept_from_an_event_that_may_come_later_is_denied if {
	result := retention.deny with input as marketing({"period": "P12M", "from": "end_of_contract"})
	fixtures.findings(result) == {["retention.exceeds_limit", "/retention/from"]}
}

# Interview notes are collected after the last application date: collection is not earlier.
test_recruitment_data_kept_from_collection_is_denied if {
	result := retention.deny with input as recruitment({"period": "P3M", "from": "collection"})
	fixtures.findings(result) == {["retention.exceeds_limit", "/retention/from"]}
}

test_without_an_order_of_events_only_the_limits_event_counts if {
	result := retention.deny with input as marketing({"period": "P12M", "from": "collection"})
		with data.privacy_policy.retention.earlier_events as {}
	fixtures.findings(result) == {["retention.exceeds_limit", "/retention/from"]}
}

# "[...] stored as long as necessary to fulfill the purpose of the processing": beyond the
# document's review threshold (this project's reading), a period is flagged, never denied.
test_a_period_beyond_the_review_threshold_without_a_limit_is_flagged if {
	activity := keeping({"period": "P8Y", "from": "end_of_contract"})
	fixtures.findings(retention.warn) == {["retention.unbounded", "/retention/period"]} with input as activity
	fixtures.findings(retention.deny) == set() with input as activity
}

test_a_period_at_the_review_threshold_is_not_flagged if {
	fixtures.findings(retention.warn) == set() with input as keeping({"period": "P7Y", "from": "end_of_contract"})
	fixtures.findings(retention.warn) == set() with input as keeping({"period": "P84M", "from": "end_of_contract"})
}

test_the_review_threshold_leaves_data_with_a_limit_to_the_limit if {
	result := retention.warn with input as marketing({"period": "P8Y", "from": "last_activity"})
	fixtures.findings(result) == set()
}

test_without_a_review_threshold_nothing_is_flagged if {
	result := retention.warn with input as keeping({"period": "P80Y", "from": "end_of_contract"})
		with data.privacy_policy.retention as object.remove(data.privacy_policy.retention, ["review_threshold"])
	fixtures.findings(result) == set()
}

test_marketing_limit_admits_no_agreed_extension if {
	activity := marketing({
		"period": sprintf("P%dM", [marketing_months + 12]), "from": "last_activity",
		"agreed_extension": {"reference": "EXT-2025-3", "period": "P12M"},
	})
	result := retention.deny with input as activity
	fixtures.findings(result) == too_long
}

test_marketing_limit_is_named_in_the_reason if {
	[reason] := [r | some r in retention.deny] with input as marketing({"period": marketing_beyond_years, "from": "last_activity"})
	reason.clause_id == "retention-marketing"
	reason.clause == data.privacy_policy.clauses["retention-marketing"].section
}

# "In recruitment, Confect will delete your personal data such as CV, application, and other
# documents [...] usually a maximum of 6 months after the last application date"
test_recruitment_data_kept_6_months_after_last_application_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as recruitment(six_months)
}

test_recruitment_data_kept_180_days_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as recruitment({"period": recruitment_in_days, "from": "last_application_date"})
}

test_recruitment_data_kept_longer_than_6_months_is_denied if {
	every period in beyond_recruitment {
		result := retention.deny with input as recruitment({"period": period, "from": "last_application_date"})
		fixtures.findings(result) == too_long
	}
}

test_recruitment_data_kept_from_collection_is_denied if {
	result := retention.deny with input as recruitment({"period": six_months.period, "from": "collection"})
	fixtures.findings(result) == {["retention.exceeds_limit", "/retention/from"]}
}

test_job_applicant_data_for_another_purpose_is_under_the_recruitment_limit if {
	activity := object.union(recruitment({"period": months(recruitment_months + 1), "from": "last_application_date"}), {"purposes": ["support.customer_support"]})
	result := retention.deny with input as activity
	fixtures.findings(result) == too_long
}

test_recruitment_purpose_without_job_applicant_subject_is_under_the_recruitment_limit if {
	activity := object.union(recruitment({"period": months(recruitment_months + 1), "from": "last_application_date"}), {"data_subjects": ["contact_person"]})
	result := retention.deny with input as activity
	fixtures.findings(result) == too_long
}

# "[...] unless otherwise agreed with you."
test_recruitment_data_kept_longer_under_agreed_extension_is_allowed if {
	fixtures.findings(retention.deny) == set() with input as recruitment(extended)
}

test_recruitment_data_kept_beyond_limit_plus_agreed_extension_is_denied if {
	activity := recruitment(object.union(extended, {"period": months((2 * recruitment_months) + 1)}))
	result := retention.deny with input as activity
	fixtures.findings(result) == too_long
}

test_agreed_extension_without_period_sets_no_bound if {
	activity := recruitment({
		"period": "P10Y", "from": "last_application_date",
		"agreed_extension": {"reference": "talent-pool consent 2025-02"},
	})
	fixtures.findings(retention.deny) == set() with input as activity
}

test_agreed_extension_without_reference_is_no_extension if {
	every extension in [{"period": "P6M"}, {"reference": " ", "period": "P6M"}] {
		activity := recruitment({"period": months(2 * recruitment_months), "from": "last_application_date", "agreed_extension": extension})
		result := retention.deny with input as activity
		fixtures.findings(result) == too_long
	}
}

# "deleted [...] after the last application date" / "after the last recorded activity": once that
# time has passed, the data is due for deletion and may not be processed.
# The applicant last applied, or the lead was last active, at timestamp.
applicant_who_applied_at(timestamp, kept) := object.union(recruitment(kept), {"subject": {"last_application_at": timestamp}})

lead_last_active_at(timestamp, kept) := object.union(marketing(kept), {"subject": {"last_activity_at": timestamp}})

test_recruitment_data_within_6_months_of_last_application_is_not_expired if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", six_months)
	fixtures.findings(retention.deny) == set() with input as activity with time.now_ns as after_applying("2025-01-15T00:00:00Z", recruitment_months, -1)
}

test_recruitment_data_is_not_expired_at_the_exact_limit if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", six_months)
	fixtures.findings(retention.deny) == set() with input as activity with time.now_ns as after_applying("2025-01-15T00:00:00Z", recruitment_months, 0)
}

test_recruitment_data_past_6_months_of_last_application_is_expired if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", six_months)
	result := retention.deny with input as activity with time.now_ns as after_applying("2025-01-15T00:00:00Z", recruitment_months, 1)
	fixtures.findings(result) == {["retention.expired", "/subject/last_application_at"]}
}

test_recruitment_data_within_agreed_extension_is_not_expired if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", extended)
	fixtures.findings(retention.deny) == set() with input as activity with time.now_ns as after_applying("2025-01-15T00:00:00Z", 2 * recruitment_months, -86400)
}

test_recruitment_data_past_agreed_extension_is_expired if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", extended)
	result := retention.deny with input as activity with time.now_ns as after_applying("2025-01-15T00:00:00Z", 2 * recruitment_months, 86400)
	fixtures.findings(result) == {["retention.expired", "/subject/last_application_at"]}
}

test_recruitment_data_under_agreed_extension_without_period_never_expires if {
	open_ended := {"period": "P10Y", "from": "last_application_date", "agreed_extension": {"reference": "talent-pool consent 2015-02"}}
	activity := applicant_who_applied_at("2015-01-15T00:00:00Z", open_ended)
	fixtures.findings(retention.deny) == set() with input as activity with time.now_ns as ns("2025-01-16T00:00:00Z")
}

test_marketing_data_within_24_months_of_last_activity_is_not_expired if {
	activity := lead_last_active_at("2023-03-01T00:00:00Z", twenty_four_months)
	fixtures.findings(retention.deny) == set() with input as activity with time.now_ns as within_marketing_limit("2023-03-01T00:00:00Z")
}

test_marketing_data_past_24_months_of_last_activity_is_expired if {
	activity := lead_last_active_at("2023-03-01T00:00:00Z", twenty_four_months)
	result := retention.deny with input as activity with time.now_ns as past_marketing_limit("2023-03-01T00:00:00Z")
	fixtures.findings(result) == {["retention.expired", "/subject/last_activity_at"]}
}

test_marketing_data_past_24_months_is_expired_despite_an_agreed_extension if {
	with_extension := object.union(twenty_four_months, {"agreed_extension": {"reference": "EXT-2023-1", "period": "P12M"}})
	activity := lead_last_active_at("2023-03-01T00:00:00Z", with_extension)
	result := retention.deny with input as activity with time.now_ns as past_marketing_limit("2023-03-01T00:00:00Z")
	fixtures.findings(result) == {["retention.expired", "/subject/last_activity_at"]}
}

test_activity_without_a_limit_does_not_expire if {
	activity := fixtures.with_patch({"subject": {"last_activity_at": "2000-01-01T00:00:00Z"}})
	fixtures.findings(retention.deny) == set() with input as activity
		with time.now_ns as ns("2025-01-01T00:00:00Z")
}

test_subject_without_clock_does_not_expire if {
	fixtures.findings(retention.deny) == set() with input as marketing(twenty_four_months)
		with time.now_ns as ns("2099-01-01T00:00:00Z")
}

# "In these cases, Confect acts as a data processor": the customer's DPA sets how long data is kept.
test_processor_activity_is_out_of_scope if {
	every activity in [
		fixtures.processor_activity,
		fixtures.processor_with_patch({"purposes": ["recruitment.applications"], "retention": {"period": "P10Y", "from": "collection"}}),
		fixtures.processor_with_patch({
			"data_subjects": ["job_applicant"], "retention": {},
			"subject": {"last_application_at": "2000-01-01T00:00:00Z", "last_activity_at": "2000-01-01T00:00:00Z"},
		}),
		fixtures.processor_with_patch({
			"purposes": ["marketing.materials"], "retention": {"period": "P3Y", "from": "collection"},
			"subject": {"last_activity_at": "2000-01-01T00:00:00Z"},
		}),
	] {
		fixtures.findings(retention.deny) == set() with input as activity
			with time.now_ns as ns("2025-01-01T00:00:00Z")
	}
}

# A period exactly at the limit leaves deletion no margin: a warning, never a denial.
test_retention_exactly_at_the_limit_is_flagged if {
	at_limit := {["retention.at_limit", "/retention/period"]}
	fixtures.findings(retention.warn) == at_limit with input as marketing(twenty_four_months)
	fixtures.findings(retention.warn) == at_limit with input as marketing({"period": marketing_in_years, "from": "last_activity"})
	fixtures.findings(retention.warn) == at_limit with input as recruitment(six_months)
	fixtures.findings(retention.warn) == at_limit with input as recruitment(extended)
	fixtures.findings(retention.deny) == set() with input as marketing(twenty_four_months)
}

test_retention_within_or_beyond_the_limit_is_not_flagged if {
	fixtures.findings(retention.warn) == set() with input as marketing({"period": "P23M", "from": "last_activity"})
	fixtures.findings(retention.warn) == set() with input as marketing({"period": "P25M", "from": "last_activity"})
	fixtures.findings(retention.warn) == set() with input as marketing({"period": "P730D", "from": "last_activity"})
	fixtures.findings(retention.warn) == set() with input as fixtures.activity
}

test_retention_at_the_limit_is_not_flagged_for_a_processor if {
	fixtures.findings(retention.warn) == set() with input as fixtures.processor_with_patch({"data_subjects": ["job_applicant"], "retention": six_months})
}

# valid_until: before the limit has passed, the decision changes the instant after it does.
test_recruitment_data_within_its_limit_changes_the_instant_after_the_limit if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", six_months)
	retention.changes_at == {ns("2025-07-15T00:00:00Z") + 1} with input as activity with time.now_ns as ns("2025-07-14T23:59:59Z")
}

test_recruitment_data_past_its_limit_changes_no_more if {
	activity := applicant_who_applied_at("2025-01-15T00:00:00Z", six_months)
	retention.changes_at == set() with input as activity with time.now_ns as ns("2025-07-15T00:00:01Z")
}

# An agreed extension is summed with the limit, one period counted from the limit's event (as
# retention.exceeds_limit compares the declared period with limit + extension): six months and
# one more from 31 August end on 31 March, not on 28 March (six months, then one, with February
# between).
test_an_agreed_extension_is_summed_with_the_limit if {
	kept := {"period": "P7M", "from": "last_application_date", "agreed_extension": {"reference": "EXT-1", "period": "P1M"}}
	activity := applicant_who_applied_at("2026-08-31T12:00:00Z", kept)
	fixtures.findings(retention.deny) == set() with input as activity with time.now_ns as ns("2027-03-30T12:00:00Z")
		with data.privacy_policy.retention.limits.recruitment.period as "P6M"
	result := retention.deny with input as activity with time.now_ns as ns("2027-03-31T12:00:01Z")
		with data.privacy_policy.retention.limits.recruitment.period as "P6M"
	fixtures.findings(result) == {["retention.expired", "/subject/last_application_at"]}
}
