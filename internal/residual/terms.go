package residual

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// eval computes a term's value (undefined when it has none); step runs an expression or a body
// and says whether it succeeded.
type (
	eval func(f *frame) (value, error)
	step func(f *frame) (bool, error)
)

// frame is the state of one evaluation: the person, the clock, the values computed once, and
// the local variables of every body.
type frame struct {
	st      *State
	now     int64
	gen     uint64 // the evaluation's number: memos of earlier ones are stale
	memo    []memo
	locals  []value
	args    []value
	reasons [16]Reason // where the reasons an evaluation builds are kept, while there is room
	built   int
	// Where the arrays of integers an evaluation builds are kept (newInts).
	nums   []int64
	arrays []ints
	// What the evaluation found.
	deny, warn []Reason
}

// newReason returns a reason to fill, for the rest of the evaluation.
func (f *frame) newReason() *Reason {
	if f.built < len(f.reasons) {
		f.built++
		return &f.reasons[f.built-1]
	}
	return new(Reason)
}

// newInts returns an array of n integers to fill, for the rest of the evaluation: taken from
// the frame's stores, so that a date or the candidates of min cost no allocation once the
// stores have grown. New stores leave the arrays already built where they are.
func (f *frame) newInts(n int) *ints {
	if f == nil {
		return &ints{ns: make([]int64, n)}
	}
	if cap(f.nums)-len(f.nums) < n {
		f.nums = make([]int64, 0, max(64, 2*cap(f.nums), n))
	}
	at := len(f.nums)
	f.nums = f.nums[:at+n]
	if len(f.arrays) == cap(f.arrays) {
		f.arrays = make([]ints, 0, max(16, 2*cap(f.arrays)))
	}
	f.arrays = append(f.arrays, ints{ns: f.nums[at : at+n : at+n]})
	return &f.arrays[len(f.arrays)-1]
}

// memo is a value computed once in the evaluation of generation gen.
type memo struct {
	gen uint64
	v   value
}

// term compiles a term into what computes its value. pure says it reads no local variable: its
// value depends only on the person's state and the clock, so it is computed once per
// evaluation when computing it costs something.
func (c *compiler) term(t *ast.Term, sc *scope) (eval, bool, error) {
	t = plug(t, sc)
	switch v := t.Value.(type) {
	case ast.Null, ast.Boolean, ast.Number, ast.String:
		x := fromAST(v)
		return func(*frame) (value, error) { return x, nil }, true, nil
	case ast.Var:
		if wildcard(v) || !sc.bound[v] {
			return nil, false, unsupported("variable %v read before it is bound", v)
		}
		at := sc.vars[v]
		return func(f *frame) (value, error) { return f.locals[at], nil }, false, nil
	case ast.Ref:
		return c.ref(v, sc)
	case ast.Call:
		return c.call(t, v, sc)
	case *ast.Array, ast.Object, ast.Set:
		return c.composite(t, sc)
	}
	return nil, false, unsupported("a term of type %T", t.Value)
}

// once makes a pure term's value computed once per evaluation: the terms of the same text (key)
// share one memo slot.
func (c *compiler) once(key string, compute eval) eval {
	at, ok := c.memo[key]
	if !ok {
		at = c.memos
		c.memos++
		c.memo[key] = at
	}
	return func(f *frame) (value, error) {
		m := &f.memo[at]
		if m.gen == f.gen {
			return m.v, nil
		}
		v, err := compute(f)
		if err != nil {
			return v, err
		}
		m.gen, m.v = f.gen, v
		return v, nil
	}
}

// ref compiles a reference: into the person's state, or to a support rule.
func (c *compiler) ref(ref ast.Ref, sc *scope) (eval, bool, error) {
	switch {
	case ref[0].Equal(ast.InputRootDocument):
		return c.inputRef(ref)
	case ref[0].Equal(ast.DefaultRootDocument):
		g := c.groups[ref.String()]
		if g == nil || g.function {
			return nil, false, unsupported("a reference to %v", ref)
		}
		if err := c.compileGroup(g); err != nil {
			return nil, false, err
		}
		return g.value, true, nil
	case isVar(ref[0]), isCall(ref[0]):
		return c.localRef(ref, sc)
	}
	return nil, false, unsupported("a reference to %v", ref)
}

func isVar(t *ast.Term) bool {
	_, ok := t.Value.(ast.Var)
	return ok
}

func isCall(t *ast.Term) bool {
	_, ok := t.Value.(ast.Call)
	return ok
}

// localRef compiles a reference into a local variable's value (or a call's, where the
// variable stood for it) by constant keys, such as the day of a date (d[2]): undefined where
// the value has no such element, as in OPA. It is pure where its head is.
func (c *compiler) localRef(ref ast.Ref, sc *scope) (eval, bool, error) {
	head, pure, err := c.term(ref[0], sc)
	if err != nil {
		return nil, false, err
	}
	path := ref[1:].Copy()
	for _, k := range path {
		switch k.Value.(type) {
		case ast.Number, ast.String:
		default:
			return nil, false, unsupported("a reference to %v", ref)
		}
	}
	index := int64(-1)
	if n, ok := path[0].Value.(ast.Number); ok && len(path) == 1 {
		if i, ok := intNumber(n); ok {
			index = i
		}
	}
	return func(f *frame) (value, error) {
		v, err := head(f)
		if !v.defined() || err != nil {
			return value{}, err
		}
		if v.k == kInts && index >= 0 {
			if ns := v.ints(); index < int64(len(ns)) {
				return intValue(ns[index]), nil
			}
			return value{}, nil
		}
		x, err := v.toAST(f.st).Find(path)
		if err != nil {
			return value{}, nil // no such element: undefined
		}
		return fromAST(x), nil
	}, pure, nil
}

// inputRef compiles input.consent, input.subject, or one of their fields.
func (c *compiler) inputRef(ref ast.Ref) (eval, bool, error) {
	if len(ref) < 2 || len(ref) > 3 {
		return nil, false, unsupported("a reference to %v", ref)
	}
	name, ok := ref[1].Value.(ast.String)
	object := -1
	for i, o := range Objects {
		if ok && string(name) == o {
			object = i
		}
	}
	if object < 0 {
		return nil, false, unsupported("a reference to %v", ref)
	}
	if len(ref) == 2 {
		return func(f *frame) (value, error) {
			if !f.st.has[object] {
				return value{}, nil
			}
			return value{k: kObject, n: int64(object)}, nil
		}, true, nil
	}
	key, ok := ref[2].Value.(ast.String)
	if !ok {
		return nil, false, unsupported("a reference to %v", ref)
	}
	at := c.layout.field(object, string(key))
	if at < 0 {
		// A field the schema does not have: a validated person never has it.
		return func(*frame) (value, error) { return value{}, nil }, true, nil
	}
	return func(f *frame) (value, error) { return f.st.vals[at], nil }, true, nil
}

// composite compiles an array, object or set. A constant one is computed once, now; an object with the
// keys of a reason becomes a reason; any other is built as OPA's value.
func (c *compiler) composite(t *ast.Term, sc *scope) (eval, bool, error) {
	if fields, ok := reasonObject(t); ok {
		var evals [len(reasonKeys)]eval
		pure := true
		for i, ft := range fields {
			e, p, err := c.term(ft, sc)
			if err != nil {
				return nil, false, err
			}
			evals[i], pure = e, pure && p
		}
		build := func(f *frame) (value, error) {
			var s [len(reasonKeys)]string
			for i, e := range evals {
				x, err := e(f)
				if !x.defined() || err != nil {
					return value{}, err
				}
				if x.k != kString {
					return value{}, errUnexpected
				}
				s[i] = x.s
			}
			// reasonKeys: clause, clause_id, message, path, rule.
			var r *Reason
			if f != nil {
				r = f.newReason()
			} else {
				r = new(Reason)
			}
			*r = Reason{Clause: s[0], ClauseID: s[1], Message: s[2], Path: s[3], Rule: s[4]}
			return value{k: kReason, x: r}, nil
		}
		if ast.IsConstant(t.Value) {
			x, err := build(nil) // constants: computed now
			if err != nil {
				return nil, false, unsupported("a reason that is not made of strings: %v", t)
			}
			return func(*frame) (value, error) { return x, nil }, true, nil
		}
		if pure {
			return c.once(t.String(), build), true, nil
		}
		return build, false, nil
	}
	if ast.IsConstant(t.Value) {
		x := fromAST(t.Value)
		return func(*frame) (value, error) { return x, nil }, true, nil
	}
	arr, ok := t.Value.(*ast.Array)
	if !ok {
		return nil, false, unsupported("a composite value that is not ground: %v", t)
	}
	elems := make([]eval, arr.Len())
	pure := true
	for i := range elems {
		e, p, err := c.term(arr.Elem(i), sc)
		if err != nil {
			return nil, false, err
		}
		elems[i], pure = e, pure && p
	}
	build := func(f *frame) (value, error) {
		if v, ok, err := intElems(f, elems); ok || err != nil {
			return v, err
		}
		terms := make([]*ast.Term, len(elems))
		for i, e := range elems {
			x, err := e(f)
			if !x.defined() || err != nil {
				return value{}, err
			}
			terms[i] = ast.NewTerm(x.toAST(f.st))
		}
		return fromAST(ast.NewArray(terms...)), nil
	}
	if pure {
		return c.once(t.String(), build), true, nil
	}
	return build, false, nil
}

// intElems builds an array whose elements are all integers as the evaluator's own form; false
// when one is undefined or of another form (the array is then built as OPA's).
func intElems(f *frame, elems []eval) (value, bool, error) {
	arr := f.newInts(len(elems))
	ns := arr.ns
	for i, e := range elems {
		x, err := e(f)
		if err != nil {
			return value{}, false, err
		}
		if x.k != kInt {
			return value{}, false, nil
		}
		ns[i] = x.n
	}
	return value{k: kInts, x: arr}, true, nil
}

// compileGroup compiles a support rule or function once, on first reference.
func (c *compiler) compileGroup(g *group) error {
	switch g.state {
	case 1:
		return unsupported("rule %s depends on itself", g.path)
	case 2:
		return nil
	}
	g.state = 1
	var err error
	if g.function {
		err = c.function(g)
	} else {
		err = c.complete(g)
	}
	if err != nil {
		return err
	}
	g.state = 2
	return nil
}

// definition is one compiled rule body with the value of its head.
type definition struct {
	body  step
	value eval
	args  []int // a function's arguments' local slots
}

func (c *compiler) definitions(g *group) ([]definition, error) {
	defs := make([]definition, 0, len(g.rules))
	for _, r := range g.rules {
		sc := c.newScope()
		d := definition{}
		for _, a := range r.Head.Args {
			v, ok := a.Value.(ast.Var)
			if !ok || wildcard(v) {
				return nil, unsupported("function %s with an argument that is not a variable", g.path)
			}
			d.args = append(d.args, c.slot(sc, v))
			sc.bound[v] = true
		}
		body, err := c.body(r.Body, sc)
		if err != nil {
			return nil, err
		}
		head := r.Head.Value
		if head == nil {
			head = ast.BooleanTerm(true)
		}
		value, _, err := c.term(head, sc)
		if err != nil {
			return nil, err
		}
		d.body, d.value = body, value
		defs = append(defs, d)
	}
	return defs, nil
}

// evalDefinitions evaluates the definitions of a rule or function (with a function's arguments):
// the value of the body that succeeds; two that succeed with different values are a conflict.
// early stops at the first that succeeds (every one has the same constant value).
func evalDefinitions(f *frame, defs []definition, args []value, early bool) (value, error) {
	var out value
	for _, d := range defs {
		for i, at := range d.args {
			f.locals[at] = args[i]
		}
		ok, err := d.body(f)
		if err != nil {
			return value{}, err
		}
		if !ok {
			continue
		}
		v, err := d.value(f)
		if err != nil {
			return value{}, err
		}
		if !v.defined() {
			continue
		}
		if out.defined() && !equal(out, v, f.st) {
			return value{}, errConflict
		}
		out = v
		if early {
			break
		}
	}
	return out, nil
}

// sameConstant says every rule of a group has the same constant value: the first body that
// succeeds decides it, as OPA stops there too.
func sameConstant(g *group) bool {
	var first *ast.Term
	for _, r := range g.rules {
		v := r.Head.Value
		if v == nil || !v.IsGround() {
			return false
		}
		if first == nil {
			first = v
		} else if !first.Equal(v) {
			return false
		}
	}
	return true
}

// complete compiles a complete rule: the value of the body that succeeds (two that succeed with
// different values are a conflict), else the default's, else undefined. It is computed once per
// evaluation.
func (c *compiler) complete(g *group) error {
	defs, err := c.definitions(g)
	if err != nil {
		return err
	}
	var def eval
	if g.def != nil {
		if !g.def.Head.Value.IsGround() {
			return unsupported("a default that is not a constant")
		}
		def, _, err = c.term(g.def.Head.Value, c.newScope())
		if err != nil {
			return err
		}
	}
	early := sameConstant(g)
	compute := func(f *frame) (value, error) {
		out, err := evalDefinitions(f, defs, nil, early)
		if err != nil || out.defined() || def == nil {
			return out, err
		}
		return def(f)
	}
	g.value = c.once(g.path, compute)
	return nil
}

// function compiles a support function: called with its arguments, the value of the body that
// succeeds for them.
func (c *compiler) function(g *group) error {
	defs, err := c.definitions(g)
	if err != nil {
		return err
	}
	g.call = func(f *frame, args []value) (value, error) { return evalDefinitions(f, defs, args, false) }
	return nil
}
