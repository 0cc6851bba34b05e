package docs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/markdown"
	"github.com/confect/policyengine/policy"
)

// The tests of this package hold the pages (README.md, CHANGELOG.md, DEVELOPMENT.md, docs/) and
// the examples they show to what is true of the repository. They read it from its root, as the
// pages name its files.
func TestMain(m *testing.M) {
	if err := os.Chdir(".."); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return b
}

// maxReadme is the most the README may weigh: a front page read in a few minutes, the rest in
// docs/.
const maxReadme = 16 * 1024

// pages are the project's Markdown pages a reader follows: the README, the changelog, the
// guide for contributors, and docs/.
func pages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"README.md", "CHANGELOG.md", "DEVELOPMENT.md"} {
		out[name] = string(mustRead(t, name))
	}
	err := filepath.WalkDir("docs", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(name, ".md") {
			src, err := os.ReadFile(name)
			out[filepath.ToSlash(name)] = string(src)
			return err
		}
		return err
	})
	require.NoError(t, err)
	return out
}

// The README is a front page: at most 16 KB, with a table of contents that lists each of its
// sections, and the two commands a newcomer runs, verbatim.
func TestReadmeIsAFrontPage(t *testing.T) {
	t.Parallel()
	readme := string(mustRead(t, "README.md"))
	assert.LessOrEqual(t, len(readme), maxReadme, "README.md weighs %d bytes: move what is not for every reader to docs/", len(readme))
	assert.Contains(t, readme, "go run ./cmd/policyengine check examples/manifests")
	assert.Contains(t, readme, "go test ./...")

	_, toc, ok := strings.Cut(readme, "\n## Contents\n")
	require.True(t, ok, "the README has a table of contents, ## Contents")
	toc, _, _ = strings.Cut(toc, "\n## ")
	var listed []string
	for _, l := range markdown.Links(toc) {
		if strings.HasPrefix(l.Target, "#") {
			listed = append(listed, strings.TrimPrefix(l.Target, "#"))
		}
	}
	var sections []string
	for _, line := range strings.Split(markdown.Prose(readme), "\n") {
		if strings.HasPrefix(line, "## ") && line != "## Contents" {
			sections = append(sections, markdown.Slug(strings.TrimPrefix(line, "## ")))
		}
	}
	assert.Equal(t, sections, listed, "the table of contents lists the README's sections, in order")
}

// Every relative link and image of the README and docs/ leads somewhere: the file or directory
// exists, and an anchor is a heading (or an anchor) of the page it names.
func TestDocsLinksResolve(t *testing.T) {
	t.Parallel()
	all := pages(t)
	checked := 0
	for name, src := range all {
		for _, l := range markdown.Links(src) {
			if !markdown.Relative(l.Target) {
				continue
			}
			checked++
			file, anchor, _ := strings.Cut(l.Target, "#")
			target := name
			if file != "" {
				target = path.Join(path.Dir(name), file)
				if _, err := os.Stat(filepath.FromSlash(target)); err != nil {
					t.Errorf("%s:%d: the link to %s leads nowhere: %s does not exist", name, l.Line, l.Target, target)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			page, ok := all[target]
			if !ok {
				src, err := os.ReadFile(filepath.FromSlash(target))
				if err != nil || !strings.HasSuffix(target, ".md") {
					t.Errorf("%s:%d: the link to %s has an anchor into what is not a page", name, l.Line, l.Target)
					continue
				}
				page = string(src)
			}
			if !slices.Contains(anchors(page), anchor) {
				t.Errorf("%s:%d: the link to %s names no heading of %s", name, l.Line, l.Target, target)
			}
		}
	}
	assert.Greater(t, checked, 50, "the pages link to each other")
}

// anchors are a page's headings' anchors and its explicit <a id="..."> anchors.
func anchors(page string) []string {
	out := markdown.Headings(page)
	for _, m := range explicitAnchor.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

var explicitAnchor = regexp.MustCompile(`<a id="([^"]+)">`)

// Every Go snippet of the README and docs/ compiles and runs: each ```go block is made of
// functions that are, verbatim, Examples with their output (go test runs them and compares
// what they print) or tests of the module, and of the imports of the file that holds them. A
// snippet assigns nothing to _: no error is ignored.
func TestGoSnippetsAreExamplesThatRun(t *testing.T) {
	t.Parallel()
	funcs := testFunctions(t)
	snippets := 0
	for name, src := range pages(t) {
		for _, b := range markdown.Blocks(src) {
			if b.Lang != "go" {
				continue
			}
			snippets++
			where := name + ":" + strconv.Itoa(b.Line)
			text := b.Text
			if !strings.HasPrefix(strings.TrimSpace(text), "package ") {
				text = "package snippet\n\n" + text
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, where, text, parser.ParseComments)
			if !assert.NoError(t, err, "%s: a Go snippet is Go declarations", where) {
				continue
			}
			var decls []*ast.FuncDecl
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					decls = append(decls, d)
				case *ast.GenDecl:
					assert.Equal(t, token.IMPORT, d.Tok, "%s: a Go snippet holds functions and their imports, no %s", where, d.Tok)
				}
			}
			if !assert.NotEmpty(t, decls, "%s: a Go snippet is a function that a test runs", where) {
				continue
			}
			for _, d := range decls {
				name := d.Name.Name
				body := text[fset.Position(d.Pos()).Offset:fset.Position(d.End()).Offset]
				i := slices.IndexFunc(funcs[name], func(fn testFunc) bool { return fn.source == body })
				if i < 0 {
					t.Errorf("%s: func %s is no Example or test of the module, word for word (copy it from its _test.go file)", where, name)
					continue
				}
				fn := funcs[name][i]
				for _, imp := range f.Imports {
					assert.Contains(t, fn.imports, imp.Path.Value, "%s: %s imports what %s does not", where, name, fn.file)
				}
				if strings.HasPrefix(name, "Example") {
					assert.Regexp(t, `// (Unordered output|Output):`, body, "%s: %s shows its output, which go test checks", where, name)
				} else {
					assert.True(t, strings.HasPrefix(name, "Test"), "%s: %s is an Example or a test", where, name)
				}
				ast.Inspect(d, func(n ast.Node) bool {
					if a, ok := n.(*ast.AssignStmt); ok {
						for _, lhs := range a.Lhs {
							if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
								t.Errorf("%s: %s assigns to _ at %s: a snippet ignores no error", where, name, fset.Position(a.Pos()))
							}
						}
					}
					return true
				})
			}
		}
	}
	assert.Positive(t, snippets, "the pages show Go")
}

// testFunc is a function of a _test.go file: its source from func to its closing brace, and the
// imports of its file.
type testFunc struct {
	file    string
	source  string
	imports []string
}

// testFunctions indexes the module's test functions by name.
func testFunctions(t *testing.T) map[string][]testFunc {
	t.Helper()
	out := map[string][]testFunc{}
	err := filepath.WalkDir(".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && name != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return err
		}
		var imports []string
		for _, imp := range f.Imports {
			imports = append(imports, imp.Path.Value)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				out[fn.Name.Name] = append(out[fn.Name.Name], testFunc{file: name, imports: imports,
					source: string(src[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset])})
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// The pages speak to a reader of today: no section numbers of a contract a user cannot follow,
// and the README narrates no history (that is CHANGELOG.md's).
func TestDocsSpeakToTodaysReader(t *testing.T) {
	t.Parallel()
	for name, src := range pages(t) {
		for i, line := range strings.Split(src, "\n") {
			assert.NotRegexp(t, `(?i)contract ?§|§ ?\d`, line, "%s:%d refers to a section of a contract the reader does not have", name, i+1)
		}
	}
	readme := markdown.Prose(string(mustRead(t, "README.md")))
	for i, line := range strings.Split(readme, "\n") {
		assert.NotRegexp(t, `(?i)\bversion [0-9]`, line, "README.md:%d narrates history: say what is, and put what changed in CHANGELOG.md", i+1)
	}
}

// An outside contributor can run every command DEVELOPMENT.md gives with Go and a clone: each
// command of its tables and shell blocks runs go (its tools those go.mod records), git, or a
// script of the repository; none needs a tool installed by hand.
func TestDevelopmentNeedsNothingInstalledByHand(t *testing.T) {
	t.Parallel()
	dev := string(mustRead(t, "DEVELOPMENT.md"))
	tools := map[string]bool{}
	_, block, ok := strings.Cut(string(mustRead(t, "go.mod")), "\ntool (\n")
	require.True(t, ok, "go.mod records its tools")
	block, _, _ = strings.Cut(block, ")")
	for _, line := range strings.Fields(block) {
		tools[path.Base(line)] = true
	}

	var commands []string
	for _, line := range strings.Split(dev, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) == 4 && strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| ---") && !strings.HasPrefix(line, "| what") {
			for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cells[2], -1) {
				commands = append(commands, m[1])
			}
		}
	}
	for _, b := range markdown.Blocks(dev) {
		if b.Lang == "sh" {
			commands = append(commands, strings.Split(strings.TrimSpace(b.Text), "\n")...)
		}
	}
	require.Greater(t, len(commands), 10, "DEVELOPMENT.md gives its commands in a table and shell blocks")
	for _, c := range commands {
		words := strings.Fields(c)
		for len(words) > 0 && strings.Contains(words[0], "=") { // environment settings
			words = words[1:]
		}
		require.NotEmpty(t, words, c)
		switch words[0] {
		case "go":
			if len(words) > 2 && words[1] == "tool" {
				assert.True(t, tools[words[2]], "DEVELOPMENT.md runs `%s`: go.mod records no tool %s", c, words[2])
			}
		case "git":
		case "bash":
			assert.FileExists(t, words[1], "DEVELOPMENT.md runs `%s`", c)
		default:
			t.Errorf("DEVELOPMENT.md runs `%s`: %s is neither go, git nor a script of the repository", c, words[0])
		}
	}
}

// Every test docs/security.md cites as holding a guarantee exists.
func TestSecurityDocCitesRealTests(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("docs/security.md")
	require.NoError(t, err)
	var sources strings.Builder
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_test.rego")) {
			src, err := os.ReadFile(path)
			sources.Write(src)
			return err
		}
		return err
	})
	require.NoError(t, err)
	cited := regexp.MustCompile("`((?:Test|Fuzz|test_)[A-Za-z0-9_]+)(?:/([^`]+))?`").FindAllStringSubmatch(string(doc), -1)
	require.Greater(t, len(cited), 15)
	for _, c := range cited {
		decl := "func " + c[1] + "("
		if strings.HasPrefix(c[1], "test_") {
			decl = c[1] + " if"
		}
		assert.Contains(t, sources.String(), decl, "docs/security.md cites %s", c[0])
		if c[2] != "" {
			assert.Contains(t, sources.String(), `"`+strings.ReplaceAll(strings.Join(strings.Fields(c[2]), ""), "_", " ")+`"`, "docs/security.md cites subtest %s", c[0])
		}
	}
}

// sampleRevision is a policy revision as the pages show one in a command's output: after
// "policy" or "revision", or as a decision's "revision", at least twelve hex digits.
var sampleRevision = regexp.MustCompile(`(?:\(policy |-> |revision |"revision": ")([0-9a-f]{12,64})`)

// A revision a page shows in a sample of output is one the policies have today (Confect's
// embedded policy, or the Brightpath example's, as the sample's command would print it): a
// reader comparing the sample with what they see finds the same, and a rule's change that
// moves the revision moves the samples with it.
func TestSampleRevisionsAreToday(t *testing.T) {
	var today []string
	for _, from := range []policyengine.Source{policyengine.WithPolicy(policy.Default()), policyengine.WithPolicyDir("examples/policies/brightpath")} {
		e, err := policyengine.New(t.Context(), from)
		require.NoError(t, err)
		today = append(today, e.Revision())
	}
	found := 0
	for name, src := range pages(t) {
		if name == "CHANGELOG.md" {
			continue // history: the revisions of the releases it describes
		}
		for _, m := range sampleRevision.FindAllStringSubmatch(src, -1) {
			found++
			assert.True(t, slices.ContainsFunc(today, func(r string) bool { return strings.HasPrefix(r, m[1]) }),
				"%s shows revision %s, which no policy has today: the current ones are %s (the first twelve digits suffice)",
				name, m[1], strings.Join(today, ", "))
		}
	}
	assert.GreaterOrEqual(t, found, 4, "the pages' samples show revisions; the pattern must find them")
}
