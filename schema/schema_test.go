package schema_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	require.NoError(t, d.Decode(&v), s)
	return v
}

// full uses every field of the activity format.
const full = `{"id": "full", "description": "d", "role": "controller", "customer_dpa": "x", "data_subjects": ["user"],
 "data_categories": ["email"], "sources": ["cookies"], "purposes": ["support.improvement"], "legal_basis": "consent",
 "consent": {"status": "given", "given_at": "2026-01-01T00:00:00Z", "withdrawn_at": "2026-02-01T00:00:00+01:00"},
 "profiling": true, "channel": {"type": "email", "content": "marketing"},
 "retention": {"period": "P1Y2M", "from": "collection", "agreed_extension": {"reference": "r", "period": "P3W"}},
 "recipients": [{"name": "n", "type": "authority", "country": "SE", "dpa": true, "transfer_safeguard": "scc",
   "court_order": {"reference": "c", "jurisdiction": "SE", "international_agreement": false}, "legal_basis": "contract"}],
 "subject": {"opted_out_marketing": true, "opted_out_profiling": false, "objected_legitimate_interest": false, "restricted": false,
   "last_activity_at": "2026-01-01T00:00:00Z", "last_application_at": "2026-01-01T00:00:00Z", "age": 30}}`

// base is the least a valid activity holds; cases add to it.
const base = `"id": "a", "data_categories": ["email"], "purposes": ["purchase.orders"]`

func with(fields string) string { return `{` + base + `, ` + fields + `}` }

type field struct{ Pointer, Message string }

func problemsOf(err error) []field {
	var out []field
	for _, p := range problem.All(err) {
		out = append(out, field{p.Pointer, p.Message})
	}
	return out
}

const (
	durationMsg  = "expected an ISO 8601 duration such as P6M or P2Y"
	timestampMsg = "expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"
	countryMsg   = "expected an ISO 3166-1 alpha-2 country code such as DE"
	termMsg      = "expected a value of one of the policy's vocabularies: snake_case"
	purposeMsg   = "expected a purpose: dotted snake_case such as marketing.materials"
	basisMsg     = `expected one of "consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"`
	unknownMsg   = "unknown key: not part of the format"
)

func TestValidActivities(t *testing.T) {
	for name, src := range map[string]string{
		"every field":   full,
		"the least":     `{` + base + `}`,
		"a processor":   with(`"role": "processor", "customer_dpa": "DPA-2026-01", "recipients": [{"name": "AWS", "type": "subprocessor", "country": "US", "dpa": true, "transfer_safeguard": "scc"}]`),
		"empty lists":   with(`"data_subjects": [], "sources": [], "recipients": []`),
		"empty objects": with(`"subject": {}, "retention": {"agreed_extension": {}}, "consent": {"status": "given"}`),
		"durations": with(`"retention": {"period": "P6M", "agreed_extension": {"period": "P1Y2M3DT4H5M6S"}}, ` +
			`"recipients": [{"name": "n", "type": "t", "court_order": {"reference": "r", "jurisdiction": "DE", "international_agreement": true}}]`),
		"weeks":               with(`"retention": {"period": "P3W"}`),
		"time only":           with(`"retention": {"period": "PT36H"}`),
		"a gap in the units":  with(`"retention": {"period": "P1Y15D", "agreed_extension": {"period": "P2Y1D"}}`),
		"months and days":     with(`"retention": {"period": "P2M10D"}`),
		"lower-case t and z":  with(`"subject": {"last_activity_at": "2026-01-28t12:00:00z", "erasure_requested_at": "2026-01-28T12:00:00Z"}`),
		"a leap second":       with(`"consent": {"status": "given", "given_at": "2016-12-31T23:59:60Z", "withdrawn_at": "2016-12-31T18:59:60-05:00"}`),
		"consent's purposes":  with(`"consent": {"status": "given", "purposes": ["marketing.materials"]}`),
		"pending requests":    with(`"subject": {"access_requested_at": "2026-01-01T00:00:00Z", "rectification_requested_at": "2026-01-01T00:00:00Z", "portability_requested_at": "2026-01-01T00:00:00Z"}`),
		"zero":                with(`"retention": {"period": "P0D"}`),
		"timestamps":          with(`"consent": {"status": "withdrawn", "given_at": "2026-01-01T09:30:00.123Z", "withdrawn_at": "2026-01-02T10:00:00-05:00"}`),
		"age bounds":          with(`"subject": {"age": 0}, "description": ""`),
		"age 150":             with(`"subject": {"age": 150}`),
		"an integral float":   with(`"subject": {"age": 30.0}`),
		"dotted purposes":     `{"id": "a", "data_categories": ["email"], "purposes": ["a", "a.b", "a.b_c.d1.e"]}`,
		"an id of 200 runes":  `{"id": "` + strings.Repeat("é", 200) + `", "data_categories": ["email"], "purposes": ["x"]}`,
		"a blank-edged id":    `{"id": " a ", "data_categories": ["email"], "purposes": ["x"]}`,
		"every enum":          with(`"legal_basis": "public_task", "channel": {"type": "in_app", "content": "administrative"}, "retention": {"from": "account_closure"}, "consent": {"status": "unknown"}`),
		"a recipient's basis": with(`"recipients": [{"name": "n", "type": "business_partner", "legal_basis": "legitimate_interest", "transfer_safeguard": "none"}]`),
	} {
		t.Run(name, func(t *testing.T) {
			assert.NoError(t, schema.ValidateActivity(decode(t, src)))
		})
	}

	// Values decoded without UseNumber (float64) and by the project's own parsers validate too.
	var v any
	require.NoError(t, json.Unmarshal([]byte(full), &v))
	assert.NoError(t, schema.ValidateActivity(v))
	docs, err := jsonpos.ParseYAML([]byte("id: a\ndata_categories: [email]\npurposes: [purchase.orders]\nsubject: {age: 30, last_activity_at: 2026-01-01T00:00:00Z}\n"), jsonpos.Options{})
	require.NoError(t, err)
	assert.NoError(t, schema.ValidateActivity(docs[0].Value))
}

func TestInvalidActivities(t *testing.T) {
	for name, tc := range map[string]struct {
		doc  string
		want []field
	}{
		// Unknown keys.
		"unknown key":          {with(`"owner": "growth-team"`), []field{{"/owner", unknownMsg}}},
		"unknown nested key":   {with(`"recipients": [{"name": "n", "type": "subprocessor", "foo": 1}]`), []field{{"/recipients/0/foo", unknownMsg}}},
		"unknown in consent":   {with(`"consent": {"status": "given", "date": "x"}`), []field{{"/consent/date", unknownMsg}}},
		"unknown in extension": {with(`"retention": {"agreed_extension": {"reference": "r", "until": "x"}}`), []field{{"/retention/agreed_extension/until", unknownMsg}}},
		"unknown in court order": {with(`"recipients": [{"name": "n", "type": "authority", "court_order": {"reference": "r", "jurisdiction": "SE", "judge": "x"}}]`),
			[]field{{"/recipients/0/court_order/judge", unknownMsg}}},
		"unknown in subject":   {with(`"subject": {"opted_out": true}`), []field{{"/subject/opted_out", unknownMsg + ` (did you mean "opted_out_marketing" or "opted_out_profiling"?)`}}},
		"unknown in channel":   {with(`"channel": {"type": "email", "content": "marketing", "sender": "x"}`), []field{{"/channel/sender", unknownMsg}}},
		"a near miss":          {with(`"recipents": []`), []field{{"/recipents", unknownMsg + ` (did you mean "recipients"?)`}}},
		"several unknown keys": {with(`"b": 1, "a": 2, "c": 3`), []field{{"/a", unknownMsg}, {"/b", unknownMsg}, {"/c", unknownMsg}}},
		"keys that need escaping": {with(`"a/b~c": 1, "x y": 2, "%41": 3`),
			[]field{{"/%41", unknownMsg}, {"/a~1b~0c", unknownMsg}, {"/x y", unknownMsg}}},
		"keys with quotes": {with(`"it's": 1, "a', 'b": 2, "say \"hi\"": 3, "back\\slash'": 4, "tab\there": 5, "café": 6`),
			[]field{{"/a', 'b", unknownMsg}, {"/back\\slash'", unknownMsg}, {"/café", unknownMsg}, {"/it's", unknownMsg}, {`/say "hi"`, unknownMsg}, {"/tab\there", unknownMsg}}},
		"nested key with a quote": {with(`"recipients": [{"name": "n", "type": "t", "o'neil": 1}]`), []field{{"/recipients/0/o'neil", unknownMsg}}},

		// Types.
		"wrong types": {`{"id": 5, "description": ["d"], "data_categories": "email", "purposes": {"a": 1}, "profiling": "yes", "customer_dpa": null}`, []field{
			{"/customer_dpa", "expected string, but got null"},
			{"/data_categories", "expected array, but got string"},
			{"/description", "expected string, but got array"},
			{"/id", "expected string, but got number"},
			{"/profiling", "expected boolean, but got string"},
			{"/purposes", "expected array, but got object"},
		}},
		"wrong nested types": {with(`"consent": "given", "channel": ["email"], "retention": {"period": 6}, "recipients": {"name": "n"}, "subject": {"age": "30", "restricted": 1}`), []field{
			{"/channel", "expected object, but got array"},
			{"/consent", "expected object, but got string"},
			{"/recipients", "expected array, but got object"},
			{"/retention/period", "expected string, but got number"},
			{"/subject/age", "expected integer, but got string"},
			{"/subject/restricted", "expected boolean, but got number"},
		}},
		"wrong element types": {with(`"data_subjects": [1], "sources": [true], "recipients": ["AWS", {"name": "n", "type": "t", "dpa": "true", "court_order": {"reference": "r", "jurisdiction": "SE", "international_agreement": "no"}}]`), []field{
			{"/data_subjects/0", "expected string, but got number"},
			{"/recipients/0", "expected object, but got string"},
			{"/recipients/1/court_order/international_agreement", "expected boolean, but got string"},
			{"/recipients/1/dpa", "expected boolean, but got string"},
			{"/sources/0", "expected string, but got boolean"},
		}},
		"an age with a fraction": {with(`"subject": {"age": 30.5}`), []field{{"/subject/age", "expected integer, but got number"}}},
		"a string":               {`"x"`, []field{{"", "expected object, but got string"}}},
		"a list":                 {`[{"id": "a"}]`, []field{{"", "expected object, but got array"}}},
		"null":                   {`null`, []field{{"", "expected object, but got null"}}},

		// Required fields.
		"nothing":                 {`{}`, []field{{"/data_categories", "is required"}, {"/id", "is required"}, {"/purposes", "is required"}}},
		"missing id":              {`{"data_categories": ["email"], "purposes": ["purchase.orders"]}`, []field{{"/id", "is required"}}},
		"missing data_categories": {`{"id": "a", "purposes": ["purchase.orders"]}`, []field{{"/data_categories", "is required"}}},
		"missing purposes":        {`{"id": "a", "data_categories": ["email"]}`, []field{{"/purposes", "is required"}}},
		"missing nested fields": {with(`"consent": {}, "channel": {"type": "email"}, "recipients": [{}]`), []field{
			{"/channel/content", "is required"},
			{"/consent/status", "is required"},
			{"/recipients/0/name", "is required"},
			{"/recipients/0/type", "is required"},
		}},
		"court order without reference and jurisdiction": {with(`"recipients": [{"name": "n", "type": "authority", "court_order": {}}]`), []field{
			{"/recipients/0/court_order/jurisdiction", "is required"},
			{"/recipients/0/court_order/reference", "is required"},
		}},
		"court order without jurisdiction": {with(`"recipients": [{"name": "n", "type": "authority", "court_order": {"reference": "r", "international_agreement": true}}]`),
			[]field{{"/recipients/0/court_order/jurisdiction", "is required"}}},

		// Empty and blank.
		"empty category list":  {`{"id": "a", "data_categories": [], "purposes": ["purchase.orders"]}`, []field{{"/data_categories", "expected at least one item"}}},
		"empty purpose list":   {`{"id": "a", "data_categories": ["email"], "purposes": []}`, []field{{"/purposes", "expected at least one item"}}},
		"empty id":             {`{"id": "", "data_categories": ["email"], "purposes": ["x"]}`, []field{{"/id", "expected a non-blank name for the activity"}}},
		"blank id":             {`{"id": " \t\n ", "data_categories": ["email"], "purposes": ["x"]}`, []field{{"/id", "expected a non-blank name for the activity"}}},
		"Unicode-blank id":     {`{"id": "\u00a0\u3000\u2028\u000b", "data_categories": ["email"], "purposes": ["x"]}`, []field{{"/id", "expected a non-blank name for the activity"}}},
		"empty recipient name": {with(`"recipients": [{"name": "", "type": "t"}]`), []field{{"/recipients/0/name", "expected a non-empty string"}}},
		"empty court order reference": {with(`"recipients": [{"name": "n", "type": "authority", "court_order": {"reference": "", "jurisdiction": "SE"}}]`),
			[]field{{"/recipients/0/court_order/reference", "expected a non-empty string"}}},

		// Lengths.
		"id too long":            {`{"id": "` + strings.Repeat("a", 201) + `", "data_categories": ["email"], "purposes": ["x"]}`, []field{{"/id", "too long: length must be <= 200"}}},
		"blank and too long":     {`{"id": "` + strings.Repeat(" ", 201) + `", "data_categories": ["email"], "purposes": ["x"]}`, []field{{"/id", "too long: length must be <= 200"}, {"/id", "expected a non-blank name for the activity"}}},
		"description too long":   {with(`"description": "` + strings.Repeat("d", 10001) + `"`), []field{{"/description", "too long: length must be <= 10000"}}},
		"dpa reference too long": {with(`"customer_dpa": "` + strings.Repeat("d", 501) + `"`), []field{{"/customer_dpa", "too long: length must be <= 500"}}},
		"duration too long":      {with(`"retention": {"period": "P` + strings.Repeat("1", 40) + `D"}`), []field{{"/retention/period", "too long: length must be <= 40"}}},

		// Durations.
		"duration in words":      {with(`"retention": {"period": "6 months"}`), []field{{"/retention/period", durationMsg}}},
		"duration P":             {with(`"retention": {"period": "P"}`), []field{{"/retention/period", durationMsg}}},
		"duration PT":            {with(`"retention": {"period": "PT"}`), []field{{"/retention/period", durationMsg}}},
		"duration with fraction": {with(`"retention": {"period": "P1.5Y"}`), []field{{"/retention/period", durationMsg}}},
		"duration lower case":    {with(`"retention": {"period": "p6m"}`), []field{{"/retention/period", durationMsg}}},
		"duration empty time":    {with(`"retention": {"period": "P1DT"}`), []field{{"/retention/period", durationMsg}}},
		"weeks and days":         {with(`"retention": {"period": "P1W2D"}`), []field{{"/retention/period", durationMsg}}},
		"a signed unit":          {with(`"retention": {"period": "P-1D"}`), []field{{"/retention/period", durationMsg}}},
		"a comma fraction":       {with(`"retention": {"period": "PT1,5H"}`), []field{{"/retention/period", durationMsg}}},
		"units out of order":     {with(`"retention": {"period": "P1D1Y"}`), []field{{"/retention/period", durationMsg}}},
		"a unit twice":           {with(`"retention": {"period": "P1D2D"}`), []field{{"/retention/period", durationMsg}}},
		"an empty designator":    {with(`"retention": {"period": "PYM"}`), []field{{"/retention/period", durationMsg}}},
		"a leap second at noon":  {with(`"subject": {"erasure_requested_at": "2026-01-28T12:00:60Z"}`), []field{{"/subject/erasure_requested_at", timestampMsg}}},
		"negative duration":      {with(`"retention": {"period": "-P1D"}`), []field{{"/retention/period", durationMsg}}},
		"empty duration":         {with(`"retention": {"period": ""}`), []field{{"/retention/period", durationMsg}}},
		"extension duration":     {with(`"retention": {"period": "P6M", "agreed_extension": {"reference": "r", "period": "six months"}}`), []field{{"/retention/agreed_extension/period", durationMsg}}},

		// Timestamps.
		"month 13":           {with(`"subject": {"last_activity_at": "2026-13-01T00:00:00Z"}`), []field{{"/subject/last_activity_at", timestampMsg}}},
		"a date alone":       {with(`"subject": {"last_application_at": "2026-01-01"}`), []field{{"/subject/last_application_at", timestampMsg}}},
		"no offset":          {with(`"consent": {"status": "given", "given_at": "2026-01-01T00:00:00"}`), []field{{"/consent/given_at", timestampMsg}}},
		"30 February":        {with(`"consent": {"status": "withdrawn", "withdrawn_at": "2026-02-30T00:00:00Z"}`), []field{{"/consent/withdrawn_at", timestampMsg}}},
		"hour 25":            {with(`"subject": {"last_activity_at": "2026-01-01T25:00:00Z"}`), []field{{"/subject/last_activity_at", timestampMsg}}},
		"a space for T":      {with(`"subject": {"last_activity_at": "2026-01-01 00:00:00Z"}`), []field{{"/subject/last_activity_at", timestampMsg}}},
		"a European date":    {with(`"consent": {"status": "given", "given_at": "31/12/2025"}`), []field{{"/consent/given_at", timestampMsg}}},
		"a timestamp number": {with(`"subject": {"last_activity_at": 1767225600}`), []field{{"/subject/last_activity_at", "expected string, but got number"}}},

		// Enums.
		"role":                  {with(`"role": "owner"`), []field{{"/role", `expected one of "controller", "processor"`}}},
		"role, capitalised":     {with(`"role": "Controller"`), []field{{"/role", `expected one of "controller", "processor"`}}},
		"legal_basis":           {with(`"legal_basis": "whim"`), []field{{"/legal_basis", basisMsg}}},
		"consent.status":        {with(`"consent": {"status": "maybe"}`), []field{{"/consent/status", `expected one of "given", "withdrawn", "refused", "expired", "unknown"`}}},
		"channel":               {with(`"channel": {"type": "fax", "content": "spam"}`), []field{{"/channel/content", `expected one of "marketing", "administrative"`}, {"/channel/type", `expected one of "email", "sms", "phone", "social_media", "web", "in_app", "post"`}}},
		"retention.from":        {with(`"retention": {"period": "P1Y", "from": "deletion"}`), []field{{"/retention/from", `expected one of "collection", "last_activity", "last_application_date", "end_of_contract", "account_closure"`}}},
		"transfer_safeguard":    {with(`"recipients": [{"name": "n", "type": "t", "transfer_safeguard": "SCC"}]`), []field{{"/recipients/0/transfer_safeguard", `expected one of "scc", "adequacy", "bcr", "none"`}}},
		"recipient legal_basis": {with(`"recipients": [{"name": "n", "type": "business_partner", "legal_basis": "partnership"}]`), []field{{"/recipients/0/legal_basis", basisMsg}}},
		"enum of another type":  {with(`"role": 1, "legal_basis": null`), []field{{"/legal_basis", basisMsg}, {"/role", `expected one of "controller", "processor"`}}},

		// Countries.
		"country name":       {with(`"recipients": [{"name": "n", "type": "t", "country": "Sweden"}]`), []field{{"/recipients/0/country", countryMsg}}},
		"country lower":      {with(`"recipients": [{"name": "n", "type": "t", "country": "se"}]`), []field{{"/recipients/0/country", countryMsg}}},
		"country alpha-3":    {with(`"recipients": [{"name": "n", "type": "t", "country": "SWE"}]`), []field{{"/recipients/0/country", countryMsg}}},
		"country empty":      {with(`"recipients": [{"name": "n", "type": "t", "country": ""}]`), []field{{"/recipients/0/country", countryMsg}}},
		"court jurisdiction": {with(`"recipients": [{"name": "n", "type": "authority", "court_order": {"reference": "r", "jurisdiction": "Sweden"}}]`), []field{{"/recipients/0/court_order/jurisdiction", countryMsg}}},

		// Ages.
		"age below 0":   {with(`"subject": {"age": -1}`), []field{{"/subject/age", "out of range: must be >= 0"}}},
		"age above 150": {with(`"subject": {"age": 151}`), []field{{"/subject/age", "out of range: must be <= 150"}}},
		"age huge":      {with(`"subject": {"age": 1e999}`), []field{{"/subject/age", "out of range: must be <= 150"}}},

		// Vocabulary shapes (whether a term is in the policy is the rules' business).
		"category shape": {`{"id": "a", "data_categories": ["Email Address"], "purposes": ["Purchase Orders"]}`, []field{
			{"/data_categories/0", termMsg},
			{"/purposes/0", purposeMsg},
		}},
		"purpose shapes": {`{"id": "a", "data_categories": ["email"], "purposes": ["ok", "a..b", ".a", "a.b.c.d.e", "a-b"]}`, []field{
			{"/purposes/1", purposeMsg}, {"/purposes/2", purposeMsg}, {"/purposes/3", purposeMsg}, {"/purposes/4", purposeMsg},
		}},
		"term shapes": {with(`"data_subjects": ["a b"], "sources": ["X"], "recipients": [{"name": "n", "type": "Bad"}]`), []field{
			{"/data_subjects/0", termMsg}, {"/recipients/0/type", termMsg}, {"/sources/0", termMsg},
		}},

		// Several problems at once: all reported, sorted by pointer.
		"many problems": {`{"id": "", "data_categories": [], "purposes": ["Bad"], "role": "owner", "retention": {"period": "P"},
			"recipients": [{"name": "n", "type": "t", "country": "Sweden", "extra": 1}, {"type": "t"}], "subject": {"age": 200}, "zzz": 1}`, []field{
			{"/data_categories", "expected at least one item"},
			{"/id", "expected a non-blank name for the activity"},
			{"/purposes/0", purposeMsg},
			{"/recipients/0/country", countryMsg},
			{"/recipients/0/extra", unknownMsg},
			{"/recipients/1/name", "is required"},
			{"/retention/period", durationMsg},
			{"/role", `expected one of "controller", "processor"`},
			{"/subject/age", "out of range: must be <= 150"},
			{"/zzz", unknownMsg},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			err := schema.ValidateActivity(decode(t, tc.doc))
			require.Error(t, err)
			assert.Equal(t, tc.want, problemsOf(err))

			var fe *problem.Problem
			require.True(t, errors.As(err, &fe), "errors.As finds a *problem.Problem")
			assert.Equal(t, tc.want[0], field{fe.Pointer, fe.Message}, "the first problem")

			// The error's text lists every problem, one per line; each is a schema problem.
			lines := strings.Split(err.Error(), "\n")
			require.Len(t, lines, len(tc.want), err.Error())
			for i, p := range problem.All(err) {
				assert.Equal(t, p.Error(), lines[i])
				assert.Equal(t, problem.Schema, p.Kind)
			}
		})
	}
}

// The same input gives the same problems in the same order, every time.
func TestProblemsAreDeterministic(t *testing.T) {
	src := with(`"z": 1, "y": 2, "x": 3, "role": "r", "legal_basis": "b", "recipients": [{"name": "", "type": "T", "country": "x", "w": 1}], "subject": {"age": -1, "v": 1}`)
	first := schema.ValidateActivity(decode(t, src)).Error()
	for i := 0; i < 30; i++ {
		require.Equal(t, first, schema.ValidateActivity(decode(t, src)).Error())
	}
}

// Every string field holding a distinctive value in the wrong form: no message repeats it.
func TestMessagesDoNotQuoteValues(t *testing.T) {
	const secret = "Ada Lovelace 555-0100"
	long := strings.Repeat(secret+" ", 600) // too long for any string field
	for name, doc := range map[string]string{
		"wrong forms": `{"id": "` + long + `", "description": "` + strings.Repeat(long, 2) + `", "role": "` + secret + `", "customer_dpa": "` + long + `",
		  "data_subjects": ["` + secret + `"], "data_categories": ["` + secret + `"], "sources": ["` + secret + `"], "purposes": ["` + secret + `"],
		  "legal_basis": "` + secret + `",
		  "consent": {"status": "` + secret + `", "given_at": "` + secret + `", "withdrawn_at": "` + secret + `"},
		  "channel": {"type": "` + secret + `", "content": "` + secret + `"},
		  "retention": {"period": "` + secret + `", "from": "` + secret + `", "agreed_extension": {"reference": "` + long + `", "period": "` + secret + `"}},
		  "recipients": [{"name": "` + long + `", "type": "` + secret + `", "country": "` + secret + `", "transfer_safeguard": "` + secret + `",
		    "legal_basis": "` + secret + `", "court_order": {"reference": "` + long + `", "jurisdiction": "` + secret + `"}}],
		  "subject": {"last_activity_at": "` + secret + `", "last_application_at": "` + secret + `", "age": 5550100}}`,
		"wrong types": `{"id": "a", "data_categories": "` + secret + `", "purposes": ["x"], "profiling": "` + secret + `",
		  "consent": "` + secret + `", "channel": "` + secret + `", "retention": "` + secret + `", "recipients": "` + secret + `",
		  "subject": {"age": "` + secret + `", "restricted": "` + secret + `", "opted_out_marketing": "` + secret + `"}}`,
		"wrong items": `{"id": "a", "data_categories": ["email"], "purposes": ["x"], "recipients": ["` + secret + `", {"name": "n", "type": "t", "dpa": "` + secret + `",
		  "court_order": {"reference": "r", "jurisdiction": "SE", "international_agreement": "` + secret + `"}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			err := schema.ValidateActivity(decode(t, doc))
			require.Error(t, err)
			probs := problem.All(err)
			require.NotEmpty(t, probs)
			if name == "wrong forms" {
				var pointers []string
				for _, p := range probs {
					pointers = append(pointers, p.Pointer)
				}
				assert.Equal(t, []string{
					"/channel/content", "/channel/type", "/consent/given_at", "/consent/status", "/consent/withdrawn_at",
					"/customer_dpa", "/data_categories/0", "/data_subjects/0", "/description", "/id", "/legal_basis",
					"/purposes/0", "/recipients/0/country", "/recipients/0/court_order/jurisdiction",
					"/recipients/0/court_order/reference", "/recipients/0/legal_basis", "/recipients/0/name",
					"/recipients/0/transfer_safeguard", "/recipients/0/type", "/retention/agreed_extension/period",
					"/retention/agreed_extension/reference", "/retention/from", "/retention/period", "/role", "/sources/0",
					"/subject/age", "/subject/last_activity_at", "/subject/last_application_at",
				}, pointers, "every field is reported")
			}
			for _, p := range probs {
				for _, s := range []string{"Lovelace", "555-0100", "5550100", "0100", "Ada"} {
					assert.NotContains(t, p.Message, s, p.Pointer)
				}
			}
			for _, s := range []string{"Lovelace", "0100", "Ada"} {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestNotAJSONValue(t *testing.T) {
	err := schema.ValidateActivity(map[string]any{"id": struct{}{}, "data_categories": []any{"email"}, "purposes": []any{"x"}})
	require.Error(t, err)
	probs := problem.All(err)
	require.Len(t, probs, 1)
	assert.Equal(t, "", probs[0].Pointer)
	assert.True(t, strings.HasPrefix(probs[0].Message, "not a JSON document: "), probs[0].Message)
}

// embeddedPolicy is Confect's policy as the rules read it: its document and the law's facts.
func embeddedPolicy(t *testing.T) map[string]any {
	t.Helper()
	return policy.Default().Data()
}

func TestValidatePolicy(t *testing.T) {
	assert.NoError(t, schema.ValidatePolicy(embeddedPolicy(t)), "the embedded document")

	pp := func(doc map[string]any) map[string]any { return doc["privacy_policy"].(map[string]any) }
	for name, tc := range map[string]struct {
		edit func(doc map[string]any)
		want []field
	}{
		"missing organisation":  {func(d map[string]any) { delete(pp(d), "organisation") }, []field{{"/privacy_policy/organisation", "is required"}}},
		"unknown key":           {func(d map[string]any) { pp(d)["owner"] = "x" }, []field{{"/privacy_policy/owner", unknownMsg}}},
		"unknown top-level key": {func(d map[string]any) { d["policy"] = map[string]any{} }, []field{{"/policy", unknownMsg + ` (did you mean "privacy_policy"?)`}}},
		"bad purpose key": {func(d map[string]any) {
			pp(d)["purposes"].(map[string]any)["Bad Key"] = map[string]any{"description": "d", "legal_bases": map[string]any{"consent": true}}
		}, []field{{"/privacy_policy/purposes/Bad Key", "is not in the expected form"}}},
		"unknown legal basis": {func(d map[string]any) {
			pp(d)["purposes"].(map[string]any)["purchase.orders"].(map[string]any)["legal_bases"] = map[string]any{"whim": true}
		}, []field{{"/privacy_policy/purposes/purchase.orders/legal_bases/whim", basisMsg}}},
		"legal basis not a boolean": {func(d map[string]any) {
			pp(d)["purposes"].(map[string]any)["purchase.orders"].(map[string]any)["legal_bases"] = map[string]any{"contract": "yes"}
		}, []field{{"/privacy_policy/purposes/purchase.orders/legal_bases/contract", "expected boolean, but got string"}}},
		"no legal bases": {func(d map[string]any) {
			pp(d)["purposes"].(map[string]any)["purchase.orders"].(map[string]any)["legal_bases"] = map[string]any{}
		}, []field{{"/privacy_policy/purposes/purchase.orders/legal_bases", "expected at least one entry"}}},
		"lower-case country": {func(d map[string]any) {
			pp(d)["eu_eea_territory"].(map[string]any)["territories"].(map[string]any)["se"] = map[string]any{"name": "Sweden", "status": "member_state", "source": "s"}
		}, []field{{"/privacy_policy/eu_eea_territory/territories/se", "expected an ISO 3166-1 alpha-2 code"}}},
		"adequacy decision without a date": {func(d map[string]any) {
			pp(d)["adequacy_decisions"].(map[string]any)["JP"].([]any)[0].(map[string]any)["adopted"] = "23 January 2019"
		}, []field{{"/privacy_policy/adequacy_decisions/JP/0/adopted", "expected a calendar date, YYYY-MM-DD"}}},
		"unknown safeguard": {func(d map[string]any) { pp(d)["transfer_safeguards"].(map[string]any)["dpa"] = true },
			[]field{{"/privacy_policy/transfer_safeguards/dpa", `expected one of "scc", "adequacy", "bcr"`}}},
		"bad retention period": {func(d map[string]any) {
			pp(d)["retention"].(map[string]any)["limits"].(map[string]any)["recruitment"].(map[string]any)["period"] = "6 months"
		}, []field{{"/privacy_policy/retention/limits/recruitment/period", "expected an ISO 8601 duration such as P24M"}}},
		"bad review period": {func(d map[string]any) { pp(d)["consent"].(map[string]any)["review_after"] = "two years" },
			[]field{{"/privacy_policy/consent/review_after", "expected an ISO 8601 duration such as P24M"}}},
		"empty clauses": {func(d map[string]any) { pp(d)["clauses"] = map[string]any{} },
			[]field{{"/privacy_policy/clauses", "expected at least one entry"}}},
		"clause without text": {func(d map[string]any) { pp(d)["clauses"].(map[string]any)["consent"] = map[string]any{"section": "s"} },
			[]field{{"/privacy_policy/clauses/consent/text", "is required"}}},
		"several": {func(d map[string]any) {
			delete(pp(d), "title")
			pp(d)["marketing"].(map[string]any)["consent_channels"] = map[string]any{"fax": true}
			pp(d)["data_categories"].(map[string]any)["email"] = map[string]any{"group": "Basic"}
		}, []field{
			{"/privacy_policy/data_categories/email/group", "is not in the expected form"},
			{"/privacy_policy/marketing/consent_channels/fax", `expected one of "email", "sms", "phone", "social_media", "web", "in_app", "post"`},
			{"/privacy_policy/title", "is required"},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			doc := embeddedPolicy(t)
			tc.edit(doc)
			err := schema.ValidatePolicy(doc)
			require.Error(t, err)
			assert.Equal(t, tc.want, problemsOf(err))
		})
	}

	err := schema.ValidatePolicy(decode(t, `{"privacy_policy": {"organisation": "X", "title": "T"}}`))
	require.Error(t, err)
	assert.Len(t, problem.All(err), 11, "every missing section: %v", problemsOf(err))
	err = schema.ValidatePolicy(decode(t, `[]`))
	assert.Equal(t, []field{{"", "expected object, but got array"}}, problemsOf(err))
}

func TestEmbeddedSchemas(t *testing.T) {
	for name, get := range map[string]func() []byte{"activity": schema.ActivitySchema, "policy": schema.PolicySchema} {
		t.Run(name, func(t *testing.T) {
			var v map[string]any
			require.NoError(t, json.Unmarshal(get(), &v))
			assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", v["$schema"])
			assert.Equal(t, "https://github.com/confect/policyengine/schema/"+name+".schema.json", v["$id"])
			b := get()
			b[0] = 'X'
			assert.Equal(t, byte('{'), get()[0], "a copy each call")
		})
	}
}
