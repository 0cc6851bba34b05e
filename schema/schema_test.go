package schema_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/schema"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	require.NoError(t, d.Decode(&v))
	return v
}

const full = `{"id": "full", "description": "d", "role": "controller", "customer_dpa": "x", "data_subjects": ["user"],
 "data_categories": ["email"], "sources": ["cookies"], "purposes": ["support.improvement"], "legal_basis": "consent",
 "consent": {"status": "given", "given_at": "2026-01-01T00:00:00Z", "withdrawn_at": "2026-02-01T00:00:00+01:00"},
 "profiling": true, "channel": {"type": "email", "content": "marketing"},
 "retention": {"period": "P1Y2M", "from": "collection", "agreed_extension": {"reference": "r", "period": "P3W"}},
 "recipients": [{"name": "n", "type": "authority", "country": "SE", "dpa": true, "transfer_safeguard": "scc",
   "court_order": {"reference": "c", "jurisdiction": "SE", "international_agreement": false}, "legal_basis": "contract"}],
 "subject": {"opted_out_marketing": true, "opted_out_profiling": false, "objected_legitimate_interest": false, "restricted": false,
   "last_activity_at": "2026-01-01T00:00:00Z", "last_application_at": "2026-01-01T00:00:00Z", "age": 30}}`

func TestValidActivity(t *testing.T) {
	assert.NoError(t, schema.ValidateActivity(decode(t, full)))
}

func problems(err error) []string {
	var out []string
	for _, p := range schema.Problems(err) {
		out = append(out, p.Error())
	}
	return out
}

func TestInvalidActivities(t *testing.T) {
	base := `"data_categories": ["email"], "purposes": ["purchase.orders"]`
	for name, tc := range map[string]struct {
		doc  string
		want []string
	}{
		"nested unknown key": {`{"id": "a", ` + base + `, "recipients": [{"name": "n", "type": "subprocessor", "foo": 1}]}`,
			[]string{"/recipients/0/foo: unknown key: not part of the format"}},
		"missing required": {`{"purposes": []}`,
			[]string{"/data_categories: is required", "/id: is required", "/purposes: expected at least one item"}},
		"blank id": {`{"id": "  ", ` + base + `}`, []string{"/id: expected a non-blank name for the activity"}},
		"durations": {`{"id": "a", ` + base + `, "retention": {"period": "P", "agreed_extension": {"period": "P1.5Y"}}}`,
			[]string{"/retention/agreed_extension/period: expected an ISO 8601 duration such as P6M or P2Y", "/retention/period: expected an ISO 8601 duration such as P6M or P2Y"}},
		"timestamps": {`{"id": "a", ` + base + `, "subject": {"last_activity_at": "2026-13-01T00:00:00Z"}}`,
			[]string{"/subject/last_activity_at: expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"}},
		"enums": {`{"id": "a", ` + base + `, "role": "owner", "legal_basis": "whim", "consent": {"status": "maybe"}, "channel": {"type": "fax", "content": "spam"}}`,
			[]string{
				`/channel/content: expected one of "marketing", "administrative"`,
				`/channel/type: expected one of "email", "sms", "phone", "social_media", "web", "in_app", "post"`,
				`/consent/status: expected one of "given", "withdrawn", "refused", "expired", "unknown"`,
				`/legal_basis: expected one of "consent", "contract", "legitimate_interest", "legal_obligation", "vital_interests", "public_task"`,
				`/role: expected one of "controller", "processor"`,
			}},
		"country and court order": {`{"id": "a", ` + base + `, "recipients": [{"name": "n", "type": "authority", "country": "Sweden", "court_order": {}}]}`,
			[]string{"/recipients/0/country: expected an ISO 3166-1 alpha-2 country code such as DE",
				"/recipients/0/court_order/jurisdiction: is required", "/recipients/0/court_order/reference: is required"}},
		"vocabulary shape": {`{"id": "a", "data_categories": ["Email Address"], "purposes": ["Purchase Orders"]}`,
			[]string{"/data_categories/0: expected a value of one of the policy's vocabularies: snake_case",
				"/purposes/0: expected a purpose: dotted snake_case such as marketing.materials"}},
		"age": {`{"id": "a", ` + base + `, "subject": {"age": -1}}`, []string{"/subject/age: out of range: must be >= 0"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := schema.ValidateActivity(decode(t, tc.doc))
			require.Error(t, err)
			assert.Equal(t, tc.want, problems(err))
			var merr *multierror.Error
			assert.True(t, errors.As(err, &merr))
			var fe *schema.FieldError
			assert.True(t, errors.As(err, &fe))
		})
	}
}

func TestMessagesDoNotQuoteValues(t *testing.T) {
	secret := "Ada Lovelace 555-0100"
	doc := `{"id": "` + secret + `", "description": 7, "data_categories": ["` + secret + `"], "purposes": ["` + secret + `"],
	  "role": "` + secret + `", "legal_basis": "` + secret + `", "retention": {"period": "` + secret + `", "from": "` + secret + `"},
	  "consent": {"status": "` + secret + `", "given_at": "` + secret + `"}, "channel": {"type": "` + secret + `", "content": "` + secret + `"},
	  "recipients": [{"name": "", "type": "` + secret + `", "country": "` + secret + `", "transfer_safeguard": "` + secret + `"}],
	  "subject": {"age": 5550100, "last_activity_at": "` + secret + `"}}`
	err := schema.ValidateActivity(decode(t, doc))
	require.Error(t, err)
	assert.Greater(t, len(schema.Problems(err)), 10)
	assert.NotContains(t, err.Error(), "Lovelace")
	assert.NotContains(t, err.Error(), "0100")
}

func TestJoinAndProblems(t *testing.T) {
	assert.NoError(t, schema.Join(nil))
	err := schema.Join([]*schema.FieldError{{Pointer: "/b", Message: "two"}, {Pointer: "/a", Message: "one"}})
	assert.EqualError(t, err, "2 problems: /a: one; /b: two")
	assert.Equal(t, []string{"/a: one", "/b: two"}, problems(err))
	single := &schema.FieldError{Pointer: "", Message: "whole", Line: 3}
	assert.Equal(t, "line 3: /: whole", single.Error())
	assert.Len(t, schema.Problems(single), 1)
	assert.Nil(t, schema.Problems(errors.New("other")))
}

func TestPolicySchema(t *testing.T) {
	var doc any
	require.NoError(t, json.Unmarshal(mustJSON(t, policy.Default().Data()), &doc))
	assert.NoError(t, schema.ValidatePolicy(doc))
	err := schema.ValidatePolicy(decode(t, `{"privacy_policy": {"organisation": "X", "title": "T", "purposes": {"Bad Key": {}}}}`))
	require.Error(t, err)
	assert.Contains(t, problems(err), "/privacy_policy/purposes/Bad Key: is not in the expected form", "the key's pointer, unescaped")
	assert.Contains(t, problems(err), "/privacy_policy/clauses: is required")
	var v map[string]any
	require.NoError(t, json.Unmarshal(schema.ActivitySchema(), &v))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", v["$schema"])
	require.NoError(t, json.Unmarshal(schema.PolicySchema(), &v))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
