package gentree

import (
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/confect/policyengine/policy"
)

// NewsletterDeclaration is the typical consent-based declaration the per-person benchmarks
// decide: the monthly newsletter.
const NewsletterDeclaration = `{"id": "newsletter-monthly", "data_subjects": ["lead", "customer"],
 "data_categories": ["name", "email"], "sources": ["data_subject"], "purposes": ["marketing.materials"],
 "legal_basis": "consent", "channel": {"type": "email", "content": "marketing"},
 "retention": {"period": "P24M", "from": "last_activity"},
 "recipients": [{"name": "Confect Mail Delivery (EU)", "type": "subprocessor", "country": "IE", "dpa": true}]}`

// PersonStates are n distinct states of newsletter subscribers, each allowed under Confect's
// policy at now: consent given at a different second each, last active some months later.
func PersonStates(n int, now time.Time) [][]byte {
	base := now.Add(-300 * 24 * time.Hour)
	out := make([][]byte, n)
	for i := range out {
		given := base.Add(time.Duration(i) * time.Second).UTC().Format(time.RFC3339)
		active := base.Add(time.Duration(i)*time.Second + 200*24*time.Hour).UTC().Format(time.RFC3339)
		out[i] = []byte(`{"consent": {"status": "given", "given_at": "` + given + `"}, "subject": {"last_activity_at": "` + active + `"}}`)
	}
	return out
}

// Generator makes declarations and varied people's states from a policy's vocabularies, with a
// share of values outside them, so that every rule both fires and holds back: allowed and denied
// people, consent given, withdrawn, refused or expired with its times and purposes, opt-outs,
// objections, restriction, pending requests (erasure among them), ages around the age of digital
// consent, and clocks around the evaluation time. The differential tests, the fuzz targets' seeds
// and the mixed per-person benchmarks all draw from it.
type Generator struct {
	r   *rand.Rand
	doc *policy.Document
	now time.Time
}

// New returns a generator of a seed, for a policy document, with times around now.
func New(seed uint64, doc *policy.Document, now time.Time) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), doc: doc, now: now}
}

func sortedKeys[V any](m map[string]V) []string {
	out := slices.Collect(maps.Keys(m))
	sort.Strings(out)
	return out
}

func (g *Generator) pick(options []string) string { return options[g.r.IntN(len(options))] }

func (g *Generator) some(options []string, most int) []any {
	n := 1 + g.r.IntN(most)
	out := make([]any, 0, n)
	for range n {
		out = append(out, g.pick(options))
	}
	return out
}

// DeclarationAt is a declaration of its own generator for i: safe to call from goroutines.
func (g *Generator) DeclarationAt(i int) map[string]any {
	return New(uint64(i), g.doc, g.now).Declaration(i)
}

// Declaration is a random declaration (an activity without consent and subject), with id
// decl-i.
func (g *Generator) Declaration(i int) map[string]any {
	purposes := append(sortedKeys(g.doc.Purposes), "sales.cold_calling")
	categories := append(sortedKeys(g.doc.DataCategories), "health")
	subjects := append(sortedKeys(g.doc.DataSubjects), "child")
	bases := []string{"consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"}
	d := map[string]any{
		"id":              "decl-" + strconv.Itoa(i),
		"data_subjects":   g.some(subjects, 2),
		"data_categories": g.some(categories, 3),
		"sources":         g.some(sortedKeys(g.doc.Sources), 3),
		"purposes":        g.some(purposes, 2),
	}
	if g.r.IntN(10) > 0 {
		d["legal_basis"] = g.pick(bases)
	}
	if g.r.IntN(10) == 0 {
		d["role"] = "processor"
		d["customer_dpa"] = "DPA-1"
	}
	if g.r.IntN(3) == 0 {
		d["profiling"] = true
	}
	if g.r.IntN(2) == 0 {
		d["channel"] = map[string]any{"type": g.pick([]string{"email", "sms", "phone", "web", "post"}), "content": g.pick([]string{"marketing", "administrative"})}
	}
	if g.r.IntN(8) > 0 {
		ret := map[string]any{"period": g.pick([]string{"P3M", "P6M", "P7M", "P12M", "P24M", "P25M", "P5Y", "P730D", "P731D", "P8Y", "P1Y15D", "PT36H"}),
			"from": g.pick([]string{"collection", "last_activity", "last_application_date", "end_of_contract", "account_closure"})}
		if g.r.IntN(6) == 0 {
			ret["agreed_extension"] = map[string]any{"reference": "AGR-1", "period": g.pick([]string{"P3M", "P6M"})}
		}
		d["retention"] = ret
	}
	if g.r.IntN(2) == 0 {
		g.clean(d)
		return d
	}
	if g.r.IntN(2) == 0 {
		var rs []any
		for range 1 + g.r.IntN(2) {
			rec := map[string]any{"name": "R", "type": g.pick(sortedKeys(g.doc.RecipientTypes)), "country": g.pick([]string{"SE", "DE", "NO", "US", "GB"})}
			if g.r.IntN(2) == 0 {
				rec["dpa"] = true
			}
			if g.r.IntN(2) == 0 {
				rec["transfer_safeguard"] = g.pick([]string{"scc", "adequacy", "none"})
			}
			if g.r.IntN(2) == 0 {
				rec["legal_basis"] = g.pick(bases)
			}
			if g.r.IntN(3) == 0 {
				rec["court_order"] = map[string]any{"reference": "B 1", "jurisdiction": g.pick([]string{"SE", "US"})}
			}
			rs = append(rs, rec)
		}
		d["recipients"] = rs
	}
	return d
}

// clean makes a declaration that the declaration rules are likely to allow, so that the person
// rules decide: one purpose with a basis it permits, vocabulary terms only, EU recipients.
func (g *Generator) clean(d map[string]any) {
	purpose := g.pick(sortedKeys(g.doc.Purposes))
	d["purposes"] = []any{purpose}
	var bases []string
	for b, ok := range g.doc.Purposes[purpose].LegalBases {
		if ok {
			bases = append(bases, b)
		}
	}
	sort.Strings(bases)
	d["legal_basis"] = g.pick(bases)
	d["data_categories"] = g.some(sortedKeys(g.doc.DataCategories), 2)
	d["data_subjects"] = g.some(sortedKeys(g.doc.DataSubjects), 2)
	if g.r.IntN(4) == 0 {
		d["recipients"] = []any{map[string]any{"name": "R", "type": "subprocessor", "country": "DE", "dpa": true}}
	}
	d["retention"] = map[string]any{"period": g.pick([]string{"P1M", "P3M", "P6M", "P12M", "P24M", "P8Y"}),
		"from": g.pick([]string{"collection", "last_activity", "last_application_date"})}
	switch g.r.IntN(4) {
	case 0:
		d["recipients"] = []any{map[string]any{"name": "P", "type": "business_partner", "country": "SE", "legal_basis": g.pick([]string{"consent", "contract", "legitimate_interest", "public_task"})}}
	case 1:
		d["recipients"] = []any{map[string]any{"name": "A", "type": "authority", "country": "SE",
			"court_order": map[string]any{"reference": "B 1", "jurisdiction": g.pick([]string{"SE", "US"})}}}
	}
	if g.r.IntN(3) == 0 {
		d["sources"] = []any{"data_subject", "cookies"}
	}
}

func (g *Generator) time(within time.Duration) string {
	offset := time.Duration(g.r.Int64N(int64(within))) - within*4/5
	ts := g.now.Add(offset).UTC().Format(time.RFC3339)
	if g.r.IntN(8) == 0 {
		ts = strings.ToLower(ts) // RFC 3339 allows t and z in lower case
	}
	return ts
}

// Person is a random person's state: {"consent": ..., "subject": ...}, either possibly absent.
func (g *Generator) Person() map[string]any {
	p := map[string]any{}
	if g.r.IntN(4) > 0 {
		c := map[string]any{"status": g.pick([]string{"given", "given", "given", "withdrawn", "refused", "expired", "unknown"})}
		if g.r.IntN(2) == 0 {
			c["given_at"] = g.time(5 * 365 * 24 * time.Hour)
		}
		if g.r.IntN(5) == 0 {
			c["withdrawn_at"] = g.time(365 * 24 * time.Hour)
		}
		if g.r.IntN(4) == 0 {
			// Consent for named purposes: some of the policy's, sometimes none.
			named := g.some(sortedKeys(g.doc.Purposes), 3)
			c["purposes"] = named[:g.r.IntN(len(named)+1)]
		}
		p["consent"] = c
	}
	if g.r.IntN(4) > 0 {
		s := map[string]any{}
		for _, flag := range []string{"opted_out_marketing", "opted_out_profiling", "objected_legitimate_interest", "restricted"} {
			if g.r.IntN(4) == 0 {
				s[flag] = true
			}
		}
		for _, clock := range []string{"last_activity_at", "last_application_at"} {
			if g.r.IntN(2) == 0 {
				s[clock] = g.time(4 * 365 * 24 * time.Hour)
			}
		}
		for _, clock := range []string{"erasure_requested_at", "access_requested_at", "rectification_requested_at", "portability_requested_at"} {
			if g.r.IntN(8) == 0 {
				s[clock] = g.time(120 * 24 * time.Hour)
			}
		}
		switch g.r.IntN(3) {
		case 0:
			s["age"] = g.r.IntN(80)
		case 1:
			// Around the age of digital consent.
			s["age"] = g.doc.Consent.DigitalConsentAge - 2 + g.r.IntN(4)
		}
		p["subject"] = s
	}
	return p
}
