package output

import (
	"encoding/json"
	"io"

	"github.com/confect/policyengine/check"
)

// JSON writes the report as one JSON object (contract §4): {"results": [{"file", "activity",
// "allow", "reasons", "warnings", ...}], "summary": {"activities", "allowed", "denied",
// "errors", ...}, "revision"}. Reasons carry their line and column.
type JSON struct{}

// Format writes the report.
func (JSON) Format(w io.Writer, r *check.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
