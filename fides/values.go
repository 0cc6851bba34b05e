package fides

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Values as fideslang reads them: keys, text, flags, numbers.

var (
	fidesKey = regexp.MustCompile(`^[a-zA-Z0-9_.<>-]+$`)
	datetime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$`)
	anyURL   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:\S+$`)
	httpURL  = regexp.MustCompile(`^(?i:https?)://[^\s/?#]+\S*$`)
	// version is PEP 440's form, as packaging.version reads it.
	version = regexp.MustCompile(`(?i)^\s*v?([0-9]+!)?[0-9]+(\.[0-9]+)*([-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?((-[0-9]+)|([-_.]?(post|rev|r)[-_.]?[0-9]*))?([-_.]?dev[-_.]?[0-9]*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?\s*$`)
)

// isKey reports whether s is a fides_key as fideslang's FidesKey accepts one.
func isKey(s string) bool { return fidesKey.MatchString(s) }

// isText reports whether a value is text (or, where numbers are read as text, a number).
func isText(v any, numbers bool) bool {
	_, ok := textOf(v, numbers)
	return ok
}

// textOf returns a value as text: a string, or a number where numbers are read as text.
func textOf(v any, numbers bool) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case fmt.Stringer: // a number (json.Number)
		if numbers {
			return x.String(), true
		}
	}
	return "", false
}

// laxBool reads a bool as pydantic's lax mode does: true and false, 0 and 1, and the words
// pydantic accepts.
func laxBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "1", "on", "t", "true", "y", "yes":
			return true, true
		case "0", "off", "f", "false", "n", "no":
			return false, true
		}
	case fmt.Stringer:
		switch x.String() {
		case "1", "1.0":
			return true, true
		case "0", "0.0":
			return false, true
		}
	}
	return false, false
}

// laxInt reads a whole number as pydantic's lax mode does: a number with no fraction, or text
// of one.
func laxInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case fmt.Stringer:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return int64(f), true
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// boolField reads a bool field of a resource as fideslang does, its default when absent.
func boolField(obj map[string]any, name string, def bool) bool {
	if b, ok := laxBool(obj[name]); ok {
		return b
	}
	return def
}
