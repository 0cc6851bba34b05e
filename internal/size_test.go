package internal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The limits on the module's Go (test files aside): one job per file and per function.
const (
	maxFileLines = 600
	maxFuncLines = 100
)

// The SVG layout of the data flows is one long drawing: a picture's coordinates read best in
// one place.
var layoutFuncs = map[string]bool{"internal/flow/flow.go: draw": true}

// TestSizes holds every non-test Go file of the module to at most 600 lines and every function to
// at most 100, the SVG layout aside.
func TestSizes(t *testing.T) {
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != ".." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		rel, err := filepath.Rel("..", path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		lines := fset.File(f.Pos()).LineCount()
		assert.LessOrEqual(t, lines, maxFileLines, "%s has %d lines: split it by job", rel, lines)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if layoutFuncs[rel+": "+fn.Name.Name] {
				continue
			}
			assert.LessOrEqual(t, n, maxFuncLines, "%s: %s has %d lines: give its jobs functions of their own", rel, fn.Name.Name, n)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, files, 100, "the walk finds the module's Go files")
}
