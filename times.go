package policyengine

import (
	"maps"
	"strings"
	"time"

	"github.com/confect/policyengine/schema"
)

// The first and last instants OPA's clock holds, as the rules name them (lib.earliest_ns and
// lib.latest_ns): OPA counts time in nanoseconds, from 1678 to 2262.
const (
	earliestTime = "1678-01-01T00:00:00Z"
	latestTime   = "2261-12-31T23:59:59Z"
)

// canonicalTime puts a valid RFC 3339 timestamp in the one form the rules read, the same
// instant, as lib.canonical_time does for an OPA server: t and z in upper case; a leap second
// (23:59:60) as the first instant of the next second; a year before 1678 as the clock's first
// instant, one after 2261 as its last. A timestamp already in that form is returned as it is.
func canonicalTime(s string) string {
	if len(s) < 20 {
		return s
	}
	switch year := s[:4]; {
	case year < "1678":
		return earliestTime
	case year > "2261":
		return latestTime
	}
	u := strings.ToUpper(s)
	if u[17:19] != "60" {
		return u
	}
	t, err := time.Parse(time.RFC3339Nano, u[:17]+"59"+u[19:])
	if err != nil {
		return s // not a timestamp: validation has refused it already
	}
	return t.Add(time.Second).UTC().Format(time.RFC3339Nano)
}

// canonicalTimes returns the activity with the times of the person's state in canonical form:
// the fields the activity schema holds as date-times, which are the keys of consent and subject
// ending in _at that lib.time_field names for an OPA server (schema's TestTimesAreTheSchemas
// holds them equal). The activity itself is never changed: when a time needs rewriting, the result is a copy.
func canonicalTimes(doc map[string]any) map[string]any {
	out, copied := doc, false
	for _, k := range personKeys {
		fields, ok := doc[k].(map[string]any)
		if !ok {
			continue
		}
		var changed map[string]any
		for name, v := range fields {
			s, ok := v.(string)
			if !ok || !schema.ActivityTime(k, name) {
				continue
			}
			if c := canonicalTime(s); c != s {
				if changed == nil {
					changed = maps.Clone(fields)
				}
				changed[name] = c
			}
		}
		if changed == nil {
			continue
		}
		if !copied {
			out, copied = maps.Clone(doc), true
		}
		out[k] = changed
	}
	return out
}
