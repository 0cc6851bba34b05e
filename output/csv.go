package output

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/confect/policyengine/ropa"
)

// recordCSV writes a record of processing activities for a spreadsheet: one row per declaration
// under a header row. A cell's items are joined by "; " when they are vocabulary terms, and one to
// a line (a line break inside the quoted cell) otherwise, since a message or a name may hold a
// semicolon. A cell that a spreadsheet would read as a formula (starting with =, +, -, @) is
// prefixed with an apostrophe, so a description cannot run as one.
func recordCSV(w io.Writer, r *ropa.Record, _ Options) error {
	cw := csv.NewWriter(w)
	columns := withCode(r, recordColumns)
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = c.Key
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(columns))
	for i := range r.Entries {
		for j, c := range columns {
			sep := "\n"
			if recordTerms[c.Key] {
				sep = "; "
			}
			row[j] = inert(strings.Join(c.Cell(&r.Entries[i]), sep))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func inert(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
