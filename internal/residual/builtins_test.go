package residual

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every builtin the evaluator computes in Go gives what OPA's own implementation gives, on edge
// values: leap seconds, the ends of OPA's clock, month ends and leap days, huge numbers, values of
// every type. Where the Go form declines (ok false), OPA's implementation is called, so only
// what it computes itself is compared.
func TestNativeBuiltinsAreOPAs(t *testing.T) {
	t.Parallel()
	num := func(s string) *ast.Term { return ast.NumberTerm(json.Number(s)) }
	str := ast.StringTerm
	ns := func(s string) *ast.Term {
		tm, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return ast.IntNumberTerm(int(tm.UnixNano()))
	}
	minNS, maxNS := num(strconv.FormatInt(math.MinInt64, 10)), num(strconv.FormatInt(math.MaxInt64, 10))
	numbers := []*ast.Term{
		num("0"), num("1"), num("-1"), num("13"), num("1.0"), num("1.5"), num("1e3"), num("-0"),
		minNS, maxNS, num("9223372036854775808"), num("-9223372036854775809"), num("1e400"),
		num("2147483647"), num("2147483648"), num("9150278399000000000"),
	}
	others := []*ast.Term{
		ast.NullTerm(), ast.BooleanTerm(true), ast.BooleanTerm(false), str(""), str("given"), str("a"), str("1"),
		ast.ArrayTerm(str("marketing.materials"), str("purchase.orders")), ast.ArrayTerm(), ast.ArrayTerm(num("1"), str("a")),
		ast.ObjectTerm([2]*ast.Term{str("a"), num("1")}), ast.SetTerm(str("a")),
	}
	values := append(append([]*ast.Term{}, numbers...), others...)
	pairs := func(xs, ys []*ast.Term) [][]*ast.Term {
		var out [][]*ast.Term
		for _, x := range xs {
			for _, y := range ys {
				out = append(out, []*ast.Term{x, y})
			}
		}
		return out
	}
	times := []string{
		"2026-11-28T12:00:00Z", "2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999999999Z", "2017-01-01T00:00:00Z",
		"1677-09-21T00:12:43.145224192Z", "1677-09-21T00:12:43.145224191Z", "2262-04-11T23:47:16.854775807Z",
		"2262-04-11T23:47:16.854775808Z", "1678-01-01T00:00:00Z", "2261-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z", "2026-01-02t03:04:05z", "2026-01-02T03:04:05.5+02:00", "2026-01-02T03:04:05-23:59",
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "not a time", "",
	}
	var parse [][]*ast.Term
	for _, s := range times {
		parse = append(parse, []*ast.Term{str(s)})
	}
	parse = append(parse, []*ast.Term{num("1")}, []*ast.Term{ast.NullTerm()})
	var add [][]*ast.Term
	instants := []*ast.Term{
		ns("2024-01-31T00:00:00Z"), ns("2024-02-29T12:00:00Z"), ns("2023-01-31T23:59:59.999999999Z"), ns("2025-12-31T00:00:00Z"),
		ns("2026-03-31T00:00:00Z"), ns("2262-01-01T00:00:00Z"), ns("1678-01-01T00:00:00Z"), minNS, maxNS, num("0"), num("1.5"), str("x"),
	}
	shifts := [][3]string{{"0", "1", "0"}, {"0", "24", "0"}, {"1", "0", "0"}, {"0", "0", "1"}, {"0", "-1", "0"}, {"-1", "0", "0"},
		{"0", "0", "0"}, {"300", "0", "0"}, {"-300", "0", "0"}, {"0", "12", "-1"}, {"0", "1.5", "0"}, {"9223372036854775807", "0", "0"}}
	for _, at := range instants {
		for _, s := range shifts {
			add = append(add, []*ast.Term{at, num(s[0]), num(s[1]), num(s[2])})
		}
	}
	purposes := ast.ArrayTerm(str("marketing.materials"), str("purchase.orders"))
	member := pairs(append(others, numbers[:4]...), []*ast.Term{purposes, ast.ArrayTerm(), ast.ArrayTerm(num("1")), ast.SetTerm(str("a"))})
	sprintfs := [][]*ast.Term{
		{str("%d"), ast.ArrayTerm(num("12"))}, {str("%d"), ast.ArrayTerm(num("-7"))}, {str("%d"), ast.ArrayTerm(maxNS)},
		{str("%d"), ast.ArrayTerm(num("9223372036854775808"))}, {str("%d"), ast.ArrayTerm(num("1.0"))}, {str("%d"), ast.ArrayTerm(str("x"))},
		{str("consent is %s"), ast.ArrayTerm(str("withdrawn"))}, {str("%s by %s"), ast.ArrayTerm(str("a"), str("b"))},
		{str("%v %v"), ast.ArrayTerm(num("3"), str("s"))}, {str("100%% %s"), ast.ArrayTerm(str("x"))}, {str("%s"), ast.ArrayTerm()},
		{str("%s %d"), ast.ArrayTerm(str("a"), num("1e3"))}, {str("%s"), ast.ArrayTerm(ast.NullTerm())}, {str("no verbs"), ast.ArrayTerm(str("extra"))},
		{str("%x"), ast.ArrayTerm(num("255"))}, {str("%q"), ast.ArrayTerm(str("a\"b"))},
	}
	var dates [][]*ast.Term
	for _, at := range append(instants, ns("2016-12-31T23:59:59.999999999Z"), ns("2024-02-29T23:59:59.999999999Z"), num("-1"), num("1e3"), ast.NullTerm()) {
		dates = append(dates, []*ast.Term{at})
	}
	minima := [][]*ast.Term{
		{ast.ArrayTerm(num("3"), num("1"), num("2"))}, {ast.ArrayTerm(num("-1"), num("1"))}, {ast.ArrayTerm()},
		{ast.ArrayTerm(minNS, maxNS)}, {ast.ArrayTerm(num("2"), num("1.5"))}, {ast.ArrayTerm(num("9223372036854775808"), num("1"))},
		{ast.ArrayTerm(num("1"), str("a"))}, {ast.ArrayTerm(str("b"), str("a"))}, {ast.SetTerm(num("2"), num("1"))}, {num("1")},
		{ast.ArrayTerm(num("5"), num("5"))},
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cases := map[string][][]*ast.Term{
		ast.Equal.Name: pairs(values, values), ast.NotEqual.Name: pairs(values, values),
		ast.LessThan.Name: pairs(values, values), ast.LessThanEq.Name: pairs(values, values),
		ast.GreaterThan.Name: pairs(values, values), ast.GreaterThanEq.Name: pairs(values, values),
		ast.Plus.Name: pairs(numbers, append(numbers, str("1"))), ast.Minus.Name: pairs(numbers, append(numbers, str("1"))),
		ast.Member.Name: member, ast.NowNanos.Name: {{}}, ast.ParseRFC3339Nanos.Name: parse, ast.AddDate.Name: add,
		ast.Sprintf.Name: sprintfs, ast.Date.Name: dates, ast.Min.Name: minima,
	}
	for name := range native {
		require.Contains(t, cases, name, "no edge values for %s", name)
	}
	// sprintf's Go form is not in native: it formats the elements of an array written out in the
	// call (sprintfCall).
	fastSprintf := func(_ *frame, a []value) (value, bool, error) {
		arr, ok := a[1].toAST(nil).(*ast.Array)
		if !ok {
			return value{}, false, nil
		}
		var elems []value
		arr.Foreach(func(t *ast.Term) { elems = append(elems, fromAST(t.Value)) })
		v, ok := sprintf(a[0], elems)
		return v, ok, nil
	}
	compared := 0
	for name, operands := range cases {
		fast := native[name]
		if name == ast.Sprintf.Name {
			fast = fastSprintf
		}
		opa := topdown.GetBuiltin(name)
		for _, ops := range operands {
			f := &frame{now: now.UnixNano()}
			args := make([]value, len(ops))
			for i, o := range ops {
				args[i] = fromAST(o.Value)
			}
			got, ok, gotErr := fast(f, args)
			if !ok {
				continue // OPA's own implementation computes it
			}
			compared++
			var want *ast.Term
			wantErr := opa(topdown.BuiltinContext{Context: context.Background(), Time: ast.NumberTerm(json.Number(strconv.FormatInt(now.UnixNano(), 10)))},
				ops, func(t *ast.Term) error { want = t; return nil })
			if wantErr != nil {
				assert.Error(t, gotErr, "%s%v: OPA fails (%v), Go does not", name, ops, wantErr)
				continue
			}
			if !assert.NoError(t, gotErr, "%s%v", name, ops) {
				continue
			}
			if want == nil { // undefined, as min of nothing
				assert.False(t, got.defined(), "%s%v: OPA undefined, Go %v", name, ops, got.toAST(nil))
				continue
			}
			assert.True(t, ast.ValueEqual(want.Value, got.toAST(nil)), "%s%v: OPA %v, Go %v", name, ops, want, got.toAST(nil))
			assert.Equal(t, want.Value.String(), got.toAST(nil).String(), "%s%v: the same text", name, ops)
		}
	}
	t.Logf("%d calls compared", compared)
	assert.Greater(t, compared, 1000)
}
