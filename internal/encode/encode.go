// Package encode writes what every report shares: indented JSON without HTML escaping, XML with
// its header, and values from a manifest made safe to print (Printable).
package encode

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// JSON writes v as indented JSON, "<" and "&" left as they are, ending with a newline.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// XML writes v as an indented XML document with its header, ending with a newline.
func XML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Printable renders a value from a manifest or its name (a file name, an id, a key in a JSON
// pointer, a message) for the human formats: as it is when every character is graphic, else
// quoted with Go's escapes, so that no newline, carriage return, NUL, ANSI escape or
// bidirectional control reaches a terminal or a CI log raw. A value holding "::" is quoted too:
// at the start of a line, a CI log (GitHub Actions) would read it as a workflow command.
func Printable(s string) string {
	if strings.Contains(s, "::") || !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsGraphic(r) }) >= 0 {
		return strconv.QuoteToGraphic(s)
	}
	return s
}
