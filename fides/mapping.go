package fides

import (
	"maps"
	"slices"

	"github.com/confect/policyengine/policy"
)

// Mapping is how a policy's fides_mapping table reads the Fides taxonomy: how every key of the
// default taxonomy, and every other key of the table, resolves, with the table's legal bases and
// transfer bases. It is what policyengine vocabulary --fides prints.
type Mapping struct {
	// Attribution credits the taxonomy whose keys the table names.
	Attribution string `json:"attribution,omitempty"`
	// Kinds are the kinds of key: data_uses, data_categories and data_subjects, in that order.
	Kinds []MappingKind `json:"kinds"`
	// LegalBases map Fides legal bases for processing to the policy's legal bases (never nil).
	LegalBases map[string]string `json:"legal_bases"`
	// TransferBases map Fides legal bases for transfers to transfer safeguards (never nil).
	TransferBases map[string]string `json:"transfer_bases"`
}

// MappingKind is how the keys of one kind resolve.
type MappingKind struct {
	// Kind is data_uses, data_categories or data_subjects.
	Kind string `json:"kind"`
	// Keys are the default taxonomy's keys in its order, then the table's other keys, sorted.
	Keys []Resolution `json:"keys"`
}

// Resolutions says how every key of the default taxonomy, and every other key of a policy
// document's fides_mapping table, resolves under the document. A document without a table
// resolves no key.
func Resolutions(doc *policy.Document) *Mapping {
	p := tableOf(doc)
	m := &Mapping{Attribution: p.mapping.Attribution, LegalBases: p.mapping.LegalBases, TransferBases: p.mapping.TransferBases}
	if m.LegalBases == nil {
		m.LegalBases = map[string]string{}
	}
	if m.TransferBases == nil {
		m.TransferBases = map[string]string{}
	}
	for _, kind := range []string{kindUse, kindCategory, kindSubject} {
		keys := DefaultKeys(kind)
		var extra []string
		for _, k := range p.tableKeys(kind) {
			if !slices.Contains(keys, k) {
				extra = append(extra, k)
			}
		}
		slices.Sort(extra)
		mk := MappingKind{Kind: kind}
		for _, k := range append(keys, extra...) {
			mk.Keys = append(mk.Keys, p.resolve(kind, k))
		}
		m.Kinds = append(m.Kinds, mk)
	}
	return m
}

// tableKeys are the keys of one kind the table has an entry for, in no order.
func (p *project) tableKeys(kind string) []string {
	switch kind {
	case kindUse:
		return slices.Collect(maps.Keys(p.mapping.DataUses))
	case kindCategory:
		return slices.Collect(maps.Keys(p.mapping.DataCategories))
	default:
		return slices.Collect(maps.Keys(p.mapping.DataSubjects))
	}
}
