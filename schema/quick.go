package schema

import (
	"encoding/json"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/confect/policyengine/internal/format"
)

// ActivityValid is a fast check of a decoded activity against the activity schema. True means
// ValidateActivity would find no problem, so the caller may skip it; false means it might, so
// the caller asks ValidateActivity for the problems. It never says true where the schema says
// no (a test holds it to that on a corpus and under fuzzing); it may say false where the schema
// says yes, for forms it does not bother with (numbers with exponents, leap seconds).
func ActivityValid(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	if _, ok := m["id"]; !ok {
		return false
	}
	if _, ok := m["data_categories"]; !ok {
		return false
	}
	if _, ok := m["purposes"]; !ok {
		return false
	}
	for k, x := range m {
		var ok bool
		switch k {
		case "id":
			ok = isID(x)
		case "$schema":
			ok = isString(x, 0, 500)
		case "description":
			ok = isString(x, 0, 10000)
		case "role":
			ok = isOneOf(x, "controller", "processor")
		case "customer_dpa":
			ok = isString(x, 0, 500)
		case "data_subjects", "sources":
			ok = isList(x, 0, isTerm)
		case "data_categories":
			ok = isList(x, 1, isTerm)
		case "purposes":
			ok = isList(x, 1, isPurpose)
		case "legal_basis":
			ok = isBasis(x)
		case "consent":
			ok = isObject(x, map[string]func(any) bool{
				"status":       func(s any) bool { return isOneOf(s, "given", "withdrawn", "refused", "expired", "unknown") },
				"given_at":     isTimestamp,
				"withdrawn_at": isTimestamp,
				"purposes":     func(l any) bool { return isList(l, 0, isPurpose) },
			}, "status")
		case "profiling":
			_, ok = x.(bool)
		case "channel":
			ok = isObject(x, map[string]func(any) bool{
				"type":                 func(s any) bool { return isOneOf(s, "email", "sms", "phone", "social_media", "web", "in_app", "post") },
				"content":              func(s any) bool { return isOneOf(s, "marketing", "administrative") },
				"opt_out_instructions": isBool,
			}, "type", "content")
		case "retention":
			ok = isObject(x, map[string]func(any) bool{
				"period": isDuration,
				"from":   isEvent,
				"agreed_extension": func(e any) bool {
					return isObject(e, map[string]func(any) bool{
						"reference": func(s any) bool { return isString(s, 0, 500) },
						"period":    isDuration,
					})
				},
			})
		case "recipients":
			ok = isList(x, 0, isRecipient)
		case "subject":
			ok = isObject(x, map[string]func(any) bool{
				"opted_out_marketing":          isBool,
				"opted_out_profiling":          isBool,
				"objected_legitimate_interest": isBool,
				"restricted":                   isBool,
				"last_activity_at":             isTimestamp,
				"last_application_at":          isTimestamp,
				"access_requested_at":          isTimestamp,
				"rectification_requested_at":   isTimestamp,
				"erasure_requested_at":         isTimestamp,
				"portability_requested_at":     isTimestamp,
				"age":                          isAge,
			})
		}
		if !ok {
			return false
		}
	}
	return true
}

func isRecipient(x any) bool {
	return isObject(x, map[string]func(any) bool{
		"name":               func(s any) bool { return isString(s, 1, 200) },
		"type":               isTerm,
		"country":            isCountry,
		"dpa":                isBool,
		"transfer_safeguard": func(s any) bool { return isOneOf(s, "scc", "adequacy", "bcr", "none") },
		"domains":            func(l any) bool { return isList(l, 0, isDomain) },
		"dpf_certified":      isBool,
		"court_order": func(o any) bool {
			return isObject(o, map[string]func(any) bool{
				"reference":               func(s any) bool { return isString(s, 1, 500) },
				"jurisdiction":            isCountry,
				"international_agreement": isBool,
			}, "reference", "jurisdiction")
		},
		"legal_basis": isBasis,
	}, "name", "type")
}

// isObject: an object whose keys all have a check that passes, with the required keys present.
func isObject(x any, fields map[string]func(any) bool, required ...string) bool {
	m, ok := x.(map[string]any)
	if !ok {
		return false
	}
	for _, r := range required {
		if _, ok := m[r]; !ok {
			return false
		}
	}
	for k, v := range m {
		check, ok := fields[k]
		if !ok || !check(v) {
			return false
		}
	}
	return true
}

func isList(x any, min int, item func(any) bool) bool {
	l, ok := x.([]any)
	if !ok || len(l) < min {
		return false
	}
	for _, v := range l {
		if !item(v) {
			return false
		}
	}
	return true
}

func isBool(x any) bool {
	_, ok := x.(bool)
	return ok
}

func isString(x any, min, max int) bool {
	s, ok := x.(string)
	if !ok {
		return false
	}
	n := utf8.RuneCountInString(s)
	return n >= min && n <= max
}

func isOneOf(x any, values ...string) bool {
	s, ok := x.(string)
	if !ok {
		return false
	}
	for _, v := range values {
		if s == v {
			return true
		}
	}
	return false
}

func isBasis(x any) bool {
	return isOneOf(x, "consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task")
}

func isEvent(x any) bool {
	return isOneOf(x, "collection", "last_activity", "last_application_date", "end_of_contract", "account_closure")
}

// isID: a string of at most 200 characters with one that is not white space.
func isID(x any) bool {
	s, ok := x.(string)
	if !ok || utf8.RuneCountInString(s) > 200 {
		return false
	}
	for _, r := range s {
		if !unicode.IsSpace(r) && r < utf8.RuneSelf {
			return true
		}
	}
	return false
}

// isTerm: ^[a-z][a-z0-9_]{0,63}$
func isTerm(x any) bool {
	s, ok := x.(string)
	return ok && format.Term(s)
}

// isPurpose: one to four terms joined by dots.
func isPurpose(x any) bool {
	s, ok := x.(string)
	return ok && format.Purpose(s)
}

// isDomain: at most 253 characters, two or more labels joined by dots, each of 1 to 63 lower-case
// letters, digits and hyphens, neither beginning nor ending with a hyphen.
func isDomain(x any) bool {
	s, ok := x.(string)
	if !ok || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isCountry: ^[A-Z]{2}$
func isCountry(x any) bool {
	s, ok := x.(string)
	return ok && len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// isAge: an integer from 0 to 150, written without fraction or exponent.
func isAge(x any) bool {
	switch n := x.(type) {
	case json.Number:
		return format.Age(string(n))
	case float64:
		return n >= 0 && n <= 150 && n == math.Trunc(n)
	}
	return false
}

// isDuration: an ISO 8601 duration of at most 40 characters: P, then designators each after
// its digits and in the order Y M D, then optionally T and H M S in that order; or P and weeks
// alone. At least one designator, and at least one after a T. No sign, no fractions.
func isDuration(x any) bool {
	s, ok := x.(string)
	if !ok || len(s) > 40 || len(s) < 2 || s[0] != 'P' {
		return false
	}
	date, tm, hasT := strings.Cut(s[1:], "T")
	if date == "" && !hasT {
		return false
	}
	if hasT && tm == "" {
		return false
	}
	if strings.HasSuffix(date, "W") {
		return !hasT && units(date, "W")
	}
	return units(date, "YMD") && units(tm, "HMS")
}

// units: digits each followed by a unit, the units in the order given, each at most once.
func units(s, order string) bool {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return false
		}
		at := strings.IndexByte(order, s[i])
		if at < 0 {
			return false
		}
		order = order[at+1:]
		s = s[i+1:]
	}
	return true
}

// isTimestamp: an RFC 3339 date-time, seconds from 00 to 59.
func isTimestamp(x any) bool {
	s, ok := x.(string)
	return ok && format.Timestamp(s)
}
