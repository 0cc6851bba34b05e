// Package output renders a check report in the formats a person or a pipeline reads. Each format
// is its own file; New returns one by name, and an unknown name is an error, never a fallback.
package output

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/encode"
)

// Formatter writes a report.
type Formatter interface {
	// Format writes the report to w.
	Format(w io.Writer, r *check.Report) error
}

// Options tune what a formatter writes.
type Options struct {
	// Color uses ANSI colours (text only). The CLI sets it on a terminal, unless NO_COLOR is set.
	Color bool
}

var formats = map[string]func(Options) Formatter{
	"text":   func(o Options) Formatter { return &Text{Color: o.Color} },
	"json":   func(Options) Formatter { return JSON{} },
	"sarif":  func(Options) Formatter { return SARIF{} },
	"junit":  func(Options) Formatter { return JUnit{} },
	"github": func(Options) Formatter { return GitHub{} },
	"table":  func(Options) Formatter { return Table{} },
	"html":   func(Options) Formatter { return HTML{} },
}

// Names returns the formats New knows, sorted.
func Names() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the formatter of the given name.
func New(name string, opts Options) (Formatter, error) {
	f, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", name, strings.Join(Names(), ", "))
	}
	return f(opts), nil
}

// warningLevel is how a format names a warning: usual, or failing when warnings fail the run.
func warningLevel(r *check.Report, usual, failing string) string {
	if r.WarningsFail() {
		return failing
	}
	return usual
}

// warningsFail is the line a format ends with when warnings failed the run, or "".
func warningsFail(r *check.Report) string {
	if !r.WarningsFail() {
		return ""
	}
	return fmt.Sprintf("FAILED: %s fail the run (--fail-on-warn)\n", plural(r.Summary.Warnings, "warning"))
}

// summary says what a report holds in one line, as the machine-readable formats end.
func summary(s check.Summary) string {
	return fmt.Sprintf("%s in %s: %d allowed, %d denied, %s, %s, %s", plural(s.Activities, "activity"), plural(s.Files, "file"),
		s.Allowed, s.Denied, plural(s.Errors, "error"), plural(s.Warnings, "warning"), plural(s.Conditions, "condition"))
}

// Printable renders a value from a manifest or its name (a file name, an id, a key in a JSON
// pointer, a message) for the human formats: as it is when every character is graphic, else
// quoted with Go's escapes, so that no control character or CI workflow command reaches a
// terminal or a CI log raw (encode.Printable says which).
func Printable(s string) string { return encode.Printable(s) }
