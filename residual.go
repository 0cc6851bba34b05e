package policyengine

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/confect/policyengine/internal/compiler"
)

// A residual is what the rules leave of one declaration once everything but the person's state
// is known: OPA's partial evaluation of the findings with input.consent and input.subject
// unknown. The declaration rules are decided in it (their findings are constants), and the
// person rules are reduced to the few tests of the person's state they still need. Deciding a
// person is then evaluating the residual on their state alone.
type residual struct {
	// query evaluates the residual: the findings, as the full query returns them.
	query rego.PreparedEvalQuery
	// personOnly says the residual reads nothing of the input but consent and subject, so the
	// person's state alone is its input.
	personOnly bool
	// constant is the decision for every person, when the residual holds no rule at all.
	constant *Decision
	// full says partial evaluation cannot be used for this declaration: decide the declaration
	// with the person's state in full.
	full bool
}

// residualPackage holds a residual's rules; partialNamespace + kind, the support rules partial
// evaluation writes for each kind of finding.
const (
	residualPackage  = "policyengine_residual"
	partialNamespace = "policyengine_partial_"
)

// residualCacheSize bounds the residuals kept per policy revision.
const residualCacheSize = 4096

// residual returns the declaration's residual under a policy revision, working it out on first
// use.
func (d *Declaration) residual(ctx context.Context, st *prepared) (*residual, error) {
	if r, ok := st.residuals.Get(d.hash); ok {
		return r, nil
	}
	r, err := buildResidual(ctx, st, d.value)
	if err != nil {
		return nil, err
	}
	st.residuals.Add(d.hash, r)
	return r, nil
}

// buildResidual partially evaluates the findings for a declaration. Whatever partial evaluation
// cannot do, or leaves in a form this code does not vouch for, falls back to full evaluation:
// the result is always the full decision.
func buildResidual(ctx context.Context, st *prepared, decl ast.Object) (*residual, error) {
	full := &residual{full: true}
	pkg := ast.MustParsePackage("package " + residualPackage)
	module := &ast.Module{Package: pkg}
	modules := map[string]*ast.Module{}
	for i, kind := range findingKinds {
		pq, err := st.partialEval(ctx, i, decl)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, fmt.Errorf("%w: %w", ErrEvaluation, cerr)
			}
			return full, nil
		}
		for _, body := range pq.Queries {
			head := ast.NewHead(ast.Var(kind), ast.VarTerm("x"))
			head.Reference = ast.Ref{ast.VarTerm(kind)}
			module.Rules = append(module.Rules, &ast.Rule{Head: head, Body: body, Module: module})
		}
		for j, m := range pq.Support {
			modules[fmt.Sprintf("support/%s/%d", kind, j)] = m
		}
	}
	if len(module.Rules) == 0 && len(modules) == 0 {
		return &residual{constant: &Decision{Allow: true, Reasons: []Reason{}, Warnings: []Reason{}, Revision: st.revision}}, nil
	}
	modules["residual"] = module
	personOnly := true
	for _, m := range modules {
		ok, person := vouched(m)
		if !ok {
			return full, nil
		}
		personOnly = personOnly && person
	}
	c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
	if c.Compile(modules); c.Failed() {
		return full, nil
	}
	q, err := rego.New(
		rego.Query("data."+residualPackage),
		rego.Compiler(c),
		rego.Store(inmem.New()), // everything the residual reads of the policy is in it
		rego.StrictBuiltinErrors(true),
		rego.Capabilities(compiler.Capabilities()),
	).PrepareForEval(ctx)
	if err != nil {
		return full, nil
	}
	return &residual{query: q, personOnly: personOnly}, nil
}

// partialEval partially evaluates one kind of finding for a declaration, one partial
// evaluation at a time, and returns a deep copy of what it leaves: partial evaluation rewrites
// terms in place, and what it returns may share them with its compiler.
func (st *prepared) partialEval(ctx context.Context, kind int, decl ast.Value) (*rego.PartialQueries, error) {
	st.partialMu.Lock()
	defer st.partialMu.Unlock()
	pq, err := st.partial[kind].Partial(ctx, rego.EvalParsedInput(ast.NewTerm(decl).Copy().Value))
	if err != nil {
		return nil, err
	}
	out := &rego.PartialQueries{}
	for _, q := range pq.Queries {
		out.Queries = append(out.Queries, q.Copy())
	}
	for _, m := range pq.Support {
		out.Support = append(out.Support, m.Copy())
	}
	return out, nil
}

// vouched checks what a residual module refers to: data only under the residual's own packages
// (the policy document and every other rule were evaluated into it), no METADATA lookups (they
// would see the residual's rules, not the policy's). person says it reads nothing of the input
// but the person's state.
func vouched(m *ast.Module) (ok, person bool) {
	ok, person = true, true
	ast.WalkTerms(m, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			switch {
			case v[0].Equal(ast.DefaultRootDocument):
				name := v.String()
				if !strings.HasPrefix(name, "data."+residualPackage) && !strings.HasPrefix(name, "data."+partialNamespace) {
					ok = false
				}
			case v[0].Equal(ast.InputRootDocument):
				if len(v) < 2 {
					person = false
					break
				}
				key, isString := v[1].Value.(ast.String)
				if !isString || (key != "consent" && key != "subject") {
					person = false
				}
			}
		case ast.Call:
			if name := v[0].String(); strings.HasPrefix(name, "rego.metadata") {
				ok = false
			}
		}
		return !ok
	})
	return ok, person
}
