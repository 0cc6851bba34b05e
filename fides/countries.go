package fides

import (
	_ "embed"
	"strings"
	"sync"
)

// countriesTable is ISO 3166-1's alpha-3 to alpha-2 table: an ISO fact, not a company's, kept
// once, in countries.tsv.
//
//go:embed countries.tsv
var countriesTable string

// alpha2 reads countries.tsv once; the map is never written after.
var alpha2 = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(countriesTable, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a3, a2, _ := strings.Cut(line, "\t")
		m[a3] = a2
	}
	return m
})

// Alpha2 returns the ISO 3166-1 alpha-2 code of a country named by its alpha-3 code ("USA" is
// "US"), and whether the code is one; case does not matter.
func Alpha2(alpha3 string) (string, bool) {
	a2, ok := alpha2()[strings.ToUpper(strings.TrimSpace(alpha3))]
	return a2, ok
}
