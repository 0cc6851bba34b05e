// Package gentree writes synthetic trees of manifests, a realistic mix of allowed and denied
// activities, so that anyone can reproduce the CI-gate figures (go run ./internal/bench gen) and
// benchmark the batch path.
package gentree

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine"
)

// templates are activities a Confect team writes, every one allowed.
func templates() []policyengine.Activity {
	return []policyengine.Activity{
		{ID: "checkout", DataSubjects: []string{"customer"}, DataCategories: []string{"name", "email", "postal_address", "phone"},
			Sources: []string{"data_subject"}, Purposes: []string{"purchase.orders"}, LegalBasis: "contract",
			Retention: &policyengine.Retention{Period: "P5Y", From: "end_of_contract"},
			Recipients: []policyengine.Recipient{{Name: "Confect Logistics AB", Type: "group_company", Country: "SE"},
				{Name: "PayFlow Inc.", Type: "subprocessor", Country: "US", DPA: true, TransferSafeguard: "scc"}}},
		{ID: "newsletter", DataSubjects: []string{"lead", "customer"}, DataCategories: []string{"name", "email"},
			Sources: []string{"data_subject"}, Purposes: []string{"marketing.materials"}, LegalBasis: "consent",
			Channel:    &policyengine.Channel{Type: "email", Content: "marketing"},
			Retention:  &policyengine.Retention{Period: "P18M", From: "last_activity"},
			Recipients: []policyengine.Recipient{{Name: "Mail Delivery EU", Type: "subprocessor", Country: "IE", DPA: true}}},
		{ID: "analytics", DataSubjects: []string{"user"}, DataCategories: []string{"login_id", "web_traffic", "device"},
			Sources: []string{"cookies"}, Purposes: []string{"support.improvement"}, LegalBasis: "legitimate_interest",
			Retention:  &policyengine.Retention{Period: "P13M", From: "collection"},
			Recipients: []policyengine.Recipient{{Name: "Fjord Analytics AS", Type: "subprocessor", Country: "NO", DPA: true}}},
		{ID: "edge-logs", DataSubjects: []string{"user", "website_visitor"}, DataCategories: []string{"ip_address", "device", "web_traffic"},
			Sources: []string{"cookies", "data_subject"}, Purposes: []string{"security.threat_prevention", "security.maintenance"},
			LegalBasis: "legitimate_interest", Retention: &policyengine.Retention{Period: "P90D", From: "collection"}},
		{ID: "applications", DataSubjects: []string{"job_applicant"}, DataCategories: []string{"name", "email", "cv", "job_application"},
			Sources: []string{"data_subject"}, Purposes: []string{"recruitment.applications"}, LegalBasis: "contract",
			Retention: &policyengine.Retention{Period: "P5M", From: "last_application_date"}},
		{ID: "forum", DataSubjects: []string{"forum_user"}, DataCategories: []string{"username", "comment", "photo"},
			Purposes: []string{"support.forum"}, LegalBasis: "legitimate_interest",
			Retention:  &policyengine.Retention{Period: "P3Y", From: "account_closure"},
			Recipients: []policyengine.Recipient{{Name: "Forum readers", Type: "public"}}},
		{ID: "hosted-surveys", Role: "processor", CustomerDPA: "DPA-2025-0117", DataCategories: []string{"name", "email", "comment"},
			Purposes: []string{"purchase.services"}, Recipients: []policyengine.Recipient{{Name: "Nordic Cloud", Type: "subprocessor", Country: "FI", DPA: true}}},
	}
}

// breaks turn an allowed activity into one the policy denies, as teams get it wrong.
var breaks = []func(*policyengine.Activity){
	func(a *policyengine.Activity) { a.DataCategories = append(a.DataCategories, "health") },
	func(a *policyengine.Activity) { a.Retention = nil },
	func(a *policyengine.Activity) { a.LegalBasis = "" },
	func(a *policyengine.Activity) {
		a.Recipients = append(a.Recipients, policyengine.Recipient{Name: "US Vendor", Type: "subprocessor", Country: "US"})
	},
	func(a *policyengine.Activity) { a.Purposes = append(a.Purposes, "resale") },
	func(a *policyengine.Activity) {
		a.Subject = &policyengine.Subject{OptedOutMarketing: true, Restricted: true}
	},
}

// Write writes files manifests under dir, about three activities each (one to five), a quarter
// of them denied, two thirds YAML and a third JSON, spread over team directories. The same seed
// writes the same tree. With distinct, no two activities are alike as a whole (each but a
// processor's shares its data with a group company of its own), so no whole decision can be
// reused; the rule packages that do not read the recipients still see repeated inputs. It
// returns the number of activities.
func Write(dir string, files int, seed int64, distinct bool) (int, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	ts := templates()
	activities := 0
	for i := 0; i < files; i++ {
		var list []any
		count := 1 + rng.IntN(5)
		for j := 0; j < count; j++ {
			a := ts[rng.IntN(len(ts))]
			a.DataCategories = append([]string(nil), a.DataCategories...)
			a.Purposes = append([]string(nil), a.Purposes...)
			a.Recipients = append([]policyengine.Recipient(nil), a.Recipients...)
			a.ID = fmt.Sprintf("%s-%d-%d", a.ID, i, j)
			if rng.IntN(4) == 0 {
				breaks[rng.IntN(len(breaks))](&a)
			}
			if distinct && a.Role != "processor" {
				a.Recipients = append(a.Recipients, policyengine.Recipient{Name: fmt.Sprintf("Confect Entity %d", activities), Type: "group_company", Country: "SE"})
			}
			var v any
			raw, _ := json.Marshal(a)
			if err := json.Unmarshal(raw, &v); err != nil {
				return 0, err
			}
			list = append(list, v)
			activities++
		}
		var doc any = list
		if len(list) == 1 {
			doc = list[0]
		} else if rng.IntN(2) == 0 {
			doc = map[string]any{"activities": list}
		}
		name := filepath.Join(dir, fmt.Sprintf("team-%02d", i%40), fmt.Sprintf("manifest-%05d", i))
		var data []byte
		var err error
		if rng.IntN(3) == 0 {
			name += ".json"
			data, err = json.MarshalIndent(doc, "", "  ")
		} else {
			name += ".yaml"
			data, err = yaml.Marshal(doc)
		}
		if err != nil {
			return 0, err
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return 0, err
		}
	}
	return activities, nil
}
