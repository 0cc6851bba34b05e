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
	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/internal/partial"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/schema"
)

// DeclarationsRoot is where a bundle puts what servers decide by declaration id: the
// declarations as data (data.policyengine_declarations.activities[id]), and as Rego each one's
// residual (package policyengine_declarations.residuals) and the pieces residuals are made of
// (package policyengine_declarations.pieces), under declarations/ in the bundle.
const DeclarationsRoot = "policyengine_declarations"

// RevisionRoot is where a bundle puts its policy revision, the manifest's, as data
// (data.policyengine_revision): a server holds each declaration's residual to the revision it was
// worked out under, and decides by id only when they are the same.
const RevisionRoot = "policyengine_revision"

// The packages of the residuals and of their pieces, and the folder of their files.
const (
	residualsPackage = "data." + DeclarationsRoot + ".residuals"
	piecesPackage    = "data." + DeclarationsRoot + ".pieces"
	residualDir      = "declarations/"
)

// ErrDeclaration is wrapped by Build's error for a declaration it refuses: one the activity
// schema refuses, one that carries a person's state, one filed under another id.
var ErrDeclaration = errors.New("invalid declaration")

// ResidualKey is the name a declaration's residual goes by (data.policyengine_declarations.
// residuals[key]): "d" and the first 128 bits of the SHA-256 of its id in hex, so that any id the
// schema allows makes a Rego name, and a server finds it from the id alone.
func ResidualKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "d" + hex.EncodeToString(sum[:16])
}

// declared is what Build makes of the declarations: their data and the modules of their
// residuals and of the residuals' pieces.
type declared struct {
	data      map[string]any         // DeclarationsRoot's data
	modules   map[string]*ast.Module // the modules by file
	sources   map[string][]byte      // their Rego
	residuals int                    // how many declarations have a residual
}

// declare validates the declarations and works out each one's residual under the policy
// revision rev: the findings partially evaluated with the person's state unknown, so that a
// server decides a person from what reads the person alone.
//
// A residual ships in pieces, one per way a finding can arise (a query and the support rules it
// calls), each a function named by the SHA-256 of its text: declarations that share a piece
// (most share most) share its Rego, and a piece's name says what it is. A declaration's residual
// is then one line per kind of finding, the union of its pieces' findings, and the policy
// revision it was worked out under. A residual that names a piece the bundle does not hold does
// not compile: OPA refuses the bundle. A declaration whose residual cannot be shipped as it is
// (one reading more than the person's state, a piece whose text would not read back) has none:
// the server decides it in full, as a full activity, with the same result.
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
	pieces := map[string]string{}    // the pieces' rules by name
	residuals := map[string]string{} // the residuals' rules by key
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
		names, found, ok := shipped(res, pieces)
		if !ok {
			continue
		}
		key := ResidualKey(id)
		if _, taken := residuals[key]; taken {
			return nil, fmt.Errorf("bundle: two declaration ids have the residual name %s", key)
		}
		residuals[key] = residualRules(key, rev, names)
		maps.Copy(pieces, found)
		d.residuals++
	}
	files := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(pieces)) {
		file := residualDir + "pieces/" + name[1:2] + ".rego"
		files[file] = append(files[file], pieces[name])
	}
	for _, key := range slices.Sorted(maps.Keys(residuals)) {
		file := residualDir + key[1:2] + ".rego"
		files[file] = append(files[file], residuals[key])
	}
	for file, rules := range files {
		pkg := residualsPackage
		if strings.HasPrefix(file, residualDir+"pieces/") {
			pkg = piecesPackage
		}
		src := "package " + strings.TrimPrefix(pkg, "data.") + "\n\n" + strings.Join(rules, "\n\n") + "\n"
		m, err := ast.ParseModuleWithOpts("/"+file, src, compiler.ParserOptions())
		if err != nil {
			return nil, fmt.Errorf("bundle: the residuals in %s: %w", file, err)
		}
		d.modules[file] = m
		d.sources[file] = []byte(src)
	}
	return d, nil
}

// residualRules are a declaration's residual: key.revision, and for each kind of finding
// key.<kind>, the union of what its pieces find. Every name in it is hexadecimal: no text of
// a declaration's reaches Rego this way.
func residualRules(key, rev string, names [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.revision := %q\n", key, rev)
	for i, kind := range partial.Kinds {
		calls := make([]string, 0, len(names[i]))
		for _, name := range names[i] {
			calls = append(calls, fmt.Sprintf("%s.%s.findings(0)", piecesPackage, name))
		}
		set := strings.Join(calls, " | ")
		if set == "" {
			set = "set()"
		}
		fmt.Fprintf(&b, "\n%s.%s := %s\n", key, kind, set)
	}
	return strings.TrimSpace(b.String())
}

// shipped names a residual's pieces by kind of finding, and returns the rules of those known does
// not hold yet; ok is false for a residual that cannot be shipped as it is.
func shipped(res *partial.Residual, known map[string]string) (names [][]string, found map[string]string, ok bool) {
	if ok, person := res.Check(); !ok || !person {
		return nil, nil, false
	}
	split, err := res.Pieces()
	if err != nil {
		return nil, nil, false
	}
	names = make([][]string, len(partial.Kinds))
	found = map[string]string{}
	for _, piece := range split {
		kind := slices.IndexFunc(piece.Queries[:], func(q []ast.Body) bool { return len(q) > 0 })
		// The piece's name is the hash of its text under a name of no content.
		_, text, err := pieceRego(piece, kind, "p")
		if err != nil {
			return nil, nil, false
		}
		sum := sha256.Sum256([]byte(text))
		name := "p" + hex.EncodeToString(sum[:16])
		names[kind] = append(names[kind], name)
		if _, done := known[name]; done || found[name] != "" {
			continue
		}
		parsed, text, err := pieceRego(piece, kind, name)
		if err != nil || !compiles(parsed) {
			return nil, nil, false
		}
		found[name] = text
	}
	for i := range names {
		names[i] = slices.Compact(slices.Sorted(slices.Values(names[i])))
	}
	return names, found, true
}

// pieceRego writes a piece as rules of piecesPackage under name: the function name.findings(_),
// the set of findings its query makes (a function, so that a residual that names a piece the
// bundle does not hold does not compile; OPA remembers its result for the query), and its
// support rules beneath name. It returns the module and the rules' text.
func pieceRego(piece *partial.Residual, kind int, name string) (*ast.Module, string, error) {
	m, err := piece.Module(ast.MustParseRef(piecesPackage), name)
	if err != nil {
		return nil, "", err
	}
	set := ast.Ref{ast.VarTerm(name), ast.StringTerm(partial.Kinds[kind])}
	for i, r := range m.Rules {
		if r.Head.Ref().Equal(set) && r.Head.Key != nil {
			head := ast.RefHead(ast.Ref{ast.VarTerm(name), ast.StringTerm("findings")}, ast.SetComprehensionTerm(r.Head.Key, r.Body))
			head.Args = ast.Args{ast.VarTerm("_")}
			head.Assign = true
			m.Rules[i] = &ast.Rule{Head: head, Body: ast.NewBody(ast.NewExpr(ast.BooleanTerm(true))), Module: m}
		}
	}
	if m, err = readsAnyTime(m); err != nil {
		return nil, "", err
	}
	src, parsed, err := partial.Source(m)
	if err != nil {
		return nil, "", err
	}
	return parsed, strings.TrimSpace(string(src[strings.IndexByte(string(src), '\n'):])), nil
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
	if p := jsonpos.CheckStrings(doc); p != nil {
		return p
	}
	if !schema.ActivityValid(doc) {
		return schema.ValidateActivity(doc)
	}
	return nil
}
