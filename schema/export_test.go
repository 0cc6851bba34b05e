package schema

import "slices"

// ActivityTimes returns the activity's date-time fields, by the top-level object that holds
// them: {"consent": ["given_at", ...], ...}, each list sorted; for the tests of package
// schema_test, which hold them to the schema.
func ActivityTimes() map[string][]string {
	out := map[string][]string{}
	for object, fields := range activityTimes() {
		for f := range fields {
			out[object] = append(out[object], f)
		}
		slices.Sort(out[object])
	}
	return out
}
