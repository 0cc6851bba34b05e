package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policy"
)

// fidesKind is one section of the Fides mapping, as vocabulary --fides prints it.
type fidesKind struct {
	Kind string             `json:"kind"`
	Keys []fides.Resolution `json:"keys"`
}

// fidesMappingView is vocabulary --fides's JSON.
type fidesMappingView struct {
	Attribution   string            `json:"attribution,omitempty"`
	Kinds         []fidesKind       `json:"kinds"`
	LegalBases    map[string]string `json:"legal_bases"`
	TransferBases map[string]string `json:"transfer_bases"`
}

func printFidesMapping(e env, doc *policy.Document, out string) error {
	m := doc.FidesMapping
	if m == nil {
		m = &policy.FidesMapping{}
	}
	view := fidesMappingView{Attribution: m.Attribution, LegalBases: m.LegalBases, TransferBases: m.TransferBases}
	if view.LegalBases == nil {
		view.LegalBases = map[string]string{}
	}
	if view.TransferBases == nil {
		view.TransferBases = map[string]string{}
	}
	for _, kind := range []string{"data_uses", "data_categories", "data_subjects"} {
		keys := fides.DefaultKeys(kind)
		seen := map[string]bool{}
		for _, k := range keys {
			seen[k] = true
		}
		var extra []string
		for _, k := range tableKeys(m, kind) {
			if !seen[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		fk := fidesKind{Kind: kind}
		for _, k := range append(keys, extra...) {
			fk.Keys = append(fk.Keys, fides.Resolve(doc, kind, k))
		}
		view.Kinds = append(view.Kinds, fk)
	}
	if out == "json" {
		return output.JSON{}.Value(e.stdout, view)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, k := range view.Kinds {
		fmt.Fprintf(tw, "Fides %s → the policy's %s\n", strings.ReplaceAll(k.Kind, "_", " "), map[string]string{"data_uses": "purposes", "data_categories": "data categories", "data_subjects": "data subjects"}[k.Kind])
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
	for _, b := range sortedStrings(view.LegalBases) {
		fmt.Fprintf(tw, "    %s\t%s\n", b, view.LegalBases[b])
	}
	fmt.Fprintf(tw, "\nFides legal bases for transfers → transfer safeguards\n")
	for _, b := range sortedStrings(view.TransferBases) {
		fmt.Fprintf(tw, "    %s\t%s\n", b, view.TransferBases[b])
	}
	if view.Attribution != "" {
		fmt.Fprintf(tw, "\n%s\n", view.Attribution)
	}
	return tw.Flush()
}

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

func tableKeys(m *policy.FidesMapping, kind string) []string {
	var out []string
	switch kind {
	case "data_uses":
		for k := range m.DataUses {
			out = append(out, k)
		}
	case "data_categories":
		for k := range m.DataCategories {
			out = append(out, k)
		}
	default:
		for k := range m.DataSubjects {
			out = append(out, k)
		}
	}
	return out
}

func sortedStrings(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
