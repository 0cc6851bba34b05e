package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/document"
	"github.com/confect/policyengine/internal/partial"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/schema"
)

// DeclarationsRoot is where a bundle puts what servers decide by declaration id: the
// declarations as data (data.policyengine_declarations.activities[id]) and the residual of each,
// as Rego (package policyengine_declarations.residuals, under declarations/ in the bundle).
const DeclarationsRoot = "policyengine_declarations"

// RevisionRoot is where a bundle puts its policy revision, the manifest's, as data
// (data.policyengine_revision): a server holds each declaration's residual to the revision it was
// built under, and decides by id only when they are the same.
const RevisionRoot = "policyengine_revision"

// residualPackage is the package of every declaration's residual; residualDir, their files.
const (
	residualPackage = "data." + DeclarationsRoot + ".residuals"
	residualDir     = "declarations/"
)

// ErrDeclaration is wrapped by Build's error for a declaration it refuses: one the activity
// schema refuses, one that carries a person's state, one filed under another id.
var ErrDeclaration = errors.New("invalid declaration")

// ResidualKey is the name a declaration's residual goes by in the bundle
// (data.policyengine_declarations.residuals[key]): "d" and the SHA-256 of its id in hex, so that
// any id the schema allows makes a Rego name, and a server finds it from the id alone.
func ResidualKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "d" + hex.EncodeToString(sum[:])
}

// declared is what Build makes of the declarations: their data and their residuals' modules.
type declared struct {
	data      map[string]any         // DeclarationsRoot's data
	modules   map[string]*ast.Module // the residuals' modules by file
	sources   map[string][]byte      // their Rego
	residuals int                    // how many declarations have a residual
}

// declare validates the declarations and works out each one's residual under the policy
// revision rev: the findings partially evaluated with the person's state unknown, so that a
// server decides a person from what reads the person alone. A declaration whose residual cannot
// be shipped as it is (one reading more than the person's state, one whose text would not read
// back) is decided in full by the server, as a full activity: the result is the same.
func declare(ctx context.Context, p *policy.Policy, sources map[string][]byte, rev string, decls map[string]map[string]any) (*declared, error) {
	d := &declared{modules: map[string]*ast.Module{}, sources: map[string][]byte{}}
	ids := slices.Sorted(maps.Keys(decls))
	activities := make(map[string]any, len(ids))
	for _, id := range ids {
		if err := validDeclaration(id, decls[id]); err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrDeclaration, strconv.Quote(id), err)
		}
		activities[id] = decls[id]
	}
	d.data = map[string]any{"activities": activities}
	if len(ids) == 0 {
		return d, nil
	}
	ev, err := partial.New(ctx, p, sources)
	if err != nil {
		return nil, err
	}
	pkg := ast.MustParseRef(residualPackage)
	texts := map[string][]string{} // the residuals' rules by file
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		value, err := ast.InterfaceToValue(decls[id])
		if err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrDeclaration, strconv.Quote(id), err)
		}
		res, err := ev.Residual(ctx, value)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			continue // partial evaluation cannot: the server decides it in full
		}
		if ok, person := res.Check(); !ok || !person {
			continue
		}
		key := ResidualKey(id)
		m, err := res.Module(pkg, key, revisionRule(key, rev))
		if err != nil {
			continue
		}
		if m, err = readsAnyTime(m); err != nil {
			continue
		}
		src, parsed, err := partial.Source(m)
		if err != nil || !compiles(parsed) {
			continue
		}
		file := residualDir + key[1:3] + ".rego"
		// The rules' text, without the package line.
		texts[file] = append(texts[file], strings.TrimSpace(string(src[strings.IndexByte(string(src), '\n'):])))
		d.residuals++
	}
	header := "package " + strings.TrimPrefix(residualPackage, "data.") + "\n\n"
	for file, rules := range texts {
		src := header + strings.Join(rules, "\n\n") + "\n"
		m, err := ast.ParseModuleWithOpts("/"+file, src, compiler.ParserOptions())
		if err != nil {
			return nil, fmt.Errorf("bundle: the residuals of %s: %w", file, err)
		}
		d.modules[file] = m
		d.sources[file] = []byte(src)
	}
	return d, nil
}

// revisionRule is key.revision := rev: the policy revision a residual was worked out under.
func revisionRule(key, rev string) *ast.Rule {
	head := ast.RefHead(ast.Ref{ast.VarTerm(key), ast.StringTerm("revision")}, ast.StringTerm(rev))
	head.Assign = true
	return &ast.Rule{Head: head, Body: ast.NewBody(ast.NewExpr(ast.BooleanTerm(true)))}
}

// A server reads a request's times as it comes, without putting them in canonical form first
// as the library does: a residual parses each through lib.any_timestamp_ns, which takes any form
// RFC 3339 allows, rather than time.parse_rfc3339_ns, which takes the canonical one.
var (
	parseTime = ast.MustParseRef("time.parse_rfc3339_ns")
	anyTime   = ast.MustParseRef("data.policyengine.lib.any_timestamp_ns")
	// anyTimeStub stands for lib's any_timestamp_ns where a residual is compiled alone.
	anyTimeStub = ast.MustParseModuleWithOpts("package policyengine.lib\n\nany_timestamp_ns(ts) := time.parse_rfc3339_ns(ts)", compiler.ParserOptions())
)

// readsAnyTime rewrites a residual's time.parse_rfc3339_ns to lib.any_timestamp_ns.
func readsAnyTime(m *ast.Module) (*ast.Module, error) {
	x, err := ast.TransformRefs(m, func(ref ast.Ref) (ast.Value, error) {
		if ref.Equal(parseTime) {
			return anyTime.Copy(), nil
		}
		return ref, nil
	})
	if err != nil {
		return nil, err
	}
	return x.(*ast.Module), nil
}

// compiles says a residual module compiles alone: it refers to nothing but itself, builtins and
// lib.any_timestamp_ns.
func compiles(m *ast.Module) bool {
	c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
	c.Compile(map[string]*ast.Module{"residual": m, "lib": anyTimeStub})
	return !c.Failed()
}

// validDeclaration holds a declaration to what the library holds it to when it prepares one: a
// valid activity without the person's state, under its own id.
func validDeclaration(id string, doc map[string]any) error {
	if doc == nil {
		return errors.New("not an activity")
	}
	for _, k := range []string{"consent", "subject"} {
		if _, ok := doc[k]; ok {
			return fmt.Errorf("/%s: a declaration holds no person's state (consent, subject): that comes with each request", k)
		}
	}
	if got, _ := doc["id"].(string); got != id {
		return errors.New("/id: not the id it is filed under")
	}
	if p := document.CheckStrings(doc); p != nil {
		return p
	}
	if !schema.ActivityValid(doc) {
		return schema.ValidateActivity(doc)
	}
	return nil
}
