package policyengine

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/internal/residual"
	"github.com/confect/policyengine/problem"
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

// skeletonKeys are the fields every activity must have: with the person's state, an activity
// the schema validates the state in.
var skeletonKeys = [...]string{"id", "data_categories", "purposes"}

// Declaration is what a team declares it does with personal data (an activity without the
// person's state: no consent, no subject), prepared once to be decided per person. It is safe
// for concurrent use and follows the engine across Reload: it decides under the engine's
// current policy.
type Declaration struct {
	engine *Engine
	id     string
	doc    map[string]any
	hash   [sha256.Size]byte
	bound  atomic.Pointer[boundDecider] // the decider of the revision it last decided under
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
	v, err := e.parseJSON(ctx, e.state.Load(), doc)
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
	hash, ok := declarationHash(m)
	if !ok {
		return nil, fmt.Errorf("%w: the declaration cannot be encoded as JSON", ErrInvalidInput)
	}
	id, _ := m["id"].(string)
	d := &Declaration{engine: e, id: id, doc: m, hash: hash}
	// Work out the decider now: the first request is then as fast as the rest.
	if _, err := d.decider(ctx, e.state.Load()); err != nil {
		return nil, err
	}
	return d, nil
}

// declarationHash is the hash of an activity's declaration (every field but the person's
// state) in a canonical form: what prepared declarations are known by. Two documents decoded
// alike (by our parsers, encoding/json or Activity) hash alike; ok is false for a value of
// another Go type.
func declarationHash(m map[string]any) (hash [sha256.Size]byte, ok bool) {
	h := sha256.New()
	buf := make([]byte, 0, 512)
	buf, ok = canonical(buf, m, true)
	if !ok {
		return hash, false
	}
	h.Write(buf)
	copy(hash[:], h.Sum(nil))
	return hash, true
}

// canonical appends an unambiguous encoding of a decoded JSON value: a type tag, lengths before
// strings and collections, an object's keys sorted. top leaves out the person's state.
func canonical(b []byte, v any, top bool) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, 'z'), true
	case bool:
		if x {
			return append(b, 't'), true
		}
		return append(b, 'f'), true
	case string:
		return canonicalString(b, x), true
	case json.Number:
		b = strconv.AppendInt(append(b, 'n'), int64(len(x)), 10)
		return append(append(b, ':'), x...), true
	case float64:
		return strconv.AppendFloat(append(b, 'g'), x, 'g', -1, 64), true
	case []any:
		b = append(strconv.AppendInt(append(b, '['), int64(len(x)), 10), ':')
		for _, e := range x {
			var ok bool
			if b, ok = canonical(b, e, false); !ok {
				return b, false
			}
		}
		return b, true
	case map[string]any:
		var keys [24]string
		ks := keys[:0]
		for k := range x {
			if !top || !slices.Contains(personKeys[:], k) {
				ks = append(ks, k)
			}
		}
		slices.Sort(ks)
		b = append(strconv.AppendInt(append(b, '{'), int64(len(ks)), 10), ':')
		for _, k := range ks {
			var ok bool
			if b, ok = canonical(canonicalString(b, k), x[k], false); !ok {
				return b, false
			}
		}
		return b, true
	}
	return b, false
}

func canonicalString(b []byte, s string) []byte {
	b = strconv.AppendInt(append(b, 's'), int64(len(s)), 10)
	return append(append(b, ':'), s...)
}

// astValue is the declaration as OPA's value.
func (d *Declaration) astValue() (ast.Object, error) { return declarationValue(d.doc) }

// declarationDocument checks that doc is a valid activity without the person's state.
func declarationDocument(doc any) (map[string]any, error) {
	if err := validate(doc, checkStrings); err != nil {
		return nil, err
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, problem.Join(&problem.Problem{Message: "expected an object (a declaration)"}))
	}
	return m, noPersonState(m)
}

// noPersonState refuses an activity that carries the person's state as a declaration.
func noPersonState(m map[string]any) error {
	var problems []*problem.Problem
	for _, k := range personKeys {
		if _, ok := m[k]; ok {
			problems = append(problems, &problem.Problem{Pointer: "/" + k,
				Message: "a declaration carries no person's state: pass consent and subject with each decision"})
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidInput, problem.Join(problems...))
	}
	return nil
}

// Document returns the declaration as a decoded activity (a copy).
func (d *Declaration) Document() map[string]any {
	m, _ := jsonpos.Clone(d.doc).(map[string]any)
	return m
}

// ID returns the declaration's id.
func (d *Declaration) ID() string { return d.id }

// Decide decides the declaration for one person: exactly the decision on the full activity (the
// declaration with the person's consent and subject), with the same reasons, warnings, revision
// and valid-until. A nil Consent is a person without consent.
func (d *Declaration) Decide(ctx context.Context, p Person) (Decision, error) {
	person := make(map[string]any, len(personKeys))
	putPerson(person, p.Consent, p.Subject)
	return d.decide(ctx, person, checkStrings)
}

// DecideJSON is Decide for the person's state given as a JSON object with (at most) the keys
// consent and subject, as in an activity: {"consent": {...}, "subject": {...}}.
func (d *Declaration) DecideJSON(ctx context.Context, state []byte) (Decision, error) {
	st := d.engine.state.Load()
	if r, err := d.decider(ctx, st); err == nil && r.compiled() && d.engine.logger == nil && ctx.Err() == nil {
		// The common shape of a valid state, read in one pass; anything else is left to the full
		// parser and the schema below, which give the errors.
		s := st.layout.NewState()
		defer s.Release()
		lim := d.engine.limits
		if st.layout.Decode(state, s, residual.Limits{MaxBytes: lim.MaxBytes, MaxDepth: lim.MaxDepth, MaxValues: lim.MaxValues}) {
			return r.decide(ctx, d.engine, st, d.astValue, s, d.engine.Now(ctx))
		}
	}
	v, err := d.engine.parseJSON(ctx, st, state)
	if err != nil {
		dec := deniedDecision(st)
		d.engine.log(ctx, st, nil, dec, err)
		return dec, err
	}
	person, ok := v.(map[string]any)
	if !ok {
		dec := deniedDecision(st)
		err := fmt.Errorf("%w: %w", ErrInvalidInput, problem.Join(&problem.Problem{Message: "expected an object with consent and subject"}))
		d.engine.log(ctx, st, nil, dec, err)
		return dec, err
	}
	return d.decide(ctx, person, stringsChecked)
}

func (d *Declaration) decide(ctx context.Context, person map[string]any, check bool) (Decision, error) {
	e := d.engine
	st := e.state.Load()
	dec, err := d.decidePerson(ctx, st, person, check)
	if e.logger != nil {
		e.log(ctx, st, d.with(person), dec, err)
	}
	return dec, err
}

// with is the full activity: the declaration with the person's state.
func (d *Declaration) with(person map[string]any) map[string]any {
	merged := maps.Clone(d.doc)
	maps.Copy(merged, person)
	return merged
}

func (d *Declaration) decidePerson(ctx context.Context, st *prepared, person map[string]any, check bool) (Decision, error) {
	e := d.engine
	denied := deniedDecision(st)
	if err := ctx.Err(); err != nil {
		return denied, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	var problems []*problem.Problem
	for k := range person {
		if !slices.Contains(personKeys[:], k) {
			problems = append(problems, &problem.Problem{Pointer: jsonpos.AppendPointer("", k), Message: "only consent and subject describe a person"})
		}
	}
	if len(problems) > 0 {
		slices.SortFunc(problems, func(a, b *problem.Problem) int { return strings.Compare(a.Pointer, b.Pointer) })
		return denied, fmt.Errorf("%w: %w", ErrInvalidInput, problem.Join(problems...))
	}
	// The declaration was validated when it was prepared, and the schema ties no field of the
	// person's state to one of the declaration: the state is validated in a skeleton activity,
	// its strings (when they were given decoded) alone.
	if check {
		if se := jsonpos.CheckStrings(person); se != nil {
			return denied, fmt.Errorf("%w: %w", ErrInvalidInput, se)
		}
	}
	skeleton := make(map[string]any, len(personKeys)+len(skeletonKeys))
	for _, k := range skeletonKeys {
		skeleton[k] = d.doc[k]
	}
	maps.Copy(skeleton, person)
	if err := validate(skeleton, stringsChecked); err != nil {
		return denied, err
	}
	person = canonicalTimes(person)
	now := e.Now(ctx)
	r, err := d.decider(ctx, st)
	if err != nil {
		return denied, err
	}
	// A compiled residual decides for less than the cache's key costs: the cache keeps the
	// decisions of the others.
	var key [sha256.Size]byte
	cacheable := st.cache != nil && !r.compiled()
	if cacheable {
		if key, cacheable = st.cache.key(st.revision, person, d.hash[:]); cacheable {
			if dec, ok := st.cache.get(key, now); ok {
				return dec, nil
			}
		}
	}
	var dec Decision
	if s := st.layout.NewState(); s.FromMap(person) {
		dec, err = r.decide(ctx, e, st, d.astValue, s, now)
		s.Release()
	} else {
		// A state the compiled form does not hold (a validated one always fits): in full.
		s.Release()
		e.counts.topdown.Add(1)
		var input ast.Value
		if input, err = ast.InterfaceToValue(d.with(person)); err != nil {
			return denied, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
		dec, err = e.run(ctx, st, st.query, input, now, false)
	}
	if err != nil {
		return denied, err
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
