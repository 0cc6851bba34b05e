package residual

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// kind is the form a value takes in the evaluator. The common values of a residual (the
// person's strings, booleans and integers, nanosecond times, a reason) are held in Go types; any
// other value is held as OPA's AST, and compared and passed to builtins as OPA does.
type kind uint8

const (
	kUndefined kind = iota
	kNull
	kBool
	kInt     // an integer that fits an int64, written without fraction or exponent
	kString  // s
	kStrings // l: an array of strings (a person's purposes)
	kInts    // x is an *ints: an array of integers (a date, the candidates of min)
	kObject  // consent or subject: n is its index in Objects
	kReason  // a reason to deny or a warning: x is a *Reason
	kOther   // anything else: x is an ast.Value
)

// value is one value of the evaluator, or undefined.
type value struct {
	k kind
	b bool
	n int64
	s string
	l []string
	x any
}

func boolValue(b bool) value     { return value{k: kBool, b: b} }
func intValue(n int64) value     { return value{k: kInt, n: n} }
func stringValue(s string) value { return value{k: kString, s: s} }

// defined says the value exists.
func (v value) defined() bool { return v.k != kUndefined }

// truthy says an expression of this value succeeds: it is defined and not false.
func (v value) truthy() bool { return v.k != kUndefined && !(v.k == kBool && !v.b) }

// fromAST holds an OPA value in the evaluator's form.
func fromAST(v ast.Value) value {
	switch x := v.(type) {
	case ast.Null:
		return value{k: kNull}
	case ast.Boolean:
		return boolValue(bool(x))
	case ast.String:
		return stringValue(string(x))
	case ast.Number:
		if n, ok := intNumber(x); ok {
			return intValue(n)
		}
	case *ast.Array:
		if l, ok := stringArray(x); ok {
			return value{k: kStrings, l: l}
		}
		if ns, ok := intArray(x); ok {
			return value{k: kInts, x: &ints{ns: ns}}
		}
	}
	return value{k: kOther, x: v}
}

// intNumber reads a number written as an int64 is (digits, a minus sign before a number other
// than zero, no leading zero). Any other number stays OPA's: sprintf formats a number with a
// fraction or an exponent otherwise, and its text is kept as it was.
func intNumber(n ast.Number) (int64, bool) {
	i, err := strconv.ParseInt(string(n), 10, 64)
	return i, err == nil && strconv.FormatInt(i, 10) == string(n)
}

// stringArray reads an array whose elements are all strings.
func stringArray(a *ast.Array) ([]string, bool) {
	l := make([]string, 0, a.Len())
	ok := true
	a.Foreach(func(t *ast.Term) {
		s, isString := t.Value.(ast.String)
		ok = ok && isString
		l = append(l, string(s))
	})
	return l, ok
}

// ints is an array of integers, as a kInts value holds it (a pointer, so that holding it
// allocates nothing).
type ints struct{ ns []int64 }

// ints is the array of integers a kInts value holds.
func (v value) ints() []int64 { return v.x.(*ints).ns }

// intArray reads an array whose elements are all integers (as intNumber reads them).
func intArray(a *ast.Array) ([]int64, bool) {
	ns := make([]int64, a.Len())
	for i := range ns {
		n, ok := a.Elem(i).Value.(ast.Number)
		if !ok {
			return nil, false
		}
		if ns[i], ok = intNumber(n); !ok {
			return nil, false
		}
	}
	return ns, true
}

// toAST is the value as OPA holds it; s is the person's state an object value reads.
func (v value) toAST(s *State) ast.Value {
	switch v.k {
	case kNull:
		return ast.Null{}
	case kBool:
		return ast.Boolean(v.b)
	case kInt:
		return ast.Number(strconv.FormatInt(v.n, 10))
	case kString:
		return ast.String(v.s)
	case kStrings:
		terms := make([]*ast.Term, len(v.l))
		for i, e := range v.l {
			terms[i] = ast.StringTerm(e)
		}
		return ast.NewArray(terms...)
	case kInts:
		ns := v.ints()
		terms := make([]*ast.Term, len(ns))
		for i, n := range ns {
			terms[i] = ast.NewTerm(ast.Number(strconv.FormatInt(n, 10)))
		}
		return ast.NewArray(terms...)
	case kObject:
		return s.objectAST(int(v.n))
	case kReason:
		r := v.x.(*Reason)
		return ast.NewObject(
			[2]*ast.Term{ast.InternedTerm("clause"), ast.StringTerm(r.Clause)},
			[2]*ast.Term{ast.InternedTerm("clause_id"), ast.StringTerm(r.ClauseID)},
			[2]*ast.Term{ast.InternedTerm("message"), ast.StringTerm(r.Message)},
			[2]*ast.Term{ast.InternedTerm("path"), ast.StringTerm(r.Path)},
			[2]*ast.Term{ast.InternedTerm("rule"), ast.StringTerm(r.Rule)},
		)
	case kOther:
		return v.x.(ast.Value)
	}
	return nil
}

// compare orders two defined values as OPA's comparisons do (Value.Compare): numbers by value, strings by
// bytes, other kinds through OPA's own comparison.
func compare(a, b value, s *State) int {
	switch {
	case a.k == kInt && b.k == kInt:
		return cmp.Compare(a.n, b.n)
	case a.k == kString && b.k == kString:
		return strings.Compare(a.s, b.s)
	case a.k == kBool && b.k == kBool:
		return cmp.Compare(boolRank(a.b), boolRank(b.b))
	}
	return a.toAST(s).Compare(b.toAST(s))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// equal says two defined values are equal, as OPA's == and unification say (ast.ValueEqual).
func equal(a, b value, s *State) bool {
	switch {
	case a.k == kInt && b.k == kInt:
		return a.n == b.n
	case a.k == kString && b.k == kString:
		return a.s == b.s
	case a.k == kBool && b.k == kBool:
		return a.b == b.b
	case a.k == kReason && b.k == kReason:
		return *a.x.(*Reason) == *b.x.(*Reason)
	}
	return ast.ValueEqual(a.toAST(s), b.toAST(s))
}
