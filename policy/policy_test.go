package policy_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// The embedded document says what the contract (§1 and §3) says Confect's policy says.
func TestDefaultMatchesTheContract(t *testing.T) {
	p := policy.Default()
	assert.Equal(t, "embedded", p.Name)
	assert.Equal(t, policy.DefaultFile, p.DocumentFile)
	assert.Empty(t, p.Modules)
	assert.Empty(t, p.Tests)
	d := p.Document
	assert.Equal(t, "Confect", d.Organisation)
	assert.NotEmpty(t, d.Title)

	t.Run("bases per purpose", func(t *testing.T) {
		// The contract's table, row by row.
		want := map[string]map[string]bool{}
		for purposes, bases := range map[string]map[string]bool{
			"purchase.orders purchase.accounts":                                         set("contract", "consent"),
			"purchase.services purchase.offers":                                         set("contract", "legitimate_interest", "consent"),
			"support.customer_support":                                                  set("contract", "legitimate_interest", "consent"),
			"support.improvement support.forum marketing.materials marketing.profiling": set("legitimate_interest", "consent"),
			"security.threat_prevention":                                                set("legitimate_interest", "legal_obligation"),
			"security.maintenance":                                                      set("legitimate_interest"),
			"recruitment.applications recruitment.evaluation":                           set("contract", "consent"),
			"rights.access rights.rectification rights.erasure rights.restriction rights.portability rights.objection": set("legal_obligation"),
			// Version 2 (§7): what GDPR art. 17(3) and 18(2) still allow after erasure or restriction.
			"legal.claims":    set("legitimate_interest", "legal_obligation"),
			"records.storage": set("contract", "legitimate_interest", "legal_obligation", "consent"),
		} {
			for _, purpose := range strings.Fields(purposes) {
				want[purpose] = bases
			}
		}
		got := map[string]map[string]bool{}
		for purpose, def := range d.Purposes {
			got[purpose] = def.LegalBases
			assert.NotEmpty(t, def.Description, purpose)
		}
		assert.Equal(t, want, got, "exactly the contract's purposes, with its bases")
		assert.Len(t, got, 21)
	})

	t.Run("vocabularies", func(t *testing.T) {
		assert.Equal(t, set("customer", "user", "contact_person", "lead", "website_visitor", "webinar_participant", "forum_user", "job_applicant"),
			keys(d.DataSubjects), "children are not among them")
		assert.Equal(t, set("data_subject", "customer", "cookies", "data_aggregator", "marketing_partner", "public_source", "social_network"), keys(d.Sources))
		groups := map[string]string{}
		for name, c := range d.DataCategories {
			groups[name] = c.Group
		}
		assert.Equal(t, map[string]string{
			"name": "basic", "postal_address": "basic", "phone": "basic", "email": "basic", "login_id": "basic",
			"username": "basic", "ip_address": "basic", "device": "basic", "web_traffic": "basic", "interests": "basic",
			"photo": "content", "comment": "content", "article": "content", "video": "content",
			"cv": "recruitment", "job_application": "recruitment", "reference": "recruitment", "interview_notes": "recruitment",
		}, groups)
		articles := map[string]int{}
		for name, c := range d.SpecialCategories {
			articles[name] = c.Article
		}
		assert.Equal(t, map[string]int{
			"health": 9, "genetic": 9, "biometric": 9, "racial_or_ethnic_origin": 9, "political_opinion": 9,
			"religious_belief": 9, "trade_union_membership": 9, "sex_life": 9, "sexual_orientation": 9, "criminal_record": 10,
		}, articles)
	})

	t.Run("sharing", func(t *testing.T) {
		assert.Equal(t, set("group_company", "subprocessor", "business_partner", "authority", "public"), keys(d.RecipientTypes))
		public := d.RecipientTypes["public"]
		assert.Equal(t, set("support.forum"), public.Purposes)
		assert.Equal(t, set("username", "photo", "comment", "article", "video"), public.DataCategories)
		for _, name := range []string{"group_company", "subprocessor", "business_partner", "authority"} {
			assert.Empty(t, d.RecipientTypes[name].Purposes, name)
			assert.Empty(t, d.RecipientTypes[name].DataCategories, name)
		}
	})

	t.Run("transfers", func(t *testing.T) {
		eu := "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
		inside := map[string]bool{}
		for code := range d.EUEEATerritory.Territories {
			if d.EUEEATerritory.Inside(code) {
				inside[code] = true
			}
		}
		outermost := " GP GF MQ RE YT MF"
		assert.Equal(t, set(strings.Fields(eu+" IS LI NO"+outermost+" AX")...), inside,
			"the EU 27, Iceland, Liechtenstein and Norway, the outermost regions with codes of their own, Åland")
		assert.Equal(t, "Norway", d.EUEEATerritory.Territories["NO"].Name, `"NO" is a key, not YAML 1.1's false`)
		for _, c := range []string{"CH", "GB", "US", "EL", "UK", "FO", "GL", "NC", "SJ", "XK"} {
			assert.False(t, d.EUEEATerritory.Inside(c), c)
		}
		for code, tr := range d.EUEEATerritory.Territories {
			assert.Contains(t, d.EUEEATerritory.Statuses, tr.Status, code)
			assert.NotEmpty(t, tr.Source, code)
			if tr.PartOf != "" {
				assert.True(t, d.EUEEATerritory.Inside(tr.PartOf), "%s is part of %s, a state of the EU/EEA", code, tr.PartOf)
			}
		}
		assert.Equal(t, map[string]bool{"scc": true}, d.TransferSafeguards, "SCCs only: adequacy is off by default")
	})

	t.Run("adequacy", func(t *testing.T) {
		assert.Equal(t, set(strings.Fields("AD AR BR CA CH FO GB GG IL IM JE JP KR NZ US UY")...), keys(d.AdequacyDecisions),
			"the countries and territories the Commission has found adequate")
		for country, decisions := range d.AdequacyDecisions {
			assert.False(t, d.EUEEATerritory.Inside(country), "%s has an adequacy decision, so it is outside the EU/EEA", country)
			for _, dec := range decisions {
				adopted, err := time.Parse(time.DateOnly, dec.Adopted)
				require.NoError(t, err, country)
				if dec.Expires != "" {
					expires, err := time.Parse(time.DateOnly, dec.Expires)
					require.NoError(t, err, country)
					assert.True(t, expires.After(adopted), "%s: a decision expires after it is adopted", country)
				}
				assert.NotEmpty(t, dec.Reference, country)
				assert.NotEmpty(t, dec.Scope, country)
				assert.NotEmpty(t, dec.Source, country)
			}
		}
		uk := d.AdequacyDecisions["GB"]
		require.Len(t, uk, 2, "the decision of 2021 and its renewal of December 2025")
		assert.Equal(t, policy.AdequacyDecision{Reference: uk[1].Reference, Adopted: "2025-12-19", Expires: "2031-12-27", Scope: uk[1].Scope, Source: uk[1].Source}, uk[1])
		assert.Equal(t, "2025-12-27", uk[0].Expires, "the 2021 decision, extended by six months in June 2025")
		assert.Equal(t, "2023-07-10", d.AdequacyDecisions["US"][0].Adopted, "the EU-US Data Privacy Framework")
		assert.Equal(t, "dpf_certified", d.AdequacyDecisions["US"][0].OnlyRecipientsWith, "it covers certified organisations only")
	})

	t.Run("retention", func(t *testing.T) {
		assert.Equal(t, map[string]policy.RetentionLimit{
			"recruitment": {
				Clause:           "retention-recruitment",
				Description:      d.Retention.Limits["recruitment"].Description,
				AppliesTo:        policy.LimitScope{Purposes: set("recruitment.applications", "recruitment.evaluation"), DataSubjects: set("job_applicant")},
				Period:           "P6M",
				From:             "last_application_date",
				SubjectClock:     "last_application_at",
				ExtensionAllowed: true,
			},
			"marketing": {
				Clause:       "retention-marketing",
				Description:  d.Retention.Limits["marketing"].Description,
				AppliesTo:    policy.LimitScope{Purposes: set("marketing.materials", "marketing.profiling")},
				Period:       "P24M",
				From:         "last_activity",
				SubjectClock: "last_activity_at",
			},
		}, d.Retention.Limits)
	})

	t.Run("marketing and rights", func(t *testing.T) {
		assert.Equal(t, set("marketing.materials", "marketing.profiling"), d.Marketing.Purposes, "every marketing.* purpose")
		assert.Equal(t, set("marketing.profiling"), d.Marketing.ProfilingPurposes)
		assert.Equal(t, set("email", "sms"), d.Marketing.ConsentChannels, "marketing over email or sms needs consent")
		assert.Equal(t, set("rights.access", "rights.rectification", "rights.erasure", "rights.restriction", "rights.portability", "rights.objection",
			"records.storage", "legal.claims"), d.Rights.RestrictionExemptPurposes, "art. 18(2): storage and legal claims too")
		assert.Equal(t, set("authority"), d.Rights.RestrictionExemptRecipients)
		assert.Equal(t, set("rights.erasure"), d.Rights.ErasureExemptPurposes)
		assert.Equal(t, set("legal_obligation"), d.Rights.ErasureExemptBases, "art. 17(3)(b)")
		assert.Equal(t, "P1M", d.Rights.ResponsePeriod, "art. 12(3)")
		assert.Equal(t, "P24M", d.Consent.ReviewAfter)
		assert.Equal(t, 13, d.Consent.DigitalConsentAge, "Sweden's age of digital consent")
		assert.Equal(t, set("legitimate_interest", "consent", "contract"), d.RecipientTypes["business_partner"].LegalBases)
		assert.Equal(t, map[string]map[string]bool{"last_activity": set("collection")}, d.Retention.EarlierEvents)
		assert.Equal(t, set("cookies"), d.Marketing.TrackingSources)
	})

	t.Run("clauses", func(t *testing.T) {
		for _, key := range []string{"personal-data", "sensitive-data", "data-subjects", "collection", "purposes", "processor", "legal-basis",
			"consent", "sharing", "forum", "business-partners", "authorities", "subprocessors", "transfers", "retention",
			"retention-recruitment", "retention-marketing", "objection", "restriction", "marketing-consent", "opt-out"} {
			c, ok := d.Clauses[key]
			if assert.True(t, ok, key) {
				assert.NotEmpty(t, c.Section, key)
				assert.NotEmpty(t, c.Text, key)
			}
		}
		assert.Contains(t, d.Clauses["retention-recruitment"].Text, "6 months")
		assert.Contains(t, d.Clauses["retention-marketing"].Text, "24 months")
		assert.Contains(t, d.Clauses["authorities"].Text, "court order")
	})

	t.Run("data", func(t *testing.T) {
		data := p.Data()
		require.Len(t, data, 1)
		pp := data["privacy_policy"].(map[string]any)
		assert.Equal(t, "Confect", pp["organisation"])
		assert.Equal(t, true, pp["purposes"].(map[string]any)["security.maintenance"].(map[string]any)["legal_bases"].(map[string]any)["legitimate_interest"])
		// The data and the Document say the same.
		b, err := json.Marshal(data["privacy_policy"])
		require.NoError(t, err)
		var again policy.Document
		require.NoError(t, json.Unmarshal(b, &again))
		assert.Equal(t, *d, again)
	})

	t.Run("locate", func(t *testing.T) {
		src := string(policy.DefaultDocument())
		for pointer, text := range map[string]string{
			"/privacy_policy":                        "privacy_policy:",
			"/privacy_policy/organisation":           "organisation: Confect",
			"/privacy_policy/transfer_safeguards":    "transfer_safeguards:",
			"/privacy_policy/purposes/rights.access": "rights.access:\n",
			"/privacy_policy/nothing/here":           "privacy_policy:",
		} {
			line, col := position(t, src, text)
			at := p.Locate(pointer)
			assert.Equal(t, [2]int{line, col}, [2]int{at.Line, at.Column}, pointer)
			assert.Equal(t, p.DocumentFile, at.File, pointer)
		}
	})
}

// position is the 1-based line and column of the first occurrence of text in src.
func position(t *testing.T, src, text string) (line, column int) {
	t.Helper()
	i := strings.Index(src, text)
	require.GreaterOrEqual(t, i, 0, "%q is in the document", text)
	before := src[:i]
	line = strings.Count(before, "\n") + 1
	column = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, column
}

func TestDefaultIsFresh(t *testing.T) {
	a, b := policy.Default(), policy.Default()
	a.Document.Purposes["purchase.orders"].LegalBases["whim"] = true
	delete(a.Document.EUEEATerritory.Territories, "SE")
	a.Document.Organisation = "Mallory"
	assert.NotContains(t, b.Document.Purposes["purchase.orders"].LegalBases, "whim")
	assert.Contains(t, b.Document.EUEEATerritory.Territories, "SE")
	assert.Equal(t, "Confect", policy.Default().Document.Organisation)

	src := policy.DefaultDocument()
	src[0] = '!'
	assert.NotEqual(t, byte('!'), policy.DefaultDocument()[0], "DefaultDocument is a copy")
}

func TestDataIsADeepCopy(t *testing.T) {
	p := policy.Default()
	data := p.Data()
	pp := data["privacy_policy"].(map[string]any)
	pp["organisation"] = "Mallory"
	pp["purposes"].(map[string]any)["purchase.orders"].(map[string]any)["legal_bases"].(map[string]any)["whim"] = true
	delete(pp["eu_eea_territory"].(map[string]any)["territories"].(map[string]any), "SE")
	pp["retention"].(map[string]any)["limits"].(map[string]any)["marketing"].(map[string]any)["period"] = "P99Y"
	data["extra"] = 1

	again := p.Data()
	assert.NotContains(t, again, "extra")
	app := again["privacy_policy"].(map[string]any)
	assert.Equal(t, "Confect", app["organisation"])
	assert.NotContains(t, app["purposes"].(map[string]any)["purchase.orders"].(map[string]any)["legal_bases"], "whim")
	assert.Contains(t, app["eu_eea_territory"].(map[string]any)["territories"], "SE")
	assert.Equal(t, "P24M", app["retention"].(map[string]any)["limits"].(map[string]any)["marketing"].(map[string]any)["period"])
	assert.Equal(t, "Confect", p.Document.Organisation, "the Document is untouched")
}

// edit returns the embedded document with old replaced by new, once.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	doc := string(policy.DefaultDocument())
	require.Equal(t, 1, strings.Count(doc, old), "%q occurs once in the document", old)
	return strings.Replace(doc, old, new, 1)
}

// problems lists the problems an error holds, their kinds aside (TestProblemKinds asserts
// those).
func problems(t *testing.T, err error) []problem.Problem {
	t.Helper()
	all := problem.All(err)
	require.NotEmpty(t, all, "a *problem.Problem in %v", err)
	out := make([]problem.Problem, len(all))
	for i, p := range all {
		out[i] = *p
		out[i].Kind = ""
	}
	return out
}

// at is the error expected at the first occurrence of text in src, shifted by offset characters.
func at(t *testing.T, file, src, text string, offset int, pointer, message string) problem.Problem {
	t.Helper()
	line, col := position(t, src, text)
	return problem.Problem{File: file, Line: line, Column: col + offset, Pointer: pointer, Message: message}
}

func TestParseErrors(t *testing.T) {
	const pp = "/privacy_policy"
	type tc struct {
		file string
		src  string
		want func(src string) []problem.Problem
	}
	cases := map[string]tc{}
	add := func(name, file, src string, want func(src string) []problem.Problem) {
		cases[name] = tc{file, src, want}
	}

	// Schema failures, at the field at fault.
	add("schema: wrong type", "p.yaml", edit(t, "legal_bases: {contract: true, consent: true}\n    purchase.services", "legal_bases: {contract: maybe}\n    purchase.services"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "contract: maybe", 0, pp+"/purposes/purchase.orders/legal_bases/contract", "expected boolean, but got string")}
		})
	add("schema: missing field", "p.yaml", edit(t, "  organisation: Confect\n", ""),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "privacy_policy:", 0, pp+"/organisation", "is required")}
		})
	add("schema: unknown key", "p.yaml", edit(t, "  organisation: Confect\n", "  organisation: Confect\n  owner: legal\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "owner: legal", 0, pp+"/owner", "unknown key: not part of the format")}
		})
	add("schema: several problems", "p.yml", edit(t, "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: yes please\n    dpa: true\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{
				at(t, "p.yml", src, "dpa: true", 0, pp+"/transfer_safeguards/dpa", `expected one of "scc", "adequacy", "bcr"`),
				at(t, "p.yml", src, "scc: yes please", 0, pp+"/transfer_safeguards/scc", "expected boolean, but got string"),
			}
		})
	// The law's facts are the rules', not a document's: a document that defines one is refused at
	// the key.
	add("a fact of the law", "p.yaml", edit(t, "  transfer_safeguards:\n", "  adequacy_decisions: {IN: []}\n  transfer_safeguards:\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "adequacy_decisions:", 0, pp+"/adequacy_decisions",
				"adequacy_decisions is a fact of the law that the rules hold (rego/privacy_policy/): a policy document does not define it")}
		})
	add("schema: bad period", "p.yaml", edit(t, "period: P6M", "period: 6 months"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "period: 6 months", 0, pp+"/retention/limits/recruitment/period", "expected an ISO 8601 duration such as P24M")}
		})

	add("schema: no role", "p.yaml", edit(t, "      role: authority\n", ""),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "authority:\n", 0, pp+"/recipient_types/authority/role", "is required")}
		})
	add("schema: unknown role", "p.yaml", edit(t, "      role: authority\n", "      role: police\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "role: police", 0, pp+"/recipient_types/authority/role", `expected one of "group_company", "subprocessor", "business_partner", "authority", "public"`)}
		})

	// Syntax.
	add("YAML syntax error", "p.yaml", edit(t, "  title: Confect's Privacy Policy\n", "  title: [Confect's Privacy Policy\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "  title: [", 0, "", "malformed YAML: did not find expected ',' or ']'")}
		})
	add("YAML tab", "p.yaml", edit(t, "  title:", "\ttitle:"),
		func(src string) []problem.Problem {
			// yaml.v3 names the line where the plain scalar it was scanning began.
			return []problem.Problem{at(t, "p.yaml", src, "  organisation: Confect", 0, "", "malformed YAML: found a tab character that violates indentation")}
		})
	add("JSON syntax error", "p.json", "{\"privacy_policy\": {\n  \"organisation\": \"X\"\n",
		func(string) []problem.Problem {
			return []problem.Problem{{File: "p.json", Line: 3, Column: 1, Pointer: "/privacy_policy", Message: "unexpected end of JSON inside an object"}}
		})
	add("two YAML documents", "p.yaml", "privacy_policy: {}\n---\nprivacy_policy: {}\n",
		func(string) []problem.Problem {
			return []problem.Problem{{File: "p.yaml", Message: "expected one YAML document, found 2"}}
		})
	add("empty", "p.yaml", "# nothing\n",
		func(string) []problem.Problem {
			return []problem.Problem{{File: "p.yaml", Message: "the document is empty"}}
		})
	add("merge key", "p.yaml", edit(t, "  title:", "  <<: {x: 1}\n  title:"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "<<:", 0, pp, "YAML merge keys (<<) are not supported; write the keys out")}
		})

	// Duplicate keys.
	add("duplicate key", "p.yaml", edit(t, "  organisation: Confect\n", "  organisation: Confect\n  organisation: Other\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "organisation: Other", 0, pp+"/organisation", "duplicate key")}
		})
	add("duplicate purpose", "p.yaml", edit(t, "    security.maintenance:\n", "    security.threat_prevention: {description: again, legal_bases: {consent: true}}\n    security.maintenance:\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "security.threat_prevention: {description: again", 0, pp+"/purposes/security.threat_prevention", "duplicate key")}
		})
	add("duplicate in a flow mapping", "p.yaml", edit(t, "consent_channels: {email: true, sms: true}", "consent_channels: {email: true, email: false}"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "email: false", 0, pp+"/marketing/consent_channels/email", "duplicate key")}
		})

	// References to what the document does not define.
	add("undefined purpose", "p.yaml", edit(t, "      purposes: {support.forum: true}", "      purposes: {support.forums: true}"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "support.forums", 0, pp+"/recipient_types/public/purposes/support.forums", `purpose "support.forums" is not defined in the document`)}
		})
	add("undefined category", "p.yaml", edit(t, "data_categories: {username: true,", "data_categories: {user_name: true,"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "user_name", 0, pp+"/recipient_types/public/data_categories/user_name", `data category "user_name" is not defined in the document`)}
		})
	add("undefined data subject", "p.yaml", edit(t, "data_subjects: {job_applicant: true}", "data_subjects: {applicant: true}"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "{applicant: true}", 1, pp+"/retention/limits/recruitment/applies_to/data_subjects/applicant", `data subject "applicant" is not defined in the document`)}
		})
	add("undefined clause", "p.yaml", edit(t, "clause: retention-marketing", "clause: retention-leads"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "clause: retention-leads", 0, pp+"/retention/limits/marketing/clause", `clause "retention-leads" is not defined in the document`)}
		})
	add("undefined limit purpose", "p.yaml", edit(t, "purposes: {recruitment.applications: true,", "purposes: {recruitment.application: true,"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "recruitment.application:", 0, pp+"/retention/limits/recruitment/applies_to/purposes/recruitment.application", `purpose "recruitment.application" is not defined in the document`)}
		})
	add("undefined marketing purpose", "p.yaml", edit(t, "    purposes: {marketing.materials: true, marketing.profiling: true}\n    # Purposes that build", "    purposes: {marketing.material: true, marketing.profiling: true}\n    # Purposes that build"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "marketing.material:", 0, pp+"/marketing/purposes/marketing.material", `purpose "marketing.material" is not defined in the document`)}
		})
	add("undefined profiling purpose", "p.yaml", edit(t, "profiling_purposes: {marketing.profiling: true}", "profiling_purposes: {marketing.profile: true}"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "marketing.profile:", 0, pp+"/marketing/profiling_purposes/marketing.profile", `purpose "marketing.profile" is not defined in the document`)}
		})
	add("undefined rights purpose", "p.yaml", edit(t, "      rights.objection: true", "      rights.objections: true"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "rights.objections: true", 0, pp+"/rights/restriction_exempt_purposes/rights.objections", `purpose "rights.objections" is not defined in the document`)}
		})
	add("undefined scanner category", "p.yaml", edit(t, "Data.Sensitive.ContactData.EmailAddress: {to: [email]}", "Data.Sensitive.ContactData.EmailAddress: {to: [e_mail]}"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "e_mail", 0, pp+"/scanner_mapping/privado/elements/Data.Sensitive.ContactData.EmailAddress/to/0", `data category "e_mail" is not defined in the document`)}
		})
	add("both kinds of category", "p.yaml", edit(t, "    interests: {group: basic}\n", "    interests: {group: basic}\n    health: {group: basic}\n"),
		func(src string) []problem.Problem {
			return []problem.Problem{at(t, "p.yaml", src, "health: {group: basic}", 0, pp+"/data_categories/health", `"health" is both a data category and a special category`)}
		})
	// A purpose removed: every reference to it is reported.
	removed := edit(t, "    marketing.profiling:\n      description: Create interest profiles to market relevant products and services\n      legal_bases: {legitimate_interest: true, consent: true}\n", "")
	add("several references", "p.yaml", removed,
		func(src string) []problem.Problem {
			msg := `purpose "marketing.profiling" is not defined in the document`
			limit := strings.Index(src, "applies_to:\n          purposes: {marketing.materials: true, marketing.profiling: true}")
			require.Greater(t, limit, 0)
			line, col := position(t, src[limit:], "marketing.profiling")
			base, _ := position(t, src, "applies_to:\n          purposes: {marketing.materials")
			marketing := strings.Index(src, "  marketing:\n    # Purposes")
			mline, mcol := position(t, src[marketing:], "marketing.profiling: true}")
			mbase, _ := position(t, src, "  marketing:\n    # Purposes")
			return []problem.Problem{
				{File: "p.yaml", Line: base + line - 1, Column: col, Pointer: pp + "/retention/limits/marketing/applies_to/purposes/marketing.profiling", Message: msg},
				{File: "p.yaml", Line: mbase + mline - 1, Column: mcol, Pointer: pp + "/marketing/purposes/marketing.profiling", Message: msg},
				at(t, "p.yaml", src, "profiling_purposes: {marketing.profiling", 21, pp+"/marketing/profiling_purposes/marketing.profiling", msg),
			}
		})

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := policy.Parse(tc.file, []byte(tc.src))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, policy.ErrInvalid)
			want := tc.want(tc.src)
			assert.Equal(t, want, problems(t, err))
			var lines []string
			for _, w := range want {
				lines = append(lines, w.Error())
			}
			assert.Equal(t, "invalid policy:\n"+strings.Join(lines, "\n"), err.Error())
		})
	}
}

func TestParseFormats(t *testing.T) {
	want := policy.Default().Document
	b, err := json.MarshalIndent(documentOnly(policy.Default()), "", "  ")
	require.NoError(t, err)
	for name, file := range map[string]string{"JSON": "p.json", "JSON, capitals": "P.JSON"} {
		t.Run(name, func(t *testing.T) {
			p, err := policy.Parse(file, b)
			require.NoError(t, err)
			assert.Equal(t, want, p.Document)
			assert.Equal(t, file, p.Name)
			assert.Equal(t, file, p.DocumentFile)
			line, col := position(t, string(b), `"organisation"`)
			at := p.Locate("/privacy_policy/organisation")
			assert.Equal(t, [2]int{line, col}, [2]int{at.Line, at.Column})
		})
	}
	for _, file := range []string{"p.yml", "p.YAML", "policy.txt", "policy"} {
		p, err := policy.Parse(file, policy.DefaultDocument())
		require.NoError(t, err, "%s is read as YAML", file)
		assert.Equal(t, want, p.Document, file)
	}
	_, err = policy.Parse("p.json", policy.DefaultDocument())
	require.Error(t, err, "a .json file is read as JSON")
	assert.ErrorIs(t, err, policy.ErrInvalid)
	assert.Equal(t, []problem.Problem{{File: "p.json", Line: 1, Column: 1, Message: "invalid character where a JSON value was expected"}}, problems(t, err))
}

func TestFromValue(t *testing.T) {
	var v any
	b, err := json.Marshal(policy.Default().Data())
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &v))
	p, err := policy.FromValue("bundle", v)
	require.NoError(t, err)
	assert.Equal(t, policy.Default().Document, p.Document)
	at := p.Locate("/privacy_policy/organisation")
	assert.Equal(t, [2]int{0, 0}, [2]int{at.Line, at.Column}, "a decoded value has no places")

	pp := v.(map[string]any)["privacy_policy"].(map[string]any)
	delete(pp, "title")
	pp["transfer_safeguards"].(map[string]any)["adequacy"] = true
	pp["recipient_types"].(map[string]any)["public"].(map[string]any)["purposes"] = map[string]any{"support.chat": true}
	_, err = policy.FromValue("bundle", v)
	assert.ErrorIs(t, err, policy.ErrInvalid)
	assert.Equal(t, []problem.Problem{{File: "bundle", Pointer: "/privacy_policy/title", Message: "is required"}}, problems(t, err),
		"the schema first")
	pp["title"] = "T"
	p, err = policy.FromValue("bundle", v)
	require.Error(t, err)
	assert.Nil(t, p)
	assert.Equal(t, []problem.Problem{{File: "bundle", Pointer: "/privacy_policy/recipient_types/public/purposes/support.chat",
		Message: `purpose "support.chat" is not defined in the document`}}, problems(t, err))
}

func TestInvalid(t *testing.T) {
	assert.NoError(t, policy.Invalid(nil))
	err := policy.Invalid([]*problem.Problem{
		{File: "a.yaml", Line: 3, Column: 5, Pointer: "/x", Message: "bad"},
		{File: "a.yaml", Message: "worse"},
	})
	assert.ErrorIs(t, err, policy.ErrInvalid)
	assert.EqualError(t, err, "invalid policy:\na.yaml:3:5: /x: bad\na.yaml: worse")
	assert.Len(t, problems(t, err), 2)
	var pe *problem.Problem
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "bad", pe.Message, "errors.As finds the first")
}

// Each problem says what sort it is: a file that does not parse, a field of the wrong form, a
// name the document does not define.
func TestProblemKinds(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want problem.Kind
	}{
		"syntax":    {"privacy_policy: [\n", problem.Syntax},
		"schema":    {edit(t, "legal_bases: {contract: true, consent: true}\n    purchase.services", "legal_bases: {contract: maybe}\n    purchase.services"), problem.Schema},
		"reference": {edit(t, "      purposes: {support.forum: true}", "      purposes: {support.forums: true}"), problem.Reference},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.Parse("p.yaml", []byte(tc.src))
			require.ErrorIs(t, err, policy.ErrInvalid)
			all := problem.All(err)
			require.NotEmpty(t, all)
			for _, p := range all {
				assert.Equal(t, tc.want, p.Kind, p.Error())
			}
		})
	}
}

// writeTree writes files (slash-separated names) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

func TestLoadDir(t *testing.T) {
	doc := string(policy.DefaultDocument())
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"policy.yaml":                 doc,
		"acme.rego":                   "package policyengine.rules.acme\n",
		"rules/b.rego":                "package policyengine.rules.b\n",
		"rules/a_test.rego":           "package policyengine.rules.a_test\n",
		"rules/deeper/c.rego":         "package policyengine.rules.c\n",
		"rules/testdata/ignored.rego": "not rego at all",
		"testdata/ignored.rego":       "not rego at all",
		"testdata/cases.yaml":         "cases: []\n",
		".hidden/ignored.rego":        "not rego at all",
		".git/hooks/x.rego":           "not rego at all",
		"cases/one.yaml":              "cases: []\n", // below the top: not a document
		"README.md":                   "# ACME's policy\n",
		"notes.rego.txt":              "not rego",
	})
	p, err := policy.LoadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, dir, p.Name)
	assert.Equal(t, filepath.Join(dir, "policy.yaml"), p.DocumentFile)
	assert.Equal(t, policy.Default().Document, p.Document)

	type mod struct{ Name, Path, Source string }
	mods := func(ms []policy.Module) []mod {
		var out []mod
		for _, m := range ms {
			out = append(out, mod{m.Name, m.Path, string(m.Source)})
		}
		return out
	}
	assert.Equal(t, []mod{
		{filepath.Join(dir, "acme.rego"), "acme.rego", "package policyengine.rules.acme\n"},
		{filepath.Join(dir, "rules", "b.rego"), "rules/b.rego", "package policyengine.rules.b\n"},
		{filepath.Join(dir, "rules", "deeper", "c.rego"), "rules/deeper/c.rego", "package policyengine.rules.c\n"},
	}, mods(p.Modules), "rules, testdata and hidden directories skipped")
	assert.Equal(t, []mod{
		{filepath.Join(dir, "rules", "a_test.rego"), "rules/a_test.rego", "package policyengine.rules.a_test\n"},
	}, mods(p.Tests))
	wantLine, _ := position(t, doc, "organisation: Confect")
	assert.Equal(t, wantLine, p.Locate("/privacy_policy/organisation").Line)

	fromFS, err := policy.Load(os.DirFS(dir))
	require.NoError(t, err)
	assert.Equal(t, "policy.yaml", fromFS.DocumentFile, "from a file system, names are relative")
	assert.Equal(t, []mod{
		{"acme.rego", "acme.rego", "package policyengine.rules.acme\n"},
		{"rules/b.rego", "rules/b.rego", "package policyengine.rules.b\n"},
		{"rules/deeper/c.rego", "rules/deeper/c.rego", "package policyengine.rules.c\n"},
	}, mods(fromFS.Modules))
	assert.Len(t, fromFS.Tests, 1)
}

// The law's facts ship with the rules and are in every policy's data, whichever document it has.
func TestFactsAreInEveryPolicy(t *testing.T) {
	require.Equal(t, []string{"adequacy_decisions", "eu_eea_territory"}, policy.FactKeys())
	brightpath, err := policy.LoadDir(filepath.Join("..", "examples", "policies", "brightpath"))
	require.NoError(t, err)
	confect := policy.Default()
	for _, key := range policy.FactKeys() {
		assert.Contains(t, confect.Data()["privacy_policy"], key)
		assert.Equal(t, confect.Data()["privacy_policy"].(map[string]any)[key], brightpath.Data()["privacy_policy"].(map[string]any)[key], key)
	}
	assert.Equal(t, confect.Document.AdequacyDecisions, brightpath.Document.AdequacyDecisions)
}

// documentOnly is a policy's data without the law's facts: its document, as a file holds it.
func documentOnly(p *policy.Policy) map[string]any {
	data := p.Data()
	for _, key := range policy.FactKeys() {
		delete(data["privacy_policy"].(map[string]any), key)
	}
	return data
}

func TestLoadDocumentNames(t *testing.T) {
	b, err := json.Marshal(documentOnly(policy.Default()))
	require.NoError(t, err)
	for name, content := range map[string]string{
		"policy.yml":  string(policy.DefaultDocument()),
		"POLICY.YAML": string(policy.DefaultDocument()),
		"acme.json":   string(b),
	} {
		t.Run(name, func(t *testing.T) {
			p, err := policy.Load(fstest.MapFS{name: {Data: []byte(content)}, "x.rego": {Data: []byte("package x\n")}})
			require.NoError(t, err)
			assert.Equal(t, name, p.DocumentFile)
			assert.Equal(t, policy.Default().Document, p.Document)
			require.Len(t, p.Modules, 1)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	doc := string(policy.DefaultDocument())
	const oneDocument = "a policy directory holds exactly one policy document (*.yaml, *.yml or *.json), found "

	t.Run("no document", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"rules/a.rego": "package a\n", "sub/policy.yaml": doc, "README.md": "x"})
		_, err := policy.LoadDir(dir)
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{{File: dir, Message: oneDocument + "none"}}, problems(t, err))
	})
	t.Run("empty directory", func(t *testing.T) {
		dir := t.TempDir()
		_, err := policy.LoadDir(dir)
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{{File: dir, Message: oneDocument + "none"}}, problems(t, err))
	})
	t.Run("two documents", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"policy.yaml": doc, "second.json": "{}", "a.rego": "package a\n"})
		_, err := policy.LoadDir(dir)
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{{File: dir, Message: oneDocument + "policy.yaml, second.json"}}, problems(t, err))
	})
	t.Run("a directory named like a document", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"policy.yaml": doc, "more.yaml/a.rego": "package a\n"})
		p, err := policy.LoadDir(dir)
		require.NoError(t, err)
		assert.Len(t, p.Modules, 1)
	})
	t.Run("a file", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"policy.yaml": doc})
		file := filepath.Join(dir, "policy.yaml")
		_, err := policy.LoadDir(file)
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{{File: file, Message: "not a directory: --policy takes a directory holding one policy document and any Rego modules"}}, problems(t, err))
	})
	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "missing")
		_, err := policy.LoadDir(missing)
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.ErrorIs(t, err, os.ErrNotExist)
		assert.ErrorContains(t, err, missing)
	})
	t.Run("an invalid document", func(t *testing.T) {
		dir := t.TempDir()
		src := edit(t, "clause: retention-marketing", "clause: retention-leads")
		writeTree(t, dir, map[string]string{"policy.yaml": src, "a.rego": "package a\n"})
		_, err := policy.LoadDir(dir)
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{at(t, filepath.Join(dir, "policy.yaml"), src, "clause: retention-leads", 0,
			"/privacy_policy/retention/limits/marketing/clause", `clause "retention-leads" is not defined in the document`)}, problems(t, err),
			"the error names the document by its path")
	})
	t.Run("a file system without a document", func(t *testing.T) {
		_, err := policy.Load(fstest.MapFS{"a.rego": {Data: []byte("package a\n")}})
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{{File: ".", Message: oneDocument + "none"}}, problems(t, err))
	})
	t.Run("a file system with two documents", func(t *testing.T) {
		_, err := policy.Load(fstest.MapFS{"b.yml": {Data: []byte(doc)}, "a.yaml": {Data: []byte(doc)}})
		assert.ErrorIs(t, err, policy.ErrInvalid)
		assert.Equal(t, []problem.Problem{{File: ".", Message: oneDocument + "a.yaml, b.yml"}}, problems(t, err))
	})
}

// A role names the type the document gives it, whatever the type is called; a role no type has
// names a type the policy does not share with.
func TestTypeFor(t *testing.T) {
	d := policy.Default().Document
	assert.Equal(t, "subprocessor", d.TypeFor(policy.RoleSubprocessor))
	assert.Equal(t, "business_partner", d.TypeFor(policy.RoleBusinessPartner))
	renamed := &policy.Document{RecipientTypes: map[string]policy.RecipientType{
		"vendor":  {Description: "A vendor", Role: policy.RoleSubprocessor},
		"cloud":   {Description: "A cloud", Role: policy.RoleSubprocessor},
		"partner": {Description: "A partner"},
	}}
	assert.Equal(t, "cloud", renamed.TypeFor(policy.RoleSubprocessor), "the first by name")
	assert.Equal(t, "business_partner", renamed.TypeFor(policy.RoleBusinessPartner), "no type has the role")
	_, listed := renamed.RecipientTypes[renamed.TypeFor(policy.RoleBusinessPartner)]
	assert.False(t, listed)
}

// The roles Go names are the roles the schema allows, no more and no fewer.
func TestRolesAreTheSchemas(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "schema", "policy.schema.json"))
	require.NoError(t, err)
	var s struct {
		Properties struct {
			PrivacyPolicy struct {
				Properties struct {
					RecipientTypes struct {
						AdditionalProperties struct {
							Properties struct {
								Role struct {
									Enum []policy.Role `json:"enum"`
								} `json:"role"`
							} `json:"properties"`
						} `json:"additionalProperties"`
					} `json:"recipient_types"`
				} `json:"properties"`
			} `json:"privacy_policy"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(raw, &s))
	assert.ElementsMatch(t, []policy.Role{policy.RoleGroupCompany, policy.RoleSubprocessor, policy.RoleBusinessPartner, policy.RoleAuthority, policy.RolePublic},
		s.Properties.PrivacyPolicy.Properties.RecipientTypes.AdditionalProperties.Properties.Role.Enum)
}

// A description names the document's facts, and each policy fills in its own.
func TestDescribeFillsTheDocumentsFacts(t *testing.T) {
	confect := policy.Default().Document
	brightpath, err := policy.LoadDir(filepath.Join("..", "examples", "policies", "brightpath"))
	require.NoError(t, err)
	text := "{data_subjects} | {sources} | {consent_channels} | {subject_clocks} | {unknown}"
	assert.Equal(t, "contact_person, customer, forum_user, job_applicant, lead, user, webinar_participant, website_visitor | "+
		"cookies, customer, data_aggregator, data_subject, marketing_partner, public_source, social_network | "+
		"email, sms | last_activity_at (marketing), last_application_at (recruitment) | {unknown}", confect.Describe(text))
	got := brightpath.Document.Describe(text)
	assert.Contains(t, got, "learner")
	assert.Contains(t, got, "school")
	assert.Contains(t, got, "email, phone, sms")
	assert.NotContains(t, got, "forum_user")
}
