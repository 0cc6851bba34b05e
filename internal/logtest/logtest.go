// Package logtest checks, for tests, that what a command prints is inert where it is read: a
// terminal or a CI log acts on no line of it.
package logtest

import (
	"fmt"
	"strings"
	"unicode"
)

// Unsafe lists what in out a terminal or a CI log would act on: a character that is not graphic
// (an ANSI escape, a carriage return, a NUL, a bidirectional control, a tab; newlines end lines),
// and a line that, leading space trimmed, starts with "::" as a GitHub workflow command does.
// Empty, out is inert.
func Unsafe(out string) []string {
	var found []string
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
			found = append(found, fmt.Sprintf("line %d reads as a workflow command: %q", i+1, line))
		}
		for _, r := range line {
			if !unicode.IsGraphic(r) {
				found = append(found, fmt.Sprintf("line %d holds a raw %U: %q", i+1, r, line))
				break
			}
		}
	}
	return found
}
