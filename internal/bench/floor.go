package main

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
)

// floor is a hand-written Go implementation of the built-in rules, over the same policy
// document: what deciding costs with no engine at all. It lives only in this benchmark, as the
// floor the engine is measured against; run checks it decides every example as the engine does.
type floor struct {
	doc *policy.Document
}

// decideJSON decodes an activity and decides it: the floor from JSON bytes.
func (f floor) decideJSON(data []byte, now time.Time) (bool, []string, error) {
	var a policyengine.Activity
	if err := json.Unmarshal(data, &a); err != nil {
		return false, nil, err
	}
	allow, rules := f.decide(&a, now)
	return allow, rules, nil
}

// decide returns the decision and the ids of the rules that deny (a rule once per finding).
func (f floor) decide(a *policyengine.Activity, now time.Time) (bool, []string) {
	d := f.doc
	var out []string
	deny := func(rule string) { out = append(out, rule) }
	controller := a.Role != "processor"
	if controller {
		for _, c := range a.DataCategories {
			if _, ok := d.SpecialCategories[c]; ok {
				deny("category.sensitive")
			} else if _, ok := d.DataCategories[c]; !ok {
				deny("category.unlisted")
			}
		}
		for _, s := range a.DataSubjects {
			if _, ok := d.DataSubjects[s]; !ok {
				deny("data_subject.unlisted")
			}
		}
		for _, s := range a.Sources {
			if _, ok := d.Sources[s]; !ok {
				deny("source.unlisted")
			}
		}
		if a.LegalBasis == "" {
			deny("legal_basis.missing")
		}
		for _, p := range a.Purposes {
			purpose, ok := d.Purposes[p]
			if !ok {
				deny("purpose.unlisted")
			} else if a.LegalBasis != "" && !purpose.LegalBases[a.LegalBasis] {
				deny("legal_basis.not_permitted")
			}
		}
		given := consentCovers(a, now)
		if a.LegalBasis == "consent" && !given {
			deny("consent.not_given")
		}
		if a.LegalBasis == "consent" && a.Subject != nil && a.Subject.Age != 0 && a.Subject.Age < d.Consent.DigitalConsentAge {
			deny("consent.minor")
		}
		if s := a.Subject; s != nil && !s.ErasureRequestedAt.IsZero() && !s.ErasureRequestedAt.After(now) && !d.Rights.ErasureExemptBases[a.LegalBasis] {
			for _, p := range a.Purposes {
				if !d.Rights.ErasureExemptPurposes[p] {
					deny("erasure.requested")
				}
			}
		}
		if a.Channel != nil && a.Channel.Content == "marketing" && d.Marketing.ConsentChannels[a.Channel.Type] && !given {
			deny("marketing.email_without_consent")
		}
		s := a.Subject
		if s != nil && s.OptedOutMarketing {
			if a.Channel != nil && a.Channel.Content == "marketing" {
				deny("marketing.opted_out")
			}
			for _, p := range a.Purposes {
				if d.Marketing.Purposes[p] {
					deny("marketing.opted_out")
				}
			}
		}
		if s != nil && s.OptedOutProfiling {
			if a.Profiling {
				deny("profiling.opted_out")
			}
			for _, p := range a.Purposes {
				if d.Marketing.ProfilingPurposes[p] {
					deny("profiling.opted_out")
				}
			}
		}
		if s != nil && s.ObjectedLegitimateInterest && a.LegalBasis == "legitimate_interest" {
			deny("objection.legitimate_interest")
		}
		if s != nil && s.Restricted && !f.disclosureOnCourtOrder(a) {
			for _, p := range a.Purposes {
				if !d.Rights.RestrictionExemptPurposes[p] {
					deny("restriction.requested")
				}
			}
		}
		f.retention(a, now, deny)
	} else if strings.TrimSpace(a.CustomerDPA) == "" {
		deny("processor.no_customer_dpa")
	}
	for _, r := range a.Recipients {
		if _, ok := d.RecipientTypes[r.Type]; !ok {
			deny("sharing.recipient_unlisted")
		}
		switch r.Type {
		case "authority":
			if !f.courtOrderValid(r) {
				deny("sharing.authority_without_court_order")
			}
		case "subprocessor":
			if !r.DPA {
				deny("sharing.subprocessor_without_dpa")
			}
		case "business_partner":
			bases := d.RecipientTypes["business_partner"].LegalBases
			switch {
			case r.LegalBasis == "":
				deny("sharing.partner_without_legal_basis")
			case bases != nil && !bases[r.LegalBasis]:
				deny("sharing.partner_basis_not_permitted")
			case r.LegalBasis == "consent" && controller && !consentCovers(a, now):
				deny("sharing.partner_basis_not_permitted")
			}
		case "public":
			public := d.RecipientTypes["public"]
			for _, p := range a.Purposes {
				if public.Purposes != nil && !public.Purposes[p] {
					deny("sharing.public_not_forum")
				}
			}
			for _, c := range a.DataCategories {
				if public.DataCategories != nil && !public.DataCategories[c] {
					deny("sharing.public_not_forum")
				}
			}
		}
		if r.Type != "public" {
			if _, eea := d.EUEEACountries[r.Country]; !eea {
				safeguard := r.TransferSafeguard
				if safeguard == "" {
					safeguard = "none"
				}
				if !d.TransferSafeguards[safeguard] {
					deny("transfer.without_scc")
				}
			}
		}
	}
	sort.Strings(out)
	return len(out) == 0, out
}

// consentCovers says the person's consent counts (given, not only later, not withdrawn since)
// and covers every purpose of the activity.
func consentCovers(a *policyengine.Activity, now time.Time) bool {
	c := a.Consent
	if c == nil || c.Status != "given" || c.GivenAt.After(now) {
		return false
	}
	if !c.WithdrawnAt.IsZero() && !c.WithdrawnAt.After(now) && !c.GivenAt.After(c.WithdrawnAt) {
		return false
	}
	if c.Purposes == nil {
		return true
	}
	for _, p := range a.Purposes {
		found := false
		for _, q := range c.Purposes {
			found = found || p == q
		}
		if !found {
			return false
		}
	}
	return true
}

func (f floor) courtOrderValid(r policyengine.Recipient) bool {
	if r.CourtOrder == nil || strings.TrimSpace(r.CourtOrder.Reference) == "" {
		return false
	}
	_, eea := f.doc.EUEEACountries[r.CourtOrder.Jurisdiction]
	return eea || r.CourtOrder.InternationalAgreement
}

// disclosureOnCourtOrder: the activity discloses only to recipients a restriction exempts, each
// on a valid court order.
func (f floor) disclosureOnCourtOrder(a *policyengine.Activity) bool {
	for _, r := range a.Recipients {
		if !f.doc.Rights.RestrictionExemptRecipients[r.Type] || !f.courtOrderValid(r) {
			return false
		}
	}
	return len(a.Recipients) > 0
}

func (f floor) retention(a *policyengine.Activity, now time.Time, deny func(string)) {
	if a.Retention == nil || a.Retention.Period == "" {
		deny("retention.missing")
		return
	}
	for _, limit := range f.doc.Retention.Limits {
		applies := false
		for _, p := range a.Purposes {
			applies = applies || limit.AppliesTo.Purposes[p]
		}
		for _, s := range a.DataSubjects {
			applies = applies || limit.AppliesTo.DataSubjects[s]
		}
		if !applies {
			continue
		}
		allowed, ok := parseDuration(limit.Period)
		ext := a.Retention.AgreedExtension
		if limit.ExtensionAllowed && ext != nil && strings.TrimSpace(ext.Reference) != "" {
			e, ok2 := parseDuration(ext.Period)
			if !ok2 {
				continue // an open-ended agreement: no bound
			}
			allowed = allowed.add(e)
		}
		if !ok {
			continue
		}
		if period, ok := parseDuration(a.Retention.Period); ok && period.longer(allowed) {
			deny("retention.exceeds_limit")
		}
		if from := a.Retention.From; from != "" && from != limit.From && !f.doc.Retention.EarlierEvents[limit.From][from] {
			deny("retention.exceeds_limit")
		}
		if s := a.Subject; s != nil {
			var clock time.Time
			switch limit.SubjectClock {
			case "last_activity_at":
				clock = s.LastActivityAt
			case "last_application_at":
				clock = s.LastApplicationAt
			}
			if !clock.IsZero() && allowed.addTo(clock).Before(now) {
				deny("retention.expired")
			}
		}
	}
}

type duration struct{ months, days, seconds int }

var durationPattern = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

func parseDuration(s string) (duration, bool) {
	m := durationPattern.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return duration{}, false
	}
	n := make([]int, 8)
	for i := 1; i < 8; i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	return duration{months: n[1]*12 + n[2], days: n[3]*7 + n[4], seconds: n[5]*3600 + n[6]*60 + n[7]}, true
}

func (d duration) add(o duration) duration {
	return duration{d.months + o.months, d.days + o.days, d.seconds + o.seconds}
}

func (d duration) addTo(t time.Time) time.Time {
	return t.AddDate(0, d.months, d.days).Add(time.Duration(d.seconds) * time.Second)
}

// The reference start dates XML Schema orders durations by.
var references = []time.Time{
	time.Date(1696, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(1697, 2, 1, 0, 0, 0, 0, time.UTC),
	time.Date(1903, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1903, 7, 1, 0, 0, 0, 0, time.UTC),
}

func (d duration) longer(o duration) bool {
	for _, start := range references {
		if d.addTo(start).After(o.addTo(start)) {
			return true
		}
	}
	return false
}
