// Package partial works out what the rules leave of a declaration once everything but the
// person's state is known: OPA's partial evaluation of the findings with input.consent and
// input.subject unknown. The declaration rules are decided in such a residual (their findings
// are constants), and the person rules are reduced to the few tests of the person's state they
// still need.
//
// A bundle ships each declaration's residual as Rego (Module, Source), so that a stock OPA
// server asked by declaration id evaluates only what reads the person.
package partial

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
)

// Kinds are the sets each rule package contributes to the findings (compiler.FindingKinds).
var Kinds = compiler.FindingKinds

// Unknowns are the person's state, which partial evaluation leaves open.
var Unknowns = []string{"input.consent", "input.subject"}

// unknownTerms are Unknowns as terms.
func unknownTerms() []*ast.Term {
	out := make([]*ast.Term, len(Unknowns))
	for i, u := range Unknowns {
		out[i] = ast.MustParseTerm(u)
	}
	return out
}

// Namespace begins the packages partial evaluation writes its support rules to: Namespace
// followed by the kind of finding they support.
const Namespace = "policyengine_partial_"

// Evaluator partially evaluates declarations under one policy. It is safe for concurrent use;
// it evaluates one declaration at a time.
type Evaluator struct {
	mu      sync.Mutex
	queries [len(Kinds)]rego.PreparedPartialQuery
}

// New prepares the partial evaluation of the findings under a policy: p's document and the
// modules by name (the built-in ones known by their content, compiler.Embedded). It compiles
// them afresh: partial evaluation rewrites the terms it works on in place, so it needs a
// compiler no query that decides shares.
func New(ctx context.Context, p *policy.Policy, sources map[string][]byte) (*Evaluator, error) {
	builtin, err := compiler.Embedded(sources)
	if err != nil {
		return nil, err
	}
	built, err := compiler.Compile(p, sources, builtin)
	if err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(built.Data)
	e := &Evaluator{}
	for i, kind := range Kinds {
		if e.queries[i], err = Prepare(ctx, built.Compiler, store, compiler.RulesPackage+"[_]."+kind+"[x]", Namespace+kind); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Prepare prepares the partial evaluation of a query with the person's state unknown, its
// support rules written to namespace (Namespace followed by what they support). c and store
// must be shared with no query that decides: partial evaluation rewrites the terms it works on
// in place, so c is a compiler of its own (compiler.Compile), and one partial evaluation runs on
// it at a time.
func Prepare(ctx context.Context, c *ast.Compiler, store storage.Store, query, namespace string) (rego.PreparedPartialQuery, error) {
	pq, err := rego.New(
		rego.Query(query),
		rego.Compiler(c),
		rego.Store(store),
		// Parsed once here: given as text, every partial evaluation would parse them again
		// (and build OPA's capabilities to do it), about a tenth of a declaration's cost.
		rego.ParsedUnknowns(unknownTerms()),
		rego.PartialNamespace(namespace),
		rego.StrictBuiltinErrors(true),
		rego.Capabilities(compiler.Capabilities()),
	).PrepareForPartial(ctx)
	if err != nil {
		return pq, fmt.Errorf("%w: preparing the partial evaluation of %s: %w", policy.ErrInvalid, query, err)
	}
	return pq, nil
}

// Eval partially evaluates a prepared query for a declaration (an activity without the
// person's state) and returns a deep copy of what is left: what partial evaluation returns may
// share terms with its compiler.
func Eval(ctx context.Context, pq rego.PreparedPartialQuery, declaration ast.Value) (*rego.PartialQueries, error) {
	res, err := pq.Partial(ctx, rego.EvalParsedInput(ast.NewTerm(declaration).Copy().Value))
	if err != nil {
		return nil, err
	}
	out := &rego.PartialQueries{}
	for _, q := range res.Queries {
		out.Queries = append(out.Queries, q.Copy())
	}
	for _, m := range res.Support {
		out.Support = append(out.Support, m.Copy())
	}
	return out, nil
}

// Residual is what the rules leave of one declaration.
type Residual struct {
	// Queries are, for each of Kinds, the ways a finding of that kind can still arise: each a
	// query that binds the finding to x.
	Queries [len(Kinds)][]ast.Body
	// Support are the rules the queries call, in packages under data.<Namespace><kind>.
	Support []*ast.Module
}

// Residual partially evaluates the findings for a declaration (an activity without the
// person's state) and returns a deep copy of what is left: what partial evaluation returns may
// share terms with its compiler.
func (e *Evaluator) Residual(ctx context.Context, declaration ast.Value) (*Residual, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &Residual{}
	for i := range Kinds {
		pq, err := Eval(ctx, e.queries[i], declaration)
		if err != nil {
			return nil, err
		}
		r.Queries[i], r.Support = pq.Queries, append(r.Support, pq.Support...)
	}
	return r, nil
}

// Check says what the residual refers to (Refers, of every query and support rule).
func (r *Residual) Check() (ok, personOnly bool) {
	ok, personOnly = true, true
	visit := func(x any) {
		o, p := Refers(x)
		ok, personOnly = ok && o, personOnly && p
	}
	for _, qs := range r.Queries {
		for _, q := range qs {
			visit(q)
		}
	}
	for _, m := range r.Support {
		visit(m)
	}
	return ok, personOnly
}

// Refers says what part of a residual (a query or a support module) refers to. ok: data only
// in the support packages (data.<Namespace>...: the policy document and every other rule were
// evaluated into it), and no METADATA lookup (it would see the residual's rules, not the
// policy's). personOnly: it reads nothing of the input but the person's state, so that state
// alone is its input.
func Refers(x any) (ok, personOnly bool) {
	ok, personOnly = true, true
	ast.WalkTerms(x, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			switch {
			case v[0].Equal(ast.DefaultRootDocument):
				if !supportRef(v) {
					ok = false
				}
			case v[0].Equal(ast.InputRootDocument):
				if len(v) < 2 {
					personOnly = false
					break
				}
				key, isString := v[1].Value.(ast.String)
				if !isString || (key != "consent" && key != "subject") {
					personOnly = false
				}
			}
		case ast.Call:
			if strings.HasPrefix(v[0].String(), "rego.metadata") {
				ok = false
			}
		}
		return !ok
	})
	return ok, personOnly
}

// supportRef says a reference into data names a support rule: data.<Namespace><kind>....
func supportRef(ref ast.Ref) bool {
	if len(ref) < 2 {
		return false
	}
	s, ok := ref[1].Value.(ast.String)
	return ok && strings.HasPrefix(string(s), Namespace)
}

// Pieces splits the residual into one residual per way a finding can arise: its query, under
// its kind, with the support rules it calls (and those they call), nothing else. What a piece
// means is its content alone: declarations whose residuals share a piece can share its text.
func (r *Residual) Pieces() ([]*Residual, error) {
	// The support rules by their place: the package's path and the first term of the head.
	groups := map[string][]*ast.Rule{}
	packages := map[string]ast.Ref{}
	for _, m := range r.Support {
		for _, rule := range m.Rules {
			first, ok := rule.Head.Ref()[0].Value.(ast.Var)
			if !ok {
				return nil, fmt.Errorf("partial: a support rule's head %v", rule.Head.Ref())
			}
			place := append(m.Package.Path.Copy(), ast.StringTerm(string(first)))
			groups[place.String()] = append(groups[place.String()], rule)
			packages[place.String()] = m.Package.Path
		}
	}
	// calls lists the support rules a node refers to.
	calls := func(x any) ([]string, error) {
		var out []string
		var err error
		ast.WalkRefs(x, func(ref ast.Ref) bool {
			if !ref[0].Equal(ast.DefaultRootDocument) || !supportRef(ref) {
				return false
			}
			for k := len(ref); k >= 2; k-- {
				if _, ok := groups[ref[:k].String()]; ok {
					out = append(out, ref[:k].String())
					return false
				}
			}
			err = fmt.Errorf("partial: %v refers to no support rule", ref)
			return true
		})
		return out, err
	}
	var pieces []*Residual
	for i := range Kinds {
		for _, q := range r.Queries[i] {
			piece := &Residual{}
			piece.Queries[i] = []ast.Body{q.Copy()}
			todo, err := calls(q)
			if err != nil {
				return nil, err
			}
			seen := map[string]bool{}
			byPackage := map[string]*ast.Module{}
			renamed := map[string]ast.Ref{} // the support rules partial evaluation numbered, numbered again
			for len(todo) > 0 {
				place := todo[0]
				todo = todo[1:]
				if seen[place] {
					continue
				}
				seen[place] = true
				if name := groups[place][0].Head.Ref()[0].Value.(ast.Var); strings.HasPrefix(string(name), "__") {
					renamed[place] = append(packages[place].Copy(), ast.StringTerm(fmt.Sprintf("__s%d__", len(renamed))))
				}
				pkg := packages[place]
				m := byPackage[pkg.String()]
				if m == nil {
					m = &ast.Module{Package: &ast.Package{Path: pkg.Copy()}}
					byPackage[pkg.String()] = m
				}
				for _, rule := range groups[place] {
					m.Rules = append(m.Rules, rule.Copy())
					more, err := calls(rule)
					if err != nil {
						return nil, err
					}
					todo = append(todo, more...)
				}
			}
			for _, name := range slices.Sorted(maps.Keys(byPackage)) {
				piece.Support = append(piece.Support, byPackage[name])
			}
			if err := piece.rename(renamed); err != nil {
				return nil, err
			}
			if err := piece.renumberLocals(); err != nil {
				return nil, err
			}
			pieces = append(pieces, piece)
		}
	}
	return pieces, nil
}

// rename moves the support rules at the places given (data references to them, as strings) to
// new places in the same package, and every reference to them.
func (r *Residual) rename(to map[string]ast.Ref) error {
	if len(to) == 0 {
		return nil
	}
	move := func(x any) (any, error) {
		return ast.TransformRefs(x, func(ref ast.Ref) (ast.Value, error) {
			for k := len(ref); k >= 2; k-- {
				if place, ok := to[ref[:k].String()]; ok {
					return append(place.Copy(), ref[k:]...), nil
				}
			}
			return ref, nil
		})
	}
	if err := r.transformQueries(move); err != nil {
		return err
	}
	for _, m := range r.Support {
		for _, rule := range m.Rules {
			for rr := rule; rr != nil; rr = rr.Else {
				ref := rr.Head.Ref()
				place := append(m.Package.Path.Copy(), ast.StringTerm(string(ref[0].Value.(ast.Var))))
				if moved, ok := to[place.String()]; ok {
					name := string(moved[len(moved)-1].Value.(ast.String))
					head := append(ast.Ref{ast.VarTerm(name)}, ref[1:]...)
					if len(head) == 1 {
						rr.Head.Name = ast.Var(name)
					}
					rr.Head.SetRef(head)
				}
			}
		}
		x, err := move(m)
		if err != nil {
			return err
		}
		*m = *x.(*ast.Module)
	}
	return nil
}

// renumberLocals renames the variables the compiler and partial evaluation made up
// (__localN__M), which count across a whole evaluation, to __vK__ in the order the residual
// names them: the same piece reads the same wherever it was found.
func (r *Residual) renumberLocals() error {
	to := map[ast.Var]ast.Var{}
	number := func(x any) {
		ast.WalkVars(x, func(v ast.Var) bool {
			if _, done := to[v]; !done && strings.HasPrefix(string(v), "__local") {
				to[v] = ast.Var(fmt.Sprintf("__v%d__", len(to)))
			}
			return false
		})
	}
	for i := range r.Queries {
		for _, q := range r.Queries[i] {
			number(q)
		}
	}
	for _, m := range r.Support {
		number(m)
	}
	if len(to) == 0 {
		return nil
	}
	rename := func(x any) (any, error) {
		return ast.TransformVars(x, func(v ast.Var) (ast.Value, error) {
			if n, ok := to[v]; ok {
				return n, nil
			}
			return v, nil
		})
	}
	if err := r.transformQueries(rename); err != nil {
		return err
	}
	for _, m := range r.Support {
		if _, err := rename(m); err != nil {
			return err
		}
	}
	return nil
}

// transformQueries replaces each query by what f makes of it.
func (r *Residual) transformQueries(f func(any) (any, error)) error {
	for i := range r.Queries {
		for j, q := range r.Queries[i] {
			x, err := f(q)
			if err != nil {
				return err
			}
			r.Queries[i][j] = x.(ast.Body)
		}
	}
	return nil
}

// Module writes the residual as rules of one package, pkg (such as
// data.policyengine_declarations.pieces), every rule beneath name: name.deny, name.warn and
// name.changes_at hold the findings (partial sets, as the rule packages' own), and the support
// rules go beneath name too. Every reference to a support rule is rewritten to its new place.
func (r *Residual) Module(pkg ast.Ref, name string) (*ast.Module, error) {
	module := &ast.Module{Package: &ast.Package{Path: pkg.Copy()}}
	prefix := ast.Ref{ast.VarTerm(name)}
	// A reference to data.<Namespace><kind>.rest becomes data.<pkg...>.name.<Namespace><kind>.rest.
	moved := append(pkg.Copy(), ast.StringTerm(name))
	relocate := func(x any) (any, error) {
		return ast.TransformRefs(x, func(ref ast.Ref) (ast.Value, error) {
			if !ref[0].Equal(ast.DefaultRootDocument) || !supportRef(ref) {
				return ref, nil
			}
			return append(moved.Copy(), ref[1:]...), nil
		})
	}
	add := func(rule *ast.Rule) error {
		x, err := relocate(rule)
		if err != nil {
			return err
		}
		rule = x.(*ast.Rule)
		for r := rule; r != nil; r = r.Else {
			r.Module = module
		}
		module.Rules = append(module.Rules, rule)
		return nil
	}
	for i, kind := range Kinds {
		for _, body := range r.Queries[i] {
			head := ast.RefHead(append(prefix.Copy(), ast.StringTerm(kind)))
			head.Key = ast.VarTerm("x")
			if err := add(&ast.Rule{Head: head, Body: body.Copy()}); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range r.Support {
		path := m.Package.Path // data.<Namespace><kind>....
		if len(path) < 2 || !supportRef(path) {
			return nil, fmt.Errorf("partial: a support package outside %s*: %v", Namespace, path)
		}
		for _, rule := range m.Rules {
			rule = rule.Copy()
			// The rule's place: the support package's path after data, then its own head's.
			at := append(prefix.Copy(), path[1:]...)
			for r := rule; r != nil; r = r.Else {
				ref := r.Head.Ref()
				first, isVar := ref[0].Value.(ast.Var)
				if !isVar {
					return nil, fmt.Errorf("partial: a support rule's head %v", ref)
				}
				place := append(at.Copy(), ast.StringTerm(string(first)))
				place = append(place, ref[1:].Copy()...)
				r.Head.Name = ""
				r.Head.SetRef(place)
			}
			if err := add(rule); err != nil {
				return nil, err
			}
		}
	}
	return module, nil
}

// ErrUnprintable is wrapped by Source's error for a module that does not read back once written
// as Rego: OPA's formatter writes a string as Go quotes it, and Go's escapes for invalid UTF-8
// and some control characters (\x7f, \a, \v) are not Rego's.
var ErrUnprintable = errors.New("partial: the residual does not read back as Rego")

// Source writes a module as Rego v1 and reads it back: the text, and the module parsed from it.
// A string reads back as it was or not at all: Go's escapes that Rego reads (\n, \t, \", \u...)
// mean the same in both, and the others fail the reading.
func Source(m *ast.Module) ([]byte, *ast.Module, error) {
	src, err := format.AstWithOpts(m, format.Opts{RegoVersion: ast.RegoV1, IgnoreLocations: true})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnprintable, err)
	}
	parsed, err := ast.ParseModuleWithOpts("residual.rego", string(src), compiler.ParserOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnprintable, err)
	}
	if len(parsed.Rules) != len(m.Rules) {
		return nil, nil, fmt.Errorf("%w: %d rules read back as %d", ErrUnprintable, len(m.Rules), len(parsed.Rules))
	}
	return src, parsed, nil
}
