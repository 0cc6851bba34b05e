// Package rego holds the built-in rules: Rego v1 modules, one file per concern, each with its
// tests beside it (*_test.rego). The rules read every fact from data.privacy_policy: the policy
// document, and the law's facts that ship with the rules (privacy_policy/*.yaml: where the EU/EEA
// is, the Commission's adequacy decisions), which every policy's data holds beside its document.
// data.policyengine.decision is the entrypoint.
package rego

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed *.rego
var files embed.FS

//go:embed privacy_policy
var facts embed.FS

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

// Facts returns the law's facts the rules read, as YAML files under privacy_policy/: each file's
// keys are keys of data.privacy_policy, where stock OPA, loading the rules' directory, puts them
// too.
func Facts() fs.FS { return facts }
