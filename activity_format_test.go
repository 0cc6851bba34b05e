package policyengine_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/schema"
)

// The activity format is said once, in schema/activity.schema.json. These tests hold the other
// forms to it: the Go types have exactly the schema's fields at every level, and the document
// the engine builds from a typed activity is the JSON it marshals to, for generated activities
// with every field set or left out at random. (schema/quick_test.go holds the fast validator to
// the schema the same way, and bundles give OPA servers the schema itself.)

// properties returns the property names of the object schema at a path of property names
// (items of an array followed), resolving $ref into $defs.
func properties(t *testing.T, root map[string]any, path []string) []string {
	t.Helper()
	node := root
	resolve := func(n map[string]any) map[string]any {
		for {
			ref, ok := n["$ref"].(string)
			if !ok {
				return n
			}
			n = root["$defs"].(map[string]any)[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
	}
	for _, p := range path {
		node = resolve(node)
		node = resolve(node["properties"].(map[string]any)[p].(map[string]any))
		if items, ok := node["items"].(map[string]any); ok {
			node = resolve(items)
		}
	}
	node = resolve(node)
	var out []string
	for k := range node["properties"].(map[string]any) {
		if k != "$schema" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func TestGoTypesHaveTheSchemasFields(t *testing.T) {
	t.Parallel()
	var root map[string]any
	require.NoError(t, json.Unmarshal(schema.ActivitySchema(), &root))
	for _, tc := range []struct {
		path []string
		typ  any
	}{
		{nil, policyengine.Activity{}},
		{[]string{"consent"}, policyengine.Consent{}},
		{[]string{"channel"}, policyengine.Channel{}},
		{[]string{"retention"}, policyengine.Retention{}},
		{[]string{"retention", "agreed_extension"}, policyengine.Extension{}},
		{[]string{"recipients"}, policyengine.Recipient{}},
		{[]string{"recipients", "court_order"}, policyengine.CourtOrder{}},
		{[]string{"subject"}, policyengine.Subject{}},
	} {
		typ := reflect.TypeOf(tc.typ)
		assert.Equal(t, properties(t, root, tc.path), jsonFields(typ), "%s and the schema at /%s", typ.Name(), strings.Join(tc.path, "/"))
	}
}

// fill sets every field of v at random: left zero, or given a value of its type.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			if r.IntN(3) > 0 {
				v.Set(reflect.ValueOf(time.Unix(r.Int64N(2e9), r.Int64N(1e9)).UTC()))
			}
			return
		}
		for i := range v.NumField() {
			fill(r, v.Field(i))
		}
	case reflect.Pointer:
		if r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(r, v.Elem())
		}
	case reflect.Slice:
		if r.IntN(4) == 0 {
			return // nil
		}
		n := r.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(r, v.Index(i))
		}
	case reflect.String:
		if r.IntN(3) > 0 {
			v.SetString([]string{"email", "consent", "SE", "P6M", "x y"}[r.IntN(5)])
		}
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int:
		if r.IntN(2) == 0 {
			v.SetInt(r.Int64N(120))
		}
	default:
		panic("fill: a field of kind " + v.Kind().String() + ": teach the generator")
	}
}

func TestTypedActivityIsTheJSONItMarshalsTo(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	engine := newEngine(t)
	for i := range 2000 {
		var a policyengine.Activity
		fill(r, reflect.ValueOf(&a).Elem())
		raw, err := json.Marshal(a)
		require.NoError(t, err)
		// The engine decides the typed activity as it decides its JSON: same decision or same
		// refusal.
		typed, typedErr := engine.Evaluate(t.Context(), a)
		fromJSON, jsonErr := engine.EvaluateJSON(t.Context(), raw)
		if jsonErr != nil || typedErr != nil {
			require.Equal(t, jsonErr != nil, typedErr != nil, "activity %d: %s\ntyped: %v\njson: %v", i, raw, typedErr, jsonErr)
			require.Equal(t, jsonErr.Error(), typedErr.Error(), "activity %d: %s", i, raw)
			continue
		}
		require.Equal(t, fromJSON, typed, "activity %d: %s", i, raw)
	}
}
