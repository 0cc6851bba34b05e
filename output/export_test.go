package output

import "slices"

// AllKinds returns every kind of report some format renders, as the table of formats says: for
// the test that tries every format against every kind.
func AllKinds() []Kind {
	var kinds []Kind
	for _, f := range formats {
		for _, k := range f.kinds {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}
