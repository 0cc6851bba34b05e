package bundle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/policy"
)

func build(t testing.TB, p *policy.Policy, opts bundle.BuildOptions) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	rev, err := bundle.Build(&buf, p, opts)
	require.NoError(t, err)
	return buf.Bytes(), rev
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
	assert.ElementsMatch(t, []string{"policyengine", "privacy_policy", "policyengine_schema", "policyengine_declarations", "system/log"}, manifest.Roots)
	assert.Contains(t, fs, "rules/decision.rego")
	assert.Contains(t, fs, "rules/mask.rego")
	assert.NotContains(t, fs, "rules/decision_test.rego", "tests stay out of bundles")
	assert.NotContains(t, fs, ".signatures.json")
	var data map[string]any
	require.NoError(t, json.Unmarshal(fs["data.json"], &data))
	assert.Equal(t, "Confect", data["privacy_policy"].(map[string]any)["organisation"])
	assert.Contains(t, data["policyengine_schema"], "activity")

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
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), policy.DefaultDocument(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dpia.rego"), []byte(`package policyengine.rules.dpia

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
`), 0o644))
	p, err := policy.LoadDir(dir)
	require.NoError(t, err)
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

func TestBuildOptions(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	private, _ := opatest.Keys(t, false)
	_, err := bundle.Build(&buf, policy.Default(), bundle.BuildOptions{SigningKey: private})
	assert.ErrorContains(t, err, "key id")
	_, err = bundle.Build(&buf, policy.Default(), bundle.BuildOptions{SigningKey: []byte("not a key"), KeyID: "k"})
	assert.Error(t, err)
}
