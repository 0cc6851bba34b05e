package policyengine_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/schema"
)

// A service that loads nothing finds out at start-up, not at its first request: an empty file
// system (a wrong directory, an embed pattern that matched nothing) and one of fixtures alone are
// errors that say which.
func TestLoadDeclarationsOfNothing(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		fsys fstest.MapFS
		says string
	}{
		"an empty file system":        {fstest.MapFS{}, "no manifest file (.json, .yaml, .yml)"},
		"files that are no manifests": {fstest.MapFS{"README.md": {Data: []byte("# x\n")}}, "no manifest file"},
		"an empty manifest":           {fstest.MapFS{"m.yaml": {Data: []byte("[]\n")}}, "the one manifest file holds none"},
		"fixtures of one person only": {fstest.MapFS{
			"a.yaml": {Data: []byte("id: a\ndata_categories: [email]\npurposes: [purchase.orders]\nlegal_basis: contract\nconsent: {status: given}\n")},
			"b.yaml": {Data: []byte("id: b\ndata_categories: [email]\npurposes: [purchase.orders]\nlegal_basis: contract\nsubject: {restricted: true}\n")},
		}, "the 2 manifest files hold none (an activity with consent or subject is a fixture of one person"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			decls, err := engine.LoadDeclarations(ctx, tc.fsys)
			require.ErrorIs(t, err, policyengine.ErrInvalidInput)
			assert.Nil(t, decls)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

// The error for an id that is not loaded names the id the caller passed, escaped so that it stays
// one line and prints nothing a terminal would act on, cut to the schema's length of an id, and
// the loaded ids it is a near miss of.
func TestUnknownDeclarationNamesTheID(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	require.NoError(t, err)
	for id, says := range map[string]string{
		"newsletter-montly":      `no declaration of this id: "newsletter-montly" (did you mean "newsletter-monthly"?)`,
		"no-such-declaration":    `no declaration of this id: "no-such-declaration"`,
		"a\nb\x1b[31mc\"":        `no declaration of this id: "a\nb\x1b[31mc\""`,
		"\xff":                   `no declaration of this id: "\xff"`,
		strings.Repeat("é", 150): `no declaration of this id: "` + strings.Repeat("é", 100) + `…"`,
	} {
		d, err := decls.DecideJSON(ctx, id, []byte(`{}`))
		require.ErrorIs(t, err, policyengine.ErrUnknownDeclaration)
		require.ErrorIs(t, err, policyengine.ErrInvalidInput)
		assert.False(t, d.Allow, "an unknown id denies")
		assert.Equal(t, "invalid input: "+says, err.Error())
		assert.NotContains(t, err.Error(), "\n")
		assert.NotContains(t, err.Error(), "\x1b")
		_, typed := decls.Decide(ctx, id, policyengine.Person{})
		assert.Equal(t, err.Error(), typed.Error(), "Decide and DecideJSON say the same")
	}
}

// At start-up a service can list the declarations no person can pass: exactly those the CI gate
// denies, with the reasons it gives.
func TestDeclarationsDenied(t *testing.T) {
	t.Parallel()
	engine := newEngine(t)
	ctx := context.Background()
	decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	require.NoError(t, err)
	denied, err := decls.Denied(ctx)
	require.NoError(t, err)
	var gate []string
	for _, id := range decls.IDs() {
		d, ok := decls.Lookup(id)
		require.True(t, ok)
		alone, err := d.Decision(ctx)
		require.NoError(t, err)
		if !alone.Allow {
			gate = append(gate, id)
			assert.Equal(t, alone.Reasons, denied[id].Reasons, id)
		}
	}
	assert.Contains(t, gate, "invoice-archive")
	assert.NotContains(t, gate, "newsletter-monthly")
	var ids []string
	for id := range denied {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	assert.Equal(t, gate, ids)

	// No person passes any of them, not even one the rules favour most.
	favoured, err := json.Marshal(policyengine.Person{Consent: &policyengine.Consent{Status: policyengine.ConsentGiven}})
	require.NoError(t, err)
	for id := range denied {
		d, err := decls.DecideJSON(ctx, id, favoured)
		require.NoError(t, err)
		assert.False(t, d.Allow, id)
	}

	// A cancelled context is an error, not a shorter list.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	none, err := decls.Denied(cancelled)
	require.ErrorIs(t, err, policyengine.ErrEvaluation)
	assert.Nil(t, none)
}

// The consent statuses a service writes in Go are the schema's, all of them.
func TestConsentStatusesAreTheSchemas(t *testing.T) {
	t.Parallel()
	var named []string
	for _, s := range []policyengine.ConsentStatus{policyengine.ConsentGiven, policyengine.ConsentWithdrawn,
		policyengine.ConsentRefused, policyengine.ConsentExpired, policyengine.ConsentUnknown} {
		named = append(named, string(s))
	}
	assert.ElementsMatch(t, schema.ActivityEnum("/properties/consent/properties/status"), named)
}
