// Package format holds the checks of the string formats the activity schema defines (an RFC
// 3339 timestamp, a purpose, a vocabulary term, an age), on strings: the fast validator
// (schema.ActivityValid) and the person's decoder (internal/residual) both use them, so the two
// accept exactly the same values.
package format

import (
	"strconv"
	"strings"
	"time"
)

// Term says s is a vocabulary term: ^[a-z][a-z0-9_]{0,63}$.
func Term(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Purpose says s is a purpose: one to four terms joined by dots.
func Purpose(s string) bool {
	for i := 0; i < 4; i++ {
		part, rest, more := strings.Cut(s, ".")
		if !Term(part) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
	return false
}

// Age says a JSON number's text is an age: an integer from 0 to 150, written without fraction
// or exponent.
func Age(text string) bool {
	i, err := strconv.Atoi(text)
	return err == nil && i >= 0 && i <= 150
}

// DateTime says s is a date-time as the activity schema means one: an RFC 3339 date-time
// (Timestamp), or a leap second, which RFC 3339 allows only as 23:59:60 in UTC (18:59:60-05:00
// is one). The JSON Schema validator holds date-times to it, and lib.any_timestamp_ns, which an
// OPA server reads a person's times with, is defined for exactly these strings.
func DateTime(s string) bool {
	if Timestamp(s) {
		return true
	}
	if len(s) < 20 || s[17:19] != "60" {
		return false
	}
	t, ok := timestamp(s[:17] + "59" + s[19:]) // the second before the leap second
	t = t.UTC()
	return ok && t.Hour() == 23 && t.Minute() == 59
}

// Timestamp says s is an RFC 3339 date-time with seconds from 00 to 59 (RFC 3339 allows its
// separator T and its Z in lower case too; the rules read them in upper case, the form the
// engine puts them in).
func Timestamp(s string) bool {
	_, ok := timestamp(s)
	return ok
}

// timestamp is Timestamp, with the instant s names.
func timestamp(s string) (time.Time, bool) {
	if len(s) < 20 || (s[10] != 'T' && s[10] != 't') {
		return time.Time{}, false
	}
	if s[10] == 't' || s[len(s)-1] == 'z' {
		b := []byte(s)
		b[10] = 'T'
		if b[len(b)-1] == 'z' {
			b[len(b)-1] = 'Z'
		}
		s = string(b)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Second() > 59 {
		return time.Time{}, false
	}
	zone := s[19:]
	if i := strings.IndexAny(zone, "Z+-"); i >= 0 {
		if frac := zone[:i]; frac != "" && (frac[0] != '.' || len(frac) < 2) {
			return time.Time{}, false
		}
		zone = zone[i:]
	}
	if zone == "Z" {
		return t, true
	}
	if len(zone) != 6 || zone[3] != ':' {
		return time.Time{}, false
	}
	h, err1 := strconv.Atoi(zone[1:3])
	m, err2 := strconv.Atoi(zone[4:6])
	return t, err1 == nil && err2 == nil && h <= 23 && m <= 59
}
