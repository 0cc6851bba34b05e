package internal_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLayering holds the module to its layers, as `go list` sees the packages built (test files
// aside):
//
//   - The library is the root package and every package outside cmd/ except output/, internal
//     ones included. It never depends, directly or through another package, on cmd/... or on
//     output/: rendering is the CLI's business, and a service embedding the engine links no
//     report writer.
//   - The CLI (cmd/...) uses the public API: the root package and the public packages (bundle,
//     check, drift, fides, finding, impact, manifest, output, policy, policytest, problem, ropa, schema). Of
//     internal/ it may import only what holds no behaviour of the library: buildinfo (which
//     build the binary is) and suggest (near-miss spelling in error messages). Any other internal package (the compiler, the document reader, ...) is
//     the library's to hide; a command that needs it needs a public call instead.
func TestLayering(t *testing.T) {
	const module = "github.com/confect/policyengine"
	cliInternal := map[string]bool{
		module + "/internal/buildinfo": true,
		module + "/internal/suggest":   true,
	}
	pkgs := listPackages(t)
	require.NotEmpty(t, pkgs)
	var cli, library int
	for _, p := range pkgs {
		switch {
		case isUnder(p.ImportPath, module+"/cmd"):
			cli++
			for _, imp := range p.Imports {
				if isUnder(imp, module+"/internal") && !cliInternal[imp] {
					t.Errorf("%s imports %s: the CLI uses the public API, and only buildinfo and suggest of internal/", p.ImportPath, imp)
				}
			}
		case p.ImportPath == module+"/output":
		default:
			library++
			for _, dep := range p.Deps {
				if isUnder(dep, module+"/cmd") || dep == module+"/output" {
					t.Errorf("%s depends on %s: the library never depends on the CLI or on output", p.ImportPath, dep)
				}
			}
		}
	}
	// Both layers were seen, so a change in how packages are listed cannot empty the test.
	require.Positive(t, cli, "no package under cmd/")
	require.Positive(t, library, "no library package")
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// listPackages lists the module's packages with `go list -json`, which prints one JSON object
// after another.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), "go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = ".." // the module's root
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].ImportPath < pkgs[j].ImportPath })
	return pkgs
}

// isUnder reports whether the import path is dir or a package below it.
func isUnder(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }
