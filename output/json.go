package output

import (
	"io"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/encode"
)

// JSON writes the report as one JSON object (the report format the README describes): {"results": [{"file", "activity",
// "allow", "reasons", "warnings", ...}], "summary": {"activities", "allowed", "denied",
// "errors", ...}, "revision"}. Reasons carry their line and column.
type JSON struct{}

// Format writes the report.
func (JSON) Format(w io.Writer, r *check.Report) error {
	return encode.JSON(w, r)
}
