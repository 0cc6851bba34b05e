package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Describe fills a rule's description (or remedy) with the document's facts, so that what a
// rule says it checks is what it checks under this policy, not under Confect's. A description
// names a fact in braces:
//
//	{organisation}         the company ("Confect")
//	{retention_limits}     each retention limit: "recruitment: at most P6M from
//	                       last_application_date (longer where agreed); marketing: ..."
//	{transfer_safeguards}  the safeguards accepted for a transfer outside the EU/EEA ("scc")
//	{data_category_groups} the groups of the data categories ("basic, content, recruitment")
//	{purpose_groups}       the first parts of the purposes ("marketing, purchase, ...")
//	{data_subjects}        the kinds of person the policy covers ("contact_person, customer, ...")
//	{sources}              where the policy says data comes from ("cookies, customer, ...")
//	{consent_channels}     the channels over which marketing needs consent ("email, sms")
//	{subject_clocks}       each retention limit's subject clock ("last_activity_at (marketing),
//	                       last_application_at (recruitment)")
//
// A name it does not know stays as written.
func (d *Document) Describe(text string) string {
	if d == nil || !strings.Contains(text, "{") {
		return text
	}
	facts := map[string]func() string{
		"organisation":        func() string { return d.Organisation },
		"retention_limits":    d.retentionLimits,
		"transfer_safeguards": func() string { return orNone(trueKeys(d.TransferSafeguards)) },
		"data_category_groups": func() string {
			groups := map[string]bool{}
			for _, c := range d.DataCategories {
				if c.Group != "" {
					groups[c.Group] = true
				}
			}
			return orNone(slices.Sorted(maps.Keys(groups)))
		},
		"data_subjects":    func() string { return orNone(slices.Sorted(maps.Keys(d.DataSubjects))) },
		"sources":          func() string { return orNone(slices.Sorted(maps.Keys(d.Sources))) },
		"consent_channels": func() string { return orNone(trueKeys(d.Marketing.ConsentChannels)) },
		"subject_clocks":   d.subjectClocks,
		"purpose_groups": func() string {
			groups := map[string]bool{}
			for p := range d.Purposes {
				group, _, _ := strings.Cut(p, ".")
				groups[group] = true
			}
			return orNone(slices.Sorted(maps.Keys(groups)))
		},
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(text[:open])
		if fact, ok := facts[text[open+1:open+end]]; ok {
			b.WriteString(fact())
		} else {
			b.WriteString(text[open : open+end+1])
		}
		text = text[open+end+1:]
	}
	b.WriteString(text)
	return b.String()
}

func (d *Document) retentionLimits() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(d.Retention.Limits)) {
		l := d.Retention.Limits[name]
		s := fmt.Sprintf("%s data at most %s from %s", name, l.Period, l.From)
		if l.ExtensionAllowed {
			s += " (longer where agreed with the person)"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func (d *Document) subjectClocks() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(d.Retention.Limits)) {
		if clock := d.Retention.Limits[name].SubjectClock; clock != "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", clock, name))
		}
	}
	return orNone(parts)
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
