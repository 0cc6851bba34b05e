// Package finding holds the located finding: what a rule found, and where it stands in the files
// a report read. It is the one type of every report that lists findings: check's reasons and
// warnings (drift's are check's), what the import of Fides files finds, the record of
// processing activities (ropa), and what a policy change adds or removes (impact). Each report
// writes it in its own shape (its JSON, its table), derived from this type.
package finding

import (
	"bytes"
	"encoding/json"

	"github.com/confect/policyengine"
)

// Finding is a rule's finding at a place: the decision's reason (or a warning, or a
// declaration's condition), with its file, line and column.
type Finding struct {
	policyengine.Reason
	// Requires, for a declaration's condition, says what must hold for the person at run time
	// (policyengine.Condition's); empty for a reason or a warning.
	Requires string `json:"requires,omitempty"`
	// File is the file the finding stands in. A report of results leaves it empty where that is
	// its result's file (see In): a category a Fides declaration takes from a dataset stands in
	// the dataset's file, not the declaration's.
	File string `json:"file,omitempty"`
	// Line and Column locate the field at fault (or its nearest present ancestor); 0 where
	// unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// In returns the file the finding stands in: its own File, or else resultFile, the file of
// the result that lists it.
func (f Finding) In(resultFile string) string {
	if f.File != "" {
		return f.File
	}
	return resultFile
}

// MarshalView marshals a report's JSON view of its findings (a MarshalJSON that writes the
// report's own shape of them) as the report writers write JSON: "<", ">" and "&" as they are,
// where json.Marshal would escape them and the writer's encoder could not undo it.
func MarshalView(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}
