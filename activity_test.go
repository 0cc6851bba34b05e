package policyengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
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
	engine := sharedEngine(t)
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

// The typed activity is the JSON document it marshals to.
func TestActivityJSONForm(t *testing.T) {
	t.Parallel()
	full := policyengine.Activity{
		ID: "full", Description: "every field", Role: "controller", CustomerDPA: "DPA-1",
		DataSubjects: []string{"user"}, DataCategories: []string{"email"}, Sources: []string{"cookies"},
		Purposes: []string{"support.improvement"}, LegalBasis: "consent",
		Consent:   &policyengine.Consent{Status: "given", GivenAt: now.Add(-time.Hour), WithdrawnAt: now},
		Profiling: true, Channel: &policyengine.Channel{Type: "email", Content: "administrative"},
		Retention: &policyengine.Retention{Period: "P1Y", From: "collection", AgreedExtension: &policyengine.Extension{Reference: "R", Period: "P1M"}},
		Recipients: []policyengine.Recipient{{Name: "N", Type: "authority", Country: "SE", DPA: true, TransferSafeguard: "scc",
			CourtOrder: &policyengine.CourtOrder{Reference: "C", Jurisdiction: "SE", InternationalAgreement: true}, LegalBasis: "contract"}},
		Subject: &policyengine.Subject{OptedOutMarketing: true, OptedOutProfiling: true, ObjectedLegitimateInterest: true, Restricted: true,
			LastActivityAt: now, LastApplicationAt: now, Age: 30},
	}
	raw, err := json.Marshal(full)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NoError(t, schema.ValidateActivity(doc), "the typed activity marshals to a valid document")

	// Decoding the manifest form gives back the same typed activity.
	var back policyengine.Activity
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, full.Subject.LastActivityAt.Unix(), back.Subject.LastActivityAt.Unix())

	e := sharedEngine(t)
	d1, err1 := e.Evaluate(context.Background(), full)
	d2, err2 := e.EvaluateJSON(context.Background(), raw)
	assert.Equal(t, d1, d2)
	assert.Equal(t, err1 == nil, err2 == nil)
}

// bytesource draws choices from fuzz input: each call takes the next byte (zero when none is
// left), so that every input is some valid activity and the fuzzer steers which.
type bytesource struct{ data []byte }

func (b *bytesource) byte() byte {
	if len(b.data) == 0 {
		return 0
	}
	c := b.data[0]
	b.data = b.data[1:]
	return c
}

func (b *bytesource) intn(n int) int { return (int(b.byte())<<8 | int(b.byte())) % n }

func (b *bytesource) chance(in int) bool { return b.intn(in) == 0 }

func (b *bytesource) pick(options ...string) string { return options[b.intn(len(options))] }

func (b *bytesource) terms(options []string, min, max int) []any {
	n := min + b.intn(max-min+1)
	out := make([]any, 0, n)
	for range n {
		out = append(out, options[b.intn(len(options))])
	}
	return out
}

// text is free-form text: any runes, including quotes, control characters and markup.
func (b *bytesource) text(max int) string {
	n := 1 + b.intn(max)
	var s strings.Builder
	for range n {
		s.WriteRune(rune(b.pick("a", "Ö", "\"", "\\", "%", "\n", "<", "😀", " ", "z")[0]) + rune(b.intn(3)))
	}
	return s.String()
}

// timestamp is an RFC 3339 date-time the schema accepts: any year, either case, fractions,
// offsets, and a leap second where RFC 3339 allows one (23:59:60 UTC).
func (b *bytesource) timestamp() string {
	year := b.pick("0000", "0001", "1677", "1678", "1969", "1970", "2016", "2026", "2027", "2261", "2262", "2263", "9999")
	if b.chance(3) {
		year = fmt.Sprintf("%04d", b.intn(10000))
	}
	date := fmt.Sprintf("%s-%02d-%02d", year, 1+b.intn(12), 1+b.intn(28))
	t, z := "T", "Z"
	if b.chance(3) {
		t, z = "t", "z"
	}
	if b.chance(6) {
		return date + t + "23:59:60" + b.pick("", ".5", ".999999999") + z
	}
	clock := fmt.Sprintf("%02d:%02d:%02d", b.intn(24), b.intn(60), b.intn(60))
	frac := b.pick("", "", ".1", ".123456789", ".1234567891234")
	zone := z
	if b.chance(2) {
		zone = fmt.Sprintf("%s%02d:%02d", b.pick("+", "-"), b.intn(24), b.intn(60))
	}
	return date + t + clock + frac + zone
}

// duration is an ISO 8601 duration the schema accepts, up to 40 characters of huge numbers.
func (b *bytesource) duration() string {
	number := func() string {
		return b.pick("0", "1", "6", "12", "24", "31", "60", "366", "2400", "99999", "9999999999999", "18446744073709551617")
	}
	if b.chance(8) {
		return "P" + number() + "W"
	}
	var s strings.Builder
	s.WriteString("P")
	for _, unit := range "YMD" {
		if b.chance(2) {
			s.WriteString(number() + string(unit))
		}
	}
	var tm strings.Builder
	for _, unit := range "HMS" {
		if b.chance(3) {
			tm.WriteString(number() + string(unit))
		}
	}
	if tm.Len() > 0 {
		s.WriteString("T" + tm.String())
	}
	if s.Len() == 1 {
		s.WriteString(number() + "D")
	}
	if s.Len() > 40 {
		return "P1D"
	}
	return s.String()
}

// validActivity is an activity the activity schema accepts, with every field the schema knows
// drawn from the policy's vocabularies and beyond them.
func validActivity(b *bytesource, doc *policy.Document) map[string]any {
	purposes := append(slices.Sorted(maps.Keys(doc.Purposes)), "sales.cold_calling", "a.b.c.d")
	categories := append(slices.Sorted(maps.Keys(doc.DataCategories)), "health", "shoe_size")
	subjects := append(slices.Sorted(maps.Keys(doc.DataSubjects)), "child")
	sources := append(slices.Sorted(maps.Keys(doc.Sources)), "scraped_profiles")
	types := append(slices.Sorted(maps.Keys(doc.RecipientTypes)), "data_broker")
	bases := []string{"consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"}
	events := []string{"collection", "last_activity", "last_application_date", "end_of_contract", "account_closure"}
	a := map[string]any{
		"id":              "Act-" + b.text(20),
		"data_categories": b.terms(categories, 1, 3),
		"purposes":        b.terms(purposes, 1, 3),
	}
	if b.chance(2) {
		a["description"] = "Dsc-" + b.text(40)
	}
	if b.chance(4) {
		a["role"] = b.pick("controller", "processor")
		a["customer_dpa"] = "Ref-" + b.text(10)
	}
	if b.chance(2) {
		a["data_subjects"] = b.terms(subjects, 0, 2)
	}
	if b.chance(2) {
		a["sources"] = b.terms(sources, 0, 3)
	}
	if !b.chance(6) {
		a["legal_basis"] = b.pick(bases...)
	}
	if b.chance(3) {
		a["profiling"] = b.chance(2)
	}
	if b.chance(2) {
		a["channel"] = map[string]any{"type": b.pick("email", "sms", "phone", "social_media", "web", "in_app", "post"), "content": b.pick("marketing", "administrative")}
	}
	if !b.chance(5) {
		r := map[string]any{}
		if !b.chance(6) {
			r["period"] = b.duration()
		}
		if b.chance(2) {
			r["from"] = b.pick(events...)
		}
		if b.chance(4) {
			ext := map[string]any{}
			if b.chance(2) {
				ext["reference"] = "Ref-" + b.text(10)
			}
			if b.chance(2) {
				ext["period"] = b.duration()
			}
			r["agreed_extension"] = ext
		}
		a["retention"] = r
	}
	if b.chance(2) {
		rs := []any{}
		for range b.intn(3) {
			r := map[string]any{"name": "Rcp-" + b.text(10), "type": b.pick(types...)}
			if b.chance(2) {
				r["country"] = b.pick("SE", "DE", "NO", "US", "GB", "CH")
			}
			if b.chance(2) {
				r["dpa"] = b.chance(2)
			}
			if b.chance(2) {
				r["transfer_safeguard"] = b.pick("scc", "adequacy", "bcr", "none")
			}
			if b.chance(3) {
				o := map[string]any{"reference": "Ref-" + b.text(10), "jurisdiction": b.pick("SE", "US", "FR")}
				if b.chance(2) {
					o["international_agreement"] = b.chance(2)
				}
				r["court_order"] = o
			}
			if b.chance(2) {
				r["legal_basis"] = b.pick(bases...)
			}
			rs = append(rs, r)
		}
		a["recipients"] = rs
	}
	if b.chance(2) {
		c := map[string]any{"status": b.pick("given", "withdrawn", "refused", "expired", "unknown")}
		for _, field := range []string{"given_at", "withdrawn_at"} {
			if b.chance(2) {
				c[field] = b.timestamp()
			}
		}
		if b.chance(3) {
			c["purposes"] = b.terms(purposes, 0, 2)
		}
		a["consent"] = c
	}
	if b.chance(2) {
		s := map[string]any{}
		for _, flag := range []string{"opted_out_marketing", "opted_out_profiling", "objected_legitimate_interest", "restricted"} {
			if b.chance(3) {
				s[flag] = b.chance(2)
			}
		}
		for _, clock := range []string{"last_activity_at", "last_application_at", "access_requested_at", "rectification_requested_at", "erasure_requested_at", "portability_requested_at"} {
			if b.chance(3) {
				s[clock] = b.timestamp()
			}
		}
		if b.chance(2) {
			s["age"] = json.Number(fmt.Sprint(b.intn(151)))
		}
		a["subject"] = s
	}
	return a
}

// FuzzValidActivityEvaluates: nothing that passes validation fails in evaluation. Every activity
// the schema accepts, at any evaluation time OPA's clock holds, is decided in full, as a
// declaration alone and per person, without an error; and no error or reason quotes the
// activity's free-form text.
func FuzzValidActivityEvaluates(f *testing.F) {
	for _, seed := range []string{"", "\x00\x01", "leap second", "\xff\xff\xff\xff\xff\xff\xff\xff", strings.Repeat("\x07\x03", 200)} {
		f.Add([]byte(seed))
	}
	e := newEngine(f)
	doc := policy.Default().Document
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &bytesource{data: data}
		now := time.Date(1700+b.intn(500), time.Month(1+b.intn(12)), 1+b.intn(28), b.intn(24), 0, 0, 0, time.UTC)
		ctx := at(context.Background(), now)
		a := validActivity(b, doc)
		if err := schema.ValidateActivity(a); err != nil {
			t.Fatalf("the generator made an activity the schema refuses: %v", err)
		}
		src, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.EvaluateJSON(ctx, src)
		if err != nil {
			t.Fatalf("a valid activity failed evaluation at %s: %v\n%s", now, err, src)
		}
		// Free-form text (ids, descriptions, names, references) starts with a marker of its own.
		for _, r := range append(d.Reasons, d.Warnings...) {
			for _, marker := range []string{"Act-", "Dsc-", "Rcp-", "Ref-"} {
				if strings.Contains(r.Message, marker) {
					t.Fatalf("reason %s quotes free-form text of the activity: %s", r.Rule, r.Message)
				}
			}
		}
		decl := maps.Clone(a)
		delete(decl, "consent")
		delete(decl, "subject")
		if _, err := e.EvaluateDeclaration(ctx, decl); err != nil {
			t.Fatalf("a valid declaration failed evaluation: %v\n%s", err, src)
		}
		prepared, err := e.DeclareDocument(ctx, decl)
		if err != nil {
			t.Fatalf("a valid declaration could not be prepared: %v\n%s", err, src)
		}
		person := map[string]any{}
		for _, k := range []string{"consent", "subject"} {
			if v, ok := a[k]; ok {
				person[k] = v
			}
		}
		state, err := json.Marshal(person)
		if err != nil {
			t.Fatal(err)
		}
		got, err := prepared.DecideJSON(ctx, state)
		if err != nil {
			t.Fatalf("a valid person's state failed evaluation: %v\n%s", err, src)
		}
		if got.Allow != d.Allow || len(got.Reasons) != len(d.Reasons) {
			t.Fatalf("the per-person decision differs from the full one:\n%v\n%v\n%s", got, d, src)
		}
	})
}
