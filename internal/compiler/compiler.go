// Package compiler turns a policy (its document and Rego modules) plus the built-in rules into a
// compiled, hermetic OPA policy: it parses and strictly compiles the modules with capabilities
// that exclude network and environment access, checks that every rule that can deny or warn
// carries the METADATA the engine reports (id, title, description, clause), and computes the
// policy revision.
package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/rego"
)

// Entrypoint is the query OPA servers answer: the decision.
const Entrypoint = "data.policyengine.decision"

// FindingsEntrypoint is the query the engine asks: every deny and warn finding, unsorted. The
// engine has validated the input and sorts in Go; the decision is made of the same findings.
const FindingsEntrypoint = "data.policyengine.findings"

// MaskEntrypoint is the decision log mask: JSON pointers of what a decision log leaves out.
const MaskEntrypoint = "data.system.log.mask"

// RulesPackage is the package under which every rule package lives; the decision collects the
// deny and warn sets of each package directly beneath it.
const RulesPackage = "data.policyengine.rules"

// DataRoot is where the policy document is found in data.
const DataRoot = "privacy_policy"

// BuiltinPrefix names the built-in modules in errors and bundles.
const BuiltinPrefix = "rego/"

// PolicyPrefix is where a policy's own modules are kept among the built-in ones (in Result's
// maps and in bundles), by their path in the policy: no name of a policy's module can then be a
// built-in module's. Whether a module is built-in is never read from its name (Result.Builtin).
const PolicyPrefix = "policy/"

// Result is a compiled policy.
type Result struct {
	// Compiler holds the compiled modules.
	Compiler *ast.Compiler
	// Modules are the parsed modules by name: the built-in ones under rego/, the policy's own
	// under policy/ (PolicyPrefix) by their path in the policy.
	Modules map[string]*ast.Module
	// Sources are the modules' sources by name.
	Sources map[string][]byte
	// Builtin names the modules that are the engine's built-in rules; every other is the
	// policy's own, confined (it may only add rules in packages of its own).
	Builtin map[string]bool
	// Rules is the catalogue, sorted by id.
	Rules []Rule
	// CustomPerson says a policy's own modules hold person rules (rules with Requires).
	CustomPerson bool
	// Data is the data the rules read: {"privacy_policy": {...}}.
	Data map[string]any
	// Revision is a content hash of the data and every module.
	Revision string
	// ClockInCustomRules says a policy's own module reads the evaluation time, so that a
	// decision may depend on it for any input.
	ClockInCustomRules bool
	// InputFields are the top-level fields of the input the rules read (the modules the
	// findings are made of); nil when some rule reads the input whole, so any field may matter.
	InputFields map[string]bool
	// Packages are the rule packages the findings are collected from (those directly under
	// RulesPackage), by name ("consent").
	Packages map[string]Package
}

// Package is what the findings of one rule package read.
type Package struct {
	// Person says the findings depend on the person's state or the clock: a deny, warn or
	// changes_at rule of the package reads input.consent, input.subject, the input whole or the
	// evaluation time, in its own body or in anything it depends on. The findings of the other
	// packages are the same for every person at every time.
	Person bool
	// Kinds are the kinds of findings the package has rules for (deny, warn, changes_at),
	// sorted.
	Kinds []string
	// Fields are the top-level input fields its findings read, in its rules or anything they
	// depend on; nil when they read the input whole or by a computed key.
	Fields map[string]bool
	// Path is the package's path, e.g. data.policyengine.rules.consent.
	Path ast.Ref
	// Reads is the part of the input its findings read, finer than Fields: two inputs alike in
	// it get the same findings from the package (at the same instant, if it reads the clock).
	Reads *Reads
	// Clock says its findings read the evaluation time.
	Clock bool
}

// Capabilities returns the builtins a policy may use: OPA's, without those that reach the
// network, the environment or a source of randomness. Time comes only from the engine's clock.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !Forbidden(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// Forbidden reports whether a builtin is withheld from policies: every builtin OPA marks
// nondeterministic (network access: http.send, net.lookup_ip_addr; the environment: opa.runtime;
// randomness: rand.intn, uuid.rfc4122, io.jwt.encode_sign and encode_sign_raw, whose ECDSA
// signatures are random; the clock: io.jwt.decode_verify) and those that read the machine's clock
// rather than the engine's (crypto.x509.parse_and_verify_certificates and its _with_options
// form). Kept: time.now_ns, which is the engine's clock, and json.match_schema and
// json.verify_schema, for the built-in validation only (builtinOnly).
func Forbidden(name string) bool {
	switch name {
	case "time.now_ns", "json.match_schema", "json.verify_schema":
		return false
	}
	if clockBuiltins[name] {
		return true
	}
	b, ok := ast.BuiltinMap[name]
	return ok && b.Nondeterministic
}

// Build compiles the built-in rules with the policy's document and modules. Tests (*_test.rego)
// are not part of it. The built-in modules are the embedded ones; the policy's own are its
// modules, whatever their names or their folder's.
func Build(p *policy.Policy) (*Result, error) {
	sources, err := Builtins()
	if err != nil {
		return nil, err
	}
	builtin := make(map[string]bool, len(sources))
	for name := range sources {
		builtin[name] = true
	}
	files := map[string]string{} // the policy's modules' names, as errors give them, by key
	for _, m := range p.Modules {
		key := ModuleKey(m)
		if _, dup := sources[key]; dup {
			return nil, policy.Invalid([]*problem.Problem{{Kind: problem.Rego, File: m.Name, Message: "a module of this name is already loaded"}})
		}
		sources[key] = m.Source
		files[key] = m.Name
	}
	return compile(p, sources, builtin, files)
}

// ModuleKey is the name a policy's own module is kept under among the built-in ones: its path
// in the policy (its name when it has no path) under PolicyPrefix.
func ModuleKey(m policy.Module) string {
	rel := m.Path
	if rel == "" {
		rel = filepath.ToSlash(m.Name)
	}
	return PolicyPrefix + strings.TrimPrefix(path.Clean("/"+rel), "/")
}

// Compile compiles a complete set of modules with a policy document, as a bundle carries them:
// those builtin names are the engine's built-in rules (Embedded says which are), every other is
// held to the rules for a policy's own modules.
func Compile(p *policy.Policy, sources map[string][]byte, builtin map[string]bool) (*Result, error) {
	return compile(p, sources, builtin, nil)
}

// Embedded says which of sources are this engine's built-in modules: those whose content is
// that of an embedded built-in module, whatever their name; every other is a policy's own. A
// module that has a built-in module's name and other content (changed since the bundle was
// built, or built by another version of the engine) is refused rather than taken for either.
func Embedded(sources map[string][]byte) (map[string]bool, error) {
	own, err := Builtins()
	if err != nil {
		return nil, err
	}
	sums := make(map[[sha256.Size]byte]bool, len(own))
	for _, src := range own {
		sums[sha256.Sum256(src)] = true
	}
	builtin := map[string]bool{}
	var problems []*problem.Problem
	for name, src := range sources {
		switch _, named := own[name]; {
		case sums[sha256.Sum256(src)]:
			builtin[name] = true
		case named:
			problems = append(problems, &problem.Problem{Kind: problem.Rego, File: name,
				Message: "not this engine's built-in module of that name: built by another version of policyengine, or changed since; build the bundle again"})
		}
	}
	if len(problems) > 0 {
		sort.Slice(problems, func(i, j int) bool { return problems[i].File < problems[j].File })
		return nil, policy.Invalid(problems)
	}
	return builtin, nil
}

// Builtins returns the sources of the built-in modules (not their tests), by name under rego/.
func Builtins() (map[string][]byte, error) {
	modules, err := rego.Modules()
	if err != nil {
		return nil, fmt.Errorf("%w: built-in rules: %w", policy.ErrInvalid, err)
	}
	sources := make(map[string][]byte, len(modules))
	for name, src := range modules {
		sources[BuiltinPrefix+name] = src
	}
	return sources, nil
}

// ParserOptions are the options every module is parsed with: Rego v1, METADATA processed, the
// hermetic capabilities.
func ParserOptions() ast.ParserOptions {
	return ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true, Capabilities: Capabilities()}
}

// compile compiles sources, by key; builtin names the built-in ones, files the names errors give
// of the others (their key when it has none).
func compile(p *policy.Policy, sources map[string][]byte, builtin map[string]bool, files map[string]string) (*Result, error) {
	names := make([]string, 0, len(sources))
	custom := map[string]bool{}
	for name := range sources {
		names = append(names, name)
		if !builtin[name] {
			custom[name] = true
		}
	}
	sort.Strings(names)

	var problems []*problem.Problem
	modules := make(map[string]*ast.Module, len(sources))
	opts := ParserOptions()
	for _, name := range names {
		file := name
		if f, ok := files[name]; ok {
			file = f
		}
		m, err := ast.ParseModuleWithOpts(file, string(sources[name]), opts)
		if err != nil {
			problems = append(problems, Problems(file, err)...)
			continue
		}
		modules[name] = m
	}
	problems = append(problems, confine(modules, custom)...)
	if len(problems) > 0 {
		return nil, policy.Invalid(problems)
	}

	c := ast.NewCompiler().
		WithStrict(true).
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(false)
	c.Compile(modules)
	if c.Failed() {
		return nil, policy.Invalid(Problems("", c.Errors))
	}

	rules, customPerson, problems := catalogue(c, p, custom)
	if len(problems) > 0 {
		return nil, policy.Invalid(problems)
	}
	data := p.Data()
	rev, err := revision(data, sources)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", policy.ErrInvalid, err)
	}
	kept := make(map[string]bool, len(sources)-len(custom))
	for name := range sources {
		if !custom[name] {
			kept[name] = true
		}
	}
	return &Result{Compiler: c, Modules: modules, Sources: sources, Builtin: kept, Rules: rules, CustomPerson: customPerson, Data: data, Revision: rev,
		ClockInCustomRules: readsClock(c, custom), InputFields: inputFields(modules), Packages: packages(c)}, nil
}

// clockBuiltins read the evaluation time (time.now_ns, and io.jwt.decode_verify for a token's
// validity) or the machine's clock (certificate verification). Those policies may not call are
// withheld too (Forbidden); a compiled policy can still be asked whether it would read one.
var clockBuiltins = map[string]bool{
	"time.now_ns":          true,
	"io.jwt.decode_verify": true,
	"crypto.x509.parse_and_verify_certificates":              true,
	"crypto.x509.parse_and_verify_certificates_with_options": true,
}

// readsClock reports whether a rule of a policy's own modules depends on the clock, however it
// reaches it: a builtin that reads it, a reference to a rule that does (lib.now_ns, written
// through an import or as data.policyengine.lib.now_ns), to a rule that depends on one of those
// in turn (a built-in rule or helper included), or to a document that holds one (data.policyengine.lib
// whole, or with a computed key). It reads the compiled modules, whose references are resolved.
func readsClock(c *ast.Compiler, custom map[string]bool) bool {
	type rule struct {
		path   ast.Ref
		refs   []ast.Ref
		custom bool
		clock  bool
	}
	var rules []*rule
	var clocks []ast.Ref // the paths of the rules that read the clock
	for name, m := range c.Modules {
		for _, r := range m.Rules {
			x := &rule{path: r.Ref().GroundPrefix(), custom: custom[name]}
			ast.WalkRefs(r, func(ref ast.Ref) bool {
				if clockBuiltins[ref.String()] {
					x.clock = true
				}
				if ref[0].Equal(ast.DefaultRootDocument) {
					x.refs = append(x.refs, ref.GroundPrefix())
				}
				return false
			})
			if x.clock {
				clocks = append(clocks, x.path)
			}
			rules = append(rules, x)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, r := range rules {
			if r.clock {
				continue
			}
		refs:
			for _, ref := range r.refs {
				for _, p := range clocks {
					if p.HasPrefix(ref) || ref.HasPrefix(p) {
						r.clock, changed = true, true
						clocks = append(clocks, r.path)
						break refs
					}
				}
			}
		}
	}
	for _, r := range rules {
		if r.custom && r.clock {
			return true
		}
	}
	return false
}

// inputFields lists the top-level input fields the modules the findings are made of read (the
// rules and their library; not the validation, the decision's assembly or the log mask); nil
// when one of them reads the input whole or by a computed key.
func inputFields(modules map[string]*ast.Module) map[string]bool {
	fields := map[string]bool{}
	whole := false
	for _, m := range modules {
		pkg := m.Package.Path.String()
		if !under(pkg, RulesPackage) && pkg != "data.policyengine.lib" {
			continue
		}
		whole = !fieldsOf(m, fields) || whole
	}
	if whole {
		return nil
	}
	return fields
}

func under(pkg, prefix string) bool {
	return strings.HasPrefix(pkg, prefix+".")
}

// Problems turns the errors OPA returns from parsing or compiling modules (ast.Errors) into
// policy errors with their file, line and column; file names an error that has no location.
// Policy tooling (the Rego tests of policytest) reports its errors as the compiler does.
func Problems(file string, err error) []*problem.Problem {
	var out []*problem.Problem
	if errs, ok := err.(ast.Errors); ok {
		for _, e := range errs {
			pe := &problem.Problem{Kind: problem.Rego, File: file, Message: e.Message}
			if e.Location != nil {
				pe.File, pe.Line, pe.Column = e.Location.File, e.Location.Row, e.Location.Col
			}
			out = append(out, pe)
		}
		return out
	}
	return []*problem.Problem{{Kind: problem.Rego, File: file, Message: err.Error()}}
}

// depends says a rule, or any rule or function it depends on, holds a reference found says
// yes to.
func depends(c *ast.Compiler, rule *ast.Rule, found func(ast.Ref) bool) bool {
	hit := false
	dependencies(c, rule, func(r *ast.Rule) bool {
		ast.WalkRefs(r, func(ref ast.Ref) bool {
			hit = hit || found(ref)
			return hit
		})
		return !hit
	})
	return hit
}

// dependencies calls visit with a rule and every rule and function it depends on, each once,
// while visit says to go on.
func dependencies(c *ast.Compiler, rule *ast.Rule, visit func(*ast.Rule) bool) {
	seen := map[*ast.Rule]bool{}
	queue := []*ast.Rule{rule}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if seen[r] {
			continue
		}
		seen[r] = true
		if !visit(r) {
			return
		}
		for dep := range c.Graph.Dependencies(r) {
			if d, ok := dep.(*ast.Rule); ok {
				queue = append(queue, d)
			}
		}
	}
}

// FindingKinds are the rules of a rule package the findings are made of: reasons to deny,
// warnings, and the instants (nanoseconds) at which the decision would change.
var FindingKinds = [...]string{"deny", "warn", "changes_at"}

// packages describes the rule packages the findings are collected from.
func packages(c *ast.Compiler) map[string]Package {
	out := map[string]Package{}
	a := newAnalyser(c)
	for _, m := range c.Modules {
		pkg := m.Package.Path.String()
		name := strings.TrimPrefix(pkg, RulesPackage+".")
		if !under(pkg, RulesPackage) || strings.Contains(name, ".") {
			continue
		}
		p, ok := out[name]
		if !ok {
			p.Fields = map[string]bool{}
			p.Path, p.Reads = m.Package.Path.Copy(), &Reads{}
		}
		for _, r := range m.Rules {
			head, ok := r.Head.Ref()[0].Value.(ast.Var)
			if !ok || !slices.Contains(FindingKinds[:], string(head)) {
				continue
			}
			if !slices.Contains(p.Kinds, string(head)) {
				p.Kinds = append(p.Kinds, string(head))
			}
			p.Person = p.Person || depends(c, r, func(ref ast.Ref) bool { return personRef(ref) || clockBuiltins[ref.String()] })
			if p.Fields != nil && !readFields(c, r, p.Fields) {
				p.Fields = nil
			}
			p.Clock = p.Clock || depends(c, r, func(ref ast.Ref) bool { return clockBuiltins[ref.String()] })
			dependencies(c, r, func(d *ast.Rule) bool {
				p.Reads.merge(a.summary(d).input)
				return true // every one
			})
		}
		sort.Strings(p.Kinds)
		out[name] = p
	}
	for name, p := range out {
		p.Reads = p.Reads.finish()
		out[name] = p
	}
	return out
}

// readFields adds the top-level input fields a rule reads, in its body or in anything it depends
// on, to fields; false when it reads the input whole or by a computed key.
func readFields(c *ast.Compiler, rule *ast.Rule, fields map[string]bool) bool {
	ok := true
	dependencies(c, rule, func(r *ast.Rule) bool {
		ok = fieldsOf(r, fields)
		return ok
	})
	return ok
}

// fieldsOf adds the top-level input fields x reads to fields; false when it reads the input
// whole or by a computed key.
func fieldsOf(x any, fields map[string]bool) bool {
	whole := false
	ast.WalkTerms(x, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			if !v[0].Equal(ast.InputRootDocument) {
				return false
			}
			if len(v) < 2 {
				whole = true
				return true
			}
			if s, ok := v[1].Value.(ast.String); ok {
				fields[string(s)] = true
			} else {
				whole = true
			}
			return true
		case ast.Var:
			if v.Equal(ast.InputRootDocument.Value) {
				whole = true // input passed on as a value
			}
		}
		return false
	})
	return !whole
}

// revision hashes the data and the modules' contents (not their names, so the same policy
// loaded from another place has the same revision).
func revision(data map[string]any, sources map[string][]byte) (string, error) {
	h := sha256.New()
	canonical, err := json.Marshal(data) // map keys are sorted: canonical
	if err != nil {
		return "", err
	}
	h.Write(canonical)
	sums := make([]string, 0, len(sources))
	for _, src := range sources {
		s := sha256.Sum256(src)
		sums = append(sums, hex.EncodeToString(s[:]))
	}
	sort.Strings(sums)
	for _, s := range sums {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
