package policyengine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	regofiles "github.com/confect/policyengine/rego"
	"github.com/confect/policyengine/schema"
)

// now is the evaluation time of every test that does not say otherwise.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func newEngine(t testing.TB, opts ...policyengine.Option) *policyengine.Engine {
	t.Helper()
	e, err := policyengine.New(context.Background(), append([]policyengine.Option{policyengine.WithClock(func() time.Time { return now })}, opts...)...)
	require.NoError(t, err)
	return e
}

// orderHandling is a controller activity every rule allows: the base the cases vary.
func orderHandling() policyengine.Activity {
	return policyengine.Activity{
		ID:             "order-handling",
		DataSubjects:   []string{"customer"},
		DataCategories: []string{"name", "email", "postal_address"},
		Sources:        []string{"data_subject"},
		Purposes:       []string{"purchase.orders"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P5Y", From: "end_of_contract"},
		Recipients:     []policyengine.Recipient{{Name: "Confect Logistics AB", Type: "group_company", Country: "SE"}},
	}
}

// newsletter is a marketing activity every rule allows.
func newsletter() policyengine.Activity {
	return policyengine.Activity{
		ID:             "newsletter",
		DataSubjects:   []string{"lead"},
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Consent:        &policyengine.Consent{Status: "given"},
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
		Subject:        &policyengine.Subject{LastActivityAt: now.AddDate(0, -3, 0)},
	}
}

// application is a recruitment activity every rule allows.
func application() policyengine.Activity {
	return policyengine.Activity{
		ID:             "application",
		DataSubjects:   []string{"job_applicant"},
		DataCategories: []string{"name", "email", "cv", "job_application"},
		Purposes:       []string{"recruitment.applications"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P6M", From: "last_application_date"},
		Subject:        &policyengine.Subject{LastApplicationAt: now.AddDate(0, -2, 0)},
	}
}

// hosted is a processor activity every rule allows.
func hosted() policyengine.Activity {
	return policyengine.Activity{
		ID:             "hosted",
		Role:           "processor",
		CustomerDPA:    "DPA-2025-0117",
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"purchase.services"},
		Recipients:     []policyengine.Recipient{{Name: "Nordic Cloud", Type: "subprocessor", Country: "FI", DPA: true}},
	}
}

func with(a policyengine.Activity, change func(*policyengine.Activity)) policyengine.Activity {
	change(&a)
	return a
}

type finding struct{ rule, path string }

func findings(d policyengine.Decision) []finding {
	out := []finding{}
	for _, r := range d.Reasons {
		out = append(out, finding{r.Rule, r.Path})
	}
	return out
}

type ruleCase struct {
	name     string
	activity policyengine.Activity
	want     []finding // empty: allowed
}

// ruleCases exercise every rule of the catalogue, firing and not firing, on the inputs the
// contract describes and the edge cases the policy text raises.
func ruleCases() []ruleCase {
	return []ruleCase{
		// The bases every case varies are allowed.
		{"order handling is allowed", orderHandling(), nil},
		{"newsletter with consent is allowed", newsletter(), nil},
		{"application within six months is allowed", application(), nil},
		{"processor activity under a DPA is allowed", hosted(), nil},

		// category.sensitive / category.unlisted
		{"a special category is denied", with(orderHandling(), func(a *policyengine.Activity) { a.DataCategories = append(a.DataCategories, "health") }),
			[]finding{{"category.sensitive", "/data_categories/3"}}},
		{"criminal-offence data is denied", with(application(), func(a *policyengine.Activity) { a.DataCategories = []string{"criminal_record"} }),
			[]finding{{"category.sensitive", "/data_categories/0"}}},
		{"a category outside the policy is denied", with(orderHandling(), func(a *policyengine.Activity) { a.DataCategories = []string{"name", "shoe_size"} }),
			[]finding{{"category.unlisted", "/data_categories/1"}}},
		{"every listed category is allowed", with(orderHandling(), func(a *policyengine.Activity) {
			a.DataCategories = []string{"name", "postal_address", "phone", "email", "login_id", "username", "ip_address", "device", "web_traffic"}
		}), nil},

		// data_subject.unlisted / source.unlisted / purpose.unlisted
		{"children are not among the people the policy covers", with(orderHandling(), func(a *policyengine.Activity) { a.DataSubjects = []string{"customer", "child"} }),
			[]finding{{"data_subject.unlisted", "/data_subjects/1"}}},
		{"a source outside the policy is denied", with(orderHandling(), func(a *policyengine.Activity) { a.Sources = []string{"purchased_list"} }),
			[]finding{{"source.unlisted", "/sources/0"}}},
		{"every collection source the policy names is allowed", with(newsletter(), func(a *policyengine.Activity) {
			a.Sources = []string{"data_subject", "customer", "cookies", "data_aggregator", "marketing_partner", "public_source", "social_network"}
		}), nil},
		{"a purpose outside the policy is denied, and only as unlisted", with(orderHandling(), func(a *policyengine.Activity) { a.Purposes = []string{"purchase.orders", "resale"} }),
			[]finding{{"purpose.unlisted", "/purposes/1"}}},

		// legal_basis.missing / legal_basis.not_permitted, with several purposes
		{"a controller activity without a legal basis is denied", with(orderHandling(), func(a *policyengine.Activity) { a.LegalBasis = "" }),
			[]finding{{"legal_basis.missing", "/legal_basis"}}},
		{"the basis must be permitted for every purpose", with(orderHandling(), func(a *policyengine.Activity) {
			a.Purposes = []string{"purchase.orders", "security.maintenance", "purchase.services"}
		}), []finding{{"legal_basis.not_permitted", "/purposes/1"}}},
		{"a basis every purpose permits is allowed", with(orderHandling(), func(a *policyengine.Activity) {
			a.Purposes = []string{"purchase.services", "support.customer_support"}
			a.LegalBasis = "legitimate_interest"
		}), nil},
		{"rights requests rest on a legal obligation only", with(orderHandling(), func(a *policyengine.Activity) { a.Purposes = []string{"rights.access"} }),
			[]finding{{"legal_basis.not_permitted", "/purposes/0"}}},

		// consent.not_given
		{"consent basis with consent withdrawn is denied", with(newsletter(), func(a *policyengine.Activity) { a.Consent.Status = "withdrawn" }),
			[]finding{{"consent.not_given", "/consent/status"}, {"marketing.email_without_consent", "/consent/status"}}},
		{"consent given more than two years ago is flagged, not denied", with(newsletter(), func(a *policyengine.Activity) {
			a.Consent.GivenAt = now.AddDate(-2, 0, -1)
			a.Retention.Period = "P12M"
		}), nil},
		{"consent basis with no consent recorded is denied", with(application(), func(a *policyengine.Activity) { a.LegalBasis = "consent" }),
			[]finding{{"consent.not_given", "/consent"}}},
		{"consent recorded as given but withdrawn this morning is denied", with(newsletter(), func(a *policyengine.Activity) {
			a.Consent.WithdrawnAt = now.Add(-3 * time.Hour)
		}), []finding{{"consent.not_given", "/consent/withdrawn_at"}, {"marketing.email_without_consent", "/consent/withdrawn_at"}}},
		{"consent given again after a withdrawal counts", with(newsletter(), func(a *policyengine.Activity) {
			a.Consent.GivenAt = now.AddDate(0, -1, 0)
			a.Consent.WithdrawnAt = now.AddDate(0, -2, 0)
		}), nil},
		{"consent for other purposes does not cover the activity", with(newsletter(), func(a *policyengine.Activity) {
			a.Consent.Purposes = []string{"purchase.orders"}
		}), []finding{{"consent.not_given", "/consent/purposes"}, {"marketing.email_without_consent", "/consent/purposes"}}},

		// consent.minor
		{"a child's own consent below the age of digital consent does not count", with(newsletter(), func(a *policyengine.Activity) { a.Subject.Age = 12 }),
			[]finding{{"consent.minor", "/subject/age"}}},
		{"consent at the age of digital consent counts", with(newsletter(), func(a *policyengine.Activity) { a.Subject.Age = 13 }), nil},

		// erasure.requested
		{"nothing but the erasure after a request for erasure", with(newsletter(), func(a *policyengine.Activity) {
			a.Subject.ErasureRequestedAt = now.AddDate(0, 0, -3)
		}), []finding{{"erasure.requested", "/purposes/0"}}},
		{"the erasure itself goes on", with(orderHandling(), func(a *policyengine.Activity) {
			a.Purposes = []string{"rights.erasure"}
			a.LegalBasis = "legal_obligation"
			a.Subject = &policyengine.Subject{ErasureRequestedAt: now.AddDate(0, 0, -3)}
		}), nil},

		// rights.request_overdue and retention.unbounded (warnings)
		{"an access request pending for two months is flagged, not denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Subject = &policyengine.Subject{AccessRequestedAt: now.AddDate(0, -2, 0)}
		}), nil},
		{"order records kept beyond the review threshold are flagged, not denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Retention.Period = "P10Y"
		}), nil},

		// cookies.consent_required (a warning)
		{"profiling through cookies on legitimate interest is flagged, not denied", with(newsletter(), func(a *policyengine.Activity) {
			a.LegalBasis = "legitimate_interest"
			a.Channel.Type = "web"
			a.Sources = []string{"cookies"}
			a.Profiling = true
		}), nil},

		// processor scope
		{"a processor activity names the customer's DPA", with(hosted(), func(a *policyengine.Activity) { a.CustomerDPA = "" }),
			[]finding{{"processor.no_customer_dpa", "/customer_dpa"}}},
		{"controller rules do not apply to a processor activity", with(hosted(), func(a *policyengine.Activity) {
			a.DataCategories = []string{"health", "shoe_size"}
			a.Purposes = []string{"customer.payroll"}
			a.Subject = &policyengine.Subject{OptedOutMarketing: true, Restricted: true, LastActivityAt: now.AddDate(-5, 0, 0)}
			a.Channel = &policyengine.Channel{Type: "email", Content: "marketing"}
		}), nil},
		{"sharing and transfer rules do apply to a processor activity", with(hosted(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "US Cloud", Type: "subprocessor", Country: "US"}}
		}), []finding{{"sharing.subprocessor_without_dpa", "/recipients/0/dpa"}, {"transfer.without_scc", "/recipients/0/transfer_safeguard"}}},
		{"a controller activity needs no customer DPA", with(orderHandling(), func(a *policyengine.Activity) { a.CustomerDPA = "" }), nil},

		// sharing.*
		{"an authority without a court order is denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Police", Type: "authority", Country: "SE"}}
		}), []finding{{"sharing.authority_without_court_order", "/recipients/0/court_order"}}},
		{"an authority on an EEA court's order is allowed", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Politiet", Type: "authority", Country: "NO", CourtOrder: &policyengine.CourtOrder{Reference: "18-012345", Jurisdiction: "NO"}}}
		}), nil},
		{"an order from a court outside the EU/EEA is not enough", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "FBI", Type: "authority", Country: "US", TransferSafeguard: "scc", CourtOrder: &policyengine.CourtOrder{Reference: "1:26-mc-1", Jurisdiction: "US"}}}
		}), []finding{{"sharing.authority_without_court_order", "/recipients/0/court_order/jurisdiction"}}},
		{"unless it is recognised under an international agreement", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "FBI", Type: "authority", Country: "US", TransferSafeguard: "scc", CourtOrder: &policyengine.CourtOrder{Reference: "1:26-mc-1", Jurisdiction: "US", InternationalAgreement: true}}}
		}), nil},
		{"a subprocessor without a DPA is denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Mailer", Type: "subprocessor", Country: "IE"}}
		}), []finding{{"sharing.subprocessor_without_dpa", "/recipients/0/dpa"}}},
		{"a business partner without a legal basis is denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Partner", Type: "business_partner", Country: "DK", LegalBasis: "contract"}, {Name: "Reseller", Type: "business_partner", Country: "DK"}}
		}), []finding{{"sharing.partner_without_legal_basis", "/recipients/1/legal_basis"}}},
		{"a business partner on a public task is denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Partner", Type: "business_partner", Country: "DK", LegalBasis: "public_task"}}
		}), []finding{{"sharing.partner_basis_not_permitted", "/recipients/0/legal_basis"}}},
		{"the public sees only forum posts", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Forum readers", Type: "public"}}
		}), []finding{
			{"sharing.public_not_forum", "/data_categories/0"}, {"sharing.public_not_forum", "/data_categories/1"},
			{"sharing.public_not_forum", "/data_categories/2"}, {"sharing.public_not_forum", "/purposes/0"},
		}},
		{"forum posts under a username are allowed, and need no transfer safeguard", policyengine.Activity{
			ID: "forum", DataSubjects: []string{"forum_user"}, DataCategories: []string{"username", "comment", "photo"},
			Purposes: []string{"support.forum"}, LegalBasis: "legitimate_interest", Retention: &policyengine.Retention{Period: "P3Y", From: "account_closure"},
			Recipients: []policyengine.Recipient{{Name: "Forum readers", Type: "public"}},
		}, nil},
		{"a recipient type the policy does not share with is denied", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "ListMart", Type: "data_broker", Country: "DE"}}
		}), []finding{{"sharing.recipient_unlisted", "/recipients/0/type"}}},

		// transfer.without_scc: EU vs EEA, missing country, adequacy off by default
		{"Norway, Iceland and Liechtenstein are in the EEA", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{
				{Name: "A", Type: "group_company", Country: "NO"}, {Name: "B", Type: "group_company", Country: "IS"}, {Name: "C", Type: "group_company", Country: "LI"},
			}
		}), nil},
		{"Switzerland and the UK are outside the EU/EEA", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "A", Type: "group_company", Country: "CH"}, {Name: "B", Type: "group_company", Country: "GB"}}
		}), []finding{{"transfer.without_scc", "/recipients/0/transfer_safeguard"}, {"transfer.without_scc", "/recipients/1/transfer_safeguard"}}},
		{"a recipient with no country needs SCCs", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "Somewhere", Type: "group_company"}}
		}), []finding{{"transfer.without_scc", "/recipients/0/transfer_safeguard"}}},
		{"SCCs cover a transfer outside the EU/EEA", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "PayFlow", Type: "subprocessor", Country: "US", DPA: true, TransferSafeguard: "scc"}}
		}), nil},
		{"adequacy is not accepted under Confect's policy", with(orderHandling(), func(a *policyengine.Activity) {
			a.Recipients = []policyengine.Recipient{{Name: "CrashDesk", Type: "subprocessor", Country: "GB", DPA: true, TransferSafeguard: "adequacy"}}
		}), []finding{{"transfer.without_scc", "/recipients/0/transfer_safeguard"}}},

		// retention.*: P2Y vs P24M, days vs months, extensions, events
		{"a controller activity declares its retention", with(orderHandling(), func(a *policyengine.Activity) { a.Retention = nil }),
			[]finding{{"retention.missing", "/retention"}}},
		{"a retention without a period is missing", with(orderHandling(), func(a *policyengine.Activity) { a.Retention = &policyengine.Retention{From: "collection"} }),
			[]finding{{"retention.missing", "/retention/period"}}},
		{"P2Y is the marketing limit of P24M, not beyond it", with(newsletter(), func(a *policyengine.Activity) { a.Retention.Period = "P2Y" }), nil},
		{"P23M is within the marketing limit", with(newsletter(), func(a *policyengine.Activity) { a.Retention.Period = "P23M" }), nil},
		{"P730D is within P24M", with(newsletter(), func(a *policyengine.Activity) { a.Retention.Period = "P730D" }), nil},
		{"P731D can outlast P24M", with(newsletter(), func(a *policyengine.Activity) { a.Retention.Period = "P731D" }),
			[]finding{{"retention.exceeds_limit", "/retention/period"}}},
		{"P25M exceeds the marketing limit", with(newsletter(), func(a *policyengine.Activity) { a.Retention.Period = "P25M" }),
			[]finding{{"retention.exceeds_limit", "/retention/period"}}},
		{"recruitment data beyond six months is denied", with(application(), func(a *policyengine.Activity) { a.Retention.Period = "P7M" }),
			[]finding{{"retention.exceeds_limit", "/retention/period"}}},
		{"a job applicant's data is under the recruitment limit whatever the purpose", with(application(), func(a *policyengine.Activity) {
			a.Purposes = []string{"support.customer_support"}
			a.Retention.Period = "P1Y"
		}), []finding{{"retention.exceeds_limit", "/retention/period"}}},
		{"an agreed extension lifts the recruitment limit by its period", with(application(), func(a *policyengine.Activity) {
			a.Retention.Period = "P12M"
			a.Retention.AgreedExtension = &policyengine.Extension{Reference: "HR-2026-7", Period: "P6M"}
		}), nil},
		{"but not beyond it", with(application(), func(a *policyengine.Activity) {
			a.Retention.Period = "P13M"
			a.Retention.AgreedExtension = &policyengine.Extension{Reference: "HR-2026-7", Period: "P6M"}
		}), []finding{{"retention.exceeds_limit", "/retention/period"}}},
		{"an extension does not apply to marketing data", with(newsletter(), func(a *policyengine.Activity) {
			a.Retention.Period = "P30M"
			a.Retention.AgreedExtension = &policyengine.Extension{Reference: "x", Period: "P12M"}
		}), []finding{{"retention.exceeds_limit", "/retention/period"}}},
		{"a limit runs from its own event", with(newsletter(), func(a *policyengine.Activity) { a.Retention.From = "end_of_contract" }),
			[]finding{{"retention.exceeds_limit", "/retention/from"}}},
		{"or from one that never comes after it", with(newsletter(), func(a *policyengine.Activity) { a.Retention.From = "collection" }), nil},
		{"marketing data past 24 months after the last activity is expired", with(newsletter(), func(a *policyengine.Activity) {
			a.Subject.LastActivityAt = now.AddDate(-2, 0, -1)
		}), []finding{{"retention.expired", "/subject/last_activity_at"}}},
		{"an application past six months is expired", with(application(), func(a *policyengine.Activity) {
			a.Subject.LastApplicationAt = now.AddDate(0, -7, 0)
		}), []finding{{"retention.expired", "/subject/last_application_at"}}},
		{"an agreed extension's period postpones expiry", with(application(), func(a *policyengine.Activity) {
			a.Subject.LastApplicationAt = now.AddDate(0, -7, 0)
			a.Retention.Period = "P12M"
			a.Retention.AgreedExtension = &policyengine.Extension{Reference: "HR-2026-7", Period: "P6M"}
		}), nil},

		// marketing.* and profiling.*
		{"marketing email without consent is denied", with(newsletter(), func(a *policyengine.Activity) {
			a.LegalBasis = "legitimate_interest"
			a.Consent = nil
		}), []finding{{"marketing.email_without_consent", "/consent"}}},
		{"marketing SMS needs consent too", with(newsletter(), func(a *policyengine.Activity) {
			a.LegalBasis = "legitimate_interest"
			a.Consent.Status = "refused"
			a.Channel.Type = "sms"
		}), []finding{{"marketing.email_without_consent", "/consent/status"}}},
		{"marketing on the website needs no consent", with(newsletter(), func(a *policyengine.Activity) {
			a.LegalBasis = "legitimate_interest"
			a.Consent = nil
			a.Channel.Type = "web"
		}), nil},
		{"no marketing to a person who opted out", with(newsletter(), func(a *policyengine.Activity) { a.Subject.OptedOutMarketing = true }),
			[]finding{{"marketing.opted_out", "/channel/content"}, {"marketing.opted_out", "/purposes/0"}}},
		{"administrative email after an opt-out is allowed", with(orderHandling(), func(a *policyengine.Activity) {
			a.Channel = &policyengine.Channel{Type: "email", Content: "administrative"}
			a.Subject = &policyengine.Subject{OptedOutMarketing: true, OptedOutProfiling: true}
		}), nil},
		{"no profiling of a person who opted out of it", with(newsletter(), func(a *policyengine.Activity) {
			a.Purposes = []string{"marketing.profiling"}
			a.Profiling = true
			a.Channel = nil
			a.Subject.OptedOutProfiling = true
		}), []finding{{"profiling.opted_out", "/profiling"}, {"profiling.opted_out", "/purposes/0"}}},
		{"profiling a person who did not opt out is allowed", with(newsletter(), func(a *policyengine.Activity) {
			a.Purposes = []string{"marketing.profiling"}
			a.Profiling = true
		}), nil},

		// objection.legitimate_interest / restriction.requested
		{"no legitimate interest over an objection", with(orderHandling(), func(a *policyengine.Activity) {
			a.Purposes = []string{"support.improvement"}
			a.LegalBasis = "legitimate_interest"
			a.Subject = &policyengine.Subject{ObjectedLegitimateInterest: true}
		}), []finding{{"objection.legitimate_interest", "/legal_basis"}}},
		{"an objection does not touch processing on contract", with(orderHandling(), func(a *policyengine.Activity) {
			a.Subject = &policyengine.Subject{ObjectedLegitimateInterest: true}
		}), nil},
		{"restricted processing is denied", with(orderHandling(), func(a *policyengine.Activity) { a.Subject = &policyengine.Subject{Restricted: true} }),
			[]finding{{"restriction.requested", "/purposes/0"}}},
		{"handling the person's rights stays allowed under restriction", with(orderHandling(), func(a *policyengine.Activity) {
			a.Purposes = []string{"rights.access"}
			a.LegalBasis = "legal_obligation"
			a.Subject = &policyengine.Subject{Restricted: true}
		}), nil},
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx := context.Background()
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := e.Evaluate(ctx, tc.activity)
			require.NoError(t, err)
			want := tc.want
			if want == nil {
				want = []finding{}
			}
			assert.Equal(t, want, findings(d))
			assert.Equal(t, len(tc.want) == 0, d.Allow)
			for _, r := range d.Reasons {
				assert.NotEmpty(t, r.Message, r.Rule)
				assert.NotEmpty(t, r.Clause, r.Rule)
			}

			// The same activity as JSON gets the same decision.
			raw, err := json.Marshal(tc.activity)
			require.NoError(t, err)
			dj, err := e.EvaluateJSON(ctx, raw)
			require.NoError(t, err)
			assert.Equal(t, d, dj)
		})
	}
}

// Every rule of the contract's catalogue, and every rule of the policy, fires in some case and
// stays silent in another.
func TestEveryRuleFiresAndHoldsBack(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	fired := map[string]bool{}
	silent := map[string]bool{}
	for _, tc := range ruleCases() {
		d, err := e.Evaluate(context.Background(), tc.activity)
		require.NoError(t, err)
		got := map[string]bool{}
		for _, r := range append(d.Reasons, d.Warnings...) {
			got[r.Rule] = true
			fired[r.Rule] = true
		}
		for _, r := range e.Rules() {
			if !got[r.ID] {
				silent[r.ID] = true
			}
		}
	}
	ids := catalogue(t)
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
	}
	for _, id := range ids {
		assert.True(t, fired[id], "no case makes %s fire", id)
		assert.True(t, silent[id], "no case keeps %s silent", id)
	}
}

// catalogue reads the rule ids of the contract's catalogue (§3) from the contract itself.
func catalogue(t testing.TB) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "shared", "spec", "contract.md"))
	if err != nil {
		// The contract sits beside the repository in development; CI checks the copy the
		// README documents.
		return contractRuleIDs
	}
	_, section, _ := strings.Cut(string(src), "## 3.")
	section, _, _ = strings.Cut(section, "Scope:")
	var ids []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			id := strings.Trim(strings.Split(line, "|")[1], " `")
			ids = append(ids, id)
		}
	}
	require.Equal(t, contractRuleIDs, ids, "the contract's catalogue changed: update contractRuleIDs")
	return ids
}

// contractRuleIDs is the contract's rule catalogue (§3); ids are part of the contract.
var contractRuleIDs = []string{
	"category.sensitive", "category.unlisted", "data_subject.unlisted", "source.unlisted",
	"purpose.unlisted", "legal_basis.missing", "legal_basis.not_permitted", "consent.not_given",
	"processor.no_customer_dpa", "sharing.authority_without_court_order",
	"sharing.subprocessor_without_dpa", "sharing.partner_without_legal_basis",
	"sharing.public_not_forum", "transfer.without_scc", "retention.missing",
	"retention.exceeds_limit", "retention.expired", "marketing.email_without_consent",
	"marketing.opted_out", "profiling.opted_out", "objection.legitimate_interest",
}

func TestCatalogue(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	rules := e.Rules()
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
		assert.Contains(t, []string{"deny", "warn"}, r.Kind, r.ID)
		assert.NotEmpty(t, r.Title, r.ID)
		assert.NotEmpty(t, r.Description, r.ID)
		assert.NotEmpty(t, r.Remedy, r.ID)
		assert.NotContains(t, r.Description, "To pass", r.ID)
		assert.NotEmpty(t, r.Clause, r.ID)
		assert.NotEmpty(t, r.ClauseText, r.ID)
		assert.Contains(t, r.File, "rego/", r.ID)
		got, ok := e.Rule(r.ID)
		assert.True(t, ok)
		assert.Equal(t, r, got)
	}
	assert.True(t, sort.StringsAreSorted(ids))
	assert.Subset(t, ids, catalogue(t))
	_, ok := e.Rule("no.such_rule")
	assert.False(t, ok)
}

// The evaluation time is the engine's clock: the same activity expires between two clocks.
func TestClock(t *testing.T) {
	t.Parallel()
	a := application()
	a.Subject.LastApplicationAt = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	before := newEngine(t, policyengine.WithClock(func() time.Time { return time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC) }))
	after := newEngine(t, policyengine.WithClock(func() time.Time { return time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC) }))
	d, err := before.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	d, err = after.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.Equal(t, []finding{{"retention.expired", "/subject/last_application_at"}}, findings(d))

	// WithClock is read at every decision.
	var mu sync.Mutex
	clock := time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC)
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
	require.NoError(t, err)
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	mu.Lock()
	clock = clock.AddDate(0, 0, 2)
	mu.Unlock()
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)

	// AtTime overrides the clock for one call.
	d, err = e.Evaluate(policyengine.AtTime(context.Background(), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
}

func TestDecisionShape(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	a := orderHandling()
	a.DataCategories = append(a.DataCategories, "health", "shoe_size")
	a.LegalBasis = ""
	d, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
	assert.Equal(t, e.Revision(), d.Revision)
	assert.Len(t, d.Revision, 64)
	assert.Equal(t, []finding{{"category.sensitive", "/data_categories/3"}, {"category.unlisted", "/data_categories/4"}, {"legal_basis.missing", "/legal_basis"}}, findings(d))
	r := d.Reasons[0]
	assert.Equal(t, "What personal data does Confect process?", r.Clause)
	assert.Equal(t, "sensitive-data", r.ClauseID)
	assert.Contains(t, r.Message, `"health"`)
	assert.Equal(t, `category.sensitive at /data_categories/3: `+r.Message, r.String())
	assert.True(t, strings.HasPrefix(d.String(), "deny: category.sensitive at /data_categories/3"))

	raw, err := json.Marshal(d)
	require.NoError(t, err)
	var shape map[string]any
	require.NoError(t, json.Unmarshal(raw, &shape))
	assert.ElementsMatch(t, []string{"allow", "reasons", "warnings", "revision"}, keys(shape))
	reason := shape["reasons"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"rule", "message", "clause", "clause_id", "path"}, keys(reason))

	allowed, err := e.Evaluate(context.Background(), orderHandling())
	require.NoError(t, err)
	assert.Equal(t, "allow", allowed.String())
	raw, err = json.Marshal(allowed)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"reasons":[]`)
	assert.Contains(t, string(raw), `"warnings":[]`)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The typed activity is the JSON document it marshals to.
func TestActivityJSONForm(t *testing.T) {
	t.Parallel()
	full := policyengine.Activity{
		ID: "full", Description: "every field", Role: "controller", CustomerDPA: "DPA-1",
		DataSubjects: []string{"user"}, DataCategories: []string{"email"}, Sources: []string{"cookies"},
		Purposes: []string{"support.improvement"}, LegalBasis: "consent",
		Consent:   &policyengine.Consent{Status: "given", GivenAt: now.Add(-time.Hour), WithdrawnAt: now},
		Profiling: true, Channel: &policyengine.Channel{Type: "email", Content: "administrative"},
		Retention: &policyengine.Retention{Period: "P1Y", From: "collection", AgreedExtension: &policyengine.Extension{Reference: "R", Period: "P1M"}},
		Recipients: []policyengine.Recipient{{Name: "N", Type: "authority", Country: "SE", DPA: true, TransferSafeguard: "scc",
			CourtOrder: &policyengine.CourtOrder{Reference: "C", Jurisdiction: "SE", InternationalAgreement: true}, LegalBasis: "contract"}},
		Subject: &policyengine.Subject{OptedOutMarketing: true, OptedOutProfiling: true, ObjectedLegitimateInterest: true, Restricted: true,
			LastActivityAt: now, LastApplicationAt: now, Age: 30},
	}
	raw, err := json.Marshal(full)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NoError(t, schema.ValidateActivity(doc), "the typed activity marshals to a valid document")

	// Decoding the manifest form gives back the same typed activity.
	var back policyengine.Activity
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, full.Subject.LastActivityAt.Unix(), back.Subject.LastActivityAt.Unix())

	e := newEngine(t)
	d1, err1 := e.Evaluate(context.Background(), full)
	d2, err2 := e.EvaluateJSON(context.Background(), raw)
	assert.Equal(t, d1, d2)
	assert.Equal(t, err1 == nil, err2 == nil)
}

func TestInvalidInputFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	cases := []struct {
		name string
		doc  string
		want []string // "pointer: message"
	}{
		{"not JSON", `{"id": `, []string{"/id: unexpected end of JSON"}},
		{"duplicate key", `{"id":"a","id":"b","data_categories":["email"],"purposes":["purchase.orders"]}`, []string{"/id: duplicate key"}},
		{"unknown key", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"colour":"red"}`, []string{"/colour: unknown key: not part of the format"}},
		{"missing required fields", `{"id":"a"}`, []string{"/data_categories: is required", "/purposes: is required"}},
		{"empty categories", `{"id":"a","data_categories":[],"purposes":["purchase.orders"]}`, []string{"/data_categories: expected at least one item"}},
		{"malformed duration", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"retention":{"period":"6 months"}}`,
			[]string{"/retention/period: expected an ISO 8601 duration such as P6M or P2Y"}},
		{"malformed date", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"subject":{"last_activity_at":"last Tuesday"}}`,
			[]string{"/subject/last_activity_at: expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"}},
		{"wrong type", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"profiling":"yes"}`,
			[]string{"/profiling: expected boolean, but got string"}},
		{"not an object", `["a"]`, []string{"/: expected object, but got array"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := e.EvaluateJSON(context.Background(), []byte(tc.doc))
			require.Error(t, err)
			assert.False(t, d.Allow)
			assert.Equal(t, e.Revision(), d.Revision)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
			var first *problem.Problem
			require.ErrorAs(t, err, &first, "each problem is a *problem.Problem")
			var got []string
			for _, p := range problem.All(err) {
				ptr := p.Pointer
				if ptr == "" {
					ptr = "/"
				}
				got = append(got, ptr+": "+p.Message)
			}
			assert.Equal(t, tc.want, got)
		})
	}

	// The typed path validates too: a malformed duration is not silently allowed.
	a := orderHandling()
	a.Retention.Period = "five years"
	d, err := e.Evaluate(context.Background(), a)
	assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.False(t, d.Allow)
}

// No value of the input appears in an error: values may be personal data.
func TestErrorsDoNotEchoInput(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	secret := "Ada Lovelace +44 20 7946 0958"
	doc := fmt.Sprintf(`{"id":%[1]q,"description":%[1]q,"data_categories":[%[1]q],"purposes":[%[1]q],"legal_basis":%[1]q,
		"retention":{"period":%[1]q},"subject":{"last_activity_at":%[1]q},"recipients":[{"name":%[1]q,"type":%[1]q,"country":%[1]q}]}`, secret)
	_, err := e.EvaluateJSON(context.Background(), []byte(doc))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Ada")
	assert.NotContains(t, err.Error(), "7946")
}

func TestContextFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := e.Evaluate(ctx, orderHandling())
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	d, err = e.EvaluateJSON(ctx, mustJSON(t, orderHandling()))
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// The parse itself honours the context: a large body with an error at its end is not
	// parsed (twice, for positions) past the deadline.
	body := `{"id":"x","data_categories":[` + strings.Repeat(`"a",`, 60000) + `1 x]}`
	d, err = e.EvaluateJSON(ctx, []byte(body))
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return raw
}

// writePolicy writes a policy directory: the embedded document, edited, and extra modules.
func writePolicy(t testing.TB, edit func(doc string) string, modules map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	doc := string(policy.DefaultDocument())
	if edit != nil {
		doc = edit(doc)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(doc), 0o644))
	for name, src := range modules {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	return dir
}

// A rule that fails at run time is an evaluation error, never an allow.
func TestRuleErrorFailsClosed(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"broken.rego": `package policyengine.rules.broken

# METADATA
# title: Broken
# description: Divides by zero on every input with one purpose.
# custom:
#   id: broken.division
#   clause: purposes
deny contains {"rule": "broken.division", "path": "", "message": x} if {
	x := 1 / (count(input.purposes) - 1)
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	d, err := e.Evaluate(context.Background(), orderHandling())
	assert.False(t, d.Allow)
	require.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.Contains(t, err.Error(), "divide by zero")
}

// A rule that fails on an input value does not quote it: the error names the rule's place.
func TestRuleErrorQuotesNoInputValue(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"numbers.rego": `package policyengine.rules.numbers

# METADATA
# title: Numbers
# description: Reads the description as a number, which fails for words.
# custom:
#   id: numbers.description
#   clause: purposes
deny contains {"rule": "numbers.description", "path": "/description", "message": "x"} if {
	to_number(input.description) > 0
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	a := orderHandling()
	a.Description = "Jane Doe, 19800101-1234"
	d, err := e.Evaluate(context.Background(), a)
	assert.False(t, d.Allow)
	require.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.NotContains(t, err.Error(), "Jane")
	assert.NotContains(t, err.Error(), "1234")
	assert.Contains(t, err.Error(), "numbers.rego:")
}

// A reason of the wrong shape, or a decision without errors, is an evaluation error.
func TestMalformedReasonFailsClosed(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"shapeless.rego": `package policyengine.rules.shapeless

# METADATA
# title: Shapeless
# description: Returns a reason without a rule id.
# custom:
#   id: shapeless.reason
#   clause: purposes
deny contains {"message": "no id"} if {
	input.id == "order-handling"
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	d, err := e.Evaluate(context.Background(), orderHandling())
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
}

func TestInvalidPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(string) string
		modules map[string]string
		want    string
	}{
		{"document fails its schema", func(d string) string {
			return strings.Replace(d, "legal_bases: {contract: true, consent: true}", "legal_bases: {contract: yes}", 1)
		}, nil, "policy.yaml:216:21: /privacy_policy/purposes/purchase.orders/legal_bases/contract: expected boolean, but got string"},
		{"rule names an undefined clause", func(d string) string {
			return strings.Replace(d, "    opt-out:\n", "    opt-out-renamed:\n", 1)
		}, nil, fmt.Sprintf("rego/marketing.rego:%d:1: rule marketing.opted_out names clause", ruleLine(t, "marketing.rego", "marketing.opted_out")) + ` "opt-out", which the policy document (`},
		{"module does not compile", nil, map[string]string{"bad.rego": "package policyengine.rules.bad\n\ndeny contains x if {\n"}, "bad.rego:"},
		{"module fails the strict check", nil, map[string]string{"strict.rego": "package policyengine.rules.strict\n\nimport data.privacy_policy\n\nx := 1\n"}, "strict.rego:3"},
		{"deny rule without METADATA", nil, map[string]string{"bare.rego": "package policyengine.rules.bare\n\ndeny contains \"x\" if false\n"}, "bare.rego:3:1: this deny rule has no METADATA block"},
		{"two rules claim one id", nil, map[string]string{"dup.rego": `package policyengine.rules.dup

# METADATA
# title: Duplicate
# description: Claims an id the built-in rules already use.
# custom:
#   id: consent.not_given
#   clause: consent
deny contains "x" if false
`}, "rule id consent.not_given is already claimed by the rule at"},
		{"module outside the rules packages", nil, map[string]string{"takeover.rego": "package policyengine\n\nallow := true\n"}, "a policy's modules add rules in packages under policyengine.rules"},
		// A policy's module that joins a built-in package could give its helpers a body that is
		// always true, and switch the built-in rules off.
		{"module in a built-in rules package", nil, map[string]string{"court.rego": "package policyengine.rules.sharing\n\n_names_court_order(_) if true\n"},
			"court.rego:1:1: package policyengine.rules.sharing: a built-in package"},
		{"module adds to a built-in helper", nil, map[string]string{"dpa.rego": "package policyengine.rules.processor\n\n_names_dpa if true\n"},
			"dpa.rego:1:1: package policyengine.rules.processor: a built-in package"},
		{"module beneath a built-in rules package", nil, map[string]string{"ext.rego": "package policyengine.rules.retention.more\n\nx := true\n"},
			"ext.rego:1:1: package policyengine.rules.retention.more: a built-in package"},
		{"module in the rules root reaching into a built-in package", nil, map[string]string{"root.rego": "package policyengine.rules\n\nsharing._names_court_order(_) if true\n"},
			"root.rego:1:1: package policyengine.rules: a policy's modules add rules in packages under policyengine.rules"},
		{"module calls http.send", nil, map[string]string{"net.rego": "package policyengine.rules.net\n\nx := http.send({\"method\": \"GET\", \"url\": \"https://example.com\"})\n"}, "net.rego:3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writePolicy(t, tc.edit, tc.modules)
			_, err := policyengine.New(context.Background(), policyengine.WithPolicyDir(dir))
			require.Error(t, err)
			assert.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
			assert.ErrorIs(t, err, policy.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
			var pe *problem.Problem
			assert.True(t, errors.As(err, &pe), "errors.As finds a *problem.Problem")
		})
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	// Another policy is a new document, not new code: accept adequacy for transfers.
	dir := writePolicy(t, func(d string) string {
		return strings.Replace(d, "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n", 1)
	}, nil)
	a := orderHandling()
	a.Recipients = []policyengine.Recipient{{Name: "CrashDesk", Type: "subprocessor", Country: "GB", DPA: true, TransferSafeguard: "adequacy"}}

	confect := newEngine(t)
	adequacy := newEngine(t, policyengine.WithPolicyDir(dir))
	fsEngine := newEngine(t, policyengine.WithPolicyFS(os.DirFS(dir)))
	loaded, err := policy.LoadDir(dir)
	require.NoError(t, err)
	typed := newEngine(t, policyengine.WithPolicy(loaded))

	d, err := confect.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
	for _, e := range []*policyengine.Engine{adequacy, fsEngine, typed} {
		d, err := e.Evaluate(context.Background(), a)
		require.NoError(t, err)
		assert.True(t, d.Allow)
		assert.Equal(t, adequacy.Revision(), d.Revision, "the revision depends on content, not on how it was loaded")
	}
	assert.NotEqual(t, confect.Revision(), adequacy.Revision())

	// The embedded policy loaded from its directory is the default, revision and all.
	fromDir := newEngine(t, policyengine.WithPolicyDir("policy"))
	assert.Equal(t, confect.Revision(), fromDir.Revision())
	assert.Equal(t, "Confect", confect.Policy().Organisation)

	_, err = policyengine.New(context.Background(), policyengine.WithPolicyDir(dir), policyengine.WithPolicyDir(dir))
	assert.ErrorContains(t, err, "give at most one")
	_, err = policyengine.New(context.Background(), policyengine.WithPolicyDir(filepath.Join(dir, "missing")))
	assert.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
}

// The engine is safe for concurrent use: many goroutines, one engine, the same answers.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	cases := ruleCases()
	want := make([]policyengine.Decision, len(cases))
	for i, tc := range cases {
		d, err := e.Evaluate(context.Background(), tc.activity)
		require.NoError(t, err)
		want[i] = d
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				for i, tc := range cases {
					d, err := e.Evaluate(context.Background(), tc.activity)
					if err != nil || !assert.ObjectsAreEqual(want[i], d) {
						errs <- fmt.Errorf("%s: got %v (%v), want %v", tc.name, d, err, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Warnings flag without denying.
func TestWarnings(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	atLimit := newsletter() // P24M from last_activity: exactly the marketing limit
	atLimit.Consent.GivenAt = now.AddDate(-3, 0, 0)
	d, err := e.Evaluate(context.Background(), atLimit)
	require.NoError(t, err)
	assert.True(t, d.Allow, "warnings never deny")
	assert.Empty(t, d.Reasons)
	var got []finding
	for _, w := range d.Warnings {
		got = append(got, finding{w.Rule, w.Path})
		assert.NotEmpty(t, w.Message)
		assert.NotEmpty(t, w.Clause)
	}
	assert.Equal(t, []finding{{"consent.stale", "/consent/given_at"}, {"retention.at_limit", "/retention/period"}}, got)

	within := with(newsletter(), func(a *policyengine.Activity) {
		a.Retention.Period = "P12M"
		a.Consent.GivenAt = now.AddDate(-1, 0, 0)
	})
	d, err = e.Evaluate(context.Background(), within)
	require.NoError(t, err)
	assert.Empty(t, d.Warnings)

	rule, ok := e.Rule("retention.at_limit")
	require.True(t, ok)
	assert.Equal(t, "warn", rule.Kind)
}

// ruleLine is the line of the rule with the given id in a built-in module: the first line after
// its METADATA.
func ruleLine(t *testing.T, file, id string) int {
	t.Helper()
	src, err := fs.ReadFile(regofiles.FS(), file)
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "#   id: "+id {
			for j := i + 1; j < len(lines); j++ {
				if !strings.HasPrefix(lines[j], "#") {
					return j + 1
				}
			}
		}
	}
	t.Fatalf("no rule %s in %s", id, file)
	return 0
}
