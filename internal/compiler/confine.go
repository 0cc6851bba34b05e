package compiler

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/problem"
)

// confine refuses a policy's own module that is not in a package of its own under the rules
// packages: outside them it could replace the decision, the library or the validation; in a
// built-in package (or beneath one) it could add bodies to the built-in rules and their helpers,
// and so switch them off.
func confine(modules map[string]*ast.Module, custom map[string]bool) []*problem.Problem {
	var builtin []string // the built-in rule packages
	for name, m := range modules {
		if pkg := m.Package.Path.String(); !custom[name] && under(pkg, RulesPackage) {
			builtin = append(builtin, pkg)
		}
	}
	sort.Strings(builtin)
	names := make([]string, 0, len(custom))
	for name := range custom {
		if modules[name] != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var problems []*problem.Problem
	for _, name := range names {
		m := modules[name]
		pkg := m.Package.Path.String()
		at := func(msg string) {
			problems = append(problems, &problem.Problem{Kind: problem.Rego, File: m.Package.Location.File, Line: m.Package.Location.Row, Column: m.Package.Location.Col,
				Message: fmt.Sprintf("package %s: %s", strings.TrimPrefix(pkg, "data."), msg)})
		}
		if !under(pkg, RulesPackage) {
			at(fmt.Sprintf("a policy's modules add rules in packages under %s", strings.TrimPrefix(RulesPackage, "data.")))
			continue
		}
		for _, b := range builtin {
			if pkg == b || under(pkg, b) {
				at(fmt.Sprintf("a built-in package: a policy's modules add rules in packages of their own, they cannot change the built-in rules of %s", strings.TrimPrefix(b, "data.")))
				break
			}
		}
		ast.NewGenericVisitor(func(x any) bool {
			var op string
			var loc *ast.Location
			switch c := x.(type) {
			case *ast.Expr: // a call as a statement
				if c.IsCall() {
					op, loc = c.Operator().String(), c.Location
				}
			case *ast.Term: // a call as a value
				if call, ok := c.Value.(ast.Call); ok && len(call) > 0 {
					op, loc = call[0].Value.String(), c.Location
				}
			}
			if builtinOnly[op] && loc != nil {
				problems = append(problems, &problem.Problem{Kind: problem.Rego, File: loc.File, Line: loc.Row, Column: loc.Col,
					Message: op + " is kept for the built-in validation: on a stock OPA server it fetches a schema's remote $ref over the network"})
			}
			return false
		}).Walk(m)
	}
	return problems
}

// builtinOnly are the builtins the built-in modules may call and a policy's own may not: the
// engine's capabilities keep them off the network, a stock OPA server's do not.
var builtinOnly = map[string]bool{"json.match_schema": true, "json.verify_schema": true}
