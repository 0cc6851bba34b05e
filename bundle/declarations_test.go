package bundle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

// examples are the example manifests' declarations and the bundle of the embedded policy with
// them, built once for the package's tests: preparing their residuals takes seconds. A test
// changes neither (opatest.Repack copies).
var examples = sync.OnceValues(func() (exampleBundle, error) {
	ctx := context.Background()
	e, err := policyengine.New(ctx)
	if err != nil {
		return exampleBundle{}, err
	}
	decls, err := e.LoadDeclarations(ctx, os.DirFS("../examples/manifests"))
	if err != nil {
		return exampleBundle{}, err
	}
	var buf bytes.Buffer
	built, err := bundle.Build(ctx, &buf, policy.Default(), bundle.BuildOptions{Declarations: decls.Documents()})
	return exampleBundle{decls.Documents(), buf.Bytes(), built}, err
})

// exampleBundle is what examples builds.
type exampleBundle struct {
	decls   map[string]map[string]any
	tarball []byte
	built   bundle.Built
}

// exampleDeclarations are the example manifests' declarations, by id.
func exampleDeclarations(t testing.TB) map[string]map[string]any {
	t.Helper()
	ex, err := examples()
	require.NoError(t, err)
	return ex.decls
}

// A bundle with declarations holds each as data, and its residual as Rego: named by the hash of
// its id, stamped with the policy revision, each kind of finding the union of pieces that
// declarations share, named by the hash of their text. The library reads the bundle back.
func TestBuildShipsResiduals(t *testing.T) {
	t.Parallel()
	ex, err := examples()
	require.NoError(t, err)
	decls, built, buf := ex.decls, ex.built, bytes.NewBuffer(ex.tarball)
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
	residuals, pieces := "", ""
	for name, content := range files {
		switch {
		case strings.HasPrefix(name, "declarations/pieces/"):
			pieces += string(content)
		case strings.HasPrefix(name, "declarations/"):
			residuals += string(content)
		}
	}
	for id := range decls {
		assert.Contains(t, residuals, bundle.ResidualKey(id)+`.revision := "`+built.Revision+`"`, id)
	}
	named := regexp.MustCompile(`pieces\.(p[0-9a-f]{32})\.findings\(0\)`).FindAllStringSubmatch(residuals, -1)
	distinct := map[string]bool{}
	for _, m := range named {
		distinct[m[1]] = true
		assert.Regexp(t, `\n`+m[1]+`(\.findings|\["findings"\])\(_\) := \{`, pieces)
	}
	assert.Less(t, len(distinct), len(named)/2, "declarations share most pieces")
	assert.NotContains(t, residuals+pieces, "checkout", "an id never becomes Rego")

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
		assert.Regexp(t, `^d[0-9a-f]{32}$`, bundle.ResidualKey(id))
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

// A bundle put together from two builds is not read: a residual worked out under another policy
// revision, one that names a piece the bundle does not hold, a revision in data that is not the
// content's.
func TestReadRefusesResidualsOfAnotherRevision(t *testing.T) {
	t.Parallel()
	ex, err := examples()
	require.NoError(t, err)
	built, buf := ex.built, bytes.NewBuffer(ex.tarball)
	files := opatest.Files(t, buf.Bytes())
	key := bundle.ResidualKey("checkout")
	file := "declarations/" + key[1:2] + ".rego"
	require.Contains(t, string(files[file]), key+".revision")
	for want, change := range map[string]func() []byte{
		`worked out under policy revision "another"`: func() []byte {
			return opatest.Repack(t, buf.Bytes(), file, func(b []byte) []byte {
				return bytes.Replace(b, []byte(key+`.revision := "`+built.Revision+`"`), []byte(key+`.revision := "another"`), 1)
			})
		},
		"do not compile with their pieces": func() []byte {
			return opatest.Repack(t, buf.Bytes(), file, func(b []byte) []byte {
				return bytes.Replace(b, []byte(key+".deny := "), []byte(key+".deny := data.policyengine_declarations.pieces.p00000000000000000000000000000000.findings(0) | "), 1)
			})
		},
		`names policy revision "another"`: func() []byte {
			return opatest.Repack(t, buf.Bytes(), "data.json", func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"policyengine_revision":"`+built.Revision+`"`), []byte(`"policyengine_revision":"another"`), 1)
			})
		},
	} {
		_, err = bundle.Read(bytes.NewReader(change()), bundle.ReadOptions{})
		require.ErrorIs(t, err, bundle.ErrInvalid, want)
		assert.ErrorContains(t, err, want)
	}
}
