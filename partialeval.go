package policyengine

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/partial"
	"github.com/confect/policyengine/policy"
)

// partialEvaluator partially evaluates the findings of the rule packages that read the person's
// state or the clock, with the person's state unknown: a query per package and kind of finding.
// Partial evaluation rewrites the terms it works on in place (copy propagation), so each
// evaluator has a compiler and a store of its own and does one partial evaluation at a time; a
// revision keeps up to one per CPU, made as preparing declarations in parallel needs them.
type partialEvaluator struct {
	queries map[string]*[len(partial.Kinds)]rego.PreparedPartialQuery // by package
}

// newPartialEvaluator prepares the partial evaluation of the findings of the person packages,
// on a compiler and a store of its own: the queries that decide never see what partial
// evaluation rewrites, and it never sees another. Each package's support rules go to a
// namespace of their own, so that the residuals of several packages can be put together.
func newPartialEvaluator(ctx context.Context, p *policy.Policy, built *compiler.Result, data map[string]any, packages []personPackage) (*partialEvaluator, error) {
	partialBuild, err := compiler.Compile(p, built.Sources, built.Builtin)
	if err != nil {
		return nil, err
	}
	partialStore := inmem.NewFromObject(maps.Clone(data))
	pe := &partialEvaluator{queries: map[string]*[len(partial.Kinds)]rego.PreparedPartialQuery{}}
	for _, pkg := range packages {
		queries := &[len(partial.Kinds)]rego.PreparedPartialQuery{}
		for i, kind := range partial.Kinds {
			if !pkg.kinds[i] {
				continue
			}
			pq, err := partial.Prepare(ctx, partialBuild.Compiler, partialStore, fmt.Sprintf("%s[%q].%s[%s]", compiler.RulesPackage, pkg.name, kind, residualOutput),
				partial.Namespace+kind+"_"+pkg.name)
			if err != nil {
				return nil, err
			}
			queries[i] = pq
		}
		pe.queries[pkg.name] = queries
	}
	return pe, nil
}

// partialEvaluators hands out a revision's partial evaluators.
type partialEvaluators struct {
	idle  chan *partialEvaluator
	mu    sync.Mutex
	made  int
	build func(context.Context) (*partialEvaluator, error)
}

func newPartialEvaluators(build func(context.Context) (*partialEvaluator, error)) *partialEvaluators {
	return &partialEvaluators{idle: make(chan *partialEvaluator, runtime.GOMAXPROCS(0)), build: build}
}

// get returns an idle evaluator, makes one while fewer than one per CPU exist, or waits.
func (p *partialEvaluators) get(ctx context.Context) (*partialEvaluator, error) {
	select {
	case pe := <-p.idle:
		return pe, nil
	default:
	}
	p.mu.Lock()
	if p.made < cap(p.idle) {
		p.made++
		p.mu.Unlock()
		pe, err := p.build(ctx)
		if err != nil {
			p.mu.Lock()
			p.made--
			p.mu.Unlock()
		}
		return pe, err
	}
	p.mu.Unlock()
	select {
	case pe := <-p.idle:
		return pe, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *partialEvaluators) put(pe *partialEvaluator) { p.idle <- pe }

// personResidual is what partial evaluation leaves of the person packages' findings for a
// declaration, by kind, and a key of the declaration's fields those packages read.
func (st *prepared) personResidual(ctx context.Context, doc map[string]any) (out [len(partial.Kinds)]*rego.PartialQueries, key [sha256.Size]byte, err error) {
	for i := range out {
		out[i] = &rego.PartialQueries{}
	}
	h := sha256.New()
	for _, pkg := range st.personPackages {
		projection, hash, err := project(doc, pkg.fields)
		if err != nil {
			return out, key, err
		}
		h.Write(hash[:])
		for i := range partial.Kinds {
			if !pkg.kinds[i] {
				continue
			}
			pq, err := st.packageResidual(ctx, pkg, i, projection, hash)
			if err != nil {
				return out, key, err
			}
			out[i].Queries = append(out[i].Queries, pq.Queries...)
			out[i].Support = append(out[i].Support, pq.Support...)
		}
	}
	copy(key[:], h.Sum(nil))
	return out, key, nil
}

// project is a declaration restricted to fields (all of it for nil), as OPA's value, and the
// hash of its canonical form.
func project(doc map[string]any, fields []string) (ast.Value, [sha256.Size]byte, error) {
	restricted := doc
	if fields != nil {
		restricted = make(map[string]any, len(fields))
		for _, f := range fields {
			if v, ok := doc[f]; ok {
				restricted[f] = v
			}
		}
	}
	canonical, err := json.Marshal(restricted)
	if err != nil {
		return nil, [sha256.Size]byte{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	v, err := ast.InterfaceToValue(restricted)
	if err != nil {
		return nil, [sha256.Size]byte{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return v, sha256.Sum256(canonical), nil
}

// packageResidual is what partial evaluation leaves of one package's findings of one kind for
// the declaration's fields the package reads (projection, of the given hash): worked out once,
// shared by the declarations alike in those fields. What it returns is not to be changed.
func (st *prepared) packageResidual(ctx context.Context, pkg personPackage, kind int, projection ast.Value, hash [sha256.Size]byte) (*rego.PartialQueries, error) {
	key := sha256.Sum256(append([]byte(pkg.name+"\x00"+partial.Kinds[kind]+"\x00"), hash[:]...))
	if pq, ok := st.partialResults.Get(key); ok {
		return pq, nil
	}
	pe, err := st.partials.get(ctx)
	if err != nil {
		return nil, err
	}
	defer st.partials.put(pe)
	out, err := partial.Eval(ctx, pe.queries[pkg.name][kind], projection)
	if err != nil {
		return nil, err
	}
	st.partialResults.Add(key, out)
	return out, nil
}

// partialEval is what partial evaluation leaves of one kind of finding of the person packages,
// for a declaration. What it returns is not to be changed.
func (st *prepared) partialEval(ctx context.Context, kind int, doc map[string]any) (*rego.PartialQueries, error) {
	pqs, _, err := st.personResidual(ctx, doc)
	if err != nil {
		return nil, err
	}
	return pqs[kind], nil
}

// packagesQuery is a query over some rule packages: "some p in [names]; " + what follows.
func packagesQuery(names []string) string {
	list, _ := json.Marshal(names)
	return "some p in " + string(list) + "; "
}
