package output

import (
	"fmt"
	"slices"
	"strings"

	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/ropa"
)

// What the formats of a record of processing activities (markdown, csv, html) share: its
// columns, and how the controller and the summary read.

// recordColumn is one field of an entry as the tabular formats (csv, markdown, html) show it:
// the items of a cell, which each format joins its own way. The formats share these, so they
// say the same thing.
type recordColumn struct {
	// Key names the column in CSV's header; Title in markdown and html.
	Key, Title string
	// Cell lists the cell's items.
	Cell func(e *ropa.Entry) []string
}

// recordTerms are the columns whose items are vocabulary terms, which markdown and html run together
// on a line; other items go one to a line.
var recordTerms = map[string]bool{"data_subjects": true, "data_categories": true, "sources": true}

var recordColumns = []recordColumn{
	{"activity", "Activity", func(e *ropa.Entry) []string { return []string{e.ID} }},
	{"file", "File", func(e *ropa.Entry) []string { return []string{fileLine(e.File, e.Line)} }},
	{"description", "Description", func(e *ropa.Entry) []string { return nonEmpty(e.Description) }},
	{"role", "Role", func(e *ropa.Entry) []string {
		if e.CustomerDPA != "" {
			return []string{e.Role + " (customer DPA " + e.CustomerDPA + ")"}
		}
		return []string{e.Role}
	}},
	{"purposes", "Purposes", func(e *ropa.Entry) []string { return described(e.Purposes, ": ") }},
	{"legal_basis", "Legal basis", func(e *ropa.Entry) []string {
		if e.LegalBasis == nil {
			return nil
		}
		return []string{e.LegalBasis.ID + " (" + e.LegalBasis.Description + ")"}
	}},
	{"data_subjects", "Data subjects", func(e *ropa.Entry) []string { return termIDs(e.DataSubjects) }},
	{"data_categories", "Personal data", func(e *ropa.Entry) []string {
		out := make([]string, len(e.DataCategories))
		for i, c := range e.DataCategories {
			out[i] = c.ID
			if strings.HasPrefix(c.Description, ropa.SpecialCategory) {
				out[i] += " (" + c.Description + ")"
			}
		}
		return out
	}},

	{"sources", "Sources", func(e *ropa.Entry) []string { return termIDs(e.Sources) }},
	{"recipients", "Recipients", func(e *ropa.Entry) []string {
		if e.Recipients != nil && len(e.Recipients) == 0 {
			return []string{"none"}
		}
		out := make([]string, len(e.Recipients))
		for i, r := range e.Recipients {
			where := r.Country
			if where == "" {
				where = "no country"
			}
			out[i] = fmt.Sprintf("%s (%s, %s)", r.Name, r.Type.ID, where)
		}
		return out
	}},
	{"transfers", "Third-country transfers", func(e *ropa.Entry) []string {
		var out []string
		for _, r := range e.Recipients {
			if !r.Transfer {
				continue
			}
			where, safeguard := r.Country, r.Safeguard
			if where == "" {
				where = "a country not named"
			}
			if safeguard == "" {
				safeguard = "not documented"
			}
			out = append(out, fmt.Sprintf("%s to %s, safeguard: %s", r.Name, where, safeguard))
		}
		return out
	}},
	{"retention", "Retention", func(e *ropa.Entry) []string {
		r := e.Retention
		if r == nil || r.Period == "" {
			return nil
		}
		s := r.Words
		if r.Words != r.Period {
			s += " (" + r.Period + ")"
		}
		if r.From != "" {
			s += " from " + r.From
		}
		if r.Extension != "" {
			s += ", extension agreed: " + r.Extension
		}
		return []string{s}
	}},
	{"decision", "Decision", func(e *ropa.Entry) []string { return []string{e.Decision.Outcome} }},
	{"person_state", "Decided for", func(e *ropa.Entry) []string {
		if e.PersonState {
			return []string{"one person: the manifest gives a person's state (a test fixture)"}
		}
		return nil
	}},
	{"reasons", "Reasons", func(e *ropa.Entry) []string { return findingLines("", e.Decision.Reasons, e.Decision.Errors) }},
	{"warnings", "Warnings", func(e *ropa.Entry) []string { return findingLines("", e.Decision.Warnings) }},
	{"conditions", "Conditions", func(e *ropa.Entry) []string { return findingLines("requires ", e.Decision.Conditions) }},
	{"missing", "Missing", func(e *ropa.Entry) []string { return missingLines(e.Missing) }},
}

// codeColumn is the code that feeds a declaration, as a code scanner found it.
var codeColumn = recordColumn{"code", "Code that feeds it", func(e *ropa.Entry) []string {
	out := make([]string, len(e.Code))
	for i, c := range e.Code {
		out[i] = fmt.Sprintf("%s: %s to %s (%s's %s)", fileLine(c.File, c.Line), strings.Join(c.Categories, ", "), c.Recipient, c.Scanner, c.Element)
	}
	return out
}}

// withCode are a format's columns of a record, and the code that feeds each declaration when
// the record was made with a code scanner's report.
func withCode(r *ropa.Record, columns []recordColumn) []recordColumn {
	for _, e := range r.Entries {
		if len(e.Code) > 0 {
			return append(slices.Clip(columns), codeColumn)
		}
	}
	return columns
}

// recordTableColumns are the record's table in the formats a person reads (markdown, html),
// between the activity's own cell (its id, description, file and role) and the decision's.
var recordTableColumns = recordColumnsNamed("purposes", "legal_basis", "data_subjects", "data_categories", "sources",
	"recipients", "transfers", "retention")

// roleColumn is the activity's role, shown in its own cell.
var roleColumn = recordColumnsNamed("role")[0]

// recordColumnsNamed returns the recordColumns of the given keys, in that order.
func recordColumnsNamed(keys ...string) []recordColumn {
	out := make([]recordColumn, 0, len(keys))
	for _, k := range keys {
		for _, c := range recordColumns {
			if c.Key == k {
				out = append(out, c)
			}
		}
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func described(ts []ropa.Term, sep string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
		if t.Description != "" {
			out[i] += sep + t.Description
		}
	}
	return out
}

// lines renders findings as "rule at path (line N)", a condition with what it requires.
func findingLines(requires string, groups ...[]finding.Finding) []string {
	var out []string
	for _, fs := range groups {
		for _, f := range fs {
			path := f.Path
			if path == "" {
				path = "/"
			}
			s := f.Rule + " at " + path
			if f.Line > 0 {
				s += fmt.Sprintf(" (line %d)", f.Line)
			}
			if f.Requires != "" {
				s += ": " + requires + f.Requires
			} else if f.Message != "" {
				s += ": " + f.Message
			}
			out = append(out, s)
		}
	}
	return out
}

func missingLines(ms []ropa.Missing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Article + " " + m.Field + ": " + m.Message
	}
	return out
}

// termIDs returns the ids of terms, in order.
func termIDs(ts []ropa.Term) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// forOnePerson qualifies the decision on a declaration given with a person's state.
const forOnePerson = "(for the one person's state the manifest gives)"

// notNamed is what the record says for a controller field the policy document leaves out.
const notNamed = "not named in the policy document"

// controllerRows are the controller's fields, as markdown and html show them.
func controllerRows(r *ropa.Record) [][2]string {
	c := r.Controller
	if c == nil {
		return [][2]string{{"Controller", notNamed}}
	}
	contact := func(name, contact string) string {
		if contact != "" {
			return name + ", " + contact
		}
		return name
	}
	rows := [][2]string{{"Controller", c.Name}, {"Contact", orElse(c.Contact, notNamed)}}
	if c.Decisions != "" {
		rows = append(rows, [2]string{"Privacy decisions", c.Decisions})
	}
	rep, dpo := notNamed, notNamed
	if c.Representative != nil {
		rep = contact(c.Representative.Name, c.Representative.Contact)
	}
	if c.DPO != nil {
		dpo = contact(c.DPO.Name, c.DPO.Contact)
	}
	rows = append(rows, [2]string{"Representative in the Union", rep}, [2]string{"Data protection officer", dpo})
	measures := notNamed
	if len(c.SecurityMeasures) > 0 {
		measures = strings.Join(c.SecurityMeasures, "\n")
	}
	return append(rows, [2]string{"Security measures", measures})
}

// summaryLine says what the record holds in one sentence.
func recordSummary(r *ropa.Record) string {
	s := r.Summary
	line := fmt.Sprintf("%s: %d allowed, %d denied", Plural(s.Entries, "declaration"), s.Allowed, s.Denied)
	if s.Errors > 0 {
		line += fmt.Sprintf(", %d could not be decided", s.Errors)
	}
	return line + fmt.Sprintf("; %d with fields missing from the record.", s.Incomplete)
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
