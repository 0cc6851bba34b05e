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
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

func exampleDeclarations(t testing.TB) map[string]map[string]any {
	t.Helper()
	e, err := policyengine.New(context.Background())
	require.NoError(t, err)
	decls, err := e.LoadDeclarations(context.Background(), os.DirFS("../examples/manifests"))
	require.NoError(t, err)
	return decls.Documents()
}

// A bundle with declarations holds each as data and its residual as Rego, named by the SHA-256
// of its id, stamped with the policy revision; the library reads it back.
func TestBuildShipsResiduals(t *testing.T) {
	t.Parallel()
	decls := exampleDeclarations(t)
	var buf bytes.Buffer
	built, err := bundle.Build(context.Background(), &buf, policy.Default(), bundle.BuildOptions{Declarations: decls})
	require.NoError(t, err)
	assert.Equal(t, len(decls), built.Declarations)
	assert.Equal(t, len(decls), built.Residuals, "every example declaration has a residual")

	files := opatest.Files(t, buf.Bytes())
	var data struct {
		Declarations struct {
			Activities map[string]map[string]any `json:"activities"`
		} `json:"policyengine_declarations"`
	}
	require.NoError(t, json.Unmarshal(files["data.json"], &data))
	assert.Len(t, data.Declarations.Activities, len(decls))
	residuals := ""
	for name, content := range files {
		if strings.HasPrefix(name, "declarations/") {
			residuals += string(content)
		}
	}
	for id := range decls {
		key := bundle.ResidualKey(id)
		assert.Contains(t, residuals, key+`.revision := "`+built.Revision+`"`, id)
	}
	assert.NotContains(t, residuals, "checkout", "an id never becomes Rego")

	c, err := bundle.Read(bytes.NewReader(buf.Bytes()), bundle.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, built.Revision, c.Revision)
	for name := range c.Sources {
		assert.False(t, strings.HasPrefix(name, "declarations/"), "residuals are not the policy's modules: %s", name)
	}
}

// Any id the schema allows names a residual: its hash is a Rego name whatever it holds.
func TestResidualKeys(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"checkout", "a b\nc\x7f\"}", "ü/../x", strings.Repeat("z", 200)} {
		key := bundle.ResidualKey(id)
		assert.Regexp(t, `^d[0-9a-f]{64}$`, key)
	}
	assert.NotEqual(t, bundle.ResidualKey("a"), bundle.ResidualKey("b"))
}

// Build refuses a declaration the library would not prepare: the schema refuses it, it carries
// a person's state, it is filed under an id that is not its own. A server then never validates a
// declaration again.
func TestBuildRefusesInvalidDeclarations(t *testing.T) {
	t.Parallel()
	valid := exampleDeclarations(t)["checkout"]
	with := func(patch map[string]any) map[string]any {
		d := map[string]any{}
		for k, v := range valid {
			d[k] = v
		}
		for k, v := range patch {
			if v == nil {
				delete(d, k)
			} else {
				d[k] = v
			}
		}
		return d
	}
	for name, c := range map[string]struct {
		doc     map[string]any
		pointer string
	}{
		"an unknown key":     {with(map[string]any{"Recipients": []any{}}), "/Recipients"},
		"no purposes":        {with(map[string]any{"purposes": nil}), "/purposes"},
		"a person's consent": {with(map[string]any{"consent": map[string]any{"status": "given"}}), "/consent"},
		"another id":         {with(map[string]any{"id": "elsewhere"}), "/id"},
	} {
		var buf bytes.Buffer
		_, err := bundle.Build(context.Background(), &buf, policy.Default(), bundle.BuildOptions{Declarations: map[string]map[string]any{"checkout": c.doc}})
		require.ErrorIs(t, err, bundle.ErrDeclaration, name)
		assert.ErrorContains(t, err, `"checkout"`, name)
		assert.ErrorContains(t, err, c.pointer, name)
		assert.Zero(t, buf.Len(), "%s: nothing is written", name)
	}
	// The id is quoted: a control character in it reaches no terminal raw.
	var buf bytes.Buffer
	_, err := bundle.Build(context.Background(), &buf, policy.Default(), bundle.BuildOptions{Declarations: map[string]map[string]any{"x\x1b[2J": with(map[string]any{"id": "y"})}})
	require.ErrorIs(t, err, bundle.ErrDeclaration)
	assert.NotContains(t, err.Error(), "\x1b")
}

// Issue 22, item 5: a bundle's rules read nothing outside its roots, where a server's data API
// could write. A policy whose own rule reads such data is refused, named by file and line.
func TestBuildRefusesRulesReadingOutsideTheRoots(t *testing.T) {
	t.Parallel()
	p := withModule(t, "switch.rego", `package policyengine.rules.switch

import data.policyengine.lib

# METADATA
# title: Transfers need an approval
# description: A transfer needs the approval a switch in data says it has.
# custom:
#   id: switch.unapproved
#   clause: opt-out
deny contains reason if {
	not data.approvals.transfers
	reason := lib.reason(rego.metadata.rule(), "/recipients", "no approval")
}
`)
	var buf bytes.Buffer
	_, err := bundle.Build(context.Background(), &buf, p, bundle.BuildOptions{})
	require.ErrorIs(t, err, policy.ErrInvalid)
	problems := problem.All(err)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0].Message, "data.approvals.transfers")
	assert.Contains(t, problems[0].Message, "outside the bundle's roots")
	assert.Equal(t, "policy/switch.rego", problems[0].File)
	assert.Equal(t, 12, problems[0].Line)
}

// A bundle put together from two builds, its residuals worked out under another policy
// revision, is not read.
func TestReadRefusesResidualsOfAnotherRevision(t *testing.T) {
	t.Parallel()
	decls := exampleDeclarations(t)
	build := func(p *policy.Policy) []byte {
		var buf bytes.Buffer
		_, err := bundle.Build(context.Background(), &buf, p, bundle.BuildOptions{Declarations: decls})
		require.NoError(t, err)
		return buf.Bytes()
	}
	dir := t.TempDir()
	doc := strings.Replace(string(policy.DefaultDocument()), "title: ", "title: An earlier ", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(doc), 0o644))
	other, err := policy.LoadDir(dir)
	require.NoError(t, err)
	stale := opatest.Files(t, build(other))
	spliced := build(policy.Default())
	for name, content := range stale {
		if strings.HasPrefix(name, "declarations/") {
			spliced = opatest.Repack(t, spliced, name, func([]byte) []byte { return content })
		}
	}
	_, err = bundle.Read(bytes.NewReader(spliced), bundle.ReadOptions{})
	require.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, "built under policy revision")

	// The revision the data names is held to the content too.
	renamed := opatest.Repack(t, build(policy.Default()), "data.json", func(b []byte) []byte {
		var data map[string]any
		require.NoError(t, json.Unmarshal(b, &data))
		data["policyengine_revision"] = "another"
		out, err := json.Marshal(data)
		require.NoError(t, err)
		return out
	})
	_, err = bundle.Read(bytes.NewReader(renamed), bundle.ReadOptions{})
	require.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorContains(t, err, `names policy revision "another"`)
}
