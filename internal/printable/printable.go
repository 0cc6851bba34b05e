// Package printable renders a value from an input (a file name, an id, a key, a message) for a
// person or a CI log to read: as it is when every character is graphic, else quoted with Go's
// escapes, so that no newline, carriage return, NUL, ANSI escape or bidirectional control reaches
// a terminal, a log or a comment raw. It is the one escaping of the project: output.Printable
// renders through it, and the libraries that write text of their own (the Fides import's
// comments) use it directly.
package printable

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String renders s as the package comment says. A value holding "::" is quoted too: at the start
// of a line, a CI log (GitHub Actions) would read it as a workflow command.
func String(s string) string {
	if strings.Contains(s, "::") || !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) >= 0 {
		return strconv.QuoteToGraphic(s)
	}
	return s
}
