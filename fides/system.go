package fides

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/problem"
)

// A system of a Fides file: its declarations, each built from its Fides fields or from what
// export fides kept in its meta, and what is found about the system itself.

func (p *project) system(s resource) []*Declaration {
	sys := s.value
	key := s.key
	// Held to fideslang's System model: what it refuses inside a declaration is that
	// declaration's problem, anything else the file's.
	own := map[string][]problem.Problem{} // by the declaration's pointer
	prefix := s.at.ptr + "/privacy_declarations/"
	v := &validation{skip: "privacy_declarations", report: func(at place, msg string) {
		if rest, ok := strings.CutPrefix(at.ptr, prefix); ok {
			i, _, _ := strings.Cut(rest, "/")
			src := at.source()
			own[prefix+i] = append(own[prefix+i], problem.Problem{Kind: problem.Schema, Message: msg, Pointer: at.ptr, File: src.File, Line: src.Line, Column: src.Column})
			return
		}
		p.fail(at, "%s", msg)
	}}
	v.object(systemModel, sys, s.at, true)
	var out []*Declaration
	raw, has := sys["privacy_declarations"]
	list, ok := raw.([]any)
	if !ok {
		if has {
			p.fail(s.at.sub("/privacy_declarations"), "expected a list of privacy declarations")
		}
		p.findings = append(p.findings, p.systemFindings(s)...)
		return nil
	}
	kept := map[string]keptActivity{}
	exported := p.exported(s)
	for _, k := range exported {
		kept[k.name] = k
	}
	fresh := exported != nil && p.fresh(s, exported)
	names := map[string]bool{}
	sysFindings := p.systemFindings(s)
	profiles := false // a declaration of the system has a data use that builds profiles
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			if u, ok := m["data_use"].(string); ok && isKey(u) {
				up, _ := upgrade(kindUse, u, p.known(kindUse))
				profiles = profiles || p.resolve(kindUse, up).Entry.Profiling
			}
		}
	}
	for i, item := range list {
		at := s.at.sub("/privacy_declarations/" + strconv.Itoa(i))
		d := &Declaration{System: key, At: at.source(), at: map[string]Source{}, Carried: map[string]any{}, PersonalData: true}
		d.ID = key + "/" + strconv.Itoa(i)
		obj, ok := item.(map[string]any)
		if !ok {
			d.Problems = append(d.Problems, problem.Problem{Kind: problem.Schema, Message: "expected a privacy declaration (an object with data_use, data_categories and data_subjects)", Pointer: at.ptr, File: d.At.File, Line: d.At.Line, Column: d.At.Column})
			out = append(out, d)
			continue
		}
		if n, ok := obj["name"].(string); ok && strings.TrimSpace(n) != "" && !names[n] {
			names[n] = true
			d.ID = key + "/" + n
		}
		v.object(declarationModel, obj, at, false)
		d.Problems = append(d.Problems, own[at.ptr]...)
		name, _ := obj["name"].(string)
		k, has := kept[name]
		switch {
		case has && fresh:
			d.fromExport(k)
		default:
			p.declaration(s, obj, at, d, sysFindings, profiles, len(list) == 1)
			if has {
				d.Findings = append(d.Findings, p.found(k.at.source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleMetaStale, Message: "the system's meta.policyengine holds this declaration as export fides wrote it, but the system's Fides fields have changed since: the Fides fields are read, not the meta. Export the manifests again, or remove the meta", ClauseID: "personal-data"}}))
			}
		}
		if len(d.Problems) > 0 {
			d.Activity = nil
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		p.findings = append(p.findings, sysFindings...) // a system of no declaration: the file's
	}
	return out
}

// systemFindings are what the import finds about a system itself, told to each of its
// declarations: its keys fideslang does not define or fideslang 3 drops, and the flows
// (egress, ingress) to systems and datasets among none of the files checked.
func (p *project) systemFindings(s resource) []finding.Finding {
	var out []finding.Finding
	sys := s.value
	unknownKeys(systemModel, sys, s.at, func(m *model, k string, at place) {
		out = append(out, p.found(at.source(), unknownField(m.name, k)))
	}, "privacy_declarations")
	for _, k := range sortedKeys(sys) {
		if dropped[k] {
			out = append(out, p.found(s.at.sub("/"+k).source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleDropped, Message: fmt.Sprintf("the system's %s is a fideslang 1.x field that fideslang 3 drops silently: it is read with the declaration", k), ClauseID: "personal-data"}}))
		}
	}
	for _, dir := range []string{"egress", "ingress"} {
		list, _ := sys[dir].([]any)
		for i, f := range list {
			at := s.at.sub("/" + dir + "/" + strconv.Itoa(i))
			m, _ := f.(map[string]any)
			k, _ := m["fides_key"].(string)
			typ, _ := m["type"].(string)
			if !isKey(k) { // the model has said so
				continue
			}
			if typ == "system" && !p.systemKeys[k] || typ == "dataset" && len(p.datasets[k]) == 0 {
				add := "add the dataset to the Fides files"
				if typ == "system" {
					add = "add the system (a vendor's: system_type Third Party, and an entry in the policy's recipient_register under its fides_key or vendor_id)"
				}
				out = append(out, p.found(at.sub("/fides_key").source(), finding.Finding{Reason: policyengine.Reason{Rule: RuleFlowMissing, Message: fmt.Sprintf("the system's %s names the %s %s, which is in none of the Fides files checked, so what flows there cannot be judged: check its file along with this one, or %s", dir, typ, quoteKey(k), add), ClauseID: "sharing"}}))
			}
		}
	}
	return out
}
