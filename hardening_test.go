package policyengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/policy"
)

// A policy's own rule that reads the clock through the library (lib.now_ns), not time.now_ns(),
// is not answered from the cache: a freeze after a date denies once the date has passed.
func TestDecisionCacheOffForLibraryClock(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"freeze.rego": `package policyengine.rules.freeze

import data.policyengine.lib

# METADATA
# title: Frozen after the first of June 2026
# description: No processing is decided after the freeze.
# custom:
#   id: freeze.after_date
#   clause: purposes
deny contains reason if {
	lib.now_ns > time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
	reason := lib.reason(rego.metadata.rule(), "", "frozen")
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionCache(100))
	a := typical()
	d, err := e.Evaluate(at(context.Background(), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.True(t, d.Allow, "before the freeze")
	d, err = e.Evaluate(at(context.Background(), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)), a)
	require.NoError(t, err)
	assert.False(t, d.Allow, "after the freeze, not the cached allow")
}

// An evaluation error names the builtin and the rule's place, never the value it failed on.
func TestEvaluationErrorsDoNotQuoteInput(t *testing.T) {
	t.Parallel()
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
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithDecisionLogger(rec.log))
	a := typical()
	a.Description = "Ada Lovelace, 1815-12-10"
	d, err := e.Evaluate(context.Background(), a)
	require.Error(t, err)
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.Contains(t, err.Error(), "parse.rego:12")
	assert.Contains(t, err.Error(), "time.parse_rfc3339_ns failed")
	assert.NotContains(t, err.Error(), "Ada")
	assert.NotContains(t, err.Error(), "1815")
	require.Len(t, rec.logs, 1)
	assert.NotContains(t, rec.logs[0].Error, "Ada")

	// A lower-case RFC 3339 time, which OPA's parser fails on (quoting it), is decided: RFC 3339
	// allows it, and the engine puts times in one form before the rules read them.
	raw := strings.Replace(string(mustJSON(t, newsletter())), "T", "t", 1)
	_, err = newEngine(t).EvaluateJSON(context.Background(), []byte(raw))
	assert.NoError(t, err)
}

// Decision logs keep what an allow-list names, for valid and refused input: an agreed
// extension's reference, unknown and misspelt keys and values of the wrong shape are left out.
func TestDecisionLogsMaskByAllowList(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEngine(t, policyengine.WithDecisionLogger(rec.log))

	a := typical()
	a.Retention = &policyengine.Retention{Period: "P6M", From: "end_of_contract",
		AgreedExtension: &policyengine.Extension{Reference: "Agreement with Ada Lovelace", Period: "P3M"}}
	_, err := e.Evaluate(context.Background(), a)
	require.NoError(t, err)

	refused := []map[string]any{
		{"id": "misspelt", "data_categories": []any{"name"}, "purposes": []any{"purchase.orders"}, "legal_basis": "contract",
			"subjcet": map[string]any{"name": "Ada Lovelace"}, "retention": map[string]any{"period": "P6M", "note": "Ada Lovelace"}},
		{"id": "wrong-shapes", "data_categories": []any{"name", []any{"Ada Lovelace"}}, "channel": "Ada Lovelace's phone",
			"recipients": []any{map[string]any{"name": "Vendor", "type": "subprocessor", "contact": "Ada Lovelace"}}},
		{"id": "unspellable", "Ada Lovelace": true},
	}
	for _, doc := range refused {
		_, err := e.EvaluateDocument(context.Background(), doc)
		require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	}
	_, err = e.EvaluateJSON(context.Background(), []byte(`{"id": "json", "data_categories": ["name"], "notes": "Ada Lovelace"}`))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)

	require.Len(t, rec.logs, 5)
	for _, l := range rec.logs {
		raw, err := json.Marshal(l)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "Ada", "log of %s", l.ActivityID)
	}
	assert.Equal(t, "P3M", rec.logs[0].Input["retention"].(map[string]any)["agreed_extension"].(map[string]any)["period"], "the extension's period stays")
	assert.Equal(t, []any{"name"}, rec.logs[1].Input["data_categories"], "what the allow-list names stays")
	assert.Equal(t, "Vendor", rec.logs[2].Input["recipients"].([]any)[0].(map[string]any)["name"])
	assert.Nil(t, rec.logs[3].Input, "a key no mask pointer spells takes the whole input")
	assert.Contains(t, rec.logs[1].Error, "/*: unknown key", "the error names a key the format does not define as *")
	assert.Contains(t, rec.logs[1].Error, "/retention/*: unknown key")
	assert.Equal(t, "json", rec.logs[4].ActivityID)
}

// One set of string rules on every entry point: NUL (raw or escaped) and invalid UTF-8 are
// refused by Evaluate, EvaluateDocument and EvaluateJSON alike; a lone surrogate escape reads as
// U+FFFD and keeps the character after it; an id of Unicode white space alone is blank, as stock
// OPA finds it.
func TestOneSetOfStringRules(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx := context.Background()
	for name, bad := range map[string]string{"NUL": "order\x00s", "invalid UTF-8": "order\xffs"} {
		t.Run(name, func(t *testing.T) {
			a := typical()
			a.Description = bad
			_, err := e.Evaluate(ctx, a)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "Evaluate")
			assert.ErrorContains(t, err, "/description")

			doc := map[string]any{}
			require.NoError(t, json.Unmarshal(mustJSON(t, typical()), &doc))
			doc["description"] = bad
			_, err = e.EvaluateDocument(ctx, doc)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "EvaluateDocument")
			doc["description"] = "x"
			doc["key"+bad] = "x"
			_, err = e.EvaluateDocument(ctx, doc)
			assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "EvaluateDocument, in a key")
		})
	}
	raw := strings.Replace(string(mustJSON(t, typical())), `"id":`, `"description": "a\u0000b", "id":`, 1)
	_, err := e.EvaluateJSON(ctx, []byte(raw))
	assert.ErrorIs(t, err, policyengine.ErrInvalidInput, `EvaluateJSON, "\u0000"`)
	assert.ErrorContains(t, err, "NUL character in a string")

	rec := &recorder{}
	logged := newEngine(t, policyengine.WithDecisionLogger(rec.log), policyengine.WithUnmaskedDecisionLogs())
	raw = strings.Replace(string(mustJSON(t, typical())), `"id":`, `"description": "\ud800\u0041", "id":`, 1)
	_, err = logged.EvaluateJSON(ctx, []byte(raw))
	require.NoError(t, err)
	assert.Equal(t, "\uFFFDA", rec.logs[0].Input["description"], "the A after a lone surrogate stays")

	for _, blank := range []string{"\u00a0", "\u3000", "\u2028", "\u0085", "\v", " \u00a0\t"} {
		a := typical()
		a.ID = blank
		_, err := e.Evaluate(ctx, a)
		assert.ErrorIs(t, err, policyengine.ErrInvalidInput, "id %q", blank)
	}
}

// A policy's own module that loops is cut off at the decision's deadline, and the activity is
// denied with an evaluation error.
func TestEvaluationTimeout(t *testing.T) {
	t.Parallel()
	dir := writePolicy(t, nil, map[string]string{"slow.rego": `package policyengine.rules.slow

import data.policyengine.lib

_never if {
	some i in numbers.range(1, 1000000)
	some j in numbers.range(1, 1000000)
	i + j < 0
}

# METADATA
# title: Slow
# description: Loops for a very long time before it finds nothing.
# custom:
#   id: slow.loop
#   clause: purposes
deny contains reason if {
	_never
	reason := lib.reason(rego.metadata.rule(), "", "never")
}
`})
	e := newEngine(t, policyengine.WithPolicyDir(dir), policyengine.WithEvaluationTimeout(50*time.Millisecond))
	d, err := e.Evaluate(context.Background(), typical())
	assert.False(t, d.Allow)
	assert.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// The decision logger gets its own copy of the reasons: what it changes, the caller does not see.
func TestDecisionLoggerGetsACopy(t *testing.T) {
	t.Parallel()
	e := newEngine(t, policyengine.WithDecisionLogger(func(_ context.Context, l policyengine.DecisionLog) {
		for i := range l.Reasons {
			l.Reasons[i].Message = "changed by the logger"
		}
		for i := range l.Warnings {
			l.Warnings[i].Message = "changed by the logger"
		}
	}))
	d, err := e.Evaluate(context.Background(), denied())
	require.NoError(t, err)
	require.NotEmpty(t, d.Reasons)
	for _, r := range d.Reasons {
		assert.NotEqual(t, "changed by the logger", r.Message)
	}
}

// Whether a rule is built-in or the policy's own is what the compiler knows, never a file
// name: the same policy decides the same wherever it lives and whatever its folder is called.
// A policy whose folder was named rego/ once had its own person rules taken for built-in ones,
// so that a rule denying every person became a mere condition and the gate passed.
func TestOwnershipIsNotAPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var decl map[string]any
	require.NoError(t, json.Unmarshal([]byte(testpolicy.OnConsent), &decl))
	var want string // the decision, the same in every folder
	for _, folder := range []string{"own", "", "rules", "rego", "rego/rules", "policy"} {
		t.Run("folder "+folder, func(t *testing.T) {
			fsys := fstest.MapFS{"policy.yaml": {Data: policy.DefaultDocument()}}
			// consent.rego is a built-in module's name too: under rego/ it is the same path.
			fsys[path.Join(folder, "consent.rego")] = &fstest.MapFile{Data: []byte(testpolicy.NeverOnConsent)}
			e := newEngine(t, policyengine.WithPolicyFS(fsys))
			d, err := e.EvaluateDeclaration(ctx, decl)
			require.NoError(t, err)
			assert.False(t, d.Allow, d.String())
			assert.Contains(t, fmt.Sprint(d.Reasons), "never.consent")
			if want == "" {
				want = d.String()
			}
			assert.Equal(t, want, d.String())
			rule, ok := e.Rule("never.consent")
			require.True(t, ok)
			assert.Equal(t, path.Join(folder, "consent.rego"), rule.File, "the catalogue names the file as the policy has it")
			_, ok = e.Rule("consent.not_given")
			assert.True(t, ok, "the built-in consent rules are still there")

			// A module of the policy's in a built-in package is refused wherever it lies, by the
			// name the policy gives it.
			fsys[path.Join(folder, "court.rego")] = &fstest.MapFile{Data: []byte("package policyengine.rules.sharing\n\n_names_court_order(_) if true\n")}
			_, err = policyengine.New(ctx, policyengine.WithPolicyFS(fsys))
			require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
			assert.Regexp(t, "(?m)^"+regexp.QuoteMeta(path.Join(folder, "court.rego"))+":1:1: package policyengine.rules.sharing: a built-in package", err.Error())
		})
	}
}

// A policy's own person rule whose METADATA has no title is a policy error that names the rule
// and what it lacks, never a panic; a reload to it keeps the last good policy.
func TestPersonRuleWithoutTitle(t *testing.T) {
	t.Parallel()
	untitled := strings.NewReplacer("# title: Never on consent, nor for a restricted person\n", "",
		"#   requires: the person has not asked to restrict processing\n", "").Replace(testpolicy.NeverOnConsent)
	dir := writePolicy(t, nil, map[string]string{"never.rego": untitled})
	_, err := policyengine.New(context.Background(), policyengine.WithPolicyDir(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
	assert.Contains(t, err.Error(), "never.rego:")
	assert.Contains(t, err.Error(), "rule never.consent")
	assert.Contains(t, err.Error(), "lacks title")

	e := newEngine(t)
	before := e.Revision()
	err = e.Reload(context.Background(), policyengine.WithPolicyDir(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
	assert.Equal(t, before, e.Revision())
	d, err := e.Evaluate(context.Background(), orderHandling())
	require.NoError(t, err)
	assert.True(t, d.Allow)

	// A person rule that says nothing it requires gets its title as the sentence, its first
	// letter lower-cased whatever its width.
	noRequires := strings.Replace(testpolicy.NeverOnConsent, "#   requires: the person has not asked to restrict processing\n", "", 1)
	for title, want := range map[string]string{
		"Ärzte never see it":         "ärzte never see it",
		"Ωmega never":                "ωmega never",
		"Never on consent":           "never on consent",
		"É":                          "é",
		"日本 has no case, kept as is": "日本 has no case, kept as is",
	} {
		src := strings.Replace(noRequires, "Never on consent, nor for a restricted person", title, 1)
		e := newEngine(t, policyengine.WithPolicyDir(writePolicy(t, nil, map[string]string{"never.rego": src})))
		rule, ok := e.Rule("never.consent")
		require.True(t, ok)
		assert.Equal(t, "the person's state passes: "+want, rule.Requires, title)
	}
}
