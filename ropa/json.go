package ropa

import (
	"io"

	"github.com/confect/policyengine/internal/encode"
)

// writeJSON writes the record as one JSON object (schema/ropa.schema.json).
func writeJSON(w io.Writer, r *Record) error {
	return encode.JSON(w, r)
}
