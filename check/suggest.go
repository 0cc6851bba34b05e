package check

import (
	"strconv"
	"strings"

	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
)

// suggestTerms ends the message of every finding and problem about a term the policy does not
// know with the term it was most likely meant to be: "address" (did you mean
// "postal_address"?). Only a value with the shape of a term is looked at, and only the term
// suggested is added, never anything else of the input.
func suggestTerms(terms *policy.Terms, e *manifest.Entry, r *Result) {
	if terms == nil || e.Value == nil {
		return
	}
	hint := func(path string) string {
		word, ok := valueAt(e.Value, path).(string)
		if !ok || !termShaped(word) {
			return ""
		}
		allowed, ok := terms.At(path)
		if !ok {
			return ""
		}
		return suggest.DidYouMean(word, allowed)
	}
	for _, fs := range [][]finding.Finding{r.Reasons, r.Warnings} {
		for i := range fs {
			fs[i].Message += hint(fs[i].Path)
		}
	}
	for i := range r.Errors {
		r.Errors[i].Message += hint(r.Errors[i].Pointer)
	}
}

// valueAt returns the value at a JSON pointer, or nil.
func valueAt(v any, pointer string) any {
	if pointer == "" {
		return v
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch node := v.(type) {
		case map[string]any:
			v = node[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}

// termShaped reports whether a value looks like a vocabulary term (lower case, digits, '_'
// and '.', at most 64 long), so that suggesting for it quotes no free-form text.
func termShaped(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '.' {
			return false
		}
	}
	return true
}
