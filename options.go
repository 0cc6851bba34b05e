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

// Option configures an Engine.
type Option func(*options)

type options struct {
	sources []source
	clock   func() time.Time
	logger  DecisionLogger
	masking bool
	limits  Limits
	cache   int
	timeout time.Duration
	other   int // options that are not a policy source, for Reload to refuse
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
	return func(o *options) {
		o.limits = l
		o.other++
	}
}

// source loads a policy and compiles it with its rules.
type source func() (*policy.Policy, *compiler.Result, error)

// fromPolicy is the source of a policy whose rules are the built-in ones plus its own modules.
func fromPolicy(load func() (*policy.Policy, error)) source {
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
func WithPolicy(p *policy.Policy) Option {
	return func(o *options) {
		o.sources = append(o.sources, fromPolicy(func() (*policy.Policy, error) { return p, nil }))
	}
}

// WithPolicyDir makes the engine decide under the policy in a directory: one policy document
// (*.yaml, *.yml or *.json) and any Rego modules that add rules.
func WithPolicyDir(dir string) Option {
	return func(o *options) {
		o.sources = append(o.sources, fromPolicy(func() (*policy.Policy, error) { return policy.LoadDir(dir) }))
	}
}

// WithPolicyFS is WithPolicyDir for a file system: the policy is at its root.
func WithPolicyFS(fsys fs.FS) Option {
	return func(o *options) {
		o.sources = append(o.sources, fromPolicy(func() (*policy.Policy, error) { return policy.Load(fsys) }))
	}
}

// WithBundle makes the engine decide under the policy in an OPA bundle, as `policyengine bundle
// build` writes it: its rules and its document, exactly as the servers that load it decide. With
// verify.PublicKey set, the bundle's signature is checked and a bundle that fails it is refused;
// a signed bundle is refused without one.
func WithBundle(path string, verify bundle.ReadOptions) Option {
	return func(o *options) {
		o.sources = append(o.sources, func() (*policy.Policy, *compiler.Result, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %w", bundle.ErrInvalid, err)
			}
			defer f.Close()
			c, err := bundle.Read(f, verify)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			built, err := compiler.Compile(c.Policy, c.Sources)
			return c.Policy, built, err
		})
	}
}

// WithDecisionCache keeps up to size decisions in memory and answers a repeated activity from
// them. The key is the policy revision and a canonical hash of the activity without the fields no
// rule reads (its id and description, for the built-in rules), so activities alike in everything
// the rules look at share a decision. A decision that depends on the evaluation time (through
// the activity's date-times, the schema's format: date-time fields) is served from the time it
// was made until its ValidUntil, when a deadline passes; under a policy whose own modules read
// the clock, nothing is cached. Off by default.
func WithDecisionCache(size int) Option {
	return func(o *options) {
		o.cache = size
		o.other++
	}
}

// WithEvaluationTimeout bounds the time one decision may take: the rules' evaluation runs under
// a deadline d after it starts (and the caller's context, whichever ends first), so that a
// policy's own module that loops over its input cannot hold a caller. A decision past its
// deadline is an ErrEvaluation wrapping context.DeadlineExceeded, and denies. 0, the default,
// leaves it to the caller's context.
func WithEvaluationTimeout(d time.Duration) Option {
	return func(o *options) {
		o.timeout = d
		o.other++
	}
}

// WithDecisionLogger hands every decision (allowed, denied, or failed) to a logger the caller
// supplies, as OPA's decision log would record it. The activity in it is masked by the same rules
// the bundle gives OPA servers (data.system.log.mask): no state of the person, no consent record,
// no free text. The logger is called synchronously on the evaluating goroutine: keep it fast.
func WithDecisionLogger(logger DecisionLogger) Option {
	return func(o *options) {
		o.logger = logger
		o.other++
	}
}

// WithUnmaskedDecisionLogs hands the logger the whole activity, personal data and all. Only for
// a logger that is itself allowed to hold it.
func WithUnmaskedDecisionLogs() Option {
	return func(o *options) {
		o.masking = false
		o.other++
	}
}

// WithClock sets the clock that gives the evaluation time (retention deadlines run against it).
// The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		o.clock = now
		o.other++
	}
}

// AtTime returns a context under which the engine decides as at t, whatever its clock: for
// test cases that pin their time, and for replaying a past decision.
func AtTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, atTimeKey{}, t)
}

type atTimeKey struct{}

// now is the evaluation time of a call: AtTime's, else the engine's clock.
func (e *Engine) now(ctx context.Context) time.Time {
	if t, ok := ctx.Value(atTimeKey{}).(time.Time); ok {
		return t
	}
	return e.clock()
}

// WithTime fixes the evaluation time, as the CLI's --now does.
func WithTime(t time.Time) Option {
	return WithClock(func() time.Time { return t })
}
