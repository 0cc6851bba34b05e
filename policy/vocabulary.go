package policy

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/confect/policyengine/schema"
)

// Vocabulary is one list of terms a manifest may use in a field: the policy's (categories,
// purposes, ...) or the activity schema's (legal bases, events, channels).
type Vocabulary struct {
	// Name is the vocabulary's key, as the policy document or schema names it.
	Name string `json:"name"`
	// Title says what it lists.
	Title string `json:"title"`
	// Fields are the JSON pointers in an activity where its terms go ("*" for any index).
	Fields []string `json:"fields"`
	// Note says what using a term means, where that is not plain.
	Note string `json:"note,omitempty"`
	// Open says that other values are allowed too (the terms are the ones the policy singles
	// out), so a value outside it is no mistake.
	Open bool `json:"open,omitempty"`
	// Terms are sorted.
	Terms []VocabularyTerm `json:"terms"`
}

// VocabularyTerm is one term of a vocabulary.
type VocabularyTerm struct {
	// Term is what a manifest writes.
	Term string `json:"term"`
	// Description is the policy's wording, where it gives one.
	Description string `json:"description,omitempty"`
	// Group is the policy's grouping of a data category (basic, content, ...).
	Group string `json:"group,omitempty"`
	// Article is the GDPR article of a special category.
	Article int `json:"article,omitempty"`
	// LegalBases are a purpose's permitted legal bases, sorted.
	LegalBases []string `json:"legal_bases,omitempty"`
}

// Vocabularies returns every vocabulary a manifest may draw on under the document: the
// policy's own and the activity schema's, in the order a manifest's fields come.
func (d *Document) Vocabularies() []Vocabulary {
	terms := func(m map[string]Term) []VocabularyTerm {
		return sorted(m, func(k string, t Term) VocabularyTerm { return VocabularyTerm{Term: k, Description: t.Description} })
	}
	fixed := func(pointer string, describe func(string) string) []VocabularyTerm {
		var out []VocabularyTerm
		for _, v := range schema.ActivityEnum(pointer) {
			out = append(out, VocabularyTerm{Term: v, Description: describe(v)})
		}
		return out
	}
	none := func(string) string { return "" }
	return []Vocabulary{
		{Name: "data_subjects", Title: "Data subjects: the people the policy covers", Fields: []string{"/data_subjects/*"}, Terms: terms(d.DataSubjects)},
		{Name: "data_categories", Title: "Data categories: the personal data the policy says may be processed", Fields: []string{"/data_categories/*"},
			Terms: sorted(d.DataCategories, func(k string, c Category) VocabularyTerm {
				return VocabularyTerm{Term: k, Description: c.Description, Group: c.Group}
			})},
		{Name: "special_categories", Title: "Special categories (GDPR art. 9 and 10): recognised, and refused", Fields: []string{"/data_categories/*"},
			Note: "listing one denies the activity (category.sensitive)",
			Terms: sorted(d.SpecialCategories, func(k string, c SpecialCategory) VocabularyTerm {
				return VocabularyTerm{Term: k, Description: c.Description, Article: c.Article}
			})},
		{Name: "sources", Title: "Sources: where personal data may be collected from", Fields: []string{"/sources/*"}, Terms: terms(d.Sources)},
		{Name: "purposes", Title: "Purposes, each with the legal bases it may rest on", Fields: []string{"/purposes/*"},
			Terms: sorted(d.Purposes, func(k string, p Purpose) VocabularyTerm {
				return VocabularyTerm{Term: k, Description: p.Description, LegalBases: trueKeys(p.LegalBases)}
			})},
		{Name: "legal_bases", Title: "Legal bases (GDPR art. 6)", Fields: []string{"/legal_basis", "/recipients/*/legal_basis"}, Terms: fixed("/$defs/legal_basis", none)},
		{Name: "channels", Title: "Channels of communication", Fields: []string{"/channel/type"}, Terms: fixed("/properties/channel/properties/type", none)},
		{Name: "events", Title: "Events a retention period runs from", Fields: []string{"/retention/from"}, Terms: fixed("/$defs/event", none)},
		{Name: "recipient_types", Title: "Recipient types: who personal data may be shared with", Fields: []string{"/recipients/*/type"},
			Terms: sorted(d.RecipientTypes, func(k string, r RecipientType) VocabularyTerm {
				return VocabularyTerm{Term: k, Description: r.Description}
			})},
		{Name: "eu_eea_territory", Title: "Where the EU/EEA is, and the territories of its states outside it (any ISO 3166-1 alpha-2 code may be given; a code not listed is outside, where a transfer needs a safeguard)",
			Fields: []string{"/recipients/*/country", "/recipients/*/court_order/jurisdiction"}, Open: true,
			Terms: sorted(d.EUEEATerritory.Territories, func(k string, t TerritoryEntry) VocabularyTerm {
				where := "outside the EU/EEA"
				if d.EUEEATerritory.Inside(k) {
					where = "inside the EU/EEA"
				}
				of := ""
				if t.PartOf != "" {
					of = " of " + t.PartOf
				}
				return VocabularyTerm{Term: k, Description: fmt.Sprintf("%s (%s%s): %s", t.Name, strings.ReplaceAll(t.Status, "_", " "), of, where)}
			})},
		{Name: "transfer_safeguards", Title: "Transfer safeguards for a recipient outside the EU/EEA", Fields: []string{"/recipients/*/transfer_safeguard"},
			Terms: fixed("/$defs/recipient/properties/transfer_safeguard", func(v string) string {
				switch {
				case v == "adequacy" && d.TransferSafeguards[v]:
					return "accepted by the policy, for a country with an adequacy decision of the European Commission in force"
				case d.TransferSafeguards[v]:
					return "accepted by the policy"
				}
				return "not accepted by the policy"
			})},
	}
}

// Terms are a document's vocabularies, built once, for asking what many fields may hold.
type Terms struct{ vocabularies []Vocabulary }

// Terms builds the document's vocabularies for At.
func (d *Document) Terms() *Terms { return &Terms{vocabularies: d.Vocabularies()} }

// At returns the terms a manifest may write at a JSON pointer of an activity
// ("/data_categories/2"), from every closed vocabulary of that field, and whether there are any.
func (t *Terms) At(pointer string) ([]string, bool) {
	var out []string
	for _, v := range t.vocabularies {
		if v.Open || !slices.ContainsFunc(v.Fields, func(f string) bool { return fieldMatches(f, pointer) }) {
			continue
		}
		for _, t := range v.Terms {
			out = append(out, t.Term)
		}
	}
	return out, len(out) > 0
}

// fieldMatches reports whether a pointer names a place of a field pattern, "*" standing for
// an array index.
func fieldMatches(pattern, pointer string) bool {
	ps, qs := splitPointer(pattern), splitPointer(pointer)
	if len(ps) != len(qs) {
		return false
	}
	for i := range ps {
		if ps[i] != qs[i] && (ps[i] != "*" || !isIndex(qs[i])) {
			return false
		}
	}
	return true
}

func splitPointer(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if i > start {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func isIndex(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func sorted[V any](m map[string]V, term func(string, V) VocabularyTerm) []VocabularyTerm {
	out := make([]VocabularyTerm, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, term(k, m[k]))
	}
	return out
}

func trueKeys(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
