// Package encode writes the machine-readable formats every report shares: indented JSON
// without HTML escaping, and XML with its header.
package encode

import (
	"encoding/json"
	"encoding/xml"
	"io"
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
