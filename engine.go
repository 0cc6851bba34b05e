// Package policyengine decides whether a proposed processing of personal data is allowed by a
// company's privacy policy, and says why not.
//
// The policy is policy-as-code: generic rules written in Rego, run on the Open Policy Agent
// embedded as a library, reading every fact (vocabularies, legal bases per purpose, retention
// limits, countries) from a policy document. Confect's policy is embedded and is the default.
//
// An Engine is prepared once with New and is then safe for concurrent use. Evaluate and
// EvaluateJSON return a Decision: Allow, and for every deny a Reason naming the rule, the clause
// of the policy it enforces and the JSON pointer of the field at fault. They fail closed: on
// invalid input, an evaluation error, an undefined result or a cancelled context they return an
// error and a Decision that denies.
package policyengine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/residual"
	"github.com/confect/policyengine/policy"
)

// Engine decides activities under one policy. It is safe for concurrent use.
type Engine struct {
	clock   func(context.Context) time.Time
	logger  DecisionLogger
	masking bool
	limits  Limits
	cache   int
	timeout time.Duration
	state   atomic.Pointer[prepared]

	reload sync.Mutex // serialises Reload
	source loader     // guarded by reload

	counts struct{ compiled, fallbacks, topdown atomic.Uint64 } // Stats
}

// prepared is everything one policy revision needs to decide, built once.
type prepared struct {
	query    rego.PreparedEvalQuery // data.policyengine.findings
	mask     rego.PreparedEvalQuery // data.system.log.mask, when decisions are logged
	policy   *policy.Policy
	revision string
	rules    []Rule
	person   map[string]Rule // the person rules by id: those whose METADATA says what they require
	// customPerson says a policy's own modules hold person rules: whether any of them denies
	// even the most favourable person must then be asked (the built-in ones never do; a test
	// holds them to it).
	customPerson bool
	cache        *decisionCache // nil: no cache, or the policy's own rules read the clock
	// packages decide declarations alone package by package, sharing findings between
	// declarations alike in what a package reads (packages.go; nil: no cache).
	packages []*rulePackage

	perPerson // deciding declarations per person (residual.go)
	// known are the strings an activity is expected to hold (the schema's keys and enums, the
	// policy's vocabularies): the JSON parser returns them without allocating.
	known map[string]any
	// exposed is the subject of the most exposed person, for deciding declarations alone.
	exposed map[string]any
}

// New prepares an engine: it loads the policy (the embedded Confect policy unless an option
// names another), compiles the rules with it, checks them, and prepares the decision query.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	o := options{masking: true}
	for _, opt := range opts {
		opt.apply(&o)
	}
	if len(o.sources) > 1 {
		return nil, fmt.Errorf("policyengine: %d policy options given; give at most one of WithPolicy, WithPolicyDir, WithPolicyFS, WithBundle", len(o.sources))
	}
	load := fromPolicy(func() (*policy.Policy, error) { return policy.Default(), nil })
	if len(o.sources) == 1 {
		load = o.sources[0]
	}
	if o.clock == nil {
		o.clock = func(context.Context) time.Time { return time.Now() }
	}
	e := &Engine{clock: o.clock, logger: o.logger, masking: o.masking, limits: o.limits.orDefaults(), cache: o.cache, timeout: o.timeout, source: load}
	st, err := e.load(ctx, load)
	if err != nil {
		return nil, err
	}
	e.state.Store(st)
	return e, nil
}

// Reload loads the policy again and swaps it in atomically: from where it was loaded before
// (a directory or bundle read anew), or from the one Source given, which becomes the engine's
// source. It is all or nothing: on any error the engine keeps deciding under the policy it had,
// complete, and Reload returns the error. Every decision is made under exactly one revision, the
// old or the new.
func (e *Engine) Reload(ctx context.Context, from ...Source) error {
	if len(from) > 1 {
		return fmt.Errorf("policyengine: %d sources given to Reload; give at most one", len(from))
	}
	if err := e.ready(); err != nil {
		return err
	}
	e.reload.Lock()
	defer e.reload.Unlock()
	src := e.source
	if len(from) == 1 {
		src = from[0].load
	}
	st, err := e.load(ctx, src)
	if err != nil {
		return err
	}
	e.state.Store(st)
	e.source = src
	return nil
}

// load loads and prepares a policy. A panic on the way (in the compiler, in OPA) is an error like
// any other: the engine keeps the policy it had, and a service that reloads keeps running.
func (e *Engine) load(ctx context.Context, src loader) (st *prepared, err error) {
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("%w: loading the policy failed unexpectedly (a panic: %v)", ErrInvalidPolicy, r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, fmt.Errorf("%w: a zero Source (make one with WithPolicy, WithPolicyDir, WithPolicyFS or WithBundle)", ErrInvalidPolicy)
	}
	p, built, err := src()
	if err != nil {
		return nil, err
	}
	return e.prepare(ctx, p, built)
}

// prepare makes a compiled policy ready to decide, as one revision: its queries, its rule
// catalogue, and what deciding an activity or a declaration needs besides.
func (e *Engine) prepare(ctx context.Context, p *policy.Policy, built *compiler.Result) (*prepared, error) {
	// The engine validates every activity in Go, then asks for the findings (its own entrypoint,
	// which holds no validation): nothing in data switches a check off.
	data := maps.Clone(built.Data)
	query := querier(ctx, built, data)
	st := &prepared{policy: p, revision: built.Revision, customPerson: built.CustomPerson}
	var err error
	if st.query, st.mask, err = e.prepareQueries(query); err != nil {
		return nil, err
	}
	st.rules, st.person = ruleCatalogue(built.Rules)
	if err := e.prepareDeciding(ctx, st, built, data, query); err != nil {
		return nil, err
	}
	return st, nil
}

// querier returns what prepares a query of a compiled policy over data.
func querier(ctx context.Context, built *compiler.Result, data map[string]any) func(string) (rego.PreparedEvalQuery, error) {
	store := inmem.NewFromObject(data)
	return func(q string) (rego.PreparedEvalQuery, error) {
		pq, err := rego.New(
			rego.Query(q),
			rego.Compiler(built.Compiler),
			rego.Store(store),
			rego.StrictBuiltinErrors(true),
			rego.Capabilities(compiler.Capabilities()),
		).PrepareForEval(ctx)
		if err != nil {
			return pq, fmt.Errorf("%w: preparing %s: %w", ErrInvalidPolicy, q, err)
		}
		return pq, nil
	}
}

// prepareQueries prepares the findings query and, when decisions are logged masked, the mask's.
func (e *Engine) prepareQueries(query func(string) (rego.PreparedEvalQuery, error)) (findings, mask rego.PreparedEvalQuery, err error) {
	if findings, err = query(compiler.FindingsEntrypoint); err != nil {
		return findings, mask, err
	}
	if e.logger != nil && e.masking {
		mask, err = query(compiler.MaskEntrypoint)
	}
	return findings, mask, err
}

// ruleCatalogue is the compiler's catalogue as the engine reports it, and its person rules by
// id.
func ruleCatalogue(compiled []compiler.Rule) (rules []Rule, person map[string]Rule) {
	rules = make([]Rule, len(compiled))
	person = map[string]Rule{}
	for i, r := range compiled {
		rules[i] = Rule(r)
		if r.Requires != "" {
			person[r.ID] = rules[i]
		}
	}
	return rules, person
}

// prepareDeciding prepares what deciding needs besides the queries: the most exposed person
// (declarations alone), the strings the JSON parser knows, the per-person residuals, the
// decision cache and the rule packages that decide declarations package by package.
func (e *Engine) prepareDeciding(ctx context.Context, st *prepared, built *compiler.Result, data map[string]any, query func(string) (rego.PreparedEvalQuery, error)) error {
	var err error
	if st.exposed, err = exposedSubject(); err != nil {
		return err
	}
	st.known = knownStrings(st.policy.Document)
	if st.perPerson, err = preparePerPerson(ctx, st.policy, built, data, query); err != nil {
		return err
	}
	if e.cache > 0 && !built.ClockInCustomRules {
		st.cache = newDecisionCache(e.cache, built.InputFields) // one per revision: a reload starts afresh
	}
	if e.cache > 0 {
		if st.packages, err = preparePackages(ctx, query, built, st.rules, e.cache); err != nil {
			return err
		}
	}
	return nil
}

// current returns the revision the engine decides under; for an engine not made by New, an
// empty one whose policy is nil.
func (e *Engine) current() *prepared {
	if e != nil {
		if st := e.state.Load(); st != nil {
			return st
		}
	}
	return &prepared{}
}

// Revision returns the content hash of the policy the engine decides under.
func (e *Engine) Revision() string { return e.current().revision }

// Stats counts, since New, how the engine made its decisions through prepared declarations:
// Declaration's Decide and DecideJSON, and any decision on an activity whose declaration was
// prepared (Evaluate, EvaluateJSON, EvaluateDeclaration). A service exports them: Fallbacks
// should stay at zero, and a rise in them or in Topdown shows a person's state or a policy the
// compiled residuals do not cover (the decisions are OPA's all the same, only slower).
type Stats struct {
	// Compiled is the decisions made by a declaration's compiled residual.
	Compiled uint64
	// Fallbacks is the decisions a compiled residual handed back, on an error or a value of an
	// unexpected form at run time, and OPA's full evaluation made instead.
	Fallbacks uint64
	// Topdown is the decisions made by OPA's topdown evaluation because the declaration's
	// residual is outside what the engine compiles (or partial evaluation could not be used).
	Topdown uint64
}

// Stats returns the engine's counts of decisions per person by how they were made.
func (e *Engine) Stats() Stats {
	if e == nil {
		return Stats{}
	}
	return Stats{Compiled: e.counts.compiled.Load(), Fallbacks: e.counts.fallbacks.Load(), Topdown: e.counts.topdown.Load()}
}

// Rules returns the policy's rule catalogue, sorted by id.
func (e *Engine) Rules() []Rule {
	rules := e.current().rules
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

// Rule returns the rule with the given id.
func (e *Engine) Rule(id string) (Rule, bool) {
	rules := e.current().rules
	i := sort.Search(len(rules), func(i int) bool { return rules[i].ID >= id })
	if i < len(rules) && rules[i].ID == id {
		return rules[i], true
	}
	return Rule{}, false
}

// Document returns the policy document the engine decides under. It is shared: do not modify
// it.
func (e *Engine) Document() *policy.Document {
	if st := e.current(); st.policy != nil {
		return st.policy.Document
	}
	return nil
}

// ErrNotPrepared is wrapped, with ErrEvaluation, by the error of every method of an Engine that
// New did not make (a zero value or nil): it has no policy, so it decides nothing and denies.
var ErrNotPrepared = errors.New("policyengine: the engine was not prepared with New")

// ready fails closed on an Engine that New did not make.
func (e *Engine) ready() error {
	if e == nil || e.state.Load() == nil {
		return fmt.Errorf("%w: %w", ErrEvaluation, ErrNotPrepared)
	}
	return nil
}

// deniedDecision is the decision of a call that fails: it denies.
func deniedDecision(st *prepared) Decision {
	return Decision{Revision: st.revision, Reasons: []Reason{}, Warnings: []Reason{}}
}

// run evaluates a prepared findings query on an input and reads the decision. partial says the
// query is a declaration's residual, whose findings may lack a kind.
func (e *Engine) run(ctx context.Context, st *prepared, q rego.PreparedEvalQuery, input ast.Value, now time.Time, partial bool) (Decision, error) {
	denied := deniedDecision(st)
	if e.timeout > 0 { // a declaration decided by package has one deadline for all its packages
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	v, err := e.eval(ctx, q, input, now)
	if err != nil {
		return denied, err
	}
	d, err := readDecision(v, now, partial)
	if err != nil {
		return denied, err
	}
	d.Revision = st.revision
	return d, nil
}

// eval evaluates a prepared query of one expression on an input and returns its value, as
// OPA's AST. Cancellation is wired to the context without a goroutine per evaluation, and no
// metrics are kept. The evaluation timeout is the caller's to set (run, decideByPackage).
func (e *Engine) eval(ctx context.Context, q rego.PreparedEvalQuery, input ast.Value, now time.Time) (any, error) {
	cancel := topdown.NewCancel()
	stop := context.AfterFunc(ctx, cancel.Cancel)
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now), rego.EvalGenerateJSON(keepAST),
		rego.EvalExternalCancel(cancel), rego.EvalMetrics(metrics.NoOp()))
	stop()
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("%w: %w", ErrEvaluation, cerr)
		}
		return nil, evaluationError(err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%w: the policy returned no decision", ErrEvaluation)
	}
	return rs[0].Expressions[0].Value, nil
}

// keepAST leaves the result as OPA's AST: the decision is read from it directly, without
// converting it to Go values first.
func keepAST(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// readDecision reads the findings the rules return ({"deny": set, "warn": set, "changes_at":
// set}) into a decision, refusing any shape but the expected one: an unexpected shape is an
// evaluation error, never an allow.
func readDecision(v any, now time.Time, partial bool) (Decision, error) {
	reasons, warnings, instants, err := readFindings(v, partial)
	if err != nil {
		return Decision{Reasons: []Reason{}, Warnings: []Reason{}}, err
	}
	return Decision{Allow: len(reasons) == 0, Reasons: reasons, Warnings: warnings, ValidUntil: validUntil(instants, now)}, nil
}

// readFindings reads the findings' reasons, warnings and the instants their decision changes at
// (nanoseconds). partial says the findings are a residual's, which may lack a kind.
func readFindings(v any, partial bool) (reasons, warnings []Reason, instants []int64, err error) {
	t, _ := v.(*ast.Term)
	if t == nil {
		return nil, nil, nil, fmt.Errorf("%w: the policy's findings are not an object", ErrEvaluation)
	}
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: the policy's findings are not an object", ErrEvaluation)
	}
	if reasons, err = readReasons(obj, "deny", partial); err != nil {
		return nil, nil, nil, err
	}
	if warnings, err = readReasons(obj, "warn", partial); err != nil {
		return nil, nil, nil, err
	}
	if at := valueAt(obj, "changes_at"); at != nil || !partial {
		if instants, err = readInstants(at); err != nil {
			return nil, nil, nil, err
		}
	}
	return reasons, warnings, instants, nil
}

// validUntil is the earliest of instants (nanoseconds) after now; zero if none is.
func validUntil(instants []int64, now time.Time) time.Time {
	var earliest int64
	for _, ns := range instants {
		earliest = residual.Earliest(earliest, ns, now.UnixNano())
	}
	if earliest == 0 {
		return time.Time{}
	}
	return time.Unix(0, earliest).UTC()
}

// readInstants reads the policy's changes_at findings: a set of instants in nanoseconds.
func readInstants(v ast.Value) ([]int64, error) {
	set, ok := v.(ast.Set)
	if !ok {
		return nil, fmt.Errorf("%w: the policy's changes_at findings are not a set", ErrEvaluation)
	}
	instants := make([]int64, 0, set.Len())
	var bad bool
	set.Foreach(func(x *ast.Term) {
		n, ok := x.Value.(ast.Number)
		if !ok {
			bad = true
			return
		}
		ns, ok := n.Int64()
		if !ok {
			bad = true
			return
		}
		instants = append(instants, ns)
	})
	if bad {
		return nil, fmt.Errorf("%w: an instant in changes_at is not an integer of nanoseconds", ErrEvaluation)
	}
	return instants, nil
}

func readReasons(obj ast.Object, key string, partial bool) ([]Reason, error) {
	v := valueAt(obj, key)
	if v == nil && partial {
		return []Reason{}, nil
	}
	set, ok := v.(ast.Set)
	if !ok {
		return nil, fmt.Errorf("%w: the policy's %s findings are not a set", ErrEvaluation, key)
	}
	out := make([]Reason, 0, set.Len())
	var bad bool
	set.Foreach(func(x *ast.Term) {
		m, ok := x.Value.(ast.Object)
		if !ok {
			bad = true
			return
		}
		r := Reason{Rule: stringAt(m, "rule"), Message: stringAt(m, "message"), Clause: stringAt(m, "clause"), ClauseID: stringAt(m, "clause_id")}
		path, ok := valueAt(m, "path").(ast.String)
		if r.Rule == "" || !ok {
			bad = true
			return
		}
		r.Path = string(path)
		out = append(out, r)
	})
	if bad {
		return nil, fmt.Errorf("%w: a reason is not an object with a rule and a path", ErrEvaluation)
	}
	sortReasons(out)
	return out, nil
}

// sortReasons sorts reasons by rule id, then path, then message (then clause: the order is
// total, so that reasons found in any order sort alike).
func sortReasons(rs []Reason) {
	slices.SortFunc(rs, func(a, b Reason) int {
		return cmp.Or(strings.Compare(a.Rule, b.Rule), strings.Compare(a.Path, b.Path), strings.Compare(a.Message, b.Message),
			strings.Compare(a.Clause, b.Clause), strings.Compare(a.ClauseID, b.ClauseID))
	})
}

func valueAt(obj ast.Object, key string) ast.Value {
	if obj == nil {
		return nil
	}
	k, ok := findingKeys[key]
	if !ok {
		k = ast.StringTerm(key)
	}
	if t := obj.Get(k); t != nil {
		return t.Value
	}
	return nil
}

// findingKeys are the keys of findings and reasons as terms, made once: looking a key up then
// allocates nothing.
var findingKeys = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, k := range []string{"deny", "warn", "changes_at", "rule", "message", "clause", "clause_id", "path"} {
		m[k] = ast.StringTerm(k)
	}
	return m
}()

func stringAt(obj ast.Object, key string) string {
	s, _ := valueAt(obj, key).(ast.String)
	return string(s)
}
