package compiler

import "github.com/confect/policyengine/problem"

// Problems turns the errors OPA returns from parsing or compiling modules (ast.Errors) into
// policy errors with their file, line and column; file names an error that has no location.
// Policy tooling (the Rego tests of policytest) reports its errors as the compiler does.
func Problems(file string, err error) []*problem.Problem { return astProblems(file, err) }
