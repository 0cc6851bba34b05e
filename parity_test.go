package policyengine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

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

// declarationBundle builds Confect's policy as a bundle holding the example declarations, signed
// with a new key under the id the documented configuration names.
func declarationBundle(t *testing.T, ctx context.Context, engine *policyengine.Engine) (*policyengine.Declarations, []byte, bundle.Built, []byte) {
	t.Helper()
	decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	require.NoError(t, err)
	private, public := opatest.Keys(t, false)
	var buf bytes.Buffer
	built, err := bundle.Build(ctx, &buf, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine", Declarations: decls.Documents()})
	require.NoError(t, err)
	return decls, buf.Bytes(), built, public
}

// TestStockOPADeclarationParity serves a bundle with the example declarations to a stock OPA
// server and asks it by declaration id with a person's state, as a service fleet does: it decides
// each (declaration, person) pair exactly as the library's per-person call, field for field
// (valid_until included), from the declaration's residual; it refuses a state the library
// refuses, at the same fields; and an unknown id denies.
func TestStockOPADeclarationParity(t *testing.T) {
	ctx := context.Background()
	engine, err := policyengine.New(ctx) // the real clock, as the server's
	require.NoError(t, err)
	decls, signed, built, public := declarationBundle(t, ctx, engine)
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

// Issue 22, item 5: nothing a server's data API can write weakens a decision. The rules read
// nothing outside the bundle's roots, where the API refuses to write, so what it may write
// beside them (once, the switch the library set to skip validation) changes no decision; and a
// server started as the guide says (--authorization=basic, the bundle's system.authz) takes no
// write at all, not even to OPA's record of what the bundle owns.
func TestStockOPADataAPICannotWeakenDecisions(t *testing.T) {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	require.NoError(t, err)
	_, signed, _, public := declarationBundle(t, ctx, engine)
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

// A bundle whose declarations were built under another policy revision is refused: a server
// answers every request by id for them with an error decision, which denies, and the library
// does not read the bundle.
func TestStockOPARefusesDeclarationsOfAnotherRevision(t *testing.T) {
	ctx := context.Background()
	engine, err := policyengine.New(ctx)
	require.NoError(t, err)
	decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	require.NoError(t, err)
	build := func(p *policy.Policy) []byte {
		var buf bytes.Buffer
		_, err := bundle.Build(ctx, &buf, p, bundle.BuildOptions{Declarations: decls.Documents()})
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

// The fleet logs what the library logs: the server's decision log, masked by the bundle's mask
// policy, holds the same activity as the library's masked log entry.
func TestStockOPADecisionLogParity(t *testing.T) {
	signed, _, public := signedBundle(t)
	server := opatest.Start(t, opatest.Binary(t), opaConfig, signed, public)

	var logged []policyengine.DecisionLog
	engine, err := policyengine.New(context.Background(), policyengine.WithDecisionLogger(func(_ context.Context, d policyengine.DecisionLog) {
		logged = append(logged, d)
	}))
	require.NoError(t, err)

	// A valid activity full of personal data, and a refused one whose unknown keys and values of
	// the wrong shape hold it: both are masked alike by the library and the server.
	refused := `{"id":"refused","data_categories":["name",["Ada Lovelace"]],"purposes":["purchase.orders"],` +
		`"notes":"Ada Lovelace","retention":{"period":"P6M","agreed_extension":{"reference":"Ada Lovelace","period":"P1M"}},"channel":"Ada's phone"}`
	docs := []json.RawMessage{mustJSON(t, personalActivity()), json.RawMessage(refused)}
	for i, doc := range docs {
		_, err = engine.EvaluateJSON(context.Background(), doc)
		if i == 0 {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, policyengine.ErrInvalidInput)
		}
		decide(t, server, doc)
	}
	require.Len(t, logged, len(docs))

	type event struct {
		Input    map[string]any `json:"input"`
		Path     string         `json:"path"`
		Revision string         `json:"revision"`
		Bundles  map[string]struct {
			Revision string `json:"revision"`
		} `json:"bundles"`
	}
	var events []event
	deadline := time.Now().Add(30 * time.Second)
	for len(events) < len(docs) {
		require.True(t, time.Now().Before(deadline), "no decision logs from the server:\n%s", server.Output.String())
		events = events[:0]
		sc := bufio.NewScanner(strings.NewReader(server.Output.String()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), `"Decision Log"`) {
				continue
			}
			var e event
			require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
			events = append(events, e)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range docs {
		var libInput map[string]any
		raw, err := json.Marshal(logged[i].Input)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &libInput))
		assert.Equal(t, libInput, events[i].Input, "the server logs activity %d as the library does", i)
		assert.Equal(t, logged[i].Revision, events[i].Bundles["policyengine"].Revision)
		assert.NotContains(t, string(raw), "Ada")
	}
	assert.NotContains(t, server.Output.String(), "Ada Lovelace")
}

// personalActivity holds personal data in every field a decision log must leave out.
func personalActivity() policyengine.Activity {
	a := newsletter()
	a.Description = "Newsletter to Ada Lovelace, +44 20 7946 0958"
	a.Consent.GivenAt = time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)
	a.Subject = &policyengine.Subject{OptedOutProfiling: true, LastActivityAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Age: 37}
	a.Recipients = []policyengine.Recipient{{Name: "Polismyndigheten", Type: "authority", Country: "SE",
		CourtOrder: &policyengine.CourtOrder{Reference: "B 1234-26 (Ada Lovelace)", Jurisdiction: "SE"}}}
	return a
}

// A tampered signed bundle is refused by stock OPA too.
func TestStockOPARefusesTamperedBundle(t *testing.T) {
	opa := opatest.Binary(t)
	signed, _, public := signedBundle(t)
	tampered := opatest.Tamper(t, signed)
	dir := t.TempDir()
	path := filepath.Join(dir, "tampered.tar.gz")
	keyPath := filepath.Join(dir, "public.pem")
	require.NoError(t, os.WriteFile(path, tampered, 0o644))
	require.NoError(t, os.WriteFile(keyPath, public, 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, opa, "run", "--server", "--addr", fmt.Sprintf("127.0.0.1:%d", opatest.FreePort(t)),
		"--verification-key", keyPath, "--verification-key-id", "policyengine", "--bundle", path).CombinedOutput()
	require.Error(t, err, "stock opa started with a tampered bundle:\n%s", out)
	assert.Contains(t, string(out), "digest mismatch")

	_, err = policyengine.New(context.Background(), policyengine.WithBundle(path, bundle.ReadOptions{PublicKey: public, KeyID: "policyengine"}))
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, "digest mismatch")
}
