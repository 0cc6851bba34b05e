package policyengine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/problem"
)

// failure is a call that must fail closed: it returns an error of each kind in is, and a
// decision that does not allow.
type failure struct {
	name string
	call func(t *testing.T) (policyengine.Decision, error)
	is   []error
	// problems, when set, are the error's problems in order, each "pointer: message" (the root
	// pointer written /); revision, when set, is the revision the denial names.
	problems []string
	revision string
	// says are texts the error contains.
	says []string
}

// Nothing is allowed on an error: bad input, a cancelled call, a rule that fails at run time, a
// malformed decision, an engine New did not make. Each gives a decision that denies, with an
// error that errors.Is tells apart.
func TestFailsClosed(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	ctx := context.Background()
	var cases []failure

	// Invalid input, through EvaluateJSON: each problem names its field, and the denial names
	// the policy it was refused under.
	for _, tc := range []struct {
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
	} {
		cases = append(cases, failure{name: "invalid input: " + tc.name, problems: tc.want, revision: e.Revision(),
			is: []error{policyengine.ErrInvalidInput},
			call: func(*testing.T) (policyengine.Decision, error) {
				return e.EvaluateJSON(ctx, []byte(tc.doc))
			}})
	}
	cases = append(cases,
		// The typed path validates too: a malformed duration is not silently allowed.
		failure{name: "invalid input: a typed activity's malformed duration", is: []error{policyengine.ErrInvalidInput},
			call: func(*testing.T) (policyengine.Decision, error) {
				a := orderHandling()
				a.Retention.Period = "five years"
				return e.Evaluate(ctx, a)
			}},
		// A declaration that is not one is an input error, whatever its shape.
		failure{name: "invalid input: a declaration of nothing", is: []error{policyengine.ErrInvalidInput},
			call: func(*testing.T) (policyengine.Decision, error) {
				return e.EvaluateDeclaration(ctx, nil)
			}},
	)

	// The caller's context: cancelled, or past its deadline (the parse itself honours it: a
	// large body with an error at its end is not parsed, twice for positions, past it).
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	late, cancelLate := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	t.Cleanup(cancelLate)
	cases = append(cases,
		failure{name: "context cancelled", is: []error{policyengine.ErrEvaluation, context.Canceled},
			call: func(*testing.T) (policyengine.Decision, error) { return e.Evaluate(cancelled, orderHandling()) }},
		failure{name: "context past its deadline", is: []error{context.DeadlineExceeded},
			call: func(t *testing.T) (policyengine.Decision, error) {
				return e.EvaluateJSON(late, mustJSON(t, orderHandling()))
			}},
		failure{name: "context past its deadline, during the parse", is: []error{policyengine.ErrEvaluation, context.DeadlineExceeded},
			call: func(*testing.T) (policyengine.Decision, error) {
				return e.EvaluateJSON(late, []byte(`{"id":"x","data_categories":[`+strings.Repeat(`"a",`, 60000)+`1 x]}`))
			}},
	)

	// A policy's own rule that fails at run time, or returns a reason of the wrong shape.
	cases = append(cases,
		failure{name: "a rule divides by zero", is: []error{policyengine.ErrEvaluation}, says: []string{"divide by zero"},
			call: func(t *testing.T) (policyengine.Decision, error) {
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
				return newEngine(t, policyengine.WithPolicyDir(dir)).Evaluate(ctx, orderHandling())
			}},
		failure{name: "a reason without a rule id", is: []error{policyengine.ErrEvaluation},
			call: func(t *testing.T) (policyengine.Decision, error) {
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
				return newEngine(t, policyengine.WithPolicyDir(dir)).Evaluate(ctx, orderHandling())
			}},
	)

	// A decision the rules produce malformed: the faults a tampered or hand-made rule set can
	// produce, which no policy directory can (its modules cannot touch the decision).
	for _, tc := range []struct{ name, findings, want string }{
		{"undefined findings", `findings := {"deny": set(), "warn": set()} if input.id == "never"`, "the policy returned no decision"},
		{"findings not an object", `findings := true`, "the policy's findings are not an object"},
		{"deny not a set", `findings := {"deny": [], "warn": set()}`, "the policy's deny findings are not a set"},
		{"no warn", `findings := {"deny": set()}`, "the policy's warn findings are not a set"},
		{"reason without a rule", `findings := {"deny": {{"path": "", "message": "m"}}, "warn": set()}`, "a reason is not an object with a rule and a path"},
		{"reason not an object", `findings := {"deny": {"denied"}, "warn": set()}`, "a reason is not an object with a rule and a path"},
		{"builtin error", `findings := {"deny": {{"rule": "x.y", "path": "", "message": sprintf("%d", [time.parse_rfc3339_ns("yesterday")])}}, "warn": set()}`,
			"time.parse_rfc3339_ns"},
	} {
		cases = append(cases, failure{name: "tampered decision: " + tc.name, is: []error{policyengine.ErrEvaluation}, says: []string{tc.want},
			call: func(t *testing.T) (policyengine.Decision, error) {
				tampered := policyengine.NewTamperedEngine(t, "package policyengine\n\n"+tc.findings+"\n")
				return tampered.EvaluateJSON(ctx, []byte(`{"id": "a", "data_categories": ["email"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P1Y"}}`))
			}})
	}

	// An Engine not made by New (a zero value, or a nil pointer) has no policy: every call fails,
	// and none panics.
	activity := `{"id": "checkout", "data_categories": ["name"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P5Y"}}`
	for name, zero := range map[string]*policyengine.Engine{"zero value": {}, "nil": nil} {
		notPrepared := []error{policyengine.ErrEvaluation, policyengine.ErrNotPrepared}
		cases = append(cases,
			failure{name: "engine of no policy, " + name + ": Evaluate", is: notPrepared,
				call: func(*testing.T) (policyengine.Decision, error) {
					return zero.Evaluate(ctx, policyengine.Activity{ID: "checkout"})
				}},
			failure{name: "engine of no policy, " + name + ": EvaluateJSON", is: notPrepared,
				call: func(*testing.T) (policyengine.Decision, error) { return zero.EvaluateJSON(ctx, []byte(activity)) }},
			failure{name: "engine of no policy, " + name + ": EvaluateJSON of {}", is: notPrepared,
				call: func(*testing.T) (policyengine.Decision, error) { return zero.EvaluateJSON(ctx, []byte(`{}`)) }},
			failure{name: "engine of no policy, " + name + ": EvaluateDocument", is: notPrepared,
				call: func(*testing.T) (policyengine.Decision, error) {
					return zero.EvaluateDocument(ctx, map[string]any{"id": "checkout"})
				}},
			failure{name: "engine of no policy, " + name + ": Declare", is: []error{policyengine.ErrNotPrepared},
				call: func(*testing.T) (policyengine.Decision, error) {
					_, err := zero.Declare(ctx, policyengine.Activity{})
					return policyengine.Decision{}, err
				}},
		)
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := tc.call(t)
			require.Error(t, err)
			assert.NotEmpty(t, err.Error())
			assert.False(t, d.Allow)
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, s := range tc.says {
				assert.Contains(t, err.Error(), s)
			}
			if tc.revision != "" {
				assert.Equal(t, tc.revision, d.Revision)
			}
			if tc.problems != nil {
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
				assert.Equal(t, tc.problems, got)
			}
		})
	}
}

// No error quotes a value of the input, which may be personal data: neither a refused input's
// nor one a rule failed on. The error names the field, or the rule's place.
func TestErrorsQuoteNoInput(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	ctx := context.Background()
	type quoting struct {
		name   string
		call   func(t *testing.T) error
		secret []string // what the error must not contain
		is     error    // when set, what the error is
		says   []string // texts the error contains
	}
	cases := []quoting{
		{name: "every field of the activity", secret: []string{"Ada", "7946"}, call: func(*testing.T) error {
			doc := fmt.Sprintf(`{"id":%[1]q,"description":%[1]q,"data_categories":[%[1]q],"purposes":[%[1]q],"legal_basis":%[1]q,
		"retention":{"period":%[1]q},"subject":{"last_activity_at":%[1]q},"recipients":[{"name":%[1]q,"type":%[1]q,"country":%[1]q}]}`, "Ada Lovelace +44 20 7946 0958")
			_, err := e.EvaluateJSON(ctx, []byte(doc))
			return err
		}},
	}
	grace := "Grace Hopper 555-0199"
	for name, doc := range map[string]string{
		"a retention period":       `{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "retention": {"period": "` + grace + `"}}`,
		"a time":                   `{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "subject": {"last_activity_at": "` + grace + `"}}`,
		"a role":                   `{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "role": "` + grace + `"}`,
		"a recipient's country":    `{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "recipients": [{"name": "n", "type": "subprocessor", "country": "` + grace + `"}]}`,
		"a data category":          `{"id": "x", "data_categories": ["` + grace + `"], "purposes": ["purchase.orders"]}`,
		"an age out of range":      `{"id": "x", "description": "` + grace + `", "data_categories": ["email"], "purposes": ["purchase.orders"], "subject": {"age": 999}}`,
		"a document cut short":     `{"id": "x", "description": "` + grace + `"`,
		"a NUL in the description": `{"id": "x", "description": "` + grace + "\x00" + `"}`,
	} {
		cases = append(cases, quoting{name: "bad input: " + name, secret: []string{"Grace", "0199", "999"}, call: func(*testing.T) error {
			_, err := e.EvaluateJSON(ctx, []byte(doc))
			return err
		}})
	}
	cases = append(cases,
		quoting{name: "a rule reads a description as a number", secret: []string{"Jane", "1234"}, is: policyengine.ErrEvaluation, says: []string{"numbers.rego:"},
			call: func(t *testing.T) error {
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
				a := orderHandling()
				a.Description = "Jane Doe, 19800101-1234"
				d, err := newEngine(t, policyengine.WithPolicyDir(dir)).Evaluate(ctx, a)
				assert.False(t, d.Allow)
				return err
			}},
		// The decision log's record of the error quotes nothing either.
		quoting{name: "a builtin fails on the description", secret: []string{"Ada", "1815"}, is: policyengine.ErrEvaluation,
			says: []string{"parse.rego:12", "time.parse_rfc3339_ns failed"},
			call: func(t *testing.T) error {
				dir := writePolicy(t, nil, map[string]string{"parse.rego": `package policyengine.rules.parse

import data.policyengine.lib

# METADATA
# title: Parses the description
# description: Fails on every description that is not a timestamp.
# custom:
#   id: parse.description
#   clause: purposes
deny contains reason if {
	time.parse_rfc3339_ns(input.description) > 0
	reason := lib.reason(rego.metadata.rule(), "", "parsed")
}
`})
				rec := &recorder{}
				a := typical()
				a.Description = "Ada Lovelace, 1815-12-10"
				d, err := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionLogger(rec.log)).Evaluate(ctx, a)
				assert.False(t, d.Allow)
				require.Len(t, rec.logs, 1)
				assert.NotContains(t, rec.logs[0].Error, "Ada")
				return err
			}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call(t)
			require.Error(t, err)
			for _, s := range tc.secret {
				assert.NotContains(t, err.Error(), s)
			}
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			for _, s := range tc.says {
				assert.Contains(t, err.Error(), s)
			}
		})
	}
}
