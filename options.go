package policyengine

import (
	"io/fs"
	"time"

	"github.com/confect/policyengine/policy"
)

// Option configures an Engine.
type Option func(*options)

type options struct {
	sources []func() (*policy.Policy, error)
	clock   func() time.Time
}

// WithPolicy makes the engine decide under a loaded policy instead of the embedded Confect
// policy.
func WithPolicy(p *policy.Policy) Option {
	return func(o *options) {
		o.sources = append(o.sources, func() (*policy.Policy, error) { return p, nil })
	}
}

// WithPolicyDir makes the engine decide under the policy in a directory: one policy document
// (*.yaml, *.yml or *.json) and any Rego modules that add rules.
func WithPolicyDir(dir string) Option {
	return func(o *options) {
		o.sources = append(o.sources, func() (*policy.Policy, error) { return policy.LoadDir(dir) })
	}
}

// WithPolicyFS is WithPolicyDir for a file system: the policy is at its root.
func WithPolicyFS(fsys fs.FS) Option {
	return func(o *options) {
		o.sources = append(o.sources, func() (*policy.Policy, error) { return policy.Load(fsys) })
	}
}

// WithClock sets the clock that gives the evaluation time (retention deadlines run against it).
// The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.clock = now }
}

// WithTime fixes the evaluation time, as the CLI's --now does.
func WithTime(t time.Time) Option {
	return WithClock(func() time.Time { return t })
}
