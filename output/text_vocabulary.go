package output

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/policy"
)

// vocabularyText writes the policy's vocabularies: each with its title, the fields its terms go
// in and its note, then a line per term with its group, GDPR article or legal bases, and
// description.
func vocabularyText(w io.Writer, vocabularies []policy.Vocabulary, _ Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, v := range vocabularies {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\n", Printable(v.Title))
		fmt.Fprintf(tw, "  %s in %s\n", v.Name, strings.Join(v.Fields, ", "))
		if v.Note != "" {
			fmt.Fprintf(tw, "  %s\n", Printable(v.Note))
		}
		for _, t := range v.Terms {
			extra := t.Group
			if t.Article > 0 {
				extra = fmt.Sprintf("art. %d", t.Article)
			}
			if len(t.LegalBases) > 0 {
				extra = strings.Join(t.LegalBases, ", ")
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", Printable(t.Term), Printable(extra), Printable(t.Description))
		}
	}
	return tw.Flush()
}

// fidesMappingText writes how the policy reads the Fides taxonomy: per kind, a line per key
// with what it resolves to (and the ancestor whose entry it takes), then the legal bases, the
// transfer bases and the taxonomy's attribution.
func fidesMappingText(w io.Writer, m *fides.Mapping, _ Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range m.Kinds {
		fmt.Fprintf(tw, "Fides %s → the policy's %s\n", strings.ReplaceAll(k.Kind, "_", " "), fidesVocabulary(k.Kind))
		for _, r := range k.Keys {
			from := ""
			if r.Mapped && r.From != r.Key {
				from = "  (as " + r.From + ")"
			}
			fmt.Fprintf(tw, "    %s\t%s%s\n", r.Key, describeEntry(r), from)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "Fides legal bases → the policy's legal bases\n")
	for _, b := range slices.Sorted(maps.Keys(m.LegalBases)) {
		fmt.Fprintf(tw, "    %s\t%s\n", b, m.LegalBases[b])
	}
	fmt.Fprintf(tw, "\nFides legal bases for transfers → transfer safeguards\n")
	for _, b := range slices.Sorted(maps.Keys(m.TransferBases)) {
		fmt.Fprintf(tw, "    %s\t%s\n", b, m.TransferBases[b])
	}
	if m.Attribution != "" {
		fmt.Fprintf(tw, "\n%s\n", m.Attribution)
	}
	return tw.Flush()
}

// fidesVocabulary names the policy's vocabulary a kind of Fides key maps to.
func fidesVocabulary(kind string) string {
	switch kind {
	case "data_uses":
		return "purposes"
	case "data_categories":
		return "data categories"
	case "data_subjects":
		return "data subjects"
	}
	return ""
}

// describeEntry says what a Fides key resolves to: the terms (and the channel, profiling or
// recipient a data use implies), not personal data, not in this policy, or unmapped.
func describeEntry(r fides.Resolution) string {
	switch {
	case !r.Mapped:
		return "unmapped: read as a term outside the policy (add an entry to fides_mapping)"
	case r.Entry.NotPersonalData:
		return "not personal data"
	case r.Entry.NotInPolicy:
		return "not in this policy: refused"
	}
	s := strings.Join(r.Entry.To, ", ")
	if r.Entry.Channel != nil {
		s += "; channel " + r.Entry.Channel.Type + " (" + r.Entry.Channel.Content + ")"
	}
	if r.Entry.Profiling {
		s += "; profiling"
	}
	if r.Entry.Recipient != "" {
		s += "; recipient " + r.Entry.Recipient
	}
	return s
}
