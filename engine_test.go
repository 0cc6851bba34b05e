package policyengine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/policytest"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/rego"
)

// now is the evaluation time of every test that does not say otherwise.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// at returns a context under which an engine of newEngine decides as at t.
func at(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, testTimeKey{}, t)
}

type testTimeKey struct{}

// testClock is newEngine's clock: the time at put in the context, else now.
func testClock(ctx context.Context) time.Time {
	if t, ok := ctx.Value(testTimeKey{}).(time.Time); ok {
		return t
	}
	return now
}

// newEngine is a new engine of the embedded policy deciding as at now, or as at the time of each
// call's context (at); opts may change either.
func newEngine(t testing.TB, opts ...policyengine.Option) *policyengine.Engine {
	t.Helper()
	e, err := policyengine.New(context.Background(), append([]policyengine.Option{policyengine.WithClock(testClock)}, opts...)...)
	require.NoError(t, err)
	return e
}

// shared is the engine newEngine(t) builds, built once for the package's tests: preparing one
// costs a quarter to half a second.
var shared = sync.OnceValues(func() (*policyengine.Engine, error) {
	return policyengine.New(context.Background(), policyengine.WithClock(testClock))
})

// sharedEngine is the package's engine of the embedded policy, deciding as newEngine's does.
// Nothing is declared on it and it is never reloaded, so that it decides every activity by OPA's
// full evaluation and as every test expects: a test that declares, reloads or reads Stats builds
// its own with newEngine.
func sharedEngine(t testing.TB) *policyengine.Engine {
	t.Helper()
	e, err := shared()
	require.NoError(t, err)
	return e
}

// orderHandling is a controller activity every rule allows: the base the cases vary.
func orderHandling() policyengine.Activity {
	return policyengine.Activity{
		ID:             "order-handling",
		DataSubjects:   []string{"customer"},
		DataCategories: []string{"name", "email", "postal_address"},
		Sources:        []string{"data_subject"},
		Purposes:       []string{"purchase.orders"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P5Y", From: "end_of_contract"},
		Recipients:     []policyengine.Recipient{{Name: "Confect Logistics AB", Type: "group_company", Country: "SE"}},
	}
}

// newsletter is a marketing activity every rule allows.
func newsletter() policyengine.Activity {
	return policyengine.Activity{
		ID:             "newsletter",
		DataSubjects:   []string{"lead"},
		DataCategories: []string{"name", "email"},
		Purposes:       []string{"marketing.materials"},
		LegalBasis:     "consent",
		Consent:        &policyengine.Consent{Status: "given"},
		Channel:        &policyengine.Channel{Type: "email", Content: "marketing"},
		Retention:      &policyengine.Retention{Period: "P24M", From: "last_activity"},
		Subject:        &policyengine.Subject{LastActivityAt: now.AddDate(0, -3, 0)},
	}
}

// application is a recruitment activity every rule allows.
func application() policyengine.Activity {
	return policyengine.Activity{
		ID:             "application",
		DataSubjects:   []string{"job_applicant"},
		DataCategories: []string{"name", "email", "cv", "job_application"},
		Purposes:       []string{"recruitment.applications"},
		LegalBasis:     "contract",
		Retention:      &policyengine.Retention{Period: "P6M", From: "last_application_date"},
		Subject:        &policyengine.Subject{LastApplicationAt: now.AddDate(0, -2, 0)},
	}
}

func with(a policyengine.Activity, change func(*policyengine.Activity)) policyengine.Activity {
	change(&a)
	return a
}

type finding struct{ rule, path string }

func findings(d policyengine.Decision) []finding {
	out := []finding{}
	for _, r := range d.Reasons {
		out = append(out, finding{r.Rule, r.Path})
	}
	return out
}

// policyCases are Confect's policy cases (testdata/policy-cases): the activities and decisions
// the rules are specified by.
func policyCases(t testing.TB) []*policytest.Case {
	t.Helper()
	cases, err := policytest.Load("testdata/policy-cases")
	require.NoError(t, err)
	return cases
}

// The contract's rule catalogue (§3) is implemented: every rule id it lists is a rule of the
// policy. The contract sits beside the repository (../shared/spec); CI has it.
func TestContractCatalogue(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "shared", "spec", "contract.md"))
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") != "true" {
		t.Skip("the contract is not beside the repository (../shared/spec/contract.md)")
	}
	require.NoError(t, err)
	_, section, _ := strings.Cut(string(src), "## 3.")
	section, _, _ = strings.Cut(section, "Scope:")
	var ids []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			ids = append(ids, strings.Trim(strings.Split(line, "|")[1], " `"))
		}
	}
	require.NotEmpty(t, ids, "the contract's §3 lists its rule catalogue as a table")
	var rules []string
	for _, r := range sharedEngine(t).Rules() {
		rules = append(rules, r.ID)
	}
	assert.Subset(t, rules, ids)
}

// Rule looks a rule up by id, as Rules lists it; every built-in rule says how to pass it.
func TestCatalogue(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	for _, r := range e.Rules() {
		assert.NotEmpty(t, r.Remedy, "%s: its description says what an activity must change (\"To pass: ...\")", r.ID)
		got, ok := e.Rule(r.ID)
		assert.True(t, ok)
		assert.Equal(t, r, got)
	}
	_, ok := e.Rule("no.such_rule")
	assert.False(t, ok)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return raw
}

// writePolicy writes a policy directory: the embedded document, edited, and extra modules.
func writePolicy(t testing.TB, edit func(doc string) string, modules map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	doc := string(policy.DefaultDocument())
	if edit != nil {
		doc = edit(doc)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(doc), 0o644))
	for name, src := range modules {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	return dir
}

// contractBases is how the embedded document gives purchase.orders its legal bases.
const contractBases = "legal_bases: {contract: true, consent: true}"

// documentLine is the line of the embedded policy document on which text first appears.
func documentLine(t *testing.T, text string) int {
	t.Helper()
	doc := string(policy.DefaultDocument())
	i := strings.Index(doc, text)
	require.GreaterOrEqual(t, i, 0, "the embedded document has no %q", text)
	return strings.Count(doc[:i], "\n") + 1
}

// documentColumn is the column at which text first appears in the embedded policy document.
func documentColumn(t *testing.T, text string) int {
	t.Helper()
	doc := string(policy.DefaultDocument())
	i := strings.Index(doc, text)
	require.GreaterOrEqual(t, i, 0, "the embedded document has no %q", text)
	return i - strings.LastIndex(doc[:i], "\n")
}

func TestInvalidPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(string) string
		modules map[string]string
		want    string
	}{
		{"document fails its schema", func(d string) string {
			return strings.Replace(d, contractBases, "legal_bases: {contract: yes}", 1)
		}, nil, fmt.Sprintf("policy.yaml:%d:%d: /privacy_policy/purposes/purchase.orders/legal_bases/contract: expected boolean, but got string",
			documentLine(t, contractBases), documentColumn(t, contractBases)+len("legal_bases: {"))},
		{"rule names an undefined clause", func(d string) string {
			return strings.Replace(d, "    opt-out:\n", "    opt-out-renamed:\n", 1)
		}, nil, fmt.Sprintf("rego/marketing.rego:%d:1: rule marketing.opted_out names clause", ruleLine(t, "marketing.rego", "marketing.opted_out")) + ` "opt-out", which the policy document (`},
		{"module does not compile", nil, map[string]string{"bad.rego": "package policyengine.rules.bad\n\ndeny contains x if {\n"}, "bad.rego:"},
		{"module fails the strict check", nil, map[string]string{"strict.rego": "package policyengine.rules.strict\n\nimport data.privacy_policy\n\nx := 1\n"}, "strict.rego:3"},
		{"deny rule without a title", nil, map[string]string{"untitled.rego": "package policyengine.rules.untitled\n\n# METADATA\n# description: No title.\n# custom:\n#   id: untitled.rule\n#   clause: purposes\ndeny contains \"x\" if false\n"},
			"untitled.rego:8:1: rule untitled.rule: its METADATA lacks title"},
		{"deny rule without METADATA", nil, map[string]string{"bare.rego": "package policyengine.rules.bare\n\ndeny contains \"x\" if false\n"}, "bare.rego:3:1: this deny rule has no METADATA block"},
		{"two rules claim one id", nil, map[string]string{"dup.rego": `package policyengine.rules.dup

# METADATA
# title: Duplicate
# description: Claims an id the built-in rules already use.
# custom:
#   id: consent.not_given
#   clause: consent
deny contains "x" if false
`}, "rule id consent.not_given is already claimed by the rule at"},
		{"module outside the rules packages", nil, map[string]string{"takeover.rego": "package policyengine\n\nallow := true\n"}, "a policy's modules add rules in packages under policyengine.rules"},
		// A policy's module that joins a built-in package could give its helpers a body that is
		// always true, and switch the built-in rules off.
		{"module in a built-in rules package", nil, map[string]string{"court.rego": "package policyengine.rules.sharing\n\n_names_court_order(_) if true\n"},
			"court.rego:1:1: package policyengine.rules.sharing: a built-in package"},
		{"module adds to a built-in helper", nil, map[string]string{"dpa.rego": "package policyengine.rules.processor\n\n_names_dpa if true\n"},
			"dpa.rego:1:1: package policyengine.rules.processor: a built-in package"},
		{"module beneath a built-in rules package", nil, map[string]string{"ext.rego": "package policyengine.rules.retention.more\n\nx := true\n"},
			"ext.rego:1:1: package policyengine.rules.retention.more: a built-in package"},
		{"module in the rules root reaching into a built-in package", nil, map[string]string{"root.rego": "package policyengine.rules\n\nsharing._names_court_order(_) if true\n"},
			"root.rego:1:1: package policyengine.rules: a policy's modules add rules in packages under policyengine.rules"},
		{"module calls http.send", nil, map[string]string{"net.rego": "package policyengine.rules.net\n\nx := http.send({\"method\": \"GET\", \"url\": \"https://example.com\"})\n"}, "net.rego:3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writePolicy(t, tc.edit, tc.modules)
			_, err := policyengine.New(context.Background(), policyengine.WithPolicyDir(dir))
			require.Error(t, err)
			assert.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
			assert.ErrorIs(t, err, policy.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
			var pe *problem.Problem
			assert.True(t, errors.As(err, &pe), "errors.As finds a *problem.Problem")
		})
	}
}

// The engine is safe for concurrent use: many goroutines, one engine, the same answers.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	cases := policyCases(t)
	want := make([]policyengine.Decision, len(cases))
	for i, c := range cases {
		d, err := e.EvaluateJSON(context.Background(), c.Activity)
		require.NoError(t, err)
		want[i] = d
	}
	rounds := policyengine.Repeat(t, "POLICYENGINE_CONCURRENT_ROUNDS", 2) // .ci/run: 20, under the race detector
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				for i, c := range cases {
					d, err := e.EvaluateJSON(context.Background(), c.Activity)
					if err != nil || !assert.ObjectsAreEqual(want[i], d) {
						errs <- fmt.Errorf("%s: got %v (%v), want %v", c.Name, d, err, want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// ruleLine is the line of the rule with the given id in a built-in module: the first line after
// its METADATA.
func ruleLine(t *testing.T, file, id string) int {
	t.Helper()
	src, err := fs.ReadFile(rego.FS(), file)
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "#   id: "+id {
			for j := i + 1; j < len(lines); j++ {
				if !strings.HasPrefix(lines[j], "#") {
					return j + 1
				}
			}
		}
	}
	t.Fatalf("no rule %s in %s", id, file)
	return 0
}

// Whether a rule is built-in or the policy's own is what the compiler knows, never a file
// name: the same policy decides the same wherever it lives and whatever its folder is called.
// A policy whose folder was named rego/ once had its own person rules taken for built-in ones,
// so that a rule denying every person became a mere condition and the gate passed.
func TestOwnershipIsNotAPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var decl map[string]any
	require.NoError(t, json.Unmarshal([]byte(testpolicy.OnConsent), &decl))
	var want string // the decision, the same in every folder
	for _, folder := range []string{"own", "", "rules", "rego", "rego/rules", "policy"} {
		t.Run("folder "+folder, func(t *testing.T) {
			fsys := fstest.MapFS{"policy.yaml": {Data: policy.DefaultDocument()}}
			// consent.rego is a built-in module's name too: under rego/ it is the same path.
			fsys[path.Join(folder, "consent.rego")] = &fstest.MapFile{Data: []byte(testpolicy.NeverOnConsent)}
			e := newEngine(t, policyengine.WithPolicyFS(fsys))
			d, err := e.EvaluateDeclaration(ctx, decl)
			require.NoError(t, err)
			assert.False(t, d.Allow, d.String())
			assert.Contains(t, fmt.Sprint(d.Reasons), "never.consent")
			if want == "" {
				want = d.String()
			}
			assert.Equal(t, want, d.String())
			rule, ok := e.Rule("never.consent")
			require.True(t, ok)
			assert.Equal(t, path.Join(folder, "consent.rego"), rule.File, "the catalogue names the file as the policy has it")
			_, ok = e.Rule("consent.not_given")
			assert.True(t, ok, "the built-in consent rules are still there")

			// A module of the policy's in a built-in package is refused wherever it lies, by the
			// name the policy gives it.
			fsys[path.Join(folder, "court.rego")] = &fstest.MapFile{Data: []byte("package policyengine.rules.sharing\n\n_names_court_order(_) if true\n")}
			_, err = policyengine.New(ctx, policyengine.WithPolicyFS(fsys))
			require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
			assert.Regexp(t, "(?m)^"+regexp.QuoteMeta(path.Join(folder, "court.rego"))+":1:1: package policyengine.rules.sharing: a built-in package", err.Error())
		})
	}
}

// A policy's own person rule whose METADATA has no title is a policy error that names the rule
// and what it lacks, never a panic; a reload to it keeps the last good policy.
func TestPersonRuleWithoutTitle(t *testing.T) {
	t.Parallel()
	untitled := strings.NewReplacer("# title: Never on consent, nor for a restricted person\n", "",
		"#   requires: the person has not asked to restrict processing\n", "").Replace(testpolicy.NeverOnConsent)
	dir := writePolicy(t, nil, map[string]string{"never.rego": untitled})
	_, err := policyengine.New(context.Background(), policyengine.WithPolicyDir(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
	assert.Contains(t, err.Error(), "never.rego:")
	assert.Contains(t, err.Error(), "rule never.consent")
	assert.Contains(t, err.Error(), "lacks title")

	e := newEngine(t)
	before := e.Revision()
	err = e.Reload(context.Background(), policyengine.WithPolicyDir(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
	assert.Equal(t, before, e.Revision())
	d, err := e.Evaluate(context.Background(), orderHandling())
	require.NoError(t, err)
	assert.True(t, d.Allow)

	// A person rule that says nothing it requires gets its title as the sentence, its first
	// letter lower-cased whatever its width.
	noRequires := strings.Replace(testpolicy.NeverOnConsent, "#   requires: the person has not asked to restrict processing\n", "", 1)
	for title, want := range map[string]string{
		"Ärzte never see it":         "ärzte never see it",
		"Ωmega never":                "ωmega never",
		"Never on consent":           "never on consent",
		"É":                          "é",
		"日本 has no case, kept as is": "日本 has no case, kept as is",
	} {
		src := strings.Replace(noRequires, "Never on consent, nor for a restricted person", title, 1)
		e := newEngine(t, policyengine.WithPolicyDir(writePolicy(t, nil, map[string]string{"never.rego": src})))
		rule, ok := e.Rule("never.consent")
		require.True(t, ok)
		assert.Equal(t, "the person's state passes: "+want, rule.Requires, title)
	}
}

// Reload swaps the policy atomically: under thousands of concurrent evaluations, every decision
// is exactly the decision of the revision it names, the old or the new.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	confect := sharedEngine(t)
	adequacyDoc := strings.Replace(string(mustReadFile(t, "policy/confect.yaml")), "  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n", 1)
	adequacyDir := filepath.Join(dir, "adequacy")
	require.NoError(t, os.MkdirAll(adequacyDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(adequacyDir, "policy.yaml"), []byte(adequacyDoc), 0o644))
	adequacy := newEngine(t, policyengine.WithPolicyDir(adequacyDir))
	require.NotEqual(t, confect.Revision(), adequacy.Revision())

	// Activities the two policies decide differently, and alike.
	a := orderHandling()
	a.Recipients = []policyengine.Recipient{{Name: "CrashDesk", Type: "subprocessor", Country: "GB", DPA: true, TransferSafeguard: "adequacy"}}
	cases := []policyengine.Activity{a, orderHandling(), newsletter()}
	want := map[string][]policyengine.Decision{}
	for _, ref := range []*policyengine.Engine{confect, adequacy} {
		for _, c := range cases {
			d, err := ref.Evaluate(context.Background(), c)
			require.NoError(t, err)
			want[ref.Revision()] = append(want[ref.Revision()], d)
		}
	}
	require.NotEqual(t, want[confect.Revision()][0].Allow, want[adequacy.Revision()][0].Allow)

	e := newEngine(t)
	var stop atomic.Bool
	var evaluated atomic.Int64
	seen := sync.Map{}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() || i < 200; i++ {
				c := i % len(cases)
				d, err := e.Evaluate(context.Background(), cases[c])
				if err != nil {
					errs <- err
					return
				}
				exp, ok := want[d.Revision]
				if !ok || !assert.ObjectsAreEqual(exp[c], d) {
					errs <- fmt.Errorf("case %d under revision %.12s: got %v, want %v", c, d.Revision, d, exp)
					return
				}
				seen.Store(d.Revision, true)
				evaluated.Add(1)
			}
		}()
	}
	for i := range policyengine.Repeat(t, "POLICYENGINE_RELOADS", 4) { // .ci/run: 20, under the race detector
		opt := policyengine.WithPolicyDir(adequacyDir)
		if i%2 == 1 {
			opt = policyengine.WithPolicyDir("policy")
		}
		require.NoError(t, e.Reload(context.Background(), opt))
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.GreaterOrEqual(t, evaluated.Load(), int64(1600))
	_, sawConfect := seen.Load(confect.Revision())
	_, sawAdequacy := seen.Load(adequacy.Revision())
	assert.True(t, sawConfect && sawAdequacy, "decisions were made under both revisions")
}

// A reload that fails, at any stage, leaves the engine deciding under its last good policy.
func TestReloadFailureKeepsThePolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), mustReadFile(t, "policy/confect.yaml"), 0o644))
	e := newEngine(t, policyengine.WithPolicyDir(dir))
	before := e.Revision()

	for _, step := range []struct {
		name    string
		breakIt func()
	}{
		{"document fails its schema", func() {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte("privacy_policy: {}\n"), 0o644))
		}},
		{"module does not compile", func() {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), mustReadFile(t, "policy/confect.yaml"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package policyengine.rules.bad\n\ndeny contains"), 0o644))
		}},
		{"directory gone", func() { require.NoError(t, os.RemoveAll(dir)) }},
	} {
		name, breakIt := step.name, step.breakIt
		breakIt()
		err := e.Reload(context.Background())
		require.Error(t, err, name)
		assert.Equal(t, before, e.Revision(), name)
		d, err := e.Evaluate(context.Background(), orderHandling())
		require.NoError(t, err, name)
		assert.True(t, d.Allow, name)
		assert.Equal(t, before, d.Revision, name)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, e.Reload(ctx, policyengine.WithPolicyDir("policy")), context.Canceled)
	// Reload takes only a Source (the compiler refuses any other option), and at most one.
	assert.ErrorIs(t, e.Reload(context.Background(), policyengine.Source{}), policyengine.ErrInvalidPolicy)
	assert.Error(t, e.Reload(context.Background(), policyengine.WithPolicyDir("policy"), policyengine.WithPolicyDir("policy")))
	assert.Equal(t, before, e.Revision())
}

func mustReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// An Engine not made by New (a zero value, or a nil pointer) has no document and no rules, and
// refuses to reload; its decisions fail closed (TestFailsClosed).
func TestZeroEngineHasNoDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, e := range map[string]*policyengine.Engine{"zero value": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, e.Reload(ctx), policyengine.ErrNotPrepared)
			assert.Empty(t, e.Revision())
			assert.Empty(t, e.Rules())
			assert.Nil(t, e.Document())
			_, ok := e.Rule("consent.not_given")
			assert.False(t, ok)
		})
	}
}

// opaConfig is the fleet configuration the scale-out guide documents; the parity test runs
// stock OPA with it, so the guide cannot rot.
const opaConfig = "docs/scale-out/opa-config.yaml"

// serverDecision is what the server answers at /v1/data/policyengine/decision.
type serverDecision struct {
	Allow      bool                  `json:"allow"`
	Reasons    []policyengine.Reason `json:"reasons"`
	Warnings   []policyengine.Reason `json:"warnings"`
	ValidUntil string                `json:"valid_until"`
	Errors     []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"errors"`
}

func decide(t *testing.T, s *opatest.Server, activity json.RawMessage) serverDecision {
	t.Helper()
	var d serverDecision
	s.Query(t, "policyengine/decision", activity, &d)
	return d
}

func pairs(rs []policyengine.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Rule+" "+r.Path)
	}
	sort.Strings(out)
	return out
}

// parityInputs are every example activity, every policy case, and malformed activities.
func parityInputs(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	inputs := map[string]json.RawMessage{}
	paths, err := filepath.Glob("examples/manifests/*")
	require.NoError(t, err)
	for _, path := range paths {
		m, err := manifest.ReadFile(path, manifest.Options{})
		require.NoError(t, err)
		for _, e := range m.Entries {
			inputs[path+"#"+e.ID] = e.JSON
		}
	}
	for _, c := range policyCases(t) {
		inputs["case: "+c.Name] = c.Activity
	}
	for name, doc := range map[string]string{
		"unknown key":        `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"colour":"red"}`,
		"missing purposes":   `{"id":"a","data_categories":["email"]}`,
		"malformed duration": `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"retention":{"period":"6 months"}}`,
		"wrong type":         `{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"profiling":"yes"}`,
		"not an object":      `["a"]`,
		"blank id":           `{"id":"\u00a0\u3000","data_categories":["email"],"purposes":["purchase.orders"]}`,
		"lower-case time":    `{"id":"a","data_categories":["email"],"purposes":["marketing.materials"],"legal_basis":"consent","consent":{"status":"given","given_at":"2026-01-02t03:04:05z"}}`,
	} {
		inputs["invalid: "+name] = json.RawMessage(doc)
	}
	// Times in every form RFC 3339 allows, and years outside OPA's clock (contract §7).
	for name, consent := range map[string]string{
		"lower case":         `{"status":"given","given_at":"2025-01-01t00:00:00z","withdrawn_at":"2025-06-01t00:00:00.5+02:00"}`,
		"a leap second":      `{"status":"given","given_at":"2016-12-31T23:59:60Z"}`,
		"the year 9999":      `{"status":"given","given_at":"9999-12-31T23:59:59Z"}`,
		"the year 1":         `{"status":"given","given_at":"0001-01-01T00:00:00Z","withdrawn_at":"1500-01-01T00:00:00Z"}`,
		"consent's purposes": `{"status":"given","purposes":["marketing.materials"]}`,
	} {
		inputs["times: "+name] = json.RawMessage(`{"id":"a","data_categories":["email"],"purposes":["purchase.accounts"],"legal_basis":"consent",` +
			`"retention":{"period":"P1Y15D","from":"collection"},"consent":` + consent + `,"subject":{"last_activity_at":"2026-01-01t00:00:00z","erasure_requested_at":"9999-01-01T00:00:00Z"}}`)
	}
	require.Less(t, len(inputs), 500, "the parity test bounds its requests")
	return inputs
}

// signedBundle builds Confect's policy as a bundle signed with a new key under the id the
// documented configuration names.
func signedBundle(t *testing.T) (signed []byte, revision string, publicKey []byte) {
	t.Helper()
	private, public := opatest.Keys(t, false)
	var buf bytes.Buffer
	built, err := bundle.Build(context.Background(), &buf, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine"})
	require.NoError(t, err)
	return buf.Bytes(), built.Revision, public
}

// TestStockOPAParity serves the policy's signed bundle to a stock OPA server and asserts that the
// server decides every input as the library does.
func TestStockOPAParity(t *testing.T) {
	t.Parallel()
	signed, rev, public := signedBundle(t)
	server := opatest.Start(t, opatest.Binary(t), opaConfig, signed, public)

	engine, err := policyengine.New(context.Background()) // the real clock, as the server's
	require.NoError(t, err)
	require.Equal(t, rev, engine.Revision())

	deadline := time.Now().Add(3 * time.Minute)
	inputs := parityInputs(t)
	names := make([]string, 0, len(inputs))
	for name := range inputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		require.True(t, time.Now().Before(deadline), "the parity test ran out of time")
		doc := inputs[name]
		lib, libErr := engine.EvaluateJSON(context.Background(), doc)
		srv := decide(t, server, doc)
		if libErr != nil {
			assert.False(t, srv.Allow, "%s: the server allowed what the library refused: %v", name, libErr)
			assert.NotEmpty(t, srv.Errors, "%s: the library refused it (%v); the server reported no error", name, libErr)
			continue
		}
		assert.Empty(t, srv.Errors, name)
		assert.Equal(t, lib.Allow, srv.Allow, "%s: allow", name)
		assert.Equal(t, pairs(lib.Reasons), pairs(srv.Reasons), "%s: reasons", name)
		assert.Equal(t, pairs(lib.Warnings), pairs(srv.Warnings), "%s: warnings", name)
	}
	t.Logf("%d inputs decided alike by the library and stock OPA (revision %s)", len(names), rev[:12])
}

// Issue 22, item 5: nothing a server's data API can write weakens a decision. The rules read
// nothing outside the bundle's roots, where the API refuses to write, so what it may write
// beside them (once, the switch the library set to skip validation) changes no decision; and a
// server started as the guide says (--authorization=basic, the bundle's system.authz) takes no
// write at all, not even to OPA's record of what the bundle owns.
func TestStockOPADataAPICannotWeakenDecisions(t *testing.T) {
	t.Parallel()
	_, signed, _, public := declarationBundle(t)
	path := filepath.Join(t.TempDir(), "bundle.tar.gz")
	require.NoError(t, os.WriteFile(path, signed, 0o644))
	opa := opatest.Binary(t)

	// A police recipient under a misspelt key, which the schema refuses and the rules never see.
	misspelt := json.RawMessage(`{"id": "police", "data_categories": ["name"], "purposes": ["purchase.orders"], "legal_basis": "contract",
		"retention": {"period": "P6M", "from": "collection"}, "Recipients": [{"name": "Police", "type": "authority", "country": "SE"}]}`)
	badState := json.RawMessage(`{"declaration": "newsletter-monthly", "consent": {"status": "given", "given_at": "yesterday"}}`)
	stillRefused := func(server *opatest.Server) {
		t.Helper()
		d := decide(t, server, misspelt)
		assert.False(t, d.Allow, "a misspelt Recipients is refused whatever the data API wrote")
		require.NotEmpty(t, d.Errors)
		assert.Equal(t, "/Recipients", d.Errors[0].Path)
		d = decide(t, server, badState)
		assert.False(t, d.Allow, "a person's state that is not valid is refused whatever the data API wrote")
		require.NotEmpty(t, d.Errors)
		for _, e := range d.Errors {
			assert.Equal(t, "/consent/given_at", e.Path)
		}
	}
	beneath := []string{"policyengine/validation", "privacy_policy/retention", "policyengine_schema/activity",
		"policyengine_schema/person", "policyengine_declarations/activities/newsletter-monthly", "policyengine_revision", "system/authz"}

	// Without authorization, the API writes beside the roots, and refuses beneath them.
	open := opatest.StartFile(t, opa, path)
	stillRefused(open)
	assert.Equal(t, http.StatusNoContent, open.Put(t, "policyengine_engine", json.RawMessage(`{"validated_input": true}`)))
	for _, p := range beneath {
		assert.Equal(t, http.StatusBadRequest, open.Put(t, p, json.RawMessage(`{}`)), "PUT %s", p)
	}
	stillRefused(open)

	// As the guide starts a server: no write is taken, OPA's record of the bundle's roots
	// included (with it gone, the API would write beneath them).
	guarded := opatest.Start(t, opa, opaConfig, signed, public)
	for _, p := range append(beneath, "policyengine_engine", "system/bundles") {
		assert.Equal(t, http.StatusUnauthorized, guarded.Put(t, p, json.RawMessage(`{}`)), "PUT %s", p)
	}
	stillRefused(guarded)
}
