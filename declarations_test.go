package policyengine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// loaded are declarations and the engine they were loaded on.
type loaded struct {
	engine *policyengine.Engine
	decls  *policyengine.Declarations
}

// loadedExamples are the example declarations (examples/manifests), loaded once on an engine of
// their own that decides as newEngine's: loading prepares 33 declarations, seconds of work.
var loadedExamples = sync.OnceValues(func() (loaded, error) {
	e, err := policyengine.New(context.Background(), policyengine.WithClock(testClock))
	if err != nil {
		return loaded{}, err
	}
	decls, err := e.LoadDeclarations(context.Background(), os.DirFS("examples/manifests"))
	return loaded{e, decls}, err
})

// exampleDeclarations returns the example declarations and their engine (loadedExamples).
func exampleDeclarations(t *testing.T) (*policyengine.Engine, *policyengine.Declarations) {
	t.Helper()
	l, err := loadedExamples()
	require.NoError(t, err)
	return l.engine, l.decls
}

func TestLoadDeclarations(t *testing.T) {
	t.Parallel()
	engine, decls := exampleDeclarations(t)
	ctx := context.Background()
	assert.Contains(t, decls.IDs(), "newsletter-monthly")
	assert.Len(t, decls.IDs(), 33)
	_, ok := decls.Lookup("newsletter-monthly")
	assert.True(t, ok)

	// Fixtures of one person are not declarations: a directory of nothing else holds none, an
	// error (TestLoadDeclarationsOfNothing).
	_, err := engine.LoadDeclarations(ctx, os.DirFS("testdata/people"))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)

	// An unknown id denies.
	d, err := decls.Decide(ctx, "no-such", policyengine.Person{})
	require.ErrorIs(t, err, policyengine.ErrUnknownDeclaration)
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.False(t, d.Allow)
	assert.Equal(t, engine.Revision(), d.Revision)

	// An id declared twice, and a broken manifest, are errors naming the file and line.
	dir := t.TempDir()
	decl := "- id: same\n  data_categories: [email]\n  purposes: [purchase.orders]\n  legal_basis: contract\n  retention: {period: P1Y}\n"
	require.NoError(t, os.WriteFile(dir+"/a.yaml", []byte(decl), 0o644))
	require.NoError(t, os.WriteFile(dir+"/b.yaml", []byte(decl), 0o644))
	_, err = engine.LoadDeclarations(ctx, os.DirFS(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.Contains(t, err.Error(), "b.yaml:1: the declaration's id is already declared at a.yaml:1")
	require.NoError(t, os.WriteFile(dir+"/b.yaml", []byte("- id: x\n  purposes: [\n"), 0o644))
	_, err = engine.LoadDeclarations(ctx, os.DirFS(dir))
	require.ErrorIs(t, err, policyengine.ErrInvalidInput)
	assert.Contains(t, err.Error(), "b.yaml:")
}

// A service that loads nothing finds out at start-up, not at its first request: an empty file
// system (a wrong directory, an embed pattern that matched nothing) and one of fixtures alone are
// errors that say which.
func TestLoadDeclarationsOfNothing(t *testing.T) {
	t.Parallel()
	engine, _ := exampleDeclarations(t)
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
	_, decls := exampleDeclarations(t)
	ctx := context.Background()
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
	_, decls := exampleDeclarations(t)
	ctx := context.Background()
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

// exampleBundle holds the example declarations (examples/manifests), loaded on an engine of the
// real clock, as a stock OPA server decides, and Confect's policy built with them into a bundle
// signed with a new key under the id the documented configuration names: built once for the
// parity tests, as loading and building take seconds.
var exampleBundle struct {
	sync.Mutex
	decls  *policyengine.Declarations
	signed []byte
	built  bundle.Built
	public []byte
}

// declarationBundle returns the example declarations and their signed bundle (exampleBundle).
func declarationBundle(t *testing.T) (*policyengine.Declarations, []byte, bundle.Built, []byte) {
	t.Helper()
	b := &exampleBundle
	b.Lock()
	defer b.Unlock()
	if b.decls == nil {
		ctx := context.Background()
		engine, err := policyengine.New(ctx) // the real clock, as the server's
		require.NoError(t, err)
		decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
		require.NoError(t, err)
		private, public := opatest.Keys(t, false)
		var buf bytes.Buffer
		built, err := bundle.Build(ctx, &buf, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine", Declarations: decls.Documents()})
		require.NoError(t, err)
		b.decls, b.signed, b.built, b.public = decls, buf.Bytes(), built, public
	}
	return b.decls, b.signed, b.built, b.public
}

// TestStockOPADeclarationParity serves a bundle with the example declarations to a stock OPA
// server and asks it by declaration id with a person's state, as a service fleet does: it decides
// each (declaration, person) pair exactly as the library's per-person call, field for field
// (valid_until included), from the declaration's residual; it refuses a state the library
// refuses, at the same fields; and an unknown id denies.
func TestStockOPADeclarationParity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	decls, signed, built, public := declarationBundle(t)
	require.Equal(t, len(decls.IDs()), built.Residuals, "every example declaration is decided from its residual")
	server := opatest.Start(t, opatest.Binary(t), opaConfig, signed, public)

	// A varied mix of people (internal/gentree: every field of consent and subject, set and
	// unset), and people at the edges: no record at all, consent given and nothing else.
	people, err := gentree.People(120, 7, slices.Sorted(maps.Keys(policy.Default().Document.Purposes)), time.Now())
	require.NoError(t, err)
	people = append(people, map[string]any{}, map[string]any{"consent": map[string]any{"status": "given"}})
	// States the library refuses: the server refuses them too, at the same fields.
	invalid := []string{
		`{"consent": {"status": "maybe"}}`,
		`{"consent": {"status": "given", "given_at": "yesterday"}}`,
		`{"consent": {"status": "given", "colour": "red"}}`,
		`{"consent": "given"}`,
		`{"subject": {"age": -1, "restricted": "yes"}}`,
		`{"subject": {"last_activity_at": "2026-13-01T00:00:00Z"}}`,
		`{"subject": {"opted_out": true}, "consent": {"purposes": ["marketing.materials"]}}`,
		`{"consent": {"status": "given"}, "purposes": ["support.forum"]}`,
	}

	deadline := time.Now().Add(4 * time.Minute)
	n, allowed, denied := 0, 0, 0
	for i, id := range decls.IDs() {
		// Each declaration with its own share of the mix, so that every person meets several.
		for j := range 24 {
			require.True(t, time.Now().Before(deadline), "the parity test ran out of time")
			person := people[(i*7+j*5)%len(people)]
			state := mustJSON(t, person)
			lib, libErr := decls.DecideJSON(ctx, id, state)
			require.NoError(t, libErr, "%s %s", id, state)
			request := map[string]any{"declaration": id}
			maps.Copy(request, person)
			srv := decide(t, server, mustJSON(t, request))
			n++
			if lib.Allow {
				allowed++
			} else {
				denied++
			}
			assert.Empty(t, srv.Errors, "%s %s", id, state)
			assert.Equal(t, lib.Allow, srv.Allow, "%s %s: allow", id, state)
			assert.Equal(t, lib.Reasons, srv.Reasons, "%s %s: reasons", id, state)
			assert.Equal(t, lib.Warnings, srv.Warnings, "%s %s: warnings", id, state)
			want := ""
			if !lib.ValidUntil.IsZero() {
				want = lib.ValidUntil.Format(time.RFC3339Nano)
			}
			assert.Equal(t, want, srv.ValidUntil, "%s %s: valid_until", id, state)
		}
		state := invalid[i%len(invalid)]
		_, libErr := decls.DecideJSON(ctx, id, []byte(state))
		require.ErrorIs(t, libErr, policyengine.ErrInvalidInput, "%s %s", id, state)
		var request map[string]any
		require.NoError(t, json.Unmarshal([]byte(state), &request))
		request["declaration"] = id
		srv := decide(t, server, mustJSON(t, request))
		assert.False(t, srv.Allow, "%s %s: the server allowed what the library refused: %v", id, state, libErr)
		var want, got []string
		for _, p := range problem.All(libErr) {
			want = append(want, p.Pointer)
		}
		for _, e := range srv.Errors {
			got = append(got, e.Path)
		}
		slices.Sort(want)
		slices.Sort(got)
		assert.Equal(t, slices.Compact(want), slices.Compact(got), "%s %s: the fields at fault", id, state)
	}
	assert.Positive(t, allowed, "the mix holds people allowed")
	assert.Positive(t, denied, "the mix holds people denied")

	unknown := decide(t, server, json.RawMessage(`{"declaration": "no-such", "consent": {"status": "given"}}`))
	assert.False(t, unknown.Allow, "an unknown declaration id denies")
	require.Len(t, unknown.Errors, 1)
	assert.Equal(t, "/declaration", unknown.Errors[0].Path)
	t.Logf("%d (declaration, person) pairs decided alike by the library and stock OPA (%d allowed, %d denied)", n, allowed, denied)
}

// A bundle whose declarations were built under another policy revision is refused: a server
// answers every request by id for them with an error decision, which denies, and the library
// does not read the bundle.
func TestStockOPARefusesDeclarationsOfAnotherRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	decls, _, _, _ := declarationBundle(t)
	// The declaration asked for alone: residuals take seconds to work out.
	checkout := map[string]map[string]any{"checkout": decls.Documents()["checkout"]}
	require.NotNil(t, checkout["checkout"])
	build := func(p *policy.Policy) []byte {
		var buf bytes.Buffer
		_, err := bundle.Build(ctx, &buf, p, bundle.BuildOptions{Declarations: checkout})
		require.NoError(t, err)
		return buf.Bytes()
	}
	other, err := policy.LoadDir(testpolicy.Edited(t, [2]string{"title: ", "title: An earlier "}))
	require.NoError(t, err)
	stale := opatest.Files(t, build(other))
	// The current policy, with the declarations' residuals worked out under the other (its
	// pieces, the same here, stay): as a bundle put together from two builds would be.
	spliced := build(policy.Default())
	for name, content := range stale {
		if strings.HasPrefix(name, "declarations/") && !strings.HasPrefix(name, "declarations/pieces/") {
			spliced = opatest.Repack(t, spliced, name, func([]byte) []byte { return content })
		}
	}
	path := filepath.Join(t.TempDir(), "spliced.tar.gz")
	require.NoError(t, os.WriteFile(path, spliced, 0o644))

	_, err = bundle.Read(bytes.NewReader(spliced), bundle.ReadOptions{})
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, "worked out under policy revision")

	server := opatest.StartFile(t, opatest.Binary(t), path)
	d := decide(t, server, json.RawMessage(`{"declaration": "checkout", "consent": {"status": "given"}}`))
	assert.False(t, d.Allow)
	require.Len(t, d.Errors, 1)
	assert.Equal(t, "/declaration", d.Errors[0].Path)
	assert.Contains(t, d.Errors[0].Message, "another policy revision")
}
