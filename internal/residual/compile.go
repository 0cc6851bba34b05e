// Package residual compiles what OPA's partial evaluation leaves of the rules for one
// declaration (the residual: queries and support rules over the person's state) into a Go
// evaluator, a tree of closures, and reads a person's state into the form it evaluates.
//
// The compiled form executes OPA's own residual: each query, rule and function partial
// evaluation wrote is compiled as written, term by term, and never copied by hand. It covers
// the subset partial evaluation emits for the rules: references into input.consent and
// input.subject and to the support rules partial evaluation wrote, constants and composite
// values, =, not, comparisons, arithmetic, membership, and calls of builtins (OPA's own
// implementations, through topdown.GetBuiltin, or Go equivalents a table test holds equal to
// them) and of the support functions. Compile refuses anything else (with, every, some, else,
// partial sets, a non-deterministic builtin, a reference outside the residual), and the caller
// keeps OPA's topdown evaluation for that declaration. At run time any error or unexpected value
// makes Eval fail, and the caller decides again on OPA.
//
// Each call of a builtin, each reference to a rule and each composite value that depends on
// nothing but the person's state and the clock is evaluated once per decision: a time that
// twenty tests read is parsed once.
package residual

import (
	"errors"
	"fmt"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ErrUnsupported is wrapped by Compile's error for a residual outside the compiled subset.
var ErrUnsupported = errors.New("outside the compiled subset")

// Residual is what partial evaluation left of one kind of finding: its queries, each binding
// the finding to Output, and the support modules they refer to.
type Residual struct {
	Queries []ast.Body
	Support []*ast.Module
	Output  ast.Var
}

// Reason is a reason to deny, or a warning, as the rules build it.
type Reason struct {
	Rule, Message, Clause, ClauseID, Path string
}

// Earliest folds one changes_at instant ns into the earliest one after now found so far (0:
// none yet), as the engine reads changes_at.
func Earliest(earliest, ns, now int64) int64 {
	if ns > now && (earliest == 0 || ns < earliest) {
		return ns
	}
	return earliest
}

// Program is a compiled residual: the queries of the three kinds of findings. It is safe for
// concurrent use.
type Program struct {
	deny, warn, changes []query
	memos, locals, args int
	frames              sync.Pool
}

// query is one compiled query: its body, and the local slot of its output.
type query struct {
	body step
	out  int
}

// Compile compiles the residuals of the three kinds of findings (reasons to deny, warnings,
// instants at which the decision changes) for a person's state of layout l. Deny and warn
// queries must bind their output to a reason object ({rule, message, clause, clause_id, path}),
// changes_at queries to a number. An error wrapping ErrUnsupported means the residual is outside
// the compiled subset.
func Compile(l *Layout, deny, warn, changesAt Residual) (*Program, error) {
	c := &compiler{layout: l, groups: map[string]*group{}, memo: map[string]int{}}
	for _, r := range []Residual{deny, warn, changesAt} {
		for _, m := range r.Support {
			if err := c.addModule(m); err != nil {
				return nil, err
			}
		}
	}
	p := &Program{}
	for i, r := range []Residual{deny, warn, changesAt} {
		for _, body := range r.Queries {
			if i < 2 && !buildsReason(body, r.Output) {
				return nil, unsupported("a finding that is not a reason object {rule, message, clause, clause_id, path}")
			}
			sc := c.newScope()
			run, err := c.body(body, sc)
			if err != nil {
				return nil, err
			}
			out, ok := sc.vars[r.Output]
			if !ok || !sc.bound[r.Output] {
				return nil, unsupported("a query that does not bind its finding")
			}
			q := query{body: run, out: out}
			switch i {
			case 0:
				p.deny = append(p.deny, q)
			case 1:
				p.warn = append(p.warn, q)
			default:
				p.changes = append(p.changes, q)
			}
		}
	}
	p.memos, p.locals, p.args = c.memos, c.locals, c.args
	p.frames.New = func() any {
		return &frame{memo: make([]memo, p.memos), locals: make([]value, p.locals), args: make([]value, p.args)}
	}
	return p, nil
}

func unsupported(what string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(what, args...))
}

// reasonKeys are the keys of a reason object, in OPA's order.
var reasonKeys = [...]string{"clause", "clause_id", "message", "path", "rule"}

// buildsReason says a deny or warn query binds its output to a reason object.
func buildsReason(body ast.Body, out ast.Var) bool {
	for _, e := range body {
		if !e.IsEquality() || e.Negated {
			continue
		}
		a, b := e.Operand(0), e.Operand(1)
		if v, ok := b.Value.(ast.Var); ok && v.Equal(out) {
			a, b = b, a
		}
		if v, ok := a.Value.(ast.Var); ok && v.Equal(out) {
			_, ok := reasonObject(b)
			return ok
		}
	}
	return false
}

// reasonObject returns the values of an object term with exactly the keys of a reason, in
// reasonKeys' order.
func reasonObject(t *ast.Term) ([len(reasonKeys)]*ast.Term, bool) {
	var out [len(reasonKeys)]*ast.Term
	obj, ok := t.Value.(ast.Object)
	if !ok || obj.Len() != len(reasonKeys) {
		return out, false
	}
	for i, k := range reasonKeys {
		if out[i] = obj.Get(ast.StringTerm(k)); out[i] == nil {
			return out, false
		}
	}
	return out, true
}

// compiler holds what compiling one residual needs.
type compiler struct {
	layout *Layout
	groups map[string]*group // the support rules and functions, by path
	memo   map[string]int    // the memo slot of each term evaluated once, by its text
	memos  int
	locals int
	args   int // the operands of every call site, each at an offset of its own
}

// reserve gives a call site n operand slots of its own in the frame: a call site is never
// entered again before it returns (Rego has no recursion), so its operands need no more.
func (c *compiler) reserve(n int) (base, size int) {
	base = c.args
	c.args += n
	return base, n
}

// group is the rules of one support rule or function, as partial evaluation wrote them.
type group struct {
	path     string
	rules    []*ast.Rule
	def      *ast.Rule
	function bool
	arity    int
	state    int // 0: not compiled; 1: compiling; 2: compiled
	value    eval
	call     func(f *frame, args []value) (value, error)
}

func (c *compiler) addModule(m *ast.Module) error {
	for _, r := range m.Rules {
		switch {
		case r.Else != nil:
			return unsupported("else")
		case r.Head.Key != nil || r.Head.RuleKind() == ast.MultiValue:
			return unsupported("a partial set or object rule")
		}
		ref := m.Package.Path.Extend(r.Head.Ref())
		if !ref.IsGround() {
			return unsupported("a rule with a variable in its name")
		}
		path := ref.String()
		g := c.groups[path]
		if g == nil {
			g = &group{path: path, function: len(r.Head.Args) > 0, arity: len(r.Head.Args)}
			c.groups[path] = g
		}
		if g.function != (len(r.Head.Args) > 0) || g.arity != len(r.Head.Args) {
			return unsupported("rule %s defined both as a rule and a function", path)
		}
		if r.Default {
			if g.function || g.def != nil {
				return unsupported("a default function or two defaults")
			}
			g.def = r
			continue
		}
		g.rules = append(g.rules, r)
	}
	return nil
}

// scope is the variables of one body: their local slots, which are bound so far, and the
// term each bound to a value that depends only on the person's state and the clock stands for.
type scope struct {
	vars  map[ast.Var]int
	bound map[ast.Var]bool
	alias map[ast.Var]*ast.Term
}

func (c *compiler) newScope() *scope {
	return &scope{vars: map[ast.Var]int{}, bound: map[ast.Var]bool{}, alias: map[ast.Var]*ast.Term{}}
}

// plug replaces in t the variables that stand for a term (scope.alias) with it: partial
// evaluation binds a builtin's result to a variable of its own in each query (the date of a
// time, in lib._add's month-end clamping), and what is computed from that variable is then
// the same computation in every query, known by the same text, and computed once per decision.
func plug(t *ast.Term, sc *scope) *ast.Term {
	if len(sc.alias) == 0 {
		return t
	}
	return substitute(t, sc.alias)
}

// substitute returns t with the variables of alias replaced by their terms (t itself where it
// has none of them).
func substitute(t *ast.Term, alias map[ast.Var]*ast.Term) *ast.Term {
	terms := func(ts []*ast.Term) ([]*ast.Term, bool) {
		var out []*ast.Term
		for i, x := range ts {
			y := substitute(x, alias)
			if y != x && out == nil {
				out = append(make([]*ast.Term, 0, len(ts)), ts[:i]...)
			}
			if out != nil {
				out = append(out, y)
			}
		}
		return out, out != nil
	}
	switch v := t.Value.(type) {
	case ast.Var:
		if a, ok := alias[v]; ok {
			return a
		}
	case ast.Ref:
		if out, ok := terms(v); ok {
			if head, ok := out[0].Value.(ast.Ref); ok { // a variable that stood for a reference
				return ast.NewTerm(head.Concat(out[1:]))
			}
			return ast.NewTerm(ast.Ref(out))
		}
	case ast.Call:
		if out, ok := terms(v); ok {
			return ast.NewTerm(ast.Call(out))
		}
	case *ast.Array:
		elems := make([]*ast.Term, v.Len())
		for i := range elems {
			elems[i] = v.Elem(i)
		}
		if out, ok := terms(elems); ok {
			return ast.ArrayTerm(out...)
		}
	case ast.Object:
		changed := false
		pairs := make([][2]*ast.Term, 0, v.Len())
		v.Foreach(func(k, x *ast.Term) {
			k2, x2 := substitute(k, alias), substitute(x, alias)
			changed = changed || k2 != k || x2 != x
			pairs = append(pairs, [2]*ast.Term{k2, x2})
		})
		if changed {
			return ast.NewTerm(ast.NewObject(pairs...))
		}
	case ast.Set:
		elems := v.Slice()
		if out, ok := terms(elems); ok {
			return ast.SetTerm(out...)
		}
	}
	return t
}

// slot returns a variable's local slot, giving it one on first sight.
func (c *compiler) slot(sc *scope, v ast.Var) int {
	if i, ok := sc.vars[v]; ok {
		return i
	}
	sc.vars[v] = c.locals
	c.locals++
	return sc.vars[v]
}

func wildcard(v ast.Var) bool { return v.IsWildcard() || v == "_" }

// body compiles a body: its expressions in order, each of which must succeed.
func (c *compiler) body(body ast.Body, sc *scope) (step, error) {
	steps := make([]step, 0, len(body))
	for _, e := range body {
		s, err := c.expr(e, sc)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	switch len(steps) {
	case 0:
		return func(*frame) (bool, error) { return true, nil }, nil
	case 1:
		return steps[0], nil
	}
	return func(f *frame) (bool, error) {
		for _, s := range steps {
			if ok, err := s(f); !ok || err != nil {
				return false, err
			}
		}
		return true, nil
	}, nil
}

// expr compiles one expression of a body.
func (c *compiler) expr(e *ast.Expr, sc *scope) (step, error) {
	if len(e.With) > 0 {
		return nil, unsupported("with")
	}
	if e.Negated {
		inner := *e
		inner.Negated = false
		before := len(sc.bound)
		s, err := c.expr(&inner, sc)
		if err != nil {
			return nil, err
		}
		if len(sc.bound) != before {
			return nil, unsupported("a variable bound under not")
		}
		return func(f *frame) (bool, error) {
			ok, err := s(f)
			return !ok && err == nil, err
		}, nil
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		return c.truthy(t, sc)
	case []*ast.Term:
		if e.IsEquality() {
			return c.unify(t[1], t[2], sc)
		}
		return c.callExpr(t, sc)
	}
	return nil, unsupported("an expression of the form %v", e)
}

// truthy compiles a term as an expression: it succeeds when its value is defined and not false.
func (c *compiler) truthy(t *ast.Term, sc *scope) (step, error) {
	v, _, err := c.term(t, sc)
	if err != nil {
		return nil, err
	}
	return func(f *frame) (bool, error) {
		x, err := v(f)
		return x.truthy(), err
	}, nil
}

// unify compiles a = b: binding a variable not bound yet, or comparing two values.
func (c *compiler) unify(a, b *ast.Term, sc *scope) (step, error) {
	if v, ok := b.Value.(ast.Var); ok && !sc.bound[v] {
		a, b = b, a
	}
	if v, ok := a.Value.(ast.Var); ok && !sc.bound[v] {
		b = plug(b, sc)
		val, pure, err := c.term(b, sc)
		if err != nil {
			return nil, err
		}
		if wildcard(v) {
			return func(f *frame) (bool, error) {
				x, err := val(f)
				return x.defined(), err
			}, nil
		}
		at := c.slot(sc, v)
		sc.bound[v] = true
		if pure {
			sc.alias[v] = b
		}
		return func(f *frame) (bool, error) {
			x, err := val(f)
			f.locals[at] = x
			return x.defined(), err
		}, nil
	}
	left, _, err := c.term(a, sc)
	if err != nil {
		return nil, err
	}
	right, _, err := c.term(b, sc)
	if err != nil {
		return nil, err
	}
	return func(f *frame) (bool, error) {
		x, err := left(f)
		if !x.defined() || err != nil {
			return false, err
		}
		y, err := right(f)
		if !y.defined() || err != nil {
			return false, err
		}
		return equal(x, y, f.st), nil
	}, nil
}

// callExpr compiles a call as an expression: with as many operands as the function takes it
// succeeds when the result is defined and not false; with one more, the result is bound to (or
// compared with) the last.
func (c *compiler) callExpr(terms []*ast.Term, sc *scope) (step, error) {
	arity, err := c.arity(terms[0])
	if err != nil {
		return nil, err
	}
	switch len(terms) - 1 {
	case arity:
		return c.truthy(ast.CallTerm(terms...), sc)
	case arity + 1:
		return c.unify(terms[len(terms)-1], ast.CallTerm(terms[:len(terms)-1]...), sc)
	}
	return nil, unsupported("%v called with %d operands", terms[0], len(terms)-1)
}

// arity is how many operands a builtin or support function takes.
func (c *compiler) arity(op *ast.Term) (int, error) {
	ref, ok := op.Value.(ast.Ref)
	if !ok {
		return 0, unsupported("a call of %v", op)
	}
	if g := c.groups[ref.String()]; g != nil && g.function {
		return g.arity, nil
	}
	b, ok := ast.BuiltinMap[ref.String()]
	if !ok || b.Decl == nil {
		return 0, unsupported("a call of %v", op)
	}
	return len(b.Decl.FuncArgs().Args), nil
}
