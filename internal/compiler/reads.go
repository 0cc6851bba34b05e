package compiler

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Reads is a part of a JSON document: the whole value, or some of its object keys and what is
// read under each, and what is read of every element of an array or value of an object. It is
// derived from the compiled rules (every reference under input, followed through the variables
// bound to it and the functions it is passed to), so it may read more than the rules need, never
// less.
type Reads struct {
	Whole bool              // the value whole
	Keys  map[string]*Reads // an object's keys, each with what is read under it
	Any   *Reads            // every element of an array, every value of an object (its keys too)

	sorted []string // Keys' names, sorted, once finish has run
}

// seg is one step of a path into the input: an object's key, or any element.
type seg struct {
	key string
	any bool
}

func (r *Reads) at(path []seg) *Reads {
	n := r
	for _, s := range path {
		if n.Whole {
			return n
		}
		if s.any {
			if n.Any == nil {
				n.Any = &Reads{}
			}
			n = n.Any
			continue
		}
		if n.Keys == nil {
			n.Keys = map[string]*Reads{}
		}
		c := n.Keys[s.key]
		if c == nil {
			c = &Reads{}
			n.Keys[s.key] = c
		}
		n = c
	}
	return n
}

func (r *Reads) merge(o *Reads) {
	if o == nil || r.Whole {
		return
	}
	if o.Whole {
		*r = Reads{Whole: true}
		return
	}
	if o.Any != nil {
		if r.Any == nil {
			r.Any = &Reads{}
		}
		r.Any.merge(o.Any)
	}
	for k, c := range o.Keys {
		r.at([]seg{{key: k}}).merge(c)
	}
}

// finish drops what a whole value makes moot, folds what every value of an object reads into
// each key read by name, and sorts the keys: the form Append reads.
func (r *Reads) finish() *Reads {
	if r.Whole {
		return &Reads{Whole: true}
	}
	out := &Reads{}
	if r.Any != nil {
		out.Any = r.Any.finish()
	}
	if len(r.Keys) > 0 {
		out.Keys = make(map[string]*Reads, len(r.Keys))
		for k, c := range r.Keys {
			m := &Reads{}
			m.merge(c)
			m.merge(r.Any)
			out.Keys[k] = m.finish()
			out.sorted = append(out.sorted, k)
		}
		sort.Strings(out.sorted)
	}
	return out
}

// Append appends to b an encoding of the part of v that r reads: two values get the same bytes
// exactly when they are alike in that part. v is a decoded JSON document (maps, slices, strings,
// json.Number or float64, booleans, nil).
func (r *Reads) Append(b []byte, v any) []byte {
	if r == nil {
		return append(b, '-')
	}
	if r.Whole {
		return appendValue(b, v)
	}
	switch x := v.(type) {
	case map[string]any:
		b = append(b, '{')
		if r.Any != nil {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				b = appendString(b, k)
				spec := r.Any
				if c, ok := r.Keys[k]; ok {
					spec = c
				}
				b = spec.Append(b, x[k])
			}
			for _, k := range r.sorted { // the keys read by name that it lacks
				if _, ok := x[k]; !ok {
					b = appendString(b, k)
					b = append(b, '_')
				}
			}
			return append(b, '}')
		}
		for _, k := range r.sorted {
			b = appendString(b, k)
			if c, ok := x[k]; ok {
				b = r.Keys[k].Append(b, c)
			} else {
				b = append(b, '_')
			}
		}
		return append(b, '}')
	case []any:
		if len(r.Keys) > 0 { // read as an object: keep it whole
			return appendValue(b, v)
		}
		b = append(b, '[')
		b = binary.AppendUvarint(b, uint64(len(x)))
		for _, e := range x {
			b = r.Any.Append(b, e)
		}
		return append(b, ']')
	}
	return appendValue(b, v) // a scalar where a collection was read: whole
}

func appendString(b []byte, s string) []byte {
	b = append(b, 's')
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendValue appends an encoding of a whole value, unambiguous and canonical (object keys
// sorted).
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case bool:
		if x {
			return append(b, 't')
		}
		return append(b, 'f')
	case string:
		return appendString(b, x)
	case json.Number:
		b = append(b, 'd')
		b = binary.AppendUvarint(b, uint64(len(x)))
		return append(b, x...)
	case float64:
		b = append(b, 'g')
		return binary.BigEndian.AppendUint64(b, math.Float64bits(x))
	case int:
		b = append(b, 'i')
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		b = append(b, 'i')
		return strconv.AppendInt(b, x, 10)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, 'o')
		b = binary.AppendUvarint(b, uint64(len(keys)))
		for _, k := range keys {
			b = appendString(b, k)
			b = appendValue(b, x[k])
		}
		return b
	case []any:
		b = append(b, 'a')
		b = binary.AppendUvarint(b, uint64(len(x)))
		for _, e := range x {
			b = appendValue(b, e)
		}
		return b
	}
	raw, err := json.Marshal(v)
	if err != nil {
		raw = []byte(strconv.Quote(err.Error()))
	}
	b = append(b, 'j')
	b = binary.AppendUvarint(b, uint64(len(raw)))
	return append(b, raw...)
}

func newAnalyser(c *ast.Compiler) *analyser {
	return &analyser{c: c, done: map[*ast.Rule]*summary{}, busy: map[*ast.Rule]bool{}}
}

// summary is what one rule (all its definitions) reads: of the input, and of each of its
// arguments if it is a function.
type summary struct {
	input  *Reads
	params []*Reads
}

type analyser struct {
	c    *ast.Compiler
	done map[*ast.Rule]*summary
	busy map[*ast.Rule]bool
}

// root is where a variable's value comes from: the input (param -1) or a function's argument,
// and the path under it.
type root struct {
	param int
	path  []seg
}

// summary analyses one rule, its else branches included.
func (a *analyser) summary(r *ast.Rule) *summary {
	if s, ok := a.done[r]; ok {
		return s
	}
	s := &summary{input: &Reads{}, params: make([]*Reads, len(r.Head.Args))}
	if a.busy[r] { // a recursive call: whatever it is passed is read whole
		for i := range s.params {
			s.params[i] = &Reads{Whole: true}
		}
		return s
	}
	a.busy[r] = true
	defer delete(a.busy, r)
	for i := range s.params {
		s.params[i] = &Reads{}
	}
	for x := r; x != nil; x = x.Else {
		a.rule(x, s)
	}
	a.done[r] = s
	return s
}

// rule analyses one body of a rule (a definition or an else branch) into s.
func (a *analyser) rule(r *ast.Rule, s *summary) {
	sc := &scope{a: a, s: s, roots: ruleRoots(r, s), defs: bindings(r), alias: map[ast.Var]root{}, aliasExpr: map[*ast.Expr]ast.Var{}}
	sc.everyOf = everyValues(r, sc.defs)
	for v := range sc.defs {
		sc.resolve(ast.Ref{ast.NewTerm(v)}, 0)
	}
	for v := range sc.everyOf {
		sc.resolve(ast.Ref{ast.NewTerm(v)}, 0)
	}
	sc.vis = ast.NewGenericVisitor(sc.node)
	// The head's value and key, not its arguments: those are the roots.
	for _, t := range r.Head.Reference[min(1, len(r.Head.Reference)):] {
		sc.visit(t)
	}
	if r.Head.Key != nil {
		sc.visit(r.Head.Key)
	}
	if r.Head.Value != nil {
		sc.visit(r.Head.Value)
	}
	sc.visit(r.Body)
}

// scope is what the analysis of one body of a rule knows of its variables: where their values
// come from.
type scope struct {
	a         *analyser
	s         *summary
	roots     map[ast.Var]root        // the input, and a function's arguments
	defs      map[ast.Var][]*ast.Expr // the variables bound to a reference, by the expressions that do
	everyOf   map[ast.Var]ast.Ref     // the value variables of every: each an element of its domain
	alias     map[ast.Var]root        // the variables found to stand for a part of a root
	aliasExpr map[*ast.Expr]ast.Var   // the binding that made each alias
	vis       *ast.GenericVisitor     // walks with node
}

// ruleRoots are the roots of a rule's variables: the input, and each argument of a function
// that is a variable; an argument matched against a pattern is read whole.
func ruleRoots(r *ast.Rule, s *summary) map[ast.Var]root {
	roots := map[ast.Var]root{ast.InputRootDocument.Value.(ast.Var): {param: -1}}
	for i, arg := range r.Head.Args {
		if v, ok := arg.Value.(ast.Var); ok {
			if !v.IsWildcard() {
				roots[v] = root{param: i}
			}
		} else {
			s.params[i].Whole = true // matched against a pattern: read whole
		}
	}
	return roots
}

// bindings are the variables bound to a reference (candidates to alias a part of a root), by
// the expressions that bind them.
func bindings(r *ast.Rule) map[ast.Var][]*ast.Expr {
	defs := map[ast.Var][]*ast.Expr{}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if e.Negated || !(e.IsEquality() || e.IsAssignment()) || len(e.Operands()) != 2 {
			return false
		}
		ops := e.Operands()
		for i := range 2 {
			if v, ok := ops[i].Value.(ast.Var); ok {
				if _, isRef := ops[1-i].Value.(ast.Ref); isRef {
					defs[v] = append(defs[v], e)
				}
			}
		}
		return false
	})
	return defs
}

// everyValues are the value variables of every (bound nowhere else): each an element of its
// domain, by the domain's reference to any element.
func everyValues(r *ast.Rule, defs map[ast.Var][]*ast.Expr) map[ast.Var]ast.Ref {
	everyOf := map[ast.Var]ast.Ref{}
	ast.NewGenericVisitor(func(x any) bool {
		if ev, ok := x.(*ast.Every); ok {
			v, isVar := ev.Value.Value.(ast.Var)
			d, isRef := ev.Domain.Value.(ast.Ref)
			if dv, ok := ev.Domain.Value.(ast.Var); ok {
				d, isRef = ast.Ref{ast.NewTerm(dv)}, true
			}
			if isVar && isRef && len(defs[v]) == 0 {
				everyOf[v] = append(d.Copy(), ast.VarTerm(ast.WildcardPrefix+"every"))
			}
		}
		return false
	}).Walk(r)
	return everyOf
}

// tree is what the summary records of a root's reads.
func (sc *scope) tree(rt root) *Reads {
	if rt.param < 0 {
		return sc.s.input
	}
	return sc.s.params[rt.param]
}

// resolve says which part of a root a reference reads, following aliases (found and recorded
// on the way).
func (sc *scope) resolve(ref ast.Ref, depth int) (root, bool) {
	v, ok := ref[0].Value.(ast.Var)
	if !ok || depth > 64 {
		return root{}, false
	}
	base, ok := sc.roots[v]
	if !ok {
		if base, ok = sc.alias[v]; !ok {
			if d, isEvery := sc.everyOf[v]; isEvery {
				if base, ok = sc.resolve(d, depth+1); !ok {
					return root{}, false
				}
				sc.alias[v] = base
				return sc.resolve(ref, depth+1)
			}
			d := sc.defs[v]
			if len(d) != 1 {
				return root{}, false
			}
			ops := d[0].Operands()
			other := ops[1]
			if vv, _ := ops[1].Value.(ast.Var); vv == v {
				other = ops[0]
			}
			if base, ok = sc.resolve(other.Value.(ast.Ref), depth+1); !ok {
				return root{}, false
			}
			sc.alias[v] = base
			sc.aliasExpr[d[0]] = v
		}
	}
	path := slices.Clone(base.path)
	for _, t := range ref[1:] {
		if k, ok := t.Value.(ast.String); ok {
			path = append(path, seg{key: string(k)})
		} else {
			path = append(path, seg{any: true})
		}
	}
	return root{param: base.param, path: path}, true
}

// rooted says where a term's value comes from, when it is a variable or reference under a root.
func (sc *scope) rooted(t *ast.Term) (root, bool) {
	switch x := t.Value.(type) {
	case ast.Var:
		if rt, ok := sc.roots[x]; ok {
			return rt, true
		}
		rt, ok := sc.alias[x]
		return rt, ok
	case ast.Ref:
		return sc.resolve(x, 0)
	}
	return root{}, false
}

func (sc *scope) visit(x any) { sc.vis.Walk(x) }

func (sc *scope) visitWith(e *ast.Expr) {
	for _, w := range e.With {
		sc.visit(w)
	}
}

// node records what a node of the rule reads; true when it has visited what the node holds.
func (sc *scope) node(x any) bool {
	switch n := x.(type) {
	case *ast.Every:
		v, _ := n.Value.Value.(ast.Var)
		if rt, ok := sc.alias[v]; ok && sc.everyOf[v] != nil { // its domain, element by element
			sc.tree(rt).at(rt.path)
			sc.visit(n.Key)
			sc.visit(n.Body)
			return true
		}
		return false
	case *ast.Expr:
		return sc.expr(n)
	case *ast.Term:
		switch v := n.Value.(type) {
		case ast.Var:
			if rt, ok := sc.rooted(n); ok {
				sc.tree(rt).at(rt.path).Whole = true
			}
			return true
		case ast.Ref:
			if rt, ok := sc.rooted(n); ok {
				sc.tree(rt).at(rt.path).Whole = true
				for _, t := range v[1:] {
					sc.visit(t)
				}
				return true
			}
		}
	}
	return false
}

// expr records what an expression reads when it is a binding of an alias or a call the
// analysis knows (count, object.get, a function of the policy's); false otherwise.
func (sc *scope) expr(n *ast.Expr) bool {
	if v, ok := sc.aliasExpr[n]; ok { // a binding: reads nothing by itself but the keys
		sc.tree(sc.alias[v]).at(sc.alias[v].path)
		ops := n.Operands()
		ref, _ := ops[0].Value.(ast.Ref)
		if _, isVar := ops[0].Value.(ast.Var); isVar {
			ref, _ = ops[1].Value.(ast.Ref)
		}
		for _, t := range ref[1:] {
			sc.visit(t)
		}
		sc.visitWith(n)
		return true
	}
	if !n.IsCall() {
		return false
	}
	op := n.Operator()
	args := n.Operands()
	if op.String() == "count" && len(args) == 2 {
		if rt, ok := sc.rooted(args[0]); ok { // its elements or keys, not what they hold
			sc.tree(rt).at(append(rt.path, seg{any: true}))
			sc.visit(args[1])
			sc.visitWith(n)
			return true
		}
	}
	if op.String() == "object.get" && len(args) >= 3 {
		if rt, ok := sc.rooted(args[0]); ok {
			if keys, ok := constantPath(args[1]); ok {
				sc.tree(rt).at(append(rt.path, keys...)).Whole = true
				for _, t := range args[2:] {
					sc.visit(t)
				}
				sc.visitWith(n)
				return true
			}
		}
	}
	if fns := sc.a.c.GetRulesExact(op); len(fns) > 0 && len(fns[0].Head.Args) > 0 {
		sc.call(n, fns, args)
		return true
	}
	return false
}

// call records what a call of a function of the policy's reads: of each argument under a root,
// what the function reads of its parameter.
func (sc *scope) call(n *ast.Expr, fns []*ast.Rule, args []*ast.Term) {
	var callee []*summary
	for _, f := range fns {
		callee = append(callee, sc.a.summary(f))
	}
	for i, t := range args {
		rt, ok := sc.rooted(t)
		if !ok || i >= len(fns[0].Head.Args) {
			sc.visit(t)
			continue
		}
		node := sc.tree(rt).at(rt.path)
		for _, cs := range callee {
			if i < len(cs.params) {
				node.merge(cs.params[i])
			}
		}
	}
	sc.visitWith(n)
}

// constantPath reads object.get's key argument: a string, or an array of strings.
func constantPath(t *ast.Term) ([]seg, bool) {
	switch k := t.Value.(type) {
	case ast.String:
		return []seg{{key: string(k)}}, true
	case *ast.Array:
		var out []seg
		for i := 0; i < k.Len(); i++ {
			s, ok := k.Elem(i).Value.(ast.String)
			if !ok {
				return nil, false
			}
			out = append(out, seg{key: string(s)})
		}
		return out, true
	}
	return nil, false
}
