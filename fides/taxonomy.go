package fides

// defaultKeys holds the keys of the fideslang 3.1 default taxonomy, by the mapping table's
// section; every parent_key in it is the key's dotted prefix. Taxonomy (c) Ethyca, Inc. / IAB
// Tech Lab, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). It says which keys are
// the default ones, so that `vocabulary --fides` shows how each resolves under any policy.
var defaultKeys = map[string][]string{
	"data_uses": {
		"analytics", "analytics.reporting", "analytics.reporting.ad_performance",
		"analytics.reporting.content_performance", "analytics.reporting.campaign_insights",
		"analytics.reporting.system", "analytics.reporting.system.performance", "collect", "employment",
		"employment.recruitment", "essential", "essential.fraud_detection", "essential.legal_obligation",
		"essential.service", "essential.service.authentication", "essential.service.notifications",
		"essential.service.operations", "essential.service.payment_processing",
		"essential.service.security", "essential.service.upgrades",
		"essential.service.notifications.email", "essential.service.notifications.sms",
		"essential.service.operations.support", "essential.service.operations.improve", "finance",
		"functional", "functional.storage", "functional.service", "functional.service.improve",
		"functional.storage.privacy_preferences", "marketing", "marketing.advertising",
		"marketing.communications", "marketing.advertising.first_party",
		"marketing.advertising.frequency_capping", "marketing.advertising.negative_targeting",
		"marketing.advertising.profiling", "marketing.advertising.serving",
		"marketing.advertising.third_party", "marketing.advertising.first_party.contextual",
		"marketing.advertising.first_party.targeted", "marketing.advertising.third_party.targeted",
		"marketing.communications.email", "marketing.communications.sms", "operations", "personalize",
		"personalize.content", "personalize.profiling", "personalize.system",
		"personalize.content.limited", "personalize.content.profiling", "personalize.content.profiled",
		"sales", "third_party_sharing", "third_party_sharing.legal_obligation", "train_ai_system",
	},
	"data_categories": {
		"system", "system.authentication", "system.operations", "user", "user.account",
		"user.authorization", "user.behavior", "user.biometric", "user.childrens", "user.contact",
		"user.content", "user.demographic", "user.location", "user.device", "user.payment",
		"user.social", "user.unique_id", "user.telemetry", "user.user_sensor", "user.workplace",
		"user.sensor", "user.financial", "user.government_id", "user.health_and_medical", "user.name",
		"user.criminal_history", "user.privacy_preferences", "user.job_title", "user.account.settings",
		"user.account.username", "user.authorization.credentials", "user.authorization.biometric",
		"user.authorization.password", "user.behavior.browsing_history",
		"user.behavior.media_consumption", "user.behavior.purchase_history",
		"user.behavior.search_history", "user.biometric.fingerprint", "user.biometric.retinal",
		"user.biometric.voice", "user.biometric.health", "user.contact.address", "user.contact.email",
		"user.contact.phone_number", "user.contact.url", "user.contact.fax_number",
		"user.contact.organization", "user.contact.address.city", "user.contact.address.country",
		"user.contact.address.postal_code", "user.contact.address.state", "user.contact.address.street",
		"user.content.private", "user.content.public", "user.content.self_image",
		"user.demographic.age_range", "user.demographic.date_of_birth", "user.demographic.gender",
		"user.demographic.language", "user.demographic.marital_status",
		"user.demographic.political_opinion", "user.demographic.profile",
		"user.demographic.race_ethnicity", "user.demographic.religious_belief",
		"user.demographic.sexual_orientation", "user.device.cookie", "user.device.cookie_id",
		"user.device.device_id", "user.device.ip_address", "user.financial.bank_account",
		"user.financial.credit_card", "user.government_id.birth_certificate",
		"user.government_id.drivers_license_number", "user.government_id.immigration",
		"user.government_id.national_identification_number", "user.government_id.passport_number",
		"user.government_id.vehicle_registration", "user.health_and_medical.genetic",
		"user.health_and_medical.insurance_beneficiary_id", "user.health_and_medical.record_id",
		"user.location.imprecise", "user.location.precise", "user.name.first", "user.name.last",
		"user.unique_id.pseudonymous",
	},
	"data_subjects": {
		"anonymous_user", "citizen_voter", "commuter", "consultant", "customer", "employee",
		"job_applicant", "next_of_kin", "passenger", "patient", "prospect", "shareholder",
		"supplier_vendor", "trainee", "visitor",
	},
}

// DefaultKeys returns the keys of the default taxonomy of a kind (data_uses, data_categories or
// data_subjects), in the taxonomy's order: a fresh copy.
func DefaultKeys(kind string) []string { return append([]string(nil), defaultKeys[kind]...) }

// isDefault says whether key is a key of the default taxonomy.
func isDefault(kind, key string) bool {
	for _, k := range defaultKeys[kind] {
		if k == key {
			return true
		}
	}
	return false
}
