package policyengine

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
)

// Option configures an Engine: New takes any; Reload takes only a Source, which is an Option too.
type Option interface {
	apply(*options)
}

// optionFunc is an Option that is not a Source.
type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// Source names the policy an engine decides under: WithPolicy, WithPolicyDir, WithPolicyFS or
// WithBundle. New takes it as an Option; Reload takes it alone.
type Source struct {
	load loader
}

func (s Source) apply(o *options) { o.sources = append(o.sources, s.load) }

type options struct {
	sources []loader
	clock   func(context.Context) time.Time
	logger  DecisionLogger
	masking bool
	limits  Limits
	cache   int
	timeout time.Duration
}

// Limits bound what EvaluateJSON accepts, so that hostile or broken input costs little. Zero
// fields take the defaults.
type Limits struct {
	// MaxBytes is the largest document accepted (DefaultMaxBytes).
	MaxBytes int
	// MaxDepth is the deepest nesting of objects and arrays (DefaultMaxDepth; an activity
	// needs 5).
	MaxDepth int
	// MaxValues is the most values one document may hold (DefaultMaxValues).
	MaxValues int
}

// The limits EvaluateJSON applies unless WithLimits says otherwise.
const (
	DefaultMaxBytes  = 1 << 20
	DefaultMaxDepth  = 32
	DefaultMaxValues = 1 << 16
)

func (l Limits) orDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultMaxValues
	}
	return l
}

// WithLimits sets the limits on input EvaluateJSON accepts; exceeding one is an input error.
func WithLimits(l Limits) Option {
	return optionFunc(func(o *options) {
		o.limits = l
	})
}

// loader loads a policy and compiles it with its rules.
type loader func() (*policy.Policy, *compiler.Result, error)

// fromPolicy loads a policy whose rules are the built-in ones plus its own modules.
func fromPolicy(load func() (*policy.Policy, error)) loader {
	return func() (*policy.Policy, *compiler.Result, error) {
		p, err := load()
		if err != nil {
			return nil, nil, err
		}
		if p == nil {
			return nil, nil, fmt.Errorf("%w: no policy given", ErrInvalidPolicy)
		}
		built, err := compiler.Build(p)
		return p, built, err
	}
}

// WithPolicy makes the engine decide under a loaded policy instead of the embedded Confect
// policy.
func WithPolicy(p *policy.Policy) Source {
	return Source{fromPolicy(func() (*policy.Policy, error) { return p, nil })}
}

// WithPolicyDir makes the engine decide under the policy in a directory: one policy document
// (*.yaml, *.yml or *.json) and any Rego modules that add rules.
func WithPolicyDir(dir string) Source {
	return Source{fromPolicy(func() (*policy.Policy, error) { return policy.LoadDir(dir) })}
}

// WithPolicyFS is WithPolicyDir for a file system: the policy is at its root.
func WithPolicyFS(fsys fs.FS) Source {
	return Source{fromPolicy(func() (*policy.Policy, error) { return policy.Load(fsys) })}
}

// WithBundle makes the engine decide under the policy in an OPA bundle, as `policyengine bundle
// build` writes it: its rules and its document, exactly as the servers that load it decide. With
// verify.PublicKey set, the bundle's signature is checked and a bundle that fails it is refused;
// a signed bundle is refused without one.
func WithBundle(path string, verify bundle.ReadOptions) Source {
	return Source{func() (*policy.Policy, *compiler.Result, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", bundle.ErrInvalid, err)
		}
		defer f.Close()
		c, err := bundle.Read(f, verify)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		builtin, err := compiler.Embedded(c.Sources)
		if err != nil {
			return nil, nil, err
		}
		built, err := compiler.Compile(c.Policy, c.Sources, builtin)
		return c.Policy, built, err
	}}
}

// WithDecisionCache keeps up to size decisions in memory and answers a repeated activity from
// them. The key is the policy revision and a canonical hash of the activity without the fields no
// rule reads (its id and description, for the built-in rules), so activities alike in everything
// the rules look at share a decision. A decision that depends on the evaluation time (through
// the activity's date-times, the schema's format: date-time fields) is served from the time it
// was made until its ValidUntil, when a deadline passes; under a policy whose own modules read
// the clock, nothing is cached. A decision per person on a declaration whose residual is compiled
// is not cached: it costs less than a look-up. Declarations decided alone (EvaluateDeclaration,
// as check does) share more: each rule package's findings, and the conditions of its person
// rules, are kept (up to size per package) by the part of the declaration that package and
// everything it calls reads, found in the compiled policy, and by the evaluation time for a
// package that reads the clock; declarations that differ only where a package does not look
// share its findings. Off by default.
func WithDecisionCache(size int) Option {
	return optionFunc(func(o *options) {
		o.cache = size
	})
}

// WithEvaluationTimeout bounds the time one decision may take: the rules' evaluation runs under
// a deadline d after it starts (and the caller's context, whichever ends first), so that a
// policy's own module that loops over its input cannot hold a caller. A decision past its
// deadline is an ErrEvaluation wrapping context.DeadlineExceeded, and denies. 0, the default,
// leaves it to the caller's context.
func WithEvaluationTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		o.timeout = d
	})
}

// WithDecisionLogger hands every decision (allowed, denied, or failed) to a logger the caller
// supplies, as OPA's decision log would record it. The activity in it is masked by the same rules
// the bundle gives OPA servers (data.system.log.mask): no state of the person, no consent record,
// no free text. The logger is called synchronously on the evaluating goroutine: keep it fast.
func WithDecisionLogger(logger DecisionLogger) Option {
	return optionFunc(func(o *options) {
		o.logger = logger
	})
}

// WithUnmaskedDecisionLogs hands the logger the whole activity, personal data and all. Only for
// a logger that is itself allowed to hold it.
func WithUnmaskedDecisionLogs() Option {
	return optionFunc(func(o *options) {
		o.masking = false
	})
}

// WithClock sets the clock that gives each call its evaluation time (retention deadlines, consent
// dates and request deadlines run against it), from the call's context. It is the engine's one
// control of time: a fixed clock decides every call as at one moment, as the CLI's --now does; a
// clock that reads a time the caller put in the context decides each call at its own (the case
// files of policytest do, each case at its now). The default is the current time.
func WithClock(now func(ctx context.Context) time.Time) Option {
	return optionFunc(func(o *options) {
		o.clock = now
	})
}

// Now returns the evaluation time of a call made under ctx: what the engine's clock says (the
// current time for an Engine that New did not make).
func (e *Engine) Now(ctx context.Context) time.Time {
	if e == nil || e.clock == nil {
		return time.Now()
	}
	return e.clock(ctx)
}
