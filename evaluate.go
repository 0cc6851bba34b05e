package policyengine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// Evaluate decides a typed activity.
func (e *Engine) Evaluate(ctx context.Context, a Activity) (Decision, error) {
	if err := e.ready(); err != nil {
		return Decision{Reasons: []Reason{}, Warnings: []Reason{}}, err
	}
	st := e.state.Load()
	input := a.document()
	d, err := e.evaluate(ctx, st, input, checkStrings)
	e.log(ctx, st, input, d, err)
	return d, err
}

// EvaluateDocument decides an activity already decoded from JSON or YAML: maps, slices,
// strings, numbers (json.Number or float64), booleans and nil, as encoding/json produces them.
func (e *Engine) EvaluateDocument(ctx context.Context, doc map[string]any) (Decision, error) {
	if err := e.ready(); err != nil {
		return Decision{Reasons: []Reason{}, Warnings: []Reason{}}, err
	}
	st := e.state.Load()
	d, err := e.evaluate(ctx, st, doc, checkStrings)
	e.log(ctx, st, doc, d, err)
	return d, err
}

// EvaluateJSON decides an activity given as a JSON document. Duplicate keys, invalid UTF-8 and
// anything the activity schema refuses are input errors.
func (e *Engine) EvaluateJSON(ctx context.Context, doc []byte) (Decision, error) {
	if err := e.ready(); err != nil {
		return Decision{Reasons: []Reason{}, Warnings: []Reason{}}, err
	}
	st := e.state.Load()
	v, err := e.parseJSON(ctx, st, doc)
	if err != nil {
		d := deniedDecision(st)
		e.log(ctx, st, nil, d, err)
		return d, err
	}
	d, err := e.evaluate(ctx, st, v, stringsChecked)
	e.log(ctx, st, v, d, err)
	return d, err
}

// parseJSON parses a JSON document within the engine's limits; a problem is an input error.
func (e *Engine) parseJSON(ctx context.Context, st *prepared, doc []byte) (any, error) {
	if len(doc) > e.limits.MaxBytes {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, &problem.Problem{Kind: problem.Syntax,
			Message: fmt.Sprintf("the document is %d bytes, more than the limit of %d", len(doc), e.limits.MaxBytes)})
	}
	parsed, err := jsonpos.ParseJSONContext(ctx, doc, jsonpos.Options{MaxDepth: e.limits.MaxDepth, MaxValues: e.limits.MaxValues, Known: st.known})
	if err != nil {
		return nil, inputError(err)
	}
	return parsed.Value, nil
}

func inputError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	return fmt.Errorf("%w: %w", ErrInvalidInput, err)
}

// admit is what every evaluation of an input does first: it fails on a context already done,
// validates the input and puts its times in canonical form.
func admit(ctx context.Context, input any, check bool) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	if err := validate(input, check); err != nil {
		return nil, err
	}
	if m, ok := input.(map[string]any); ok {
		input = canonicalTimes(m)
	}
	return input, nil
}

func (e *Engine) evaluate(ctx context.Context, st *prepared, input any, check bool) (Decision, error) {
	denied := deniedDecision(st)
	input, err := admit(ctx, input, check)
	if err != nil {
		return denied, err
	}
	now := e.Now(ctx)
	var key [32]byte
	cacheable := st.cache != nil
	if cacheable {
		if key, cacheable = st.cache.key(st.revision, input); cacheable {
			if d, ok := st.cache.get(key, now); ok {
				return d, nil
			}
		}
	}
	d, err := e.decideActivity(ctx, st, input, now)
	if err != nil {
		return denied, err
	}
	if cacheable {
		st.cache.put(key, d, now)
	}
	return d, nil
}

// decideActivity decides a valid activity (its times in canonical form): through the decider of
// its declaration when one was prepared under this revision (by hash), else by OPA's full
// evaluation.
func (e *Engine) decideActivity(ctx context.Context, st *prepared, input any, now time.Time) (Decision, error) {
	if m, ok := input.(map[string]any); ok && st.residuals.Len() > 0 {
		if hash, ok := declarationHash(m); ok {
			if r, ok := st.residuals.Get(hash); ok {
				s := st.layout.NewState()
				defer s.Release()
				if s.FromMap(m) {
					return r.decide(ctx, e, st, func() (ast.Object, error) { return declarationValue(m) }, s, now)
				}
			}
		}
	}
	value, err := ast.InterfaceToValue(input)
	if err != nil {
		return deniedDecision(st), fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return e.run(ctx, st, st.query, value, now, false)
}

// declarationValue is an activity's declaration (every field but the person's state) as OPA's
// value.
func declarationValue(m map[string]any) (ast.Object, error) {
	decl := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(personKeys[:], k) {
			decl[k] = v
		}
	}
	v, err := ast.InterfaceToValue(decl)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	obj, _ := v.(ast.Object)
	return obj, nil
}

// Whether an input's strings are still to be held to the one set of string rules every entry
// point holds input to (valid UTF-8, no NUL): our JSON parser holds its text to them as it
// reads it, so only values given decoded are walked for them again.
const (
	checkStrings   = true
	stringsChecked = false
)

// validate checks an activity against the activity schema, and, unless our parser read it, its
// strings. The fast check
// passes every well-formed activity; only what it doubts goes through the JSON Schema, which
// names the problems.
func validate(input any, check bool) error {
	if check {
		if se := jsonpos.CheckStrings(input); se != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, se)
		}
	}
	if !schema.ActivityValid(input) {
		if err := schema.ValidateActivity(input); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
	}
	return nil
}

// knownStrings are the strings an activity is expected to hold: every key and enum value of the
// activity schema, and the terms of the policy's vocabularies. They are derived from the schema
// and the document, so a field or a term added there is covered here.
func knownStrings(doc *policy.Document) map[string]any {
	known := map[string]any{}
	add := func(k string) { known[k] = k }
	schema.ActivityStrings(add)
	for _, terms := range [][]string{slices.Collect(maps.Keys(doc.DataSubjects)), slices.Collect(maps.Keys(doc.DataCategories)),
		slices.Collect(maps.Keys(doc.SpecialCategories)), slices.Collect(maps.Keys(doc.Sources)), slices.Collect(maps.Keys(doc.Purposes)),
		slices.Collect(maps.Keys(doc.RecipientTypes)), slices.Collect(maps.Keys(doc.EUEEATerritory.Territories))} {
		for _, t := range terms {
			add(t)
		}
	}
	return known
}
