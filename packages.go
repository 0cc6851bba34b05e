package policyengine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/confect/policyengine/internal/compiler"
)

// rulePackage is one rule package, decided on its own so that its findings can be shared by
// declarations alike in what it reads (compiler.Package says what that is), with a cache of them.
type rulePackage struct {
	compiler.Package
	query rego.PreparedEvalQuery // {"deny": ..., "warn": ..., "changes_at": ...} of the package
	// alsoDeclaration says one of its person rules also judges the declaration alone, so that
	// the most favourable person's findings are asked for too.
	alsoDeclaration bool
	cache           *lru.Cache[[sha256.Size]byte, *packageFindings]
}

// packageFindings are one package's findings for a declaration: for the most exposed person,
// and (for a package with person rules that also judge the declaration) the reasons of those
// rules for the most favourable person.
type packageFindings struct {
	reasons, warnings []Reason
	changes           []int64 // the instants of changes_at, in nanoseconds, as the rules gave them
	favourable        []Reason
}

// preparePackages prepares a query per rule package and a cache of size entries for each.
func preparePackages(ctx context.Context, query func(string) (rego.PreparedEvalQuery, error), built *compiler.Result, rules []Rule, size int) ([]*rulePackage, error) {
	out := make([]*rulePackage, 0, len(built.Packages))
	for _, name := range slices.Sorted(maps.Keys(built.Packages)) {
		p := built.Packages[name]
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(p.Kinds) == 0 {
			continue
		}
		parts := make([]string, len(p.Kinds))
		for i, k := range p.Kinds {
			parts[i] = fmt.Sprintf("%q: %s", k, p.Path.Append(ast.StringTerm(k)))
		}
		q, err := query("{" + strings.Join(parts, ", ") + "}")
		if err != nil {
			return nil, err
		}
		c, err := lru.New[[sha256.Size]byte, *packageFindings](size)
		if err != nil {
			return nil, err
		}
		rp := &rulePackage{Package: p, query: q, cache: c}
		// A policy with person rules of its own has its conditions from partial evaluation,
		// which never reads the most favourable person's findings.
		rp.alsoDeclaration = !built.CustomPerson && slices.ContainsFunc(rules, func(r Rule) bool {
			return r.AlsoDeclaration && r.Requires != "" && r.Package == p.Path.String()
		})
		out = append(out, rp)
	}
	return out, nil
}

// key is the package's cache key for an input: the part of it the package reads, and the
// evaluation time if the package reads the clock.
func (p *rulePackage) key(input map[string]any, now time.Time, buf []byte) ([sha256.Size]byte, []byte) {
	buf = p.Reads.Append(buf[:0], input)
	if p.Clock {
		buf = binary.BigEndian.AppendUint64(append(buf, 0), uint64(now.UnixNano()))
	}
	return sha256.Sum256(buf), buf
}

// decideByPackage decides a declaration (validated, its times canonical) for the most exposed
// person, package by package, each answered from its cache when a declaration alike in what it
// reads was decided before. It returns that decision and the reasons of the person rules that
// also judge the declaration for the most favourable person, as favourableDenials does.
func (e *Engine) decideByPackage(ctx context.Context, st *prepared, exposed map[string]any, now time.Time) (Decision, []Reason, error) {
	denied := deniedDecision(st)
	if e.timeout > 0 { // one deadline for the declaration, as for one evaluation
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	out := Decision{Reasons: []Reason{}, Warnings: []Reason{}, Revision: st.revision}
	var favourable []Reason
	var exposedValue, favourableValue ast.Value
	var buf []byte
	var changes []int64
	for _, p := range st.packages {
		var k [sha256.Size]byte
		k, buf = p.key(exposed, now, buf)
		f, ok := p.cache.Get(k)
		if !ok {
			var err error
			if exposedValue == nil {
				if exposedValue, err = ast.InterfaceToValue(exposed); err != nil {
					return denied, nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
				}
			}
			if f, err = e.runPackage(ctx, p, exposedValue, now); err != nil {
				return denied, nil, err
			}
			if p.alsoDeclaration {
				if favourableValue == nil {
					if favourableValue, err = ast.InterfaceToValue(favourableInput(exposed)); err != nil {
						return denied, nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
					}
				}
				best, err := e.runPackage(ctx, p, favourableValue, now)
				if err != nil {
					return denied, nil, err
				}
				f.favourable = alsoDeclaration(st, best.reasons)
			}
			p.cache.Add(k, f)
		}
		out.Reasons = append(out.Reasons, f.reasons...)
		out.Warnings = append(out.Warnings, f.warnings...)
		favourable = append(favourable, f.favourable...)
		changes = append(changes, f.changes...)
	}
	out.ValidUntil = validUntil(changes, now)
	sortReasons(out.Reasons)
	sortReasons(out.Warnings)
	sortReasons(favourable)
	out.Allow = len(out.Reasons) == 0
	return out, favourable, nil
}

// decideDeclaration validates a declaration given with the most exposed person and decides it
// package by package: the decision evaluate would make of it whole.
func (e *Engine) decideDeclaration(ctx context.Context, st *prepared, exposed map[string]any) (Decision, []Reason, error) {
	input, err := admit(ctx, exposed, checkStrings)
	if err != nil {
		return deniedDecision(st), nil, err
	}
	return e.decideByPackage(ctx, st, input.(map[string]any), e.Now(ctx))
}

// runPackage evaluates one package's findings on an input.
func (e *Engine) runPackage(ctx context.Context, p *rulePackage, input ast.Value, now time.Time) (*packageFindings, error) {
	v, err := e.eval(ctx, p.query, input, now)
	if err != nil {
		return nil, err
	}
	reasons, warnings, changes, err := readFindings(v, true)
	if err != nil {
		return nil, err
	}
	return &packageFindings{reasons: reasons, warnings: warnings, changes: changes}, nil
}
