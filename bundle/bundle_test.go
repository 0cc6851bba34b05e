package bundle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/policy"
)

func build(t testing.TB, p *policy.Policy, opts bundle.BuildOptions) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	built, err := bundle.Build(context.Background(), &buf, p, opts)
	require.NoError(t, err)
	return buf.Bytes(), built.Revision
}

func TestBuildHoldsThePolicy(t *testing.T) {
	t.Parallel()
	b, rev := build(t, policy.Default(), bundle.BuildOptions{})
	e, err := policyengine.New(context.Background())
	require.NoError(t, err)
	assert.Equal(t, e.Revision(), rev, "the bundle's revision is the revision the library reports")

	fs := opatest.Files(t, b)
	var manifest struct {
		Revision string   `json:"revision"`
		Roots    []string `json:"roots"`
	}
	require.NoError(t, json.Unmarshal(fs[".manifest"], &manifest))
	assert.Equal(t, rev, manifest.Revision)
	assert.ElementsMatch(t, []string{"policyengine", "privacy_policy", "policyengine_schema", "policyengine_revision", "policyengine_declarations", "system/log", "system/authz"}, manifest.Roots)
	assert.Contains(t, fs, "rego/decision.rego")
	assert.Contains(t, fs, "rego/mask.rego")
	assert.NotContains(t, fs, "rego/decision_test.rego", "tests stay out of bundles")
	assert.NotContains(t, fs, ".signatures.json")
	var data map[string]any
	require.NoError(t, json.Unmarshal(fs["data.json"], &data))
	assert.Equal(t, "Confect", data["privacy_policy"].(map[string]any)["organisation"])
	assert.Contains(t, data["policyengine_schema"], "activity")
	assert.Equal(t, rev, data["policyengine_revision"])

	c, err := bundle.Read(bytes.NewReader(b), bundle.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, rev, c.Revision)
}

func TestSignedBundles(t *testing.T) {
	t.Parallel()
	for _, ec := range []bool{false, true} {
		private, public := opatest.Keys(t, ec)
		b, rev := build(t, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine"})
		assert.Contains(t, opatest.Files(t, b), ".signatures.json")

		c, err := bundle.Read(bytes.NewReader(b), bundle.ReadOptions{PublicKey: public, KeyID: "policyengine"})
		require.NoError(t, err, "ec=%v", ec)
		assert.Equal(t, rev, c.Revision)

		_, err = bundle.Read(bytes.NewReader(b), bundle.ReadOptions{})
		assert.ErrorIs(t, err, bundle.ErrInvalid)
		assert.ErrorContains(t, err, "verification key not provided", "a signed bundle is not read unverified")

		_, other := opatest.Keys(t, ec)
		_, err = bundle.Read(bytes.NewReader(b), bundle.ReadOptions{PublicKey: other, KeyID: "policyengine"})
		assert.ErrorIs(t, err, bundle.ErrInvalid, "another key's signature is refused")
	}
}

func TestTamperedBundlesAreRefused(t *testing.T) {
	t.Parallel()
	private, public := opatest.Keys(t, false)
	signed, _ := build(t, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine"})
	tampered := opatest.Tamper(t, signed)
	_, err := bundle.Read(bytes.NewReader(tampered), bundle.ReadOptions{PublicKey: public, KeyID: "policyengine"})
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, "digest mismatch")

	// Unsigned, a change still shows: the content is no longer the manifest's revision.
	unsigned, _ := build(t, policy.Default(), bundle.BuildOptions{})
	longer := func(b []byte) []byte { return bytes.Replace(b, []byte(`"period":"P6M"`), []byte(`"period":"P7M"`), 1) }
	tampered = opatest.Repack(t, unsigned, "data.json", longer)
	_, err = bundle.Read(bytes.NewReader(tampered), bundle.ReadOptions{})
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, "not the")

	// An unsigned bundle is refused where a signature is expected.
	_, err = bundle.Read(bytes.NewReader(unsigned), bundle.ReadOptions{PublicKey: public, KeyID: "policyengine"})
	assert.ErrorIs(t, err, bundle.ErrInvalid)

	// And through the engine.
	path := filepath.Join(t.TempDir(), "tampered.tar.gz")
	require.NoError(t, os.WriteFile(path, opatest.Tamper(t, signed), 0o644))
	_, err = policyengine.New(context.Background(), policyengine.WithBundle(path, bundle.ReadOptions{PublicKey: public, KeyID: "policyengine"}))
	assert.ErrorIs(t, err, bundle.ErrInvalid)
}

// A policy's own modules travel in the bundle, and the engine decides under them.
func TestCustomModulesTravel(t *testing.T) {
	t.Parallel()
	p := withModule(t, "dpia.rego", `package policyengine.rules.dpia

import data.policyengine.lib

# METADATA
# title: Profiling has a DPIA
# description: Profiling needs a data protection impact assessment, named in the description.
# custom:
#   id: dpia.missing
#   clause: opt-out
deny contains reason if {
	input.profiling == true
	not contains(object.get(input, "description", ""), "DPIA")
	reason := lib.reason(rego.metadata.rule(), "/description", "profiling needs a DPIA")
}
`)
	b, rev := build(t, p, bundle.BuildOptions{})
	assert.Contains(t, opatest.Files(t, b), "policy/dpia.rego")

	path := filepath.Join(t.TempDir(), "b.tar.gz")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	e, err := policyengine.New(context.Background(), policyengine.WithBundle(path, bundle.ReadOptions{}))
	require.NoError(t, err)
	assert.Equal(t, rev, e.Revision())
	d, err := e.Evaluate(context.Background(), policyengine.Activity{
		ID: "profiles", DataCategories: []string{"interests"}, Purposes: []string{"marketing.profiling"},
		LegalBasis: "legitimate_interest", Profiling: true, Retention: &policyengine.Retention{Period: "P12M", From: "last_activity"},
	})
	require.NoError(t, err)
	require.Len(t, d.Reasons, 1)
	assert.Equal(t, "dpia.missing", d.Reasons[0].Rule)
}

// withModule is Confect's policy with one module of its own.
func withModule(t *testing.T, name, src string) *policy.Policy {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), policy.DefaultDocument(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	p, err := policy.LoadDir(dir)
	require.NoError(t, err)
	return p
}

func TestBuildOptions(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	private, _ := opatest.Keys(t, false)
	_, err := bundle.Build(context.Background(), &buf, policy.Default(), bundle.BuildOptions{SigningKey: private})
	assert.ErrorContains(t, err, "key id")
	_, err = bundle.Build(context.Background(), &buf, policy.Default(), bundle.BuildOptions{SigningKey: []byte("not a key"), KeyID: "k"})
	assert.Error(t, err)
}

// Whether a bundle's module is built-in is what its content is, never where it lies: a policy's
// own person rule moved under rego/ in the archive decides as it did under policy/ (it once
// counted as built-in there, so that a rule denying every person became a mere condition), and a
// module with a built-in module's name and other content is refused.
func TestBundleOwnershipIsNotAPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), policy.DefaultDocument(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "never.rego"), []byte(testpolicy.NeverOnConsent), 0o644))
	p, err := policy.LoadDir(dir)
	require.NoError(t, err)
	built, _ := build(t, p, bundle.BuildOptions{})
	// repack writes the bundle's files again, renamed and changed as told.
	repack := func(rename map[string]string, change map[string]func([]byte) []byte) string {
		var entries []entry
		for name, data := range opatest.Files(t, built) {
			if f, ok := change[name]; ok {
				data = f(data)
			}
			if to, ok := rename[name]; ok {
				name = to
			}
			entries = append(entries, entry{name: "/" + name, size: int64(len(data)), body: data})
		}
		path := filepath.Join(t.TempDir(), "b.tar.gz")
		require.NoError(t, os.WriteFile(path, archive(t, entries...), 0o644))
		return path
	}
	var decl map[string]any
	require.NoError(t, json.Unmarshal([]byte(testpolicy.OnConsent), &decl))
	var want string
	for _, to := range []string{"policy/never.rego", "rego/never.rego", "rego/own/never.rego", "never.rego"} {
		e, err := policyengine.New(context.Background(), policyengine.WithBundle(repack(map[string]string{"policy/never.rego": to}, nil), bundle.ReadOptions{}))
		require.NoError(t, err, to)
		d, err := e.EvaluateDeclaration(context.Background(), decl)
		require.NoError(t, err, to)
		assert.False(t, d.Allow, "%s: %s", to, d)
		if want == "" {
			want = d.String()
		}
		assert.Equal(t, want, d.String(), to)
	}

	// A built-in module changed, and the manifest's revision with it as a hand-made bundle would
	// have it, is not taken for the engine's own.
	sources := map[string][]byte{}
	for name, data := range opatest.Files(t, built) {
		if strings.HasSuffix(name, ".rego") {
			sources[name] = data
		}
	}
	weakened := bytes.Replace(sources["rego/consent.rego"], []byte("deny contains"), []byte("deny_never contains"), 1)
	require.NotEqual(t, sources["rego/consent.rego"], weakened)
	sources["rego/consent.rego"] = weakened
	all := map[string]bool{}
	for name := range sources {
		all[name] = !strings.HasPrefix(name, "policy/")
	}
	rebuilt, err := compiler.Compile(p, sources, all)
	require.NoError(t, err)
	_, err = policyengine.New(context.Background(), policyengine.WithBundle(repack(nil, map[string]func([]byte) []byte{
		"rego/consent.rego": func([]byte) []byte { return weakened },
		".manifest": func(b []byte) []byte {
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			m["revision"] = rebuilt.Revision
			out, err := json.Marshal(m)
			require.NoError(t, err)
			return out
		},
	}), bundle.ReadOptions{}))
	require.ErrorIs(t, err, policyengine.ErrInvalidPolicy)
	assert.ErrorContains(t, err, "rego/consent.rego: not this engine's built-in module of that name")
}
