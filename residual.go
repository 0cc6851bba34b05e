package policyengine

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"time"
	"weak"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/partial"
	"github.com/confect/policyengine/internal/residual"
	"github.com/confect/policyengine/policy"
)

// A decider is what deciding one declaration per person needs under one policy revision.
//
// The rule packages whose findings read neither the person's state nor the clock are decided
// once, by an ordinary evaluation of the declaration: their findings are the same for every
// person. The others are partially evaluated with input.consent and input.subject unknown; what
// partial evaluation leaves (the residual: the few tests of the person's state the declaration
// still needs) is compiled into a Go evaluator (internal/residual), which executes OPA's own
// residual. A residual outside the compiled subset is kept as a prepared topdown query, and a
// compiled one that meets an error or an unexpected value at run time decides that person again
// by OPA's full evaluation: the answer is always the full decision.
type decider struct {
	// The findings of the rule packages that read neither the person nor the clock.
	deny, warn []Reason
	changes    []int64
	// person decides what the other packages find; shared by the declarations alike in every
	// field those packages read.
	person *personPart
	// full says partial evaluation cannot be used for this declaration: decide the declaration
	// with the person's state in full.
	full bool
}

// personPart decides the findings of the rule packages that read the person's state or the
// clock, for the declarations alike in every field those packages read.
type personPart struct {
	// program evaluates the residual; nil when it is outside the compiled subset.
	program *residual.Program
	// query evaluates that residual on OPA's topdown when program is nil; personOnly says it
	// reads nothing of the input but the person's state.
	query      *rego.PreparedEvalQuery
	personOnly bool
	// full says partial evaluation could not be used: decide in full.
	full bool
}

// perPerson is what a policy revision needs to decide declarations per person.
type perPerson struct {
	// personPackages are the rule packages whose findings read the person's state or the clock
	// (derived from the compiled policy), partially evaluated by partials with the person's
	// state unknown; partialResults keeps what partial evaluation left of one package for one
	// kind of finding, by the fields of the declaration the package reads, so that
	// declarations alike in them share it, and persons keeps the compiled person parts alike.
	personPackages []personPackage
	partials       *partialEvaluators
	partialResults *lru.Cache[[sha256.Size]byte, *rego.PartialQueries]
	persons        *lru.Cache[[sha256.Size]byte, *personPart]
	// constant evaluates the findings of the other packages; nil when there are none.
	constant *rego.PreparedEvalQuery
	// layout is the shape of the person's state the compiled residuals read.
	layout *residual.Layout
	// residuals keeps the decider of each declaration prepared under this revision, by the
	// canonical declaration's hash (a reload starts afresh).
	residuals *lru.Cache[[sha256.Size]byte, *decider]
}

// personPackage is a rule package whose findings read the person's state or the clock.
type personPackage struct {
	name   string
	kinds  [len(partial.Kinds)]bool // the kinds of findings it has rules for
	fields []string                 // the declaration's fields its findings read, sorted; nil: all
}

// Bounds of what a revision keeps for deciding per person.
const (
	residualCacheSize = 4096 // deciders, by declaration (a Declaration keeps its own too)
	personCacheSize   = 4096 // compiled person parts
	partialCacheSize  = 256  // partial evaluations of one package and kind
)

// preparePerPerson prepares what a revision needs to decide declarations per person. query
// prepares a query on the revision's compiler and store.
func preparePerPerson(ctx context.Context, p *policy.Policy, built *compiler.Result, data map[string]any, query func(string) (rego.PreparedEvalQuery, error)) (perPerson, error) {
	var pp perPerson
	var err error
	if pp.layout, err = residual.NewLayout(canonicalTime); err != nil {
		return pp, fmt.Errorf("%w: %w", ErrInvalidPolicy, err)
	}
	if pp.residuals, err = lru.New[[sha256.Size]byte, *decider](residualCacheSize); err != nil {
		return pp, err
	}
	if pp.persons, err = lru.New[[sha256.Size]byte, *personPart](personCacheSize); err != nil {
		return pp, err
	}
	if pp.partialResults, err = lru.New[[sha256.Size]byte, *rego.PartialQueries](partialCacheSize); err != nil {
		return pp, err
	}
	var constant []string
	for _, name := range slices.Sorted(maps.Keys(built.Packages)) {
		pkg := built.Packages[name]
		if !pkg.Person {
			constant = append(constant, name)
			continue
		}
		pp.personPackages = append(pp.personPackages, personPackage{name: name, kinds: kindsOf(pkg.Kinds)})
		if pkg.Fields != nil {
			pp.personPackages[len(pp.personPackages)-1].fields = slices.Sorted(maps.Keys(pkg.Fields))
		}
	}
	if len(constant) > 0 {
		some := packagesQuery(constant)
		q, err := query(fmt.Sprintf(`{"deny": {r | %[1]ssome r in %[2]s[p].deny}, "warn": {r | %[1]ssome r in %[2]s[p].warn}, "changes_at": {t | %[1]ssome t in %[2]s[p].changes_at}}`,
			some, compiler.RulesPackage))
		if err != nil {
			return pp, err
		}
		pp.constant = &q
	}
	packages := pp.personPackages
	pp.partials = newPartialEvaluators(func(ctx context.Context) (*partialEvaluator, error) {
		return newPartialEvaluator(ctx, p, built, data, packages)
	})
	if len(packages) > 0 {
		// One now, so that a policy partial evaluation cannot take fails here.
		pe, err := pp.partials.get(ctx)
		if err != nil {
			return pp, err
		}
		pp.partials.put(pe)
	}
	return pp, nil
}

// kindsOf marks the kinds of findings named.
func kindsOf(names []string) [len(partial.Kinds)]bool {
	var out [len(partial.Kinds)]bool
	for i, k := range partial.Kinds {
		out[i] = slices.Contains(names, k)
	}
	return out
}

// residualPackage holds a topdown residual's rules (their support rules are under
// partial.Namespace).
const residualPackage = "policyengine_residual"

// residualOutput is the variable partial evaluation binds each finding to.
const residualOutput = ast.Var("x")

// decider returns the declaration's decider under a policy revision, working it out on first
// use: the declaration keeps the one of the revision it last decided under, and the revision
// keeps those of the declarations prepared under it, by hash.
func (d *Declaration) decider(ctx context.Context, st *prepared) (*decider, error) {
	if b := d.bound.Load(); b != nil && b.st.Value() == st {
		return b.r, nil
	}
	r, ok := st.residuals.Get(d.hash)
	if !ok {
		var err error
		if r, err = st.buildDecider(ctx, d.doc); err != nil {
			return nil, err
		}
		st.residuals.Add(d.hash, r)
	}
	d.bound.Store(&boundDecider{st: weak.Make(st), r: r})
	return r, nil
}

// boundDecider is a declaration's decider under one revision; the revision is held weakly, so
// that a declaration not used since a reload does not keep the old revision alive.
type boundDecider struct {
	st weak.Pointer[prepared]
	r  *decider
}

// buildDecider works out a declaration's decider: the findings of the packages that do not read
// the person, and the person part of those that do. Whatever partial evaluation cannot do, or
// leaves in a form this code does not vouch for, falls back to full evaluation: the result is
// always the full decision.
func (st *prepared) buildDecider(ctx context.Context, doc map[string]any) (*decider, error) {
	r := &decider{}
	if st.constant != nil {
		decl, err := declarationValue(doc)
		if err != nil {
			return nil, err
		}
		deny, warn, changes, err := st.constantFindings(ctx, decl)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, fmt.Errorf("%w: %w", ErrEvaluation, cerr)
			}
			return &decider{full: true}, nil
		}
		r.deny, r.warn, r.changes = deny, warn, changes
	}
	person, err := st.personPart(ctx, doc)
	if err != nil {
		return nil, err
	}
	r.person = person
	return r, nil
}

// personPart returns the person part of a declaration: shared with every declaration alike in
// the fields the person packages read, compiled on first use.
func (st *prepared) personPart(ctx context.Context, doc map[string]any) (*personPart, error) {
	pqs, key, err := st.personResidual(ctx, doc)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("%w: %w", ErrEvaluation, cerr)
		}
		return &personPart{full: true}, nil
	}
	if part, ok := st.persons.Get(key); ok {
		return part, nil
	}
	part := st.compilePersonPart(ctx, pqs)
	st.persons.Add(key, part)
	return part, nil
}

// compilePersonPart compiles what partial evaluation left of the person packages, or prepares it
// for OPA's topdown when it is outside the compiled subset.
func (st *prepared) compilePersonPart(ctx context.Context, pqs [len(partial.Kinds)]*rego.PartialQueries) *personPart {
	full := &personPart{full: true}
	var kinds [len(partial.Kinds)]residual.Residual
	for i, pq := range pqs {
		for _, m := range pq.Support {
			if ok, _ := partial.Refers(m); !ok {
				return full
			}
		}
		for _, q := range pq.Queries {
			if ok, _ := partial.Refers(q); !ok {
				return full
			}
		}
		kinds[i] = residual.Residual{Queries: pq.Queries, Support: pq.Support, Output: residualOutput}
	}
	if program, err := residual.Compile(st.layout, kinds[0], kinds[1], kinds[2]); err == nil {
		return &personPart{program: program}
	}
	// Outside the compiled subset: OPA's topdown evaluates the residual.
	q, personOnly, ok := topdownResidual(ctx, pqs)
	if !ok {
		return full
	}
	return &personPart{query: q, personOnly: personOnly}
}

// topdownResidual prepares a residual for OPA's topdown evaluation: a module of the findings'
// queries and the support modules.
func topdownResidual(ctx context.Context, pqs [len(partial.Kinds)]*rego.PartialQueries) (*rego.PreparedEvalQuery, bool, bool) {
	pkg := ast.MustParsePackage("package " + residualPackage)
	module := &ast.Module{Package: pkg}
	modules := map[string]*ast.Module{}
	for i, kind := range partial.Kinds {
		for _, body := range pqs[i].Queries {
			head := ast.NewHead(ast.Var(kind), ast.VarTerm(string(residualOutput)))
			head.Reference = ast.Ref{ast.VarTerm(kind)}
			module.Rules = append(module.Rules, &ast.Rule{Head: head, Body: body, Module: module})
		}
		for j, m := range pqs[i].Support {
			modules[fmt.Sprintf("support/%s/%d", kind, j)] = m
		}
	}
	modules["residual"] = module
	personOnly := true
	for _, m := range modules {
		ok, person := partial.Refers(m)
		if !ok {
			return nil, false, false
		}
		personOnly = personOnly && person
	}
	c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
	if c.Compile(modules); c.Failed() {
		return nil, false, false
	}
	q, err := rego.New(
		rego.Query("data."+residualPackage),
		rego.Compiler(c),
		rego.Store(inmem.New()), // everything the residual reads of the policy is in it
		rego.StrictBuiltinErrors(true),
		rego.Capabilities(compiler.Capabilities()),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, false, false
	}
	return &q, personOnly, true
}

// constantFindings evaluates the findings of the rule packages that read neither the person's
// state nor the clock, for a declaration.
func (st *prepared) constantFindings(ctx context.Context, decl ast.Object) (deny, warn []Reason, changes []int64, err error) {
	rs, err := st.constant.Eval(ctx, rego.EvalParsedInput(decl), rego.EvalGenerateJSON(keepAST))
	if err != nil {
		return nil, nil, nil, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, nil, nil, fmt.Errorf("%w: the policy returned no findings", ErrEvaluation)
	}
	t, _ := rs[0].Expressions[0].Value.(*ast.Term)
	if t == nil {
		return nil, nil, nil, fmt.Errorf("%w: the policy's findings are not an object", ErrEvaluation)
	}
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: the policy's findings are not an object", ErrEvaluation)
	}
	if deny, err = readReasons(obj, "deny", false); err != nil {
		return nil, nil, nil, err
	}
	if warn, err = readReasons(obj, "warn", false); err != nil {
		return nil, nil, nil, err
	}
	if changes, err = readInstants(valueAt(obj, "changes_at")); err != nil {
		return nil, nil, nil, err
	}
	return deny, warn, changes, nil
}

// compiled says the decider decides every person by a compiled residual.
func (r *decider) compiled() bool { return !r.full && r.person.program != nil && !r.person.full }

// decide decides one person on the decider. decl returns the declaration as OPA's value, for
// the paths that need it.
func (r *decider) decide(ctx context.Context, e *Engine, st *prepared, decl func() (ast.Object, error), s *residual.State, now time.Time) (Decision, error) {
	denied := deniedDecision(st)
	p := r.person
	switch {
	case r.full || p.full:
		e.counts.topdown.Add(1)
		return e.decideFull(ctx, st, decl, s, now)
	case p.program != nil:
		var d Decision
		if err := p.program.Eval(s, now.UnixNano(), func(deny, warn []residual.Reason, until int64) {
			d = r.merge(st, deny, warn, until, now)
		}); err != nil {
			e.counts.fallbacks.Add(1)
			return e.decideFull(ctx, st, decl, s, now)
		}
		e.counts.compiled.Add(1)
		return d, nil
	}
	e.counts.topdown.Add(1)
	input := ast.NewObject()
	if !p.personOnly {
		v, err := decl()
		if err != nil {
			return denied, err
		}
		v.Foreach(func(k, v *ast.Term) { input.Insert(k, v) })
	}
	putState(input, s)
	d, err := e.run(ctx, st, *p.query, input, now, true)
	if err != nil {
		return denied, err
	}
	var until int64
	if !d.ValidUntil.IsZero() {
		until = d.ValidUntil.UnixNano()
	}
	return r.merge(st, reasonsOf(d.Reasons), reasonsOf(d.Warnings), until, now), nil
}

// decideFull decides a person by OPA's full evaluation of the declaration with their state.
func (e *Engine) decideFull(ctx context.Context, st *prepared, decl func() (ast.Object, error), s *residual.State, now time.Time) (Decision, error) {
	v, err := decl()
	if err != nil {
		return deniedDecision(st), err
	}
	input := v.Copy()
	putState(input, s)
	return e.run(ctx, st, st.query, input, now, false)
}

// putState puts the person's state into an input object.
func putState(input ast.Object, s *residual.State) {
	for i, k := range residual.Objects {
		if v := s.Object(i); v != nil {
			input.Insert(ast.InternedTerm(k), ast.NewTerm(v))
		}
	}
}

func reasonsOf(rs []Reason) []residual.Reason {
	out := make([]residual.Reason, len(rs))
	for i, r := range rs {
		out[i] = residual.Reason(r)
	}
	return out
}

// merge makes the decision of the constant findings and those of the person: each reason once,
// sorted; valid until the earliest instant after now either says the decision changes.
func (r *decider) merge(st *prepared, deny, warn []residual.Reason, until int64, now time.Time) Decision {
	nowNS := now.UnixNano()
	for _, ns := range r.changes {
		until = residual.Earliest(until, ns, nowNS)
	}
	d := Decision{Reasons: union(r.deny, deny), Warnings: union(r.warn, warn), Revision: st.revision}
	d.Allow = len(d.Reasons) == 0
	if until != 0 {
		d.ValidUntil = time.Unix(0, until).UTC()
	}
	return d
}

// union is the constant reasons and the person's, each once, sorted.
func union(constant []Reason, person []residual.Reason) []Reason {
	if len(constant)+len(person) == 0 {
		return []Reason{}
	}
	out := make([]Reason, len(constant), len(constant)+len(person))
	copy(out, constant)
	for _, p := range person {
		if r := Reason(p); !slices.Contains(constant, r) {
			out = append(out, r)
		}
	}
	sortReasons(out)
	return out
}
