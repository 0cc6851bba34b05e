package ropa

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

var formats = map[string]func(io.Writer, *Record) error{
	"markdown": writeMarkdown,
	"csv":      writeCSV,
	"json":     writeJSON,
	"html":     writeHTML,
}

// Formats returns the formats Write knows, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for f := range formats {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Write renders the record in a format: markdown (a table a reviewer reads in a pull request),
// csv (one row per declaration, for a spreadsheet), json (schema/ropa.schema.json) or html (one
// self-contained page). An unknown format is an error, never a fallback.
func (r *Record) Write(w io.Writer, format string) error {
	f, ok := formats[format]
	if !ok {
		return fmt.Errorf("unknown record format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return f(w, r)
}

// forOnePerson qualifies the decision on a declaration given with a person's state.
const forOnePerson = "(for the one person's state the manifest gives)"

// notNamed is what the record says for a controller field the policy document leaves out.
const notNamed = "not named in the policy document"

// controllerRows are the controller's fields, as markdown and html show them.
func (r *Record) controllerRows() [][2]string {
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
func (r *Record) summaryLine() string {
	s := r.Summary
	line := fmt.Sprintf("%d declarations: %d allowed, %d denied", s.Entries, s.Allowed, s.Denied)
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

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
