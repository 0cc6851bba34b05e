package compiler_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
)

func withModule(src string) *policy.Policy {
	p := *policy.Default()
	p.Modules = []policy.Module{{Name: "own.rego", Path: "own.rego", Source: []byte(src)}}
	return &p
}

// Every way a policy's own module can read the clock marks the policy, so that the decision
// cache keeps none of its decisions: a rule "frozen after date X" must not keep allowing past X.
func TestClockInCustomRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		src   string
		clock bool
	}{
		{"time.now_ns", "x := time.now_ns()", true},
		{"lib.now_ns through an import", "import data.policyengine.lib\n\nx := lib.now_ns", true},
		{"lib.now_ns in full", "x := data.policyengine.lib.now_ns", true},
		{"the library by a computed key", "x := data.policyengine.lib[k] if k := concat(\"\", [\"now\", \"_ns\"])", true},
		{"the library whole", "x := data.policyengine.lib", true},
		{"the rules of another package whole", "x := data.policyengine.rules.consent", true},
		{"a helper of its own that reads the clock", "import data.policyengine.lib\n\n_now := lib.now_ns\n\nfrozen if _now > 0", true},
		{"a function of its own that reads the clock", "after(t) if time.now_ns() > t\n\nx if after(0)", true},
		{"a built-in rule that reads the clock", "x := count(data.policyengine.rules.retention.deny)", true},
		{"the decision, made of rules that read the clock", "x := data.policyengine.findings", true},
		{"only the clock-free library", "import data.policyengine.lib\n\nx := lib.in_eu_eea(\"SE\")", false},
		{"time arithmetic on input", "x := time.clock(time.parse_rfc3339_ns(input.subject.last_activity_at))", false},
		{"the policy document", "x := data.privacy_policy.organisation", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := compiler.Build(withModule("package policyengine.rules.own\n\n" + tc.src + "\n"))
			require.NoError(t, err)
			assert.Equal(t, tc.clock, r.ClockInCustomRules)
		})
	}

	r, err := compiler.Build(policy.Default())
	require.NoError(t, err)
	assert.False(t, r.ClockInCustomRules, "the built-in rules' clock is handled by the cache's key")
}

// A policy cannot reach randomness or the machine's clock: a signature that differs on every call
// would give coin-flip decisions, and certificate checks would read the clock, not --now.
func TestNondeterministicBuiltinsAreWithheld(t *testing.T) {
	t.Parallel()
	for _, call := range []string{
		`io.jwt.encode_sign({"alg": "ES256"}, {}, {"kty": "EC"})`,
		`io.jwt.encode_sign_raw("{}", "{}", "{}")`,
		`io.jwt.decode_verify("a.b.c", {"secret": "s"})`,
		`crypto.x509.parse_and_verify_certificates("")`,
		`crypto.x509.parse_and_verify_certificates_with_options("", {})`,
		`rand.intn("x", 2)`,
		`uuid.rfc4122("x")`,
		`http.send({"method": "GET", "url": "https://example.com"})`,
		`opa.runtime()`,
		`net.lookup_ip_addr("example.com")`,
	} {
		t.Run(call, func(t *testing.T) {
			t.Parallel()
			_, err := compiler.Build(withModule("package policyengine.rules.own\n\nx := " + call + "\n"))
			require.Error(t, err)
			assert.ErrorIs(t, err, policy.ErrInvalid)
			assert.Contains(t, err.Error(), "own.rego:3")
		})
	}
	// Schema checks stay for the built-in validation only: on a stock OPA server a remote $ref
	// would be fetched.
	for _, call := range []string{`json.match_schema({}, {"$ref": "http://127.0.0.1:9/x.json"})`, `json.verify_schema({})`} {
		_, err := compiler.Build(withModule("package policyengine.rules.own\n\nx := " + call + "\n"))
		require.Error(t, err, call)
		assert.Contains(t, err.Error(), "own.rego:3:6: json.")
		assert.Contains(t, err.Error(), "kept for the built-in validation")
	}
	// The engine's clock, and pure builtins, stay.
	for _, name := range []string{"time.now_ns", "json.match_schema", "time.parse_rfc3339_ns", "uuid.parse"} {
		assert.False(t, compiler.Forbidden(name), name)
	}
}

// Each rule package says whether its findings depend on the person's state or the clock, and
// which fields of the input they read, through every rule and function they use: the engine
// decides the others once per declaration and shares partial evaluation between declarations
// alike in those fields, so a field missed here would be a wrong decision.
func TestPackagesSayWhatTheirFindingsRead(t *testing.T) {
	t.Parallel()
	r, err := compiler.Build(policy.Default())
	require.NoError(t, err)
	for _, rule := range r.Rules {
		name := rule.Package[len(compiler.RulesPackage)+1:]
		pkg, ok := r.Packages[name]
		require.True(t, ok, rule.Package)
		assert.Contains(t, pkg.Kinds, rule.Kind, rule.ID)
		if rule.Requires != "" {
			assert.True(t, pkg.Person, "%s reads the person; its package %s must say so", rule.ID, name)
			assert.True(t, pkg.Fields == nil || pkg.Fields["consent"] || pkg.Fields["subject"], rule.ID)
		}
	}
	assert.False(t, r.Packages["categories"].Person, "the categories rules read only the declaration")
	assert.Equal(t, map[string]bool{"data_categories": true, "role": true}, r.Packages["categories"].Fields)

	// A policy's own package (its changes_at findings need no METADATA).
	for _, tc := range []struct {
		name, src string
		person    bool
		fields    map[string]bool
	}{
		{"the clock through the library", "import data.policyengine.lib\n\n" +
			"changes_at contains x if {\n\tinput.purposes[_] == \"a.b\"\n\tlib.now_ns > 0\n\tx := 1\n}", true, map[string]bool{"purposes": true}},
		{"the person through a function of its own", "changes_at contains 1 if _old(input.retention)\n\n" +
			"_old(r) if input.subject.age > count(r)", true, map[string]bool{"retention": true, "subject": true}},
		{"the controller check of the library", "import data.policyengine.lib\n\nchanges_at contains 1 if lib.controller", false, map[string]bool{"role": true}},
		{"the input whole", "changes_at contains k if some k, _ in input", true, nil},
		{"the input by a computed key", "changes_at contains 1 if input[concat(\"\", [\"i\", \"d\"])] == \"x\"", true, nil},
	} {
		p, err := compiler.Build(withModule("package policyengine.rules.own\n\n" + tc.src + "\n"))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.person, p.Packages["own"].Person, tc.name)
		assert.Equal(t, tc.fields, p.Packages["own"].Fields, tc.name)
	}
}

// A rule's METADATA says when it is a right every person has (custom every_person): the
// catalogue carries it, and only a rule that reads the person's state may say it.
func TestEveryPerson(t *testing.T) {
	t.Parallel()
	r, err := compiler.Build(policy.Default())
	require.NoError(t, err)
	every := map[string]bool{}
	for _, rule := range r.Rules {
		every[rule.ID] = rule.EveryPerson
	}
	assert.True(t, every["erasure.requested"])
	assert.True(t, every["restriction.requested"])
	assert.False(t, every["objection.legitimate_interest"], "only on legitimate interest: specific to a declaration")

	const rule = "package policyengine.rules.own\n\n# METADATA\n# title: Own\n# description: Own rule.\n# custom:\n#   id: own.rule\n#   clause: erasure\n#   every_person: true\n"
	r, err = compiler.Build(withModule(rule + "#   requires: the person is not frozen\ndeny contains x if {\n\tinput.subject.restricted\n\tx := \"frozen\"\n}\n"))
	require.NoError(t, err)
	var own compiler.Rule
	for _, rl := range r.Rules {
		if rl.ID == "own.rule" {
			own = rl
		}
	}
	assert.True(t, own.EveryPerson)

	_, err = compiler.Build(withModule(rule + "deny contains x if {\n\tinput.legal_basis == \"consent\"\n\tx := \"declared\"\n}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rule own.rule says it is a right every person has (custom every_person), but reads nothing of the person's state")
}
