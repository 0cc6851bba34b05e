package fides

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// retention_period read as an ISO 8601 period, and written back.

var digits = regexp.MustCompile(`^\s*([0-9]{1,6})\s*$`)

// retention reads a retention_period: digits are days; "3 years" and the like are read; other
// text is not.
func retention(v any) (string, bool) {
	s := ""
	switch x := v.(type) {
	case string:
		s = x
	case fmt.Stringer:
		s = x.String()
	default:
		return "", false
	}
	if m := digits.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return "P" + strconv.Itoa(n) + "D", true
	}
	if m := spelled.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]string{"day": "D", "week": "W", "month": "M", "year": "Y"}[strings.ToLower(m[2])]
		return "P" + strconv.Itoa(n) + unit, true
	}
	return "", false
}

// retentionText writes an ISO 8601 period of one unit as a retention_period the reader reads
// back: days as a number, else a count and its unit.
func retentionText(v any) (string, bool) {
	s, _ := v.(string)
	m := onePeriod.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]string{"D": "", "W": "week", "M": "month", "Y": "year"}[m[2]]
	switch {
	case unit == "":
		return m[1], true
	case n == 1:
		return "1 " + unit, true
	}
	return m[1] + " " + unit + "s", true
}

var onePeriod = regexp.MustCompile(`^P([0-9]{1,4})([DWMY])$`)

var spelled = regexp.MustCompile(`(?i)^\s*([0-9]{1,4})\s*(day|week|month|year)s?\s*$`)
