package policyengine.rules.sharing_test

import data.policyengine.fixtures
import data.policyengine.rules.sharing

group_company := fixtures.activity.recipients[0]

# The base activity shared with Confect's group company and one more recipient, at index 1.
sharing_with(recipient) := fixtures.with_patch({"recipients": [group_company, recipient]})

authority(court_order) := {"name": "Police", "type": "authority", "country": "DE", "court_order": court_order}

# "Confect may share your personal data between companies within Confect."
test_sharing_within_confect_is_allowed if {
	fixtures.findings(sharing.deny) == set() with input as fixtures.activity
}

# "Confect may also share your personal data with external third parties in the following
# contexts": the forum, business partners, authorities (and subprocessors under a DPA).
test_every_recipient_type_the_policy_names_is_known if {
	every type, _ in data.privacy_policy.recipient_types {
		result := sharing.deny with input as sharing_with({"name": "R", "type": type})
		not ["sharing.recipient_unlisted", "/recipients/1/type"] in fixtures.findings(result)
	}
}

test_recipient_of_unlisted_type_is_denied if {
	result := sharing.deny with input as sharing_with({"name": "Ad network", "type": "advertiser", "country": "SE"})
	fixtures.findings(result) == {["sharing.recipient_unlisted", "/recipients/1/type"]}
}

# "Confect will only provide the information if there is a court order to do so."
test_authority_without_court_order_is_denied if {
	result := sharing.deny with input as sharing_with({"name": "Police", "type": "authority", "country": "DE"})
	fixtures.findings(result) == {["sharing.authority_without_court_order", "/recipients/1/court_order"]}
}

test_authority_with_order_of_a_court_in_the_eu_is_allowed if {
	activity := sharing_with(authority({"reference": "AG Berlin 12 Gs 34/25", "jurisdiction": "DE"}))
	fixtures.findings(sharing.deny) == set() with input as activity
}

test_authority_with_order_of_a_court_in_the_eea_is_allowed if {
	activity := sharing_with(authority({"reference": "Oslo tingrett 25-1234", "jurisdiction": "NO"}))
	fixtures.findings(sharing.deny) == set() with input as activity
}

# A court of an outermost region is a court of a member state, in the EU (TFEU art. 349 and
# 355(1)); a court of the Faroe Islands or Greenland is not (art. 355(5)(a), 355(2)).
test_authority_with_order_of_a_court_in_an_outermost_region_is_allowed if {
	activity := sharing_with(authority({"reference": "TJ Saint-Denis 25/01234", "jurisdiction": "RE"}))
	fixtures.findings(sharing.deny) == set() with input as activity
}

test_authority_with_order_of_a_court_in_the_faroe_islands_or_greenland_is_denied if {
	every jurisdiction in ["FO", "GL"] {
		activity := sharing_with(authority({"reference": "BS 123/2025", "jurisdiction": jurisdiction}))
		result := sharing.deny with input as activity
		fixtures.findings(result) == {["sharing.authority_without_court_order", "/recipients/1/court_order/jurisdiction"]}
	}
}

test_authority_with_us_court_order_and_no_international_agreement_is_denied if {
	activity := sharing_with(authority({"reference": "1:25-mj-00123", "jurisdiction": "US"}))
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.authority_without_court_order", "/recipients/1/court_order/jurisdiction"]}
}

test_authority_with_us_court_order_recognised_under_international_agreement_is_allowed if {
	activity := sharing_with(authority({"reference": "1:25-mj-00123", "jurisdiction": "US", "international_agreement": true}))
	fixtures.findings(sharing.deny) == set() with input as activity
}

test_authority_with_court_order_naming_no_jurisdiction_is_denied if {
	activity := sharing_with(authority({"reference": "B 1234-25"}))
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.authority_without_court_order", "/recipients/1/court_order/jurisdiction"]}
}

# "When Confect uses subprocessors, Confect enters into data processing agreements (DPA) with them"
test_subprocessor_under_dpa_is_allowed if {
	activity := sharing_with({"name": "Cloud host", "type": "subprocessor", "country": "IE", "dpa": true})
	fixtures.findings(sharing.deny) == set() with input as activity
}

test_subprocessor_without_dpa_is_denied if {
	activity := sharing_with({"name": "Cloud host", "type": "subprocessor", "country": "IE", "dpa": false})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.subprocessor_without_dpa", "/recipients/1/dpa"]}
}

test_subprocessor_with_dpa_not_stated_is_denied if {
	activity := sharing_with({"name": "Cloud host", "type": "subprocessor", "country": "IE"})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.subprocessor_without_dpa", "/recipients/1/dpa"]}
}

# "Confect may share your personal data with our partners if it appears legitimate from a business
# perspective and in accordance with applicable data protection legislation."
test_business_partner_with_legal_basis_is_allowed if {
	activity := sharing_with({"name": "Reseller", "type": "business_partner", "country": "DK", "legal_basis": "contract"})
	fixtures.findings(sharing.deny) == set() with input as activity
}

test_business_partner_without_legal_basis_is_denied if {
	activity := sharing_with({"name": "Reseller", "type": "business_partner", "country": "DK"})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.partner_without_legal_basis", "/recipients/1/legal_basis"]}
}

# Naming a basis is not having one: the partner's basis must be one the policy document allows
# for partners (legitimate interest, consent, contract).
partner(basis) := {"name": "Reseller", "type": "business_partner", "country": "DK", "legal_basis": basis}

test_business_partner_on_a_basis_the_policy_allows_is_allowed if {
	every basis in ["legitimate_interest", "contract"] {
		fixtures.findings(sharing.deny) == set() with input as sharing_with(partner(basis))
	}
}

test_business_partner_on_a_public_task_is_denied if {
	result := sharing.deny with input as sharing_with(partner("public_task"))
	fixtures.findings(result) == {["sharing.partner_basis_not_permitted", "/recipients/1/legal_basis"]}
}

test_business_partner_on_a_basis_the_policy_does_not_allow_is_denied if {
	every basis in ["vital_interests", "legal_obligation"] {
		result := sharing.deny with input as sharing_with(partner(basis))
		fixtures.findings(result) == {["sharing.partner_basis_not_permitted", "/recipients/1/legal_basis"]}
	}
}

test_business_partner_on_consent_needs_the_persons_consent if {
	result := sharing.deny with input as sharing_with(partner("consent"))
	fixtures.findings(result) == {["sharing.partner_basis_not_permitted", "/recipients/1/legal_basis"]}
	withdrawn := object.union(sharing_with(partner("consent")), {"consent": {"status": "withdrawn"}})
	fixtures.findings(sharing.deny) == {["sharing.partner_basis_not_permitted", "/recipients/1/legal_basis"]} with input as withdrawn
}

test_business_partner_on_consent_given_is_allowed if {
	activity := object.union(sharing_with(partner("consent")), {"consent": {"status": "given"}})
	fixtures.findings(sharing.deny) == set() with input as activity
}

test_a_policy_that_lists_no_partner_bases_leaves_the_basis_to_other_rules if {
	activity := sharing_with(partner("public_task"))
	result := sharing.deny with input as activity
		with data.privacy_policy.recipient_types as {
			"group_company": {"description": "A company of the group", "role": "group_company"},
			"business_partner": {"description": "A partner", "role": "business_partner"},
		}
	fixtures.findings(result) == set()
}

# "If you post, comment, or similar on Confect's user forum [...] this information can be read and
# used by others who have access to these forums."
forum_post(patch) := object.union(
	fixtures.with_patch({
		"data_subjects": ["forum_user"],
		"data_categories": ["username", "comment", "photo"],
		"purposes": ["support.forum"],
		"legal_basis": "legitimate_interest",
		"recipients": [{"name": "Forum readers", "type": "public"}],
	}),
	patch,
)

test_forum_post_shown_to_the_public_is_allowed if {
	fixtures.findings(sharing.deny) == set() with input as forum_post({})
}

test_public_disclosure_of_order_data_is_denied if {
	activity := fixtures.with_patch({"recipients": [{"name": "Everyone", "type": "public"}]})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {
		["sharing.public_not_forum", "/purposes/0"],
		["sharing.public_not_forum", "/data_categories/0"],
		["sharing.public_not_forum", "/data_categories/1"],
		["sharing.public_not_forum", "/data_categories/2"],
	}
}

test_forum_post_with_email_address_shown_to_the_public_is_denied if {
	activity := forum_post({"data_categories": ["username", "comment", "email"]})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.public_not_forum", "/data_categories/2"]}
}

test_forum_post_shown_to_the_public_for_marketing_too_is_denied if {
	activity := forum_post({"purposes": ["support.forum", "marketing.materials"]})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.public_not_forum", "/purposes/1"]}
}

# "These rules apply to processor activities too": what Confect shares is its own business.
test_processor_activity_sharing_with_subprocessor_without_dpa_is_denied if {
	activity := fixtures.processor_with_patch({"recipients": [{"name": "Cloud host", "type": "subprocessor", "country": "IE"}]})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.subprocessor_without_dpa", "/recipients/0/dpa"]}
}

test_processor_activity_giving_data_to_authority_without_court_order_is_denied if {
	activity := fixtures.processor_with_patch({"recipients": [{"name": "Police", "type": "authority", "country": "SE"}]})
	result := sharing.deny with input as activity
	fixtures.findings(result) == {["sharing.authority_without_court_order", "/recipients/0/court_order"]}
}

test_processor_activity_under_dpa_with_its_subprocessor_is_allowed if {
	fixtures.findings(sharing.deny) == set() with input as fixtures.processor_activity
}

# A recipient that names no type is not one the policy shares with.
test_recipient_without_type_is_unlisted if {
	fixtures.findings(sharing.deny) == {["sharing.recipient_unlisted", "/recipients/0/type"]} with input as fixtures.with_patch({"recipients": [{"name": "Data broker", "country": "SE"}]})
}

# "Confect will only provide the information if there is a court order": an order with no
# reference is no court order.
test_court_order_without_reference_is_no_court_order if {
	recipients := [{"name": "Police", "type": "authority", "country": "SE", "court_order": {"jurisdiction": "SE"}}]
	fixtures.findings(sharing.deny) == {["sharing.authority_without_court_order", "/recipients/0/court_order"]} with input as fixtures.with_patch({"recipients": recipients})
}

# The rules follow the role the policy document gives a recipient type, not the type's name:
# another company's "police" is an authority, and a type with no role has none of the rules.
renamed_types := {
	"group_company": {"description": "A company of the group", "role": "group_company"},
	"police": {"description": "The police", "role": "authority"},
	"cloud": {"description": "A cloud provider", "role": "subprocessor"},
	"authority": {"description": "Named so, given no role"},
}

test_a_type_whose_role_is_authority_needs_a_court_order if {
	result := sharing.deny with input as sharing_with({"name": "Police", "type": "police", "country": "DE"})
		with data.privacy_policy.recipient_types as renamed_types
	fixtures.findings(result) == {["sharing.authority_without_court_order", "/recipients/1/court_order"]}
}

test_a_type_whose_role_is_subprocessor_needs_a_dpa if {
	result := sharing.deny with input as sharing_with({"name": "Host", "type": "cloud", "country": "SE"})
		with data.privacy_policy.recipient_types as renamed_types
	fixtures.findings(result) == {["sharing.subprocessor_without_dpa", "/recipients/1/dpa"]}
}

test_a_type_of_no_role_has_none_of_the_role_rules if {
	result := sharing.deny with input as sharing_with({"name": "Police", "type": "authority", "country": "DE"})
		with data.privacy_policy.recipient_types as renamed_types
	fixtures.findings(result) == set()
}
