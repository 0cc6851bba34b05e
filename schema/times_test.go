package schema_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/format"
	builtinrego "github.com/confect/policyengine/rego"
	"github.com/confect/policyengine/schema"
)

// dateTimes walks a schema, following $ref into $defs, and returns the JSON pointer (into the
// instance: /consent/given_at, /recipients/*/x) of every place that holds a date-time.
func dateTimes(t *testing.T, raw []byte) []string {
	t.Helper()
	var root map[string]any
	require.NoError(t, json.Unmarshal(raw, &root))
	defs, _ := root["$defs"].(map[string]any)
	var out []string
	var walk func(node any, at string, depth int)
	walk = func(node any, at string, depth int) {
		obj, _ := node.(map[string]any)
		if obj == nil || depth > 20 {
			return
		}
		if ref, ok := obj["$ref"].(string); ok {
			walk(defs[strings.TrimPrefix(ref, "#/$defs/")], at, depth+1)
		}
		if obj["format"] == "date-time" {
			out = append(out, at)
		}
		if props, ok := obj["properties"].(map[string]any); ok {
			for k, v := range props {
				walk(v, at+"/"+k, depth+1)
			}
		}
		walk(obj["items"], at+"/*", depth+1)
		walk(obj["additionalProperties"], at+"/*", depth+1)
	}
	walk(root, "", 0)
	slices.Sort(out)
	return out
}

// The fields the library puts in canonical form are every date-time of the activity schema,
// wherever it is: adding one to the schema adds it there, with nothing else to edit.
func TestActivityTimesAreEveryDateTimeOfTheSchema(t *testing.T) {
	var got []string
	for object, fields := range schema.ActivityTimes() {
		for _, f := range fields {
			got = append(got, "/"+object+"/"+f)
			assert.True(t, schema.ActivityTime(object, f))
		}
	}
	slices.Sort(got)
	want := dateTimes(t, schema.ActivitySchema())
	assert.Equal(t, want, got)
	assert.Contains(t, got, "/subject/last_activity_at", "the walk finds what the rules read")
	assert.False(t, schema.ActivityTime("subject", "age"))
	assert.False(t, schema.ActivityTime("consent", "status"))
}

// libQuery prepares a query of the built-in rules' lib.rego alone, as embedded.
func libQuery(t *testing.T, query string) rego.PreparedEvalQuery {
	t.Helper()
	src, err := fs.ReadFile(builtinrego.FS(), "lib.rego")
	require.NoError(t, err)
	q, err := rego.New(rego.Query(query), rego.Module("lib.rego", string(src))).PrepareForEval(context.Background())
	require.NoError(t, err)
	return q
}

// lib.time_field, which an OPA server's decision and validation use without the schema, says
// which fields of the activity are times (keys of consent and subject ending in _at): asked of
// every field of every object of the schema, it must name exactly the schema's date-times, or a
// time would reach the rules in a form timestamp_ns does not read, or go unvalidated.
func TestTimesAreTheSchemas(t *testing.T) {
	query := libQuery(t, "data.policyengine.lib.time_field(input.object, input.field)")
	var root struct {
		Properties map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(schema.ActivitySchema(), &root))
	var named []string
	for object, o := range root.Properties {
		for field := range o.Properties {
			rs, err := query.Eval(context.Background(), rego.EvalInput(map[string]any{"object": object, "field": field}))
			require.NoError(t, err)
			if rs.Allowed() {
				named = append(named, "/"+object+"/"+field)
			}
		}
	}
	require.NotEmpty(t, named)
	slices.Sort(named)
	assert.Equal(t, dateTimes(t, schema.ActivitySchema()), named)
}

// A policy document's subject_clock names a date-time of the activity's subject: the policy
// schema's lists of them are the activity schema's, so a rule that reads one reads a time.
func TestSubjectClocksAreTimesOfTheSubject(t *testing.T) {
	var root any
	require.NoError(t, json.Unmarshal(schema.PolicySchema(), &root))
	var clocks []string
	var walk func(node any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			for k, v := range n {
				if m, ok := v.(map[string]any); ok && k == "subject_clock" {
					for _, e := range m["enum"].([]any) {
						clocks = append(clocks, e.(string))
					}
				}
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(root)
	require.NotEmpty(t, clocks)
	for _, c := range clocks {
		assert.True(t, schema.ActivityTime("subject", c), "subject_clock %q is no date-time of the activity's subject", c)
	}
}

// The library and an OPA server accept the same date-times: the schema's date-time format
// (format.DateTime, which the library validates with) and lib.any_timestamp_ns (with which an OPA
// server validates and reads a person's times) say yes to exactly the same strings, over every
// combination of dates, times and offsets at the edges of RFC 3339 and of OPA's clock.
func TestTimeValuesAreTheSchemas(t *testing.T) {
	query := libQuery(t, "data.policyengine.lib.any_timestamp_ns(input.time)")
	dates := []string{"2026-01-28", "2016-12-31", "2017-01-01", "2024-02-29", "2026-02-29", "1500-02-29", "1600-02-29",
		"0000-02-29", "0001-01-01", "1677-12-31", "1678-01-01", "2261-12-31", "2262-01-01", "9999-12-31", "2026-04-31",
		"2026-13-01", "2026-00-10", "1500-13-45"}
	clocks := []string{"T12:00:00", "t23:59:59", "T23:59:60", "t18:59:60.5", "T00:29:60", "T12:00:60", "T23:59:61",
		"T24:00:00", "T99:99:99", "T+1:00:00", "T12:00:00.", "T12:00:00.123456789"}
	zones := []string{"Z", "z", "+00:00", "-05:00", "+01:00", "+00:30", "-23:59", "+24:00", "+23:60", "+1:00", ""}
	accepted := 0
	for _, date := range dates {
		for _, clock := range clocks {
			for _, zone := range zones {
				s := date + clock + zone
				rs, err := query.Eval(context.Background(), rego.EvalInput(map[string]any{"time": s}))
				require.NoError(t, err, s)
				want := format.DateTime(s)
				assert.Equal(t, want, len(rs) == 1, "%q: the library says %v, an OPA server the opposite", s, want)
				doc := map[string]any{"id": "x", "data_categories": []any{"email"}, "purposes": []any{"support.forum"},
					"legal_basis": "consent", "retention": map[string]any{"period": "P1M", "from": "collection"},
					"consent": map[string]any{"status": "given", "given_at": s}}
				assert.Equal(t, want, schema.ValidateActivity(doc) == nil, "%q: the schema's date-time is format.DateTime", s)
				if want {
					accepted++
				}
			}
		}
	}
	assert.Greater(t, accepted, 100, "the combinations hold valid date-times too")
}
