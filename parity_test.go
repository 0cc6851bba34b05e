package policyengine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
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
	rev, err := bundle.Build(&buf, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine"})
	require.NoError(t, err)
	return buf.Bytes(), rev, public
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

// TestStockOPADeclarationParity serves a bundle with the example declarations to a stock OPA
// server and asks it by declaration id with a person's state, as a service fleet does: it decides
// each (declaration, person) pair exactly as the library's per-person call, valid_until
// included, and an unknown id denies.
func TestStockOPADeclarationParity(t *testing.T) {
	ctx := context.Background()
	engine, err := policyengine.New(ctx) // the real clock, as the server's
	require.NoError(t, err)
	decls, err := engine.LoadDeclarations(ctx, os.DirFS("examples/manifests"))
	require.NoError(t, err)
	private, public := opatest.Keys(t, false)
	var buf bytes.Buffer
	_, err = bundle.Build(&buf, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine", Declarations: decls.Documents()})
	require.NoError(t, err)
	server := opatest.Start(t, opatest.Binary(t), opaConfig, buf.Bytes(), public)

	g := newGenerator(5, policy.Default().Document, time.Now())
	persons := []map[string]any{{}, {"consent": map[string]any{"status": "given"}}, {"consent": map[string]any{"status": "maybe"}}}
	for range 6 {
		persons = append(persons, g.person())
	}
	deadline := time.Now().Add(3 * time.Minute)
	n := 0
	for _, id := range decls.IDs() {
		for _, person := range persons {
			require.True(t, time.Now().Before(deadline), "the parity test ran out of time")
			state := mustJSON(t, person)
			lib, libErr := decls.DecideJSON(ctx, id, state)
			request := map[string]any{"declaration": id}
			maps.Copy(request, person)
			srv := decide(t, server, mustJSON(t, request))
			n++
			if libErr != nil {
				assert.False(t, srv.Allow, "%s %s: the server allowed what the library refused: %v", id, state, libErr)
				assert.NotEmpty(t, srv.Errors, "%s %s", id, state)
				continue
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
	}
	unknown := decide(t, server, json.RawMessage(`{"declaration": "no-such", "consent": {"status": "given"}}`))
	assert.False(t, unknown.Allow, "an unknown declaration id denies")
	require.Len(t, unknown.Errors, 1)
	assert.Equal(t, "/declaration", unknown.Errors[0].Path)
	t.Logf("%d (declaration, person) pairs decided alike by the library and stock OPA", n)
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
