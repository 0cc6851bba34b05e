package ropa

import (
	"fmt"
	"strings"
)

// column is one field of an entry as the tabular formats (csv, markdown, html) show it: the
// items of a cell, which each format joins its own way. The formats share these, so they say
// the same thing.
type column struct {
	// Key names the column in CSV's header; Title in markdown and html.
	Key, Title string
	// Cell lists the cell's items.
	Cell func(e *Entry) []string
}

// terms are the columns whose items are vocabulary terms, which markdown and html run together
// on a line; other items go one to a line.
var terms = map[string]bool{"data_subjects": true, "data_categories": true, "sources": true}

var columns = []column{
	{"activity", "Activity", func(e *Entry) []string { return []string{e.ID} }},
	{"file", "File", func(e *Entry) []string { return []string{place(e.File, e.Line)} }},
	{"description", "Description", func(e *Entry) []string { return nonEmpty(e.Description) }},
	{"role", "Role", func(e *Entry) []string {
		if e.CustomerDPA != "" {
			return []string{e.Role + " (customer DPA " + e.CustomerDPA + ")"}
		}
		return []string{e.Role}
	}},
	{"purposes", "Purposes", func(e *Entry) []string { return described(e.Purposes, ": ") }},
	{"legal_basis", "Legal basis", func(e *Entry) []string {
		if e.LegalBasis == nil {
			return nil
		}
		return []string{e.LegalBasis.ID + " (" + e.LegalBasis.Description + ")"}
	}},
	{"data_subjects", "Data subjects", func(e *Entry) []string { return ids(e.DataSubjects) }},
	{"data_categories", "Personal data", func(e *Entry) []string {
		out := make([]string, len(e.DataCategories))
		for i, c := range e.DataCategories {
			out[i] = c.ID
			if strings.HasPrefix(c.Description, "special category") {
				out[i] += " (" + c.Description + ")"
			}
		}
		return out
	}},

	{"sources", "Sources", func(e *Entry) []string { return ids(e.Sources) }},
	{"recipients", "Recipients", func(e *Entry) []string {
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
	{"transfers", "Third-country transfers", func(e *Entry) []string {
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
	{"retention", "Retention", func(e *Entry) []string {
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
	{"decision", "Decision", func(e *Entry) []string { return []string{e.Decision.Outcome} }},
	{"person_state", "Decided for", func(e *Entry) []string {
		if e.PersonState {
			return []string{"one person: the manifest gives a person's state (a test fixture)"}
		}
		return nil
	}},
	{"reasons", "Reasons", func(e *Entry) []string { return lines("", e.Decision.Reasons, e.Decision.Errors) }},
	{"warnings", "Warnings", func(e *Entry) []string { return lines("", e.Decision.Warnings) }},
	{"conditions", "Conditions", func(e *Entry) []string { return lines("requires ", e.Decision.Conditions) }},
	{"missing", "Missing", func(e *Entry) []string { return missingLines(e.Missing) }},
}

// columnsNamed returns the columns of the given keys, in that order.
func columnsNamed(keys ...string) []column {
	out := make([]column, 0, len(keys))
	for _, k := range keys {
		for _, c := range columns {
			if c.Key == k {
				out = append(out, c)
			}
		}
	}
	return out
}

func place(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func described(ts []Term, sep string) []string {
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
func lines(requires string, groups ...[]Finding) []string {
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

func missingLines(ms []Missing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Article + " " + m.Field + ": " + m.Message
	}
	return out
}
