package residual

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testLayout(t testing.TB) *Layout {
	l, err := NewLayout(strings.ToUpper)
	require.NoError(t, err)
	return l
}

// reasonAt writes a reason object with a message term and a path.
func reasonAt(rule, message, path string) string {
	return fmt.Sprintf(`x = {"rule": %q, "message": %s, "clause": "A clause", "clause_id": "a", "path": %s}`, rule, message, path)
}

// residualCase is a residual of reasons to deny as partial evaluation writes one: queries and a
// support module.
type residualCase struct {
	support string
	queries []string
}

func (c residualCase) residual(t testing.TB) Residual {
	r := Residual{Output: "x"}
	if c.support != "" {
		r.Support = append(r.Support, ast.MustParseModule(c.support))
	}
	for _, q := range c.queries {
		r.Queries = append(r.Queries, ast.MustParseBody(q))
	}
	return r
}

// opaDeny evaluates the residual on OPA's topdown, as the engine's fallback does.
func opaDeny(t testing.TB, c residualCase, input map[string]any, now time.Time) ([]Reason, error) {
	modules := map[string]string{}
	var rules []string
	for _, q := range c.queries {
		rules = append(rules, "deny contains x if { "+q+" }")
	}
	modules["residual.rego"] = "package residual_test\n\n" + strings.Join(rules, "\n\n")
	opts := []func(*rego.Rego){rego.Query("data.residual_test.deny"), rego.Input(input), rego.StrictBuiltinErrors(true), rego.Time(now)}
	for name, src := range modules {
		opts = append(opts, rego.Module(name, src))
	}
	if c.support != "" {
		opts = append(opts, rego.Module("support.rego", c.support))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		return nil, err
	}
	var out []Reason
	if len(rs) == 0 {
		return out, nil
	}
	for _, x := range rs[0].Expressions[0].Value.([]any) {
		m := x.(map[string]any)
		msg, ok := m["message"].(string)
		if !ok {
			return nil, fmt.Errorf("a message that is not a string")
		}
		out = append(out, Reason{Rule: m["rule"].(string), Message: msg, Clause: m["clause"].(string), ClauseID: m["clause_id"].(string), Path: m["path"].(string)})
	}
	return out, nil
}

func sortReasons(rs []Reason) {
	slices.SortFunc(rs, func(a, b Reason) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
}

// The compiled residual finds what OPA's topdown finds on the same residual, for every state;
// where it does not take a value, it fails (and the engine asks OPA), never answers otherwise.
func TestEvalIsTopdown(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	support := `package policyengine_partial_deny

default state = "not recorded"
state = "given" if { input.consent.status = "given" }
state = s if { input.consent.status; neq(input.consent.status, "given"); s = input.consent.status }
later(t) = true if { gt(time.parse_rfc3339_ns(input.consent.given_at), t) }
covered = true if { not input.consent.purposes }
covered = true if { internal.member_2("marketing.materials", input.consent.purposes) }
conflict = 1 if { input.subject.restricted = true }
conflict = 2 if { input.subject.opted_out_marketing = true }
`
	cases := map[string]residualCase{
		"complete rules, defaults, sprintf": {support, []string{
			`not input.consent.status = "given"; ` + reasonAt("consent.not_given", `sprintf("consent is %s", [data.policyengine_partial_deny.state])`, `"/consent/status"`),
		}},
		"functions and negation": {support, []string{
			`input.consent.status = "given"; not data.policyengine_partial_deny.later(time.now_ns()); not data.policyengine_partial_deny.covered; ` +
				reasonAt("consent.purposes", `"not for this purpose"`, `"/consent/purposes"`),
			`data.policyengine_partial_deny.later(time.now_ns()); ` + reasonAt("consent.later", `"given later"`, `"/consent/given_at"`),
		}},
		"an output variable, arithmetic, the clock": {"", []string{
			`time.parse_rfc3339_ns(input.subject.last_activity_at, y); lt(y, 9150278399000000000); lt(plus(time.add_date(y, 0, 24, 0), 0), time.now_ns()); ` +
				reasonAt("retention.expired", `"expired"`, `"/subject/last_activity_at"`),
			`lt(input.subject.age, 13); ` + reasonAt("consent.minor", `sprintf("younger than %d", [13])`, `"/subject/age"`),
			`minus(input.subject.age, 1, a); gte(a, 17); ` + reasonAt("age.adult", `sprintf("%d and %s", [a, input.consent.status])`, `"/subject/age"`),
		}},
		"OPA's builtins": {"", []string{
			`startswith(input.consent.status, "with"); ` + reasonAt("a.b", `upper(input.consent.status)`, `"/consent/status"`),
			`count(input.consent.purposes, n); gt(n, 1); ` + reasonAt("a.c", `sprintf("%d purposes", [n])`, `"/consent/purposes"`),
			`lt(object.get(input.subject, "age", 200), 18); ` + reasonAt("a.d", `"minor"`, `"/subject"`),
			`input.subject; not input.subject.restricted; ` + reasonAt("a.e", `"not restricted"`, `"/subject"`),
		}},
		"a conflict": {support, []string{
			`data.policyengine_partial_deny.conflict; ` + reasonAt("a.f", `"conflict"`, `"/subject"`),
		}},
		"a message that is not a string": {"", []string{
			`input.subject.age; ` + reasonAt("a.g", `input.subject.age`, `"/subject/age"`),
		}},
		// Each query binds y and d to values of its own, under the same names: what is computed
		// from them is known by the values' terms, never by the names.
		"variables of the same name in two queries": {"", []string{
			`time.parse_rfc3339_ns(input.consent.given_at, y); time.date(y, d); gt(d[0], 2025); gt(y, 0); ` +
				reasonAt("a.i", `sprintf("given on day %d", [d[2]])`, `"/consent/given_at"`),
			`time.parse_rfc3339_ns(input.subject.last_activity_at, y); time.date(y, d); gt(d[0], 2025); gt(y, 0); gt(minus(0, d[2]), -29); ` +
				reasonAt("a.j", `sprintf("active on day %d", [d[2]])`, `"/subject/last_activity_at"`),
		}},
		"a time out of OPA's range": {"", []string{
			`time.add_date(time.parse_rfc3339_ns(input.subject.last_activity_at), 300, 0, 0, t); ` + reasonAt("a.h", `"far"`, `"/subject"`),
		}},
	}
	states := []map[string]any{
		{},
		{"consent": map[string]any{"status": "given"}},
		{"consent": map[string]any{"status": "withdrawn", "purposes": []any{}}},
		{"consent": map[string]any{"status": "given", "given_at": "2027-01-01T00:00:00Z", "purposes": []any{"marketing.materials", "x.y"}}},
		{"consent": map[string]any{"status": "given", "given_at": "2020-01-01T00:00:00Z", "purposes": []any{"purchase.orders"}}},
		{"subject": map[string]any{"age": jsonNumber("12"), "last_activity_at": "2024-11-28T12:00:00Z"}},
		{"subject": map[string]any{"age": jsonNumber("18"), "last_activity_at": "2024-11-28T11:59:59.999999999Z", "restricted": true}},
		{"subject": map[string]any{"restricted": true, "opted_out_marketing": true}},
		{"subject": map[string]any{"age": jsonNumber("150"), "last_activity_at": "2261-12-31T23:59:59Z"}},
		{"consent": map[string]any{"status": "refused"}, "subject": map[string]any{"opted_out_marketing": true}},
		{"consent": map[string]any{"status": "given", "given_at": "2027-01-01T00:00:00Z"}, "subject": map[string]any{"last_activity_at": "2024-11-28T12:00:00Z"}},
		{"consent": map[string]any{"status": "given", "given_at": "2024-01-01T00:00:00Z"}, "subject": map[string]any{"last_activity_at": "2026-11-02T12:00:00Z"}},
	}
	compared, found := 0, 0
	for name, c := range cases {
		p, err := Compile(l, c.residual(t), Residual{Output: "x"}, Residual{Output: "x"})
		require.NoError(t, err, name)
		for _, state := range states {
			want, wantErr := opaDeny(t, c, state, now)
			s := l.NewState()
			require.True(t, s.FromMap(state))
			var got []Reason
			gotErr := p.Eval(s, now.UnixNano(), func(deny, _ []Reason, _ int64) { got = append(got, deny...) })
			s.Release()
			if gotErr != nil {
				// The engine decides on OPA: any answer is then OPA's.
				continue
			}
			require.NoError(t, wantErr, "%s, %v: OPA fails, the compiled residual does not", name, state)
			sortReasons(want)
			sortReasons(got)
			assert.Equal(t, want, got, "%s, %v", name, state)
			compared++
			found += len(want)
		}
	}
	assert.Greater(t, compared, 50, "the states the compiled residuals decide")
	assert.Greater(t, found, 15, "the reasons found among them")
	// What a conflict, a message of another type and a time out of range look like to Eval.
	for name, state := range map[string]map[string]any{
		"a conflict":                     states[7],
		"a message that is not a string": states[5],
		"a time out of OPA's range":      states[8],
	} {
		p, err := Compile(l, cases[name].residual(t), Residual{Output: "x"}, Residual{Output: "x"})
		require.NoError(t, err)
		s := l.NewState()
		require.True(t, s.FromMap(state))
		assert.Error(t, p.Eval(s, now.UnixNano(), func([]Reason, []Reason, int64) { t.Errorf("%s: found", name) }), name)
		s.Release()
	}
}

func jsonNumber(s string) any { return json.Number(s) }

// The changes_at findings fold into the earliest instant after the evaluation time.
func TestEvalValidUntil(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	changes := Residual{Output: "x", Queries: []ast.Body{
		ast.MustParseBody(`time.parse_rfc3339_ns(input.consent.given_at, x); gt(x, time.now_ns()); x`),
		ast.MustParseBody(`plus(time.add_date(time.parse_rfc3339_ns(input.subject.last_activity_at), 0, 24, 0), 1, x); x`),
	}}
	p, err := Compile(l, Residual{Output: "x"}, Residual{Output: "x"}, changes)
	require.NoError(t, err)
	s := l.NewState()
	defer s.Release()
	require.True(t, s.FromMap(map[string]any{
		"consent": map[string]any{"status": "given", "given_at": "2027-03-01T00:00:00Z"},
		"subject": map[string]any{"last_activity_at": "2025-01-31T00:00:00Z"},
	}))
	var until int64
	require.NoError(t, p.Eval(s, now.UnixNano(), func(_, _ []Reason, u int64) { until = u }))
	// 31 January 2025 + 24 months is 31 January 2027, before 1 March 2027.
	assert.Equal(t, time.Date(2027, 1, 31, 0, 0, 0, 1, time.UTC), time.Unix(0, until).UTC())
}

// A residual outside the compiled subset is refused, naming what it uses.
func TestCompileRefusesWhatItDoesNotCover(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	ok := reasonAt("a.b", `"m"`, `"/p"`)
	for name, c := range map[string]residualCase{
		"with":                    {"", []string{`input.consent.status = "given" with input.consent.status as "x"; ` + ok}},
		"every":                   {"", []string{`every p in input.consent.purposes { p != "x" }; ` + ok}},
		"iteration":               {"", []string{`input.consent.purposes[i] = "a"; ` + ok}},
		"a partial set":           {"package p\n\ns contains 1 if { input.consent.status }", []string{`data.p.s[1]; ` + ok}},
		"else":                    {"package p\n\nr = 1 if { input.consent.status = \"given\" } else = 2", []string{`data.p.r = 1; ` + ok}},
		"a random builtin":        {"", []string{`rand.intn("a", 10, n); ` + ok}},
		"data outside":            {"", []string{`data.privacy_policy.limit = 1; ` + ok}},
		"the input whole":         {"", []string{`input.id = "a"; ` + ok}},
		"a reason of other shape": {"", []string{`x = {"rule": "a.b", "message": "m"}`}},
		"no finding bound":        {"", []string{`input.consent.status = "given"`}},
		"a function with a constant argument": {"package p\n\nf(1) = true if { input.consent.status }",
			[]string{`data.p.f(1); ` + ok}},
	} {
		_, err := Compile(l, c.residual(t), Residual{Output: "x"}, Residual{Output: "x"})
		assert.True(t, errors.Is(err, ErrUnsupported), "%s: %v", name, err)
	}
}
