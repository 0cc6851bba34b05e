// Package rules holds the built-in rules: Rego v1 modules, one file per concern, each with its
// tests beside it (*_test.rego). The rules read every fact from the policy document
// (data.privacy_policy); data.policyengine.decision is the entrypoint.
package rules

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed *.rego
var files embed.FS

// FS returns the built-in Rego modules and their tests.
func FS() fs.FS { return files }

// Modules returns the built-in rule modules without their tests, by file name
// ("decision.rego"): what the engine compiles with every policy document, and what stock OPA
// needs beside a policy of one's own to check and test it (policyengine export rego writes them).
func Modules() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(files, name)
		out[name] = src
		return err
	})
	return out, err
}
