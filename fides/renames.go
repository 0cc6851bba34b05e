package fides

import "strings"

// renamed holds the keys fideslang renamed on the way to 2.0 (1.x keys, old prefix → new
// prefix). A key is upgraded only when it is not known as it stands (neither in the mapping
// table nor in the project's own taxonomy); the longest matching prefix wins, and the result is
// upgraded again, so that a 1.x user.provided.identifiable.political_opinion becomes
// user.demographic.political_opinion.
var renamed = map[string]map[string]string{
	"data_categories": {
		"user.provided.identifiable":                  "user",
		"user.provided.nonidentifiable":               "user",
		"user.derived.identifiable":                   "user",
		"user.derived.nonidentifiable":                "user",
		"user.provided":                               "user",
		"user.derived":                                "user",
		"user.political_opinion":                      "user.demographic.political_opinion",
		"user.race":                                   "user.demographic.race_ethnicity",
		"user.religious_belief":                       "user.demographic.religious_belief",
		"user.sexual_orientation":                     "user.demographic.sexual_orientation",
		"user.gender":                                 "user.demographic.gender",
		"user.date_of_birth":                          "user.demographic.date_of_birth",
		"user.non_specific_age":                       "user.demographic.age_range",
		"user.age_range":                              "user.demographic.age_range",
		"user.profiling":                              "user.demographic.profile",
		"user.genetic":                                "user.health_and_medical.genetic",
		"user.biometric_health":                       "user.biometric.health",
		"user.browsing_history":                       "user.behavior.browsing_history",
		"user.media_consumption":                      "user.behavior.media_consumption",
		"user.search_history":                         "user.behavior.search_history",
		"user.observed":                               "user.behavior",
		"user.credentials.password":                   "user.authorization.password",
		"user.credentials.biometric_credentials":      "user.authorization.biometric",
		"user.credentials":                            "user.authorization.credentials",
		"user.financial.account_number":               "user.financial.bank_account",
		"user.organization":                           "user.contact.organization",
		"account.payment.financial_account_number":    "user.financial.bank_account",
		"account.payment":                             "user.payment",
		"account.contact":                             "user.contact",
		"account":                                     "user.account",
		"user.derived.identifiable.unique_identifier": "user.unique_id",
	},
	"data_uses": {
		"provide.service.operations.support.optimization": "essential.service.operations.improve",
		"provide.service.operations.support":              "essential.service.operations.support",
		"provide.service.operations":                      "essential.service.operations",
		"provide.service":                                 "essential.service",
		"provide":                                         "essential",
		"improve.system":                                  "functional.service.improve",
		"improve":                                         "functional.service.improve",
		"advertising.first_party.personalized":            "marketing.advertising.first_party.targeted",
		"advertising.third_party.personalized":            "marketing.advertising.third_party.targeted",
		"advertising":                                     "marketing.advertising",
		"third_party_sharing.payment_processing":          "essential.service.payment_processing",
		"third_party_sharing.personalized_advertising":    "marketing.advertising.third_party.targeted",
		"third_party_sharing.fraud_detection":             "essential.fraud_detection",
	},
}

// upgrade returns the key fideslang 2.0 and later call an old key, and whether it was renamed.
// known says whether a key is known as it stands.
func upgrade(kind, key string, known func(string) bool) (string, bool) {
	table := renamed[kind]
	out := key
	for pass := 0; pass < 4 && !known(out); pass++ {
		best := ""
		for old := range table {
			if (out == old || strings.HasPrefix(out, old+".")) && len(old) > len(best) {
				best = old
			}
		}
		if best == "" {
			break
		}
		out = table[best] + out[len(best):]
	}
	return out, out != key
}
