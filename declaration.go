package policyengine

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/internal/document"
	"github.com/confect/policyengine/schema"
)

// Person is the state of one person at the moment of a request: their consent record and what
// is known of them (opt-outs, objections, restriction, clocks, age). It is what the person rules
// read, and all a service passes per request.
type Person struct {
	// Consent is the person's consent record; nil when there is none (no consent).
	Consent *Consent `json:"consent,omitempty"`
	// Subject is the person's state; nil when nothing is known of them.
	Subject *Subject `json:"subject,omitempty"`
}

// personKeys are the fields of an activity that hold the person's state: everything else is the
// declaration.
var personKeys = [...]string{"consent", "subject"}

// personUnknowns are the person's state as partial evaluation leaves it open.
var personUnknowns = []string{"input.consent", "input.subject"}

// Declaration is what a team declares it does with personal data (an activity without the
// person's state: no consent, no subject), prepared once to be decided per person. It is safe
// for concurrent use and follows the engine across Reload: it decides under the engine's
// current policy.
type Declaration struct {
	engine *Engine
	id     string
	doc    map[string]any
	value  ast.Object
	hash   [sha256.Size]byte
}

// Declare prepares a declaration for deciding per person. The declaration must be a valid
// activity without consent or subject; what the rules make of it is worked out once, here, so
// that each decision per person costs only what depends on the person.
func (e *Engine) Declare(ctx context.Context, a Activity) (*Declaration, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	return e.declare(ctx, a.document())
}

// DeclareJSON is Declare for a declaration given as a JSON document.
func (e *Engine) DeclareJSON(ctx context.Context, doc []byte) (*Declaration, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	v, err := e.parseJSON(doc)
	if err != nil {
		return nil, err
	}
	return e.declare(ctx, v)
}

// DeclareDocument is Declare for a declaration already decoded from JSON or YAML, as
// EvaluateDocument takes it.
func (e *Engine) DeclareDocument(ctx context.Context, doc map[string]any) (*Declaration, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	return e.declare(ctx, doc)
}

func (e *Engine) declare(ctx context.Context, doc any) (*Declaration, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	m, err := declarationDocument(doc)
	if err != nil {
		return nil, err
	}
	value, err := ast.InterfaceToValue(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	canonical, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	obj, _ := value.(ast.Object)
	id, _ := m["id"].(string)
	d := &Declaration{engine: e, id: id, doc: m, value: obj, hash: sha256.Sum256(canonical)}
	// Work out the residual now: the first request is then as fast as the rest.
	if _, err := d.residual(ctx, e.state.Load()); err != nil {
		return nil, err
	}
	return d, nil
}

// declarationDocument checks that doc is a valid activity without the person's state.
func declarationDocument(doc any) (map[string]any, error) {
	if err := validate(doc); err != nil {
		return nil, err
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, schema.Join([]*schema.FieldError{{Message: "expected an object (a declaration)"}}))
	}
	var problems []*schema.FieldError
	for _, k := range personKeys {
		if _, ok := m[k]; ok {
			problems = append(problems, &schema.FieldError{Pointer: "/" + k,
				Message: "a declaration carries no person's state: pass consent and subject with each decision"})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, schema.Join(problems))
	}
	return m, nil
}

// ID returns the declaration's id.
func (d *Declaration) ID() string { return d.id }

// Decide decides the declaration for one person: exactly the decision on the full activity (the
// declaration with the person's consent and subject), with the same reasons, warnings, revision
// and valid-until. A nil Consent is a person without consent.
func (d *Declaration) Decide(ctx context.Context, p Person) (Decision, error) {
	a := Activity{Consent: p.Consent, Subject: p.Subject}
	full := a.document()
	person := make(map[string]any, 2)
	for _, k := range personKeys {
		if v, ok := full[k]; ok {
			person[k] = v
		}
	}
	return d.decide(ctx, person)
}

// DecideJSON is Decide for the person's state given as a JSON object with (at most) the keys
// consent and subject, as in an activity: {"consent": {...}, "subject": {...}}.
func (d *Declaration) DecideJSON(ctx context.Context, state []byte) (Decision, error) {
	st := d.engine.state.Load()
	v, err := d.engine.parseJSON(state)
	if err != nil {
		dec := deniedDecision(st)
		d.engine.log(ctx, st, nil, dec, err)
		return dec, err
	}
	person, ok := v.(map[string]any)
	if !ok {
		dec := deniedDecision(st)
		err := fmt.Errorf("%w: %w", ErrInvalidInput, schema.Join([]*schema.FieldError{{Message: "expected an object with consent and subject"}}))
		d.engine.log(ctx, st, nil, dec, err)
		return dec, err
	}
	return d.decide(ctx, person)
}

func (d *Declaration) decide(ctx context.Context, person map[string]any) (Decision, error) {
	e := d.engine
	st := e.state.Load()
	merged := maps.Clone(d.doc)
	maps.Copy(merged, person)
	dec, err := d.decideMerged(ctx, st, person, merged)
	e.log(ctx, st, merged, dec, err)
	return dec, err
}

func (d *Declaration) decideMerged(ctx context.Context, st *prepared, person, merged map[string]any) (Decision, error) {
	e := d.engine
	denied := deniedDecision(st)
	if err := ctx.Err(); err != nil {
		return denied, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	var problems []*schema.FieldError
	for k := range person {
		if k != "consent" && k != "subject" {
			problems = append(problems, &schema.FieldError{Pointer: document.AppendPointer("", k), Message: "only consent and subject describe a person"})
		}
	}
	if len(problems) > 0 {
		sort.Slice(problems, func(i, j int) bool { return problems[i].Pointer < problems[j].Pointer })
		return denied, fmt.Errorf("%w: %w", ErrInvalidInput, schema.Join(problems))
	}
	if err := validate(merged); err != nil {
		return denied, err
	}
	person, merged = canonicalTimes(person), canonicalTimes(merged)
	now := e.now(ctx)
	var key [sha256.Size]byte
	cacheable := st.cache != nil
	if cacheable {
		if key, cacheable = st.cache.key(st.revision, person, d.hash[:]); cacheable {
			if dec, ok := st.cache.get(key, now); ok {
				return dec, nil
			}
		}
	}
	r, err := d.residual(ctx, st)
	if err != nil {
		return denied, err
	}
	var dec Decision
	switch {
	case r.constant != nil:
		dec = r.constant.clone()
	case r.full:
		value, err := ast.InterfaceToValue(merged)
		if err != nil {
			return denied, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		if dec, err = run(ctx, st, st.query, value, now, false); err != nil {
			return denied, err
		}
	default:
		input := ast.NewObject()
		if !r.personOnly {
			d.value.Foreach(func(k, v *ast.Term) { input.Insert(k, v) })
		}
		for _, k := range personKeys {
			if v, ok := person[k]; ok {
				pv, err := ast.InterfaceToValue(v)
				if err != nil {
					return denied, fmt.Errorf("%w: %w", ErrInvalidInput, err)
				}
				input.Insert(ast.InternedTerm(k), ast.NewTerm(pv))
			}
		}
		if dec, err = run(ctx, st, r.query, input, now, true); err != nil {
			return denied, err
		}
	}
	if cacheable {
		st.cache.put(key, dec, now)
	}
	return dec, nil
}

// Decision decides the declaration alone, for no one in particular: as EvaluateDeclaration.
func (d *Declaration) Decision(ctx context.Context) (Decision, error) {
	return d.engine.EvaluateDeclaration(ctx, d.doc)
}

// EvaluateDeclaration decides a declaration alone (an activity with neither consent nor
// subject), as a CI gate does. Declaration rules deny as in Evaluate. A person rule that would
// deny for some person does not deny: it becomes a Condition the service must meet at run time,
// and the declaration is allowed with its conditions listed. A person rule that denies even the
// most favourable person (consent given, nothing opted out or requested) denies.
//
// The person rules are found by deciding the declaration for the most exposed person the
// activity schema allows (no consent; every opt-out, objection and request made; every clock at
// its earliest), and those that deny for the most favourable one the same way.
func (e *Engine) EvaluateDeclaration(ctx context.Context, doc map[string]any) (Decision, error) {
	if err := e.ready(); err != nil {
		return Decision{Reasons: []Reason{}, Warnings: []Reason{}}, err
	}
	st := e.state.Load()
	d, err := e.evaluateDeclaration(ctx, st, doc)
	e.log(ctx, st, doc, d, err)
	return d, err
}

func (e *Engine) evaluateDeclaration(ctx context.Context, st *prepared, doc map[string]any) (Decision, error) {
	denied := deniedDecision(st)
	m, err := declarationDocument(doc)
	if err != nil {
		return denied, err
	}
	exposed := maps.Clone(m)
	exposed["subject"] = st.exposed
	worst, err := e.evaluate(ctx, st, exposed)
	if err != nil {
		return denied, err
	}
	out := Decision{Reasons: []Reason{}, Warnings: []Reason{}, Revision: st.revision, ValidUntil: worst.ValidUntil}
	for _, r := range worst.Warnings {
		if _, person := st.person[r.Rule]; !person {
			out.Warnings = append(out.Warnings, r)
		}
	}
	seen := map[[2]string]bool{}
	for _, r := range worst.Reasons {
		rule, person := st.person[r.Rule]
		if !person {
			out.Reasons = append(out.Reasons, r)
			continue
		}
		path := r.Path
		if inPersonState(path) {
			path = rule.DeclaredAt
		}
		if seen[[2]string{r.Rule, path}] {
			continue
		}
		seen[[2]string{r.Rule, path}] = true
		out.Conditions = append(out.Conditions, Condition{Rule: r.Rule, Message: rule.Title, Clause: r.Clause, ClauseID: r.ClauseID, Path: path, Requires: rule.Requires})
	}
	if len(out.Conditions) > 0 {
		favourable := maps.Clone(m)
		favourable["consent"] = map[string]any{"status": "given"}
		favourable["subject"] = map[string]any{}
		best, err := e.evaluate(ctx, st, favourable)
		if err != nil {
			return denied, err
		}
		always := map[string]bool{}
		for _, r := range best.Reasons {
			if _, person := st.person[r.Rule]; person {
				out.Reasons = append(out.Reasons, r)
				always[r.Rule] = true
			}
		}
		out.Conditions = slices.DeleteFunc(out.Conditions, func(c Condition) bool { return always[c.Rule] })
		sortReasons(out.Reasons)
		sort.Slice(out.Conditions, func(i, j int) bool {
			if out.Conditions[i].Rule != out.Conditions[j].Rule {
				return out.Conditions[i].Rule < out.Conditions[j].Rule
			}
			return out.Conditions[i].Path < out.Conditions[j].Path
		})
		if len(out.Conditions) == 0 {
			out.Conditions = nil
		}
	}
	out.Allow = len(out.Reasons) == 0
	return out, nil
}

// inPersonState says a JSON pointer points into the person's state.
func inPersonState(pointer string) bool {
	for _, k := range personKeys {
		if pointer == "/"+k || strings.HasPrefix(pointer, "/"+k+"/") {
			return true
		}
	}
	return false
}

// exposedSubject is the most exposed person the activity schema allows: every boolean of the
// subject true (every opt-out, objection and request made), every time at the earliest instant
// the rules' clock can hold, every number at its minimum. It is derived from the schema, so a
// field added there is covered here.
func exposedSubject() (map[string]any, error) {
	var s struct {
		Properties struct {
			Subject struct {
				Properties map[string]struct {
					Type    string   `json:"type"`
					Ref     string   `json:"$ref"`
					Minimum *float64 `json:"minimum"`
				} `json:"properties"`
			} `json:"subject"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema.ActivitySchema(), &s); err != nil {
		return nil, fmt.Errorf("%w: the activity schema: %w", ErrInvalidPolicy, err)
	}
	out := map[string]any{}
	for name, p := range s.Properties.Subject.Properties {
		switch {
		case p.Type == "boolean":
			out[name] = true
		case p.Ref == "#/$defs/timestamp":
			out[name] = "1970-01-01T00:00:00Z"
		case p.Type == "integer":
			minimum := 0.0
			if p.Minimum != nil {
				minimum = *p.Minimum
			}
			out[name] = json.Number(fmt.Sprint(int64(minimum)))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("policyengine: the activity schema describes no subject")
	}
	return out, nil
}

func (d Decision) clone() Decision {
	d.Reasons = slices.Clone(d.Reasons)
	d.Warnings = slices.Clone(d.Warnings)
	d.Conditions = slices.Clone(d.Conditions)
	return d
}
