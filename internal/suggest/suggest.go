// Package suggest finds the term a near miss was meant to be: "emial" is "email", "address"
// is "postal_address".
package suggest

import (
	"fmt"
	"strings"
)

// Nearest returns the terms closest to word, in the order listed, when any is close enough to
// suggest: a term that differs by a few letters (a letter left out, added, changed, or two
// swapped: one for words up to five letters, about one in three beyond), or else one that
// contains the word, or is contained in it, as a whole part (address in postal_address). A
// word that is itself a term has no suggestion.
func Nearest(word string, terms []string) []string {
	var best []string
	bestScore := -1
	for _, t := range terms {
		if t == word {
			return nil
		}
		score := -1
		if d := distance(word, t); d <= allowed(word) {
			score = d
		} else if part(word, t) {
			score = allowed(word) + 1
		}
		switch {
		case score < 0:
		case bestScore < 0 || score < bestScore:
			best, bestScore = []string{t}, score
		case score == bestScore:
			best = append(best, t)
		}
	}
	return best
}

// DidYouMean is Nearest as the end of a message: ` (did you mean "email"?)`, or "" when no
// term is near; at most three are named.
func DidYouMean(word string, terms []string) string {
	near := Nearest(word, terms)
	if len(near) == 0 {
		return ""
	}
	if len(near) > 3 {
		near = near[:3]
	}
	quoted := make([]string, len(near))
	for i, t := range near {
		quoted[i] = fmt.Sprintf("%q", t)
	}
	return " (did you mean " + strings.Join(quoted, " or ") + "?)"
}

func allowed(word string) int {
	if n := len(word) / 3; n > 1 {
		return n
	}
	return 1
}

// part reports whether the shorter of a and b, at least four letters, is a whole part of the
// longer, parts split at '_' and '.'.
func part(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 4 {
		return false
	}
	sep := func(r rune) bool { return r == '_' || r == '.' }
	parts := strings.FieldsFunc(b, sep)
	want := strings.FieldsFunc(a, sep)
	for i := 0; i+len(want) <= len(parts); i++ {
		if strings.Join(parts[i:i+len(want)], "_") == strings.Join(want, "_") {
			return true
		}
	}
	return false
}

// distance is the optimal string alignment distance: insertions, deletions, substitutions and
// swaps of neighbouring letters.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
