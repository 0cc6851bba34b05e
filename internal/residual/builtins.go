package residual

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

var (
	// errUnexpected is a value of a form the compiled residual does not take where OPA might:
	// the caller decides on OPA.
	errUnexpected = errors.New("a value of an unexpected form")
	// errConflict is two definitions of a rule or function that give different values.
	errConflict = errors.New("a rule with conflicting values")
	// errRange is a time outside what OPA's nanosecond clock holds.
	errRange = errors.New("time outside of valid range")
)

// native are the builtins the evaluator computes in Go, on its own values, where their operands
// take the common forms; for any other form they call OPA's implementation. The table test in
// builtins_test.go holds each equal to OPA's on edge values.
var native = map[string]func(f *frame, args []value) (value, bool, error){
	ast.Equal.Name:    func(f *frame, a []value) (value, bool, error) { return boolValue(equal(a[0], a[1], f.st)), true, nil },
	ast.NotEqual.Name: func(f *frame, a []value) (value, bool, error) { return boolValue(!equal(a[0], a[1], f.st)), true, nil },
	ast.LessThan.Name: func(f *frame, a []value) (value, bool, error) {
		return boolValue(compare(a[0], a[1], f.st) < 0), true, nil
	},
	ast.LessThanEq.Name: func(f *frame, a []value) (value, bool, error) {
		return boolValue(compare(a[0], a[1], f.st) <= 0), true, nil
	},
	ast.GreaterThan.Name: func(f *frame, a []value) (value, bool, error) {
		return boolValue(compare(a[0], a[1], f.st) > 0), true, nil
	},
	ast.GreaterThanEq.Name: func(f *frame, a []value) (value, bool, error) {
		return boolValue(compare(a[0], a[1], f.st) >= 0), true, nil
	},
	ast.Plus.Name:              func(_ *frame, a []value) (value, bool, error) { return plus(a[0], a[1]) },
	ast.Minus.Name:             func(_ *frame, a []value) (value, bool, error) { return minus(a[0], a[1]) },
	ast.Member.Name:            func(_ *frame, a []value) (value, bool, error) { return member(a[0], a[1]) },
	ast.NowNanos.Name:          func(f *frame, _ []value) (value, bool, error) { return intValue(f.now), true, nil },
	ast.ParseRFC3339Nanos.Name: func(_ *frame, a []value) (value, bool, error) { return parseRFC3339(a[0]) },
	ast.AddDate.Name:           func(_ *frame, a []value) (value, bool, error) { return addDate(a) },
	ast.Date.Name:              func(f *frame, a []value) (value, bool, error) { return date(f, a[0]) },
	ast.Min.Name:               func(_ *frame, a []value) (value, bool, error) { return minimum(a[0]) },
}

// plus adds two integers, as OPA does when the sum fits an int64; false leaves any other sum to
// OPA (which moves to big numbers).
func plus(a, b value) (value, bool, error) {
	if a.k != kInt || b.k != kInt {
		return value{}, false, nil
	}
	s := a.n + b.n
	if (s > a.n) != (b.n > 0) {
		return value{}, false, nil // overflow
	}
	return intValue(s), true, nil
}

func minus(a, b value) (value, bool, error) {
	if a.k != kInt || b.k != kInt || b.n == math.MinInt64 {
		return value{}, false, nil
	}
	return plus(a, intValue(-b.n))
}

// member is internal.member_2 (x in collection) on a person's array of strings.
func member(x, coll value) (value, bool, error) {
	if coll.k != kStrings {
		return value{}, false, nil
	}
	if x.k != kString {
		return boolValue(false), true, nil // a string array holds nothing else
	}
	for _, s := range coll.l {
		if s == x.s {
			return boolValue(true), true, nil
		}
	}
	return boolValue(false), true, nil
}

// OPA's nanosecond clock: the instants an int64 of nanoseconds since 1970 holds.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// nanos is an instant in nanoseconds, as OPA's time builtins return it.
func nanos(t time.Time) (value, bool, error) {
	if t.Before(minTime) || t.After(maxTime) {
		return value{}, true, errRange
	}
	return intValue(t.UnixNano()), true, nil
}

// parseRFC3339 is time.parse_rfc3339_ns: Go's RFC 3339 parse and OPA's range check.
func parseRFC3339(s value) (value, bool, error) {
	if s.k != kString {
		return value{}, false, nil
	}
	t, err := time.Parse(time.RFC3339, s.s)
	if err != nil {
		return value{}, false, nil // OPA's error, from OPA
	}
	return nanos(t)
}

// addDate is time.add_date on an instant in nanoseconds: Go's AddDate in UTC and OPA's range
// check.
func addDate(a []value) (value, bool, error) {
	for _, x := range a {
		if x.k != kInt {
			return value{}, false, nil
		}
	}
	if a[1].n != int64(int(a[1].n)) || a[2].n != int64(int(a[2].n)) || a[3].n != int64(int(a[3].n)) {
		return value{}, false, nil
	}
	return nanos(time.Unix(0, a[0].n).UTC().AddDate(int(a[1].n), int(a[2].n), int(a[3].n)))
}

// date is time.date on an instant in nanoseconds: its year, month and day in UTC.
func date(f *frame, ns value) (value, bool, error) {
	if ns.k != kInt {
		return value{}, false, nil
	}
	y, m, d := time.Unix(0, ns.n).UTC().Date()
	out := f.newInts(3)
	out.ns[0], out.ns[1], out.ns[2] = int64(y), int64(m), int64(d)
	return value{k: kInts, x: out}, true, nil
}

// minimum is min on an array of integers: the least, undefined for none.
func minimum(arr value) (value, bool, error) {
	if arr.k != kInts {
		return value{}, false, nil
	}
	ns := arr.ints()
	if len(ns) == 0 {
		return value{}, true, nil
	}
	return intValue(slices.Min(ns)), true, nil
}

// sprintf formats strings and integers with the verbs %s, %d and %v (and %% for a percent sign)
// as OPA's sprintf does, which is Go's fmt.Sprintf with each string as a Go string and each
// integer as an int64. false leaves anything else (another verb, a flag or width, an operand of
// another type, too few or too many operands) to OPA.
func sprintf(format value, args []value) (value, bool) {
	if format.k != kString {
		return value{}, false
	}
	f := format.s
	size := len(f)
	for _, a := range args {
		size += len(a.s) + 20
	}
	var b strings.Builder
	b.Grow(size)
	var digits [20]byte
	next := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		if i++; i == len(f) {
			return value{}, false
		}
		verb := f[i]
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if next == len(args) {
			return value{}, false
		}
		a := args[next]
		next++
		switch {
		case a.k == kString && (verb == 's' || verb == 'v'):
			b.WriteString(a.s)
		case a.k == kInt && (verb == 'd' || verb == 'v'):
			b.Write(strconv.AppendInt(digits[:0], a.n, 10))
		default:
			return value{}, false
		}
	}
	if next != len(args) {
		return value{}, false
	}
	return stringValue(b.String()), true
}

// sprintfCall compiles sprintf(format, [a, b, ...]) with its array written out: the elements
// are formatted as they are computed, without building OPA's array, unless one is of a form
// only OPA formats.
func (c *compiler) sprintfCall(t *ast.Term, call ast.Call, arr *ast.Array, sc *scope) (eval, bool, error) {
	format, pure, err := c.term(call[1], sc)
	if err != nil {
		return nil, false, err
	}
	elems := make([]eval, arr.Len())
	for i := range elems {
		e, p, err := c.term(arr.Elem(i), sc)
		if err != nil {
			return nil, false, err
		}
		elems[i], pure = e, pure && p
	}
	slow, err := builtin(ast.Sprintf.Name, 2)
	if err != nil {
		return nil, false, err
	}
	base, n := c.reserve(len(elems))
	compute := func(f *frame) (value, error) {
		fv, err := format(f)
		if !fv.defined() || err != nil {
			return value{}, err
		}
		vals := f.args[base : base+n : base+n]
		for i, e := range elems {
			x, err := e(f)
			if !x.defined() || err != nil {
				return value{}, err
			}
			vals[i] = x
		}
		if v, ok := sprintf(fv, vals); ok {
			return v, nil
		}
		terms := make([]*ast.Term, len(vals))
		for i, x := range vals {
			terms[i] = ast.NewTerm(x.toAST(f.st))
		}
		return slow(f, []value{fv, {k: kOther, x: ast.NewArray(terms...)}})
	}
	if pure {
		return c.once(t.String(), compute), true, nil
	}
	return compute, false, nil
}

// call compiles a call of a builtin or a support function, as a value.
func (c *compiler) call(t *ast.Term, call ast.Call, sc *scope) (eval, bool, error) {
	ref, ok := call[0].Value.(ast.Ref)
	if !ok {
		return nil, false, unsupported("a call of %v", call[0])
	}
	name := ref.String()
	if arr, ok := call[len(call)-1].Value.(*ast.Array); ok && name == ast.Sprintf.Name && len(call) == 3 {
		return c.sprintfCall(t, call, arr, sc)
	}
	args := make([]eval, len(call)-1)
	pure := true
	for i, a := range call[1:] {
		e, p, err := c.term(a, sc)
		if err != nil {
			return nil, false, err
		}
		args[i], pure = e, pure && p
	}
	var fn func(f *frame, args []value) (value, error)
	if g := c.groups[name]; g != nil {
		if !g.function || g.arity != len(args) {
			return nil, false, unsupported("a call of %s", name)
		}
		if err := c.compileGroup(g); err != nil {
			return nil, false, err
		}
		fn = g.call
	} else {
		var err error
		if fn, err = builtin(name, len(args)); err != nil {
			return nil, false, err
		}
	}
	base, n := c.reserve(len(args))
	compute := func(f *frame) (value, error) {
		vals := f.args[base : base+n : base+n]
		for i, a := range args {
			x, err := a(f)
			if !x.defined() || err != nil {
				return value{}, err
			}
			vals[i] = x
		}
		return fn(f, vals)
	}
	if pure {
		return c.once(t.String(), compute), true, nil
	}
	return compute, false, nil
}

// builtin returns what computes a builtin: natively where native has it and the operands take
// its forms, else OPA's own implementation on OPA's values. Only deterministic builtins that
// need nothing of OPA's evaluation (CanSkipBctx) are taken, and the clock.
func builtin(name string, arity int) (func(f *frame, args []value) (value, error), error) {
	b, ok := ast.BuiltinMap[name]
	if !ok || b.Decl == nil || len(b.Decl.FuncArgs().Args) != arity {
		return nil, unsupported("builtin %s", name)
	}
	fast := native[name]
	if name == ast.NowNanos.Name {
		return func(f *frame, args []value) (value, error) {
			v, _, err := fast(f, args)
			return v, err
		}, nil
	}
	opa := topdown.GetBuiltin(name)
	if opa == nil || b.Relation || b.Nondeterministic || !b.CanSkipBctx {
		return nil, unsupported("builtin %s", name)
	}
	slow := func(f *frame, args []value) (value, error) {
		operands := make([]*ast.Term, len(args))
		for i, a := range args {
			operands[i] = ast.NewTerm(a.toAST(f.st))
		}
		var out value
		err := opa(topdown.BuiltinContext{Context: context.Background()}, operands, func(t *ast.Term) error {
			out = fromAST(t.Value)
			return nil
		})
		return out, err
	}
	if fast == nil {
		return slow, nil
	}
	return func(f *frame, args []value) (value, error) {
		v, ok, err := fast(f, args)
		if ok || err != nil {
			return v, err
		}
		return slow(f, args)
	}, nil
}
