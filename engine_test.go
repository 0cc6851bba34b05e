package policyengine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/rego"
	"github.com/confect/policyengine/schema"
)

// now is the evaluation time of every test that does not say otherwise.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// at returns a context under which an engine of newEngine decides as at t.
func at(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, testTimeKey{}, t)
}

type testTimeKey struct{}

// testClock is newEngine's clock: the time at put in the context, else now.
func testClock(ctx context.Context) time.Time {
	if t, ok := ctx.Value(testTimeKey{}).(time.Time); ok {
		return t
	}
	return now
}

// newEngine is an engine of the embedded policy deciding as at now, or as at the time of each
// call's context (at); opts may change either.
func newEngine(t testing.TB, opts ...policyengine.Option) *policyengine.Engine {
	t.Helper()
	e, err := policyengine.New(context.Background(), append([]policyengine.Option{policyengine.WithClock(testClock)}, opts...)...)
	require.NoError(t, err)
	return e
}

// orderHandling is a controller activity every rule allows: the base the cases vary.
func orderHandling() policyengine.Activity {
	return policyengine.Activity{
		ID:             "order-handling",
		DataSubjects:   []string{"customer"},
		DataCategories: []string{"name", "email", "postal_address"},
		Sources:        []string{"data_subject"},
		Purposes:       []string{"purchase.orders"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P5Y", From: "end_of_contract"},
		Recipients:     []policyengine.Recipient{{Name: "Confect Logistics AB", Type: "group_company", Country: "SE"}},
	}
}

// newsletter is a marketing activity every rule allows.
func newsletter() policyengine.Activity {
	return policyengine.Activity{
		ID:             "newsletter",
		DataSubjects:   []string{"lead"},
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Consent:        &policyengine.Consent{Status: "given"},
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
		Subject:        &policyengine.Subject{LastActivityAt: now.AddDate(0, -3, 0)},
	}
}

// application is a recruitment activity every rule allows.
func application() policyengine.Activity {
	return policyengine.Activity{
		ID:             "application",
		DataSubjects:   []string{"job_applicant"},
		DataCategories: []string{"name", "email", "cv", "job_application"},
		Purposes:       []string{"recruitment.applications"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P6M", From: "last_application_date"},
		Subject:        &policyengine.Subject{LastApplicationAt: now.AddDate(0, -2, 0)},
	}
}

func with(a policyengine.Activity, change func(*policyengine.Activity)) policyengine.Activity {
	change(&a)
	return a
}

type finding struct{ rule, path string }

func findings(d policyengine.Decision) []finding {
	out := []finding{}
	for _, r := range d.Reasons {
		out = append(out, finding{r.Rule, r.Path})
	}
	return out
}

// policyCases are Confect's policy cases (testdata/policy-cases): the activities and decisions
// the rules are specified by.
func policyCases(t testing.TB) []*policytest.Case {
	t.Helper()
	cases, err := policytest.Load("testdata/policy-cases")
	require.NoError(t, err)
	return cases
}

// The contract's rule catalogue (§3) is implemented: every rule id it lists is a rule of the
// policy. The contract sits beside the repository (../shared/spec); CI has it.
func TestContractCatalogue(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "shared", "spec", "contract.md"))
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") != "true" {
		t.Skip("the contract is not beside the repository (../shared/spec/contract.md)")
	}
	require.NoError(t, err)
	_, section, _ := strings.Cut(string(src), "## 3.")
	section, _, _ = strings.Cut(section, "Scope:")
	var ids []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			ids = append(ids, strings.Trim(strings.Split(line, "|")[1], " `"))
		}
	}
	require.NotEmpty(t, ids, "the contract's §3 lists its rule catalogue as a table")
	var rules []string
	for _, r := range newEngine(t).Rules() {
		rules = append(rules, r.ID)
	}
	assert.Subset(t, rules, ids)
}

// Rule looks a rule up by id, as Rules lists it; every built-in rule says how to pass it.
func TestCatalogue(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	for _, r := range e.Rules() {
		assert.NotEmpty(t, r.Remedy, "%s: its description says what an activity must change (\"To pass: ...\")", r.ID)
		got, ok := e.Rule(r.ID)
		assert.True(t, ok)
		assert.Equal(t, r, got)
	}
	_, ok := e.Rule("no.such_rule")
	assert.False(t, ok)
}

// The evaluation time is the engine's clock: the same activity expires between two clocks.
func TestClock(t *testing.T) {
	t.Parallel()
	a := application()
	a.Subject.LastApplicationAt = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	before := newEngine(t, policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC) }))
	after := newEngine(t, policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC) }))
	d, err := before.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	d, err = after.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.Equal(t, []finding{{"retention.expired", "/subject/last_application_at"}}, findings(d))

	// WithClock is read at every decision.
	var mu sync.Mutex
	clock := time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC)
	e, err := policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
	require.NoError(t, err)
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	mu.Lock()
	clock = clock.AddDate(0, 0, 2)
	mu.Unlock()
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)

	// The clock is given each call's context: one that reads a time from it decides each call
	// at its own.
	e = newEngine(t)
	early := at(context.Background(), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
	d, err = e.Evaluate(early, a)
	require.NoError(t, err)
	assert.True(t, d.Allow)
	assert.Equal(t, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), e.Now(early))
	d, err = e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "the same engine, at its default time")
	assert.False(t, (*policyengine.Engine)(nil).Now(early).IsZero(), "an engine New did not make tells the current time")
}

func TestDecisionShape(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	a := orderHandling()
	a.DataCategories = append(a.DataCategories, "health", "shoe_size")
	a.LegalBasis = ""
	d, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
	assert.Equal(t, e.Revision(), d.Revision)
	assert.Len(t, d.Revision, 64)
	assert.Equal(t, []finding{{"category.sensitive", "/data_categories/3"}, {"category.unlisted", "/data_categories/4"}, {"legal_basis.missing", "/legal_basis"}}, findings(d))
	r := d.Reasons[0]
	assert.Equal(t, "What personal data does Confect process?", r.Clause)
	assert.Equal(t, "sensitive-data", r.ClauseID)
	assert.Contains(t, r.Message, `"health"`)
	assert.Equal(t, `category.sensitive at /data_categories/3: `+r.Message, r.String())
	assert.True(t, strings.HasPrefix(d.String(), "deny: category.sensitive at /data_categories/3"))

	raw, err := json.Marshal(d)
	require.NoError(t, err)
	var shape map[string]any
	require.NoError(t, json.Unmarshal(raw, &shape))
	assert.ElementsMatch(t, []string{"allow", "reasons", "warnings", "revision"}, keys(shape))
	reason := shape["reasons"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"rule", "message", "clause", "clause_id", "path"}, keys(reason))

	allowed, err := e.Evaluate(context.Background(), orderHandling())
	require.NoError(t, err)
	assert.Equal(t, "allow", allowed.String())
	raw, err = json.Marshal(allowed)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"reasons":[]`)
	assert.Contains(t, string(raw), `"warnings":[]`)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
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

	e := newEngine(t)
	d1, err1 := e.Evaluate(context.Background(), full)
	d2, err2 := e.EvaluateJSON(context.Background(), raw)
	assert.Equal(t, d1, d2)
	assert.Equal(t, err1 == nil, err2 == nil)
}

func TestInvalidInputFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	cases := []struct {
		name string
		doc  string
		want []string // "pointer: message"
	}{
		{"not JSON", `{"id": `, []string{"/id: unexpected end of JSON"}},
		{"duplicate key", `{"id":"a","id":"b","data_categories":["email"],"purposes":["purchase.orders"]}`, []string{"/id: duplicate key"}},
		{"unknown key", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"colour":"red"}`, []string{"/colour: unknown key: not part of the format"}},
		{"missing required fields", `{"id":"a"}`, []string{"/data_categories: is required", "/purposes: is required"}},
		{"empty categories", `{"id":"a","data_categories":[],"purposes":["purchase.orders"]}`, []string{"/data_categories: expected at least one item"}},
		{"malformed duration", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"retention":{"period":"6 months"}}`,
			[]string{"/retention/period: expected an ISO 8601 duration such as P6M or P2Y"}},
		{"malformed date", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"subject":{"last_activity_at":"last Tuesday"}}`,
			[]string{"/subject/last_activity_at: expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"}},
		{"wrong type", `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"profiling":"yes"}`,
			[]string{"/profiling: expected boolean, but got string"}},
		{"not an object", `["a"]`, []string{"/: expected object, but got array"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := e.EvaluateJSON(context.Background(), []byte(tc.doc))
			require.Error(t, err)
			assert.False(t, d.Allow)
			assert.Equal(t, e.Revision(), d.Revision)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
			var first *problem.Problem
			require.ErrorAs(t, err, &first, "each problem is a *problem.Problem")
			var got []string
			for _, p := range problem.All(err) {
				ptr := p.Pointer
				if ptr == "" {
					ptr = "/"
				}
				got = append(got, ptr+": "+p.Message)
			}
			assert.Equal(t, tc.want, got)
		})
	}

	// The typed path validates too: a malformed duration is not silently allowed.
	a := orderHandling()
	a.Retention.Period = "five years"
	d, err := e.Evaluate(context.Background(), a)
	assert.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.False(t, d.Allow)
}

// No value of the input appears in an error: values may be personal data.
func TestErrorsDoNotEchoInput(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	secret := "Ada Lovelace +44 20 7946 0958"
	doc := fmt.Sprintf(`{"id":%[1]q,"description":%[1]q,"data_categories":[%[1]q],"purposes":[%[1]q],"legal_basis":%[1]q,
		"retention":{"period":%[1]q},"subject":{"last_activity_at":%[1]q},"recipients":[{"name":%[1]q,"type":%[1]q,"country":%[1]q}]}`, secret)
	_, err := e.EvaluateJSON(context.Background(), []byte(doc))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Ada")
	assert.NotContains(t, err.Error(), "7946")
}

func TestContextFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := e.Evaluate(ctx, orderHandling())
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	d, err = e.EvaluateJSON(ctx, mustJSON(t, orderHandling()))
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// The parse itself honours the context: a large body with an error at its end is not
	// parsed (twice, for positions) past the deadline.
	body := `{"id":"x","data_categories":[` + strings.Repeat(`"a",`, 60000) + `1 x]}`
	d, err = e.EvaluateJSON(ctx, []byte(body))
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return raw
}

// writePolicy writes a policy directory: the embedded document, edited, and extra modules.
func writePolicy(t testing.TB, edit func(doc string) string, modules map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	doc := string(policy.DefaultDocument())
	if edit != nil {
		doc = edit(doc)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(doc), 0o644))
	for name, src := range modules {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	return dir
}

// A rule that fails at run time is an evaluation error, never an allow.
func TestRuleErrorFailsClosed(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"broken.rego": `package policyengine.rules.broken

# METADATA
# title: Broken
# description: Divides by zero on every input with one purpose.
# custom:
#   id: broken.division
#   clause: purposes
deny contains {"rule": "broken.division", "path": "", "message": x} if {
	x := 1 / (count(input.purposes) - 1)
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	d, err := e.Evaluate(context.Background(), orderHandling())
	assert.False(t, d.Allow)
	require.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.Contains(t, err.Error(), "divide by zero")
}

// A rule that fails on an input value does not quote it: the error names the rule's place.
func TestRuleErrorQuotesNoInputValue(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"numbers.rego": `package policyengine.rules.numbers

# METADATA
# title: Numbers
# description: Reads the description as a number, which fails for words.
# custom:
#   id: numbers.description
#   clause: purposes
deny contains {"rule": "numbers.description", "path": "/description", "message": "x"} if {
	to_number(input.description) > 0
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	a := orderHandling()
	a.Description = "Jane Doe, 19800101-1234"
	d, err := e.Evaluate(context.Background(), a)
	assert.False(t, d.Allow)
	require.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.NotContains(t, err.Error(), "Jane")
	assert.NotContains(t, err.Error(), "1234")
	assert.Contains(t, err.Error(), "numbers.rego:")
}

// A reason of the wrong shape, or a decision without errors, is an evaluation error.
func TestMalformedReasonFailsClosed(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"shapeless.rego": `package policyengine.rules.shapeless

# METADATA
# title: Shapeless
# description: Returns a reason without a rule id.
# custom:
#   id: shapeless.reason
#   clause: purposes
deny contains {"message": "no id"} if {
	input.id == "order-handling"
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	d, err := e.Evaluate(context.Background(), orderHandling())
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
}

// contractBases is how the embedded document gives purchase.orders its legal bases.
const contractBases = "legal_bases: {contract: true, consent: true}"

// documentLine is the line of the embedded policy document on which text first appears.
func documentLine(t *testing.T, text string) int {
	t.Helper()
	doc := string(policy.DefaultDocument())
	i := strings.Index(doc, text)
	require.GreaterOrEqual(t, i, 0, "the embedded document has no %q", text)
	return strings.Count(doc[:i], "\n") + 1
}

// documentColumn is the column at which text first appears in the embedded policy document.
func documentColumn(t *testing.T, text string) int {
	t.Helper()
	doc := string(policy.DefaultDocument())
	i := strings.Index(doc, text)
	require.GreaterOrEqual(t, i, 0, "the embedded document has no %q", text)
	return i - strings.LastIndex(doc[:i], "\n")
}

func TestInvalidPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(string) string
		modules map[string]string
		want    string
	}{
		{"document fails its schema", func(d string) string {
			return strings.Replace(d, contractBases, "legal_bases: {contract: yes}", 1)
		}, nil, fmt.Sprintf("policy.yaml:%d:%d: /privacy_policy/purposes/purchase.orders/legal_bases/contract: expected boolean, but got string",
			documentLine(t, contractBases), documentColumn(t, contractBases)+len("legal_bases: {"))},
		{"rule names an undefined clause", func(d string) string {
			return strings.Replace(d, "    opt-out:\n", "    opt-out-renamed:\n", 1)
		}, nil, fmt.Sprintf("rego/marketing.rego:%d:1: rule marketing.opted_out names clause", ruleLine(t, "marketing.rego", "marketing.opted_out")) + ` "opt-out", which the policy document (`},
		{"module does not compile", nil, map[string]string{"bad.rego": "package policyengine.rules.bad\n\ndeny contains x if {\n"}, "bad.rego:"},
		{"module fails the strict check", nil, map[string]string{"strict.rego": "package policyengine.rules.strict\n\nimport data.privacy_policy\n\nx := 1\n"}, "strict.rego:3"},
		{"deny rule without a title", nil, map[string]string{"untitled.rego": "package policyengine.rules.untitled\n\n# METADATA\n# description: No title.\n# custom:\n#   id: untitled.rule\n#   clause: purposes\ndeny contains \"x\" if false\n"},
			"untitled.rego:8:1: rule untitled.rule: its METADATA lacks title"},
		{"deny rule without METADATA", nil, map[string]string{"bare.rego": "package policyengine.rules.bare\n\ndeny contains \"x\" if false\n"}, "bare.rego:3:1: this deny rule has no METADATA block"},
		{"two rules claim one id", nil, map[string]string{"dup.rego": `package policyengine.rules.dup

# METADATA
# title: Duplicate
# description: Claims an id the built-in rules already use.
# custom:
#   id: consent.not_given
#   clause: consent
deny contains "x" if false
`}, "rule id consent.not_given is already claimed by the rule at"},
		{"module outside the rules packages", nil, map[string]string{"takeover.rego": "package policyengine\n\nallow := true\n"}, "a policy's modules add rules in packages under policyengine.rules"},
		// A policy's module that joins a built-in package could give its helpers a body that is
		// always true, and switch the built-in rules off.
		{"module in a built-in rules package", nil, map[string]string{"court.rego": "package policyengine.rules.sharing\n\n_names_court_order(_) if true\n"},
			"court.rego:1:1: package policyengine.rules.sharing: a built-in package"},
		{"module adds to a built-in helper", nil, map[string]string{"dpa.rego": "package policyengine.rules.processor\n\n_names_dpa if true\n"},
			"dpa.rego:1:1: package policyengine.rules.processor: a built-in package"},
		{"module beneath a built-in rules package", nil, map[string]string{"ext.rego": "package policyengine.rules.retention.more\n\nx := true\n"},
			"ext.rego:1:1: package policyengine.rules.retention.more: a built-in package"},
		{"module in the rules root reaching into a built-in package", nil, map[string]string{"root.rego": "package policyengine.rules\n\nsharing._names_court_order(_) if true\n"},
			"root.rego:1:1: package policyengine.rules: a policy's modules add rules in packages under policyengine.rules"},
		{"module calls http.send", nil, map[string]string{"net.rego": "package policyengine.rules.net\n\nx := http.send({\"method\": \"GET\", \"url\": \"https://example.com\"})\n"}, "net.rego:3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writePolicy(t, tc.edit, tc.modules)
			_, err := policyengine.New(context.Background(), policyengine.WithPolicyDir(dir))
			require.Error(t, err)
			assert.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
			assert.ErrorIs(t, err, policy.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
			var pe *problem.Problem
			assert.True(t, errors.As(err, &pe), "errors.As finds a *problem.Problem")
		})
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	// Another policy is a new document, not new code: accept adequacy for transfers.
	dir := writePolicy(t, func(d string) string {
		return strings.Replace(d, "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n", 1)
	}, nil)
	a := orderHandling()
	a.Recipients = []policyengine.Recipient{{Name: "CrashDesk", Type: "subprocessor", Country: "GB", DPA: true, TransferSafeguard: "adequacy"}}

	confect := newEngine(t)
	adequacy := newEngine(t, policyengine.WithPolicyDir(dir))
	fsEngine := newEngine(t, policyengine.WithPolicyFS(os.DirFS(dir)))
	loaded, err := policy.LoadDir(dir)
	require.NoError(t, err)
	typed := newEngine(t, policyengine.WithPolicy(loaded))

	d, err := confect.Evaluate(context.Background(), a)
	require.NoError(t, err)
	assert.False(t, d.Allow)
	for _, e := range []*policyengine.Engine{adequacy, fsEngine, typed} {
		d, err := e.Evaluate(context.Background(), a)
		require.NoError(t, err)
		assert.True(t, d.Allow)
		assert.Equal(t, adequacy.Revision(), d.Revision, "the revision depends on content, not on how it was loaded")
	}
	assert.NotEqual(t, confect.Revision(), adequacy.Revision())

	// The embedded policy loaded from its directory is the default, revision and all.
	fromDir := newEngine(t, policyengine.WithPolicyDir("policy"))
	assert.Equal(t, confect.Revision(), fromDir.Revision())
	assert.Equal(t, "Confect", confect.Document().Organisation)

	_, err = policyengine.New(context.Background(), policyengine.WithPolicyDir(dir), policyengine.WithPolicyDir(dir))
	assert.ErrorContains(t, err, "give at most one")
	_, err = policyengine.New(context.Background(), policyengine.WithPolicyDir(filepath.Join(dir, "missing")))
	assert.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
}

// The engine is safe for concurrent use: many goroutines, one engine, the same answers.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	cases := policyCases(t)
	want := make([]policyengine.Decision, len(cases))
	for i, c := range cases {
		d, err := e.EvaluateJSON(context.Background(), c.Activity)
		require.NoError(t, err)
		want[i] = d
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				for i, c := range cases {
					d, err := e.EvaluateJSON(context.Background(), c.Activity)
					if err != nil || !assert.ObjectsAreEqual(want[i], d) {
						errs <- fmt.Errorf("%s: got %v (%v), want %v", c.Name, d, err, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Warnings flag without denying.
func TestWarnings(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	atLimit := newsletter() // P24M from last_activity: exactly the marketing limit
	atLimit.Consent.GivenAt = now.AddDate(-3, 0, 0)
	d, err := e.Evaluate(context.Background(), atLimit)
	require.NoError(t, err)
	assert.True(t, d.Allow, "warnings never deny")
	assert.Empty(t, d.Reasons)
	var got []finding
	for _, w := range d.Warnings {
		got = append(got, finding{w.Rule, w.Path})
		assert.NotEmpty(t, w.Message)
		assert.NotEmpty(t, w.Clause)
	}
	assert.Equal(t, []finding{{"consent.stale", "/consent/given_at"}, {"retention.at_limit", "/retention/period"}}, got)

	within := with(newsletter(), func(a *policyengine.Activity) {
		a.Retention.Period = "P12M"
		a.Consent.GivenAt = now.AddDate(-1, 0, 0)
	})
	d, err = e.Evaluate(context.Background(), within)
	require.NoError(t, err)
	assert.Empty(t, d.Warnings)

	rule, ok := e.Rule("retention.at_limit")
	require.True(t, ok)
	assert.Equal(t, "warn", rule.Kind)
}

// ruleLine is the line of the rule with the given id in a built-in module: the first line after
// its METADATA.
func ruleLine(t *testing.T, file, id string) int {
	t.Helper()
	src, err := fs.ReadFile(rego.FS(), file)
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "#   id: "+id {
			for j := i + 1; j < len(lines); j++ {
				if !strings.HasPrefix(lines[j], "#") {
					return j + 1
				}
			}
		}
	}
	t.Fatalf("no rule %s in %s", id, file)
	return 0
}
