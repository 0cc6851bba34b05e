// Package rules holds the built-in rules: Rego v1 modules, one file per concern, each with its
// tests beside it (*_test.rego). The rules read every fact from the policy document
// (data.privacy_policy); data.policyengine.decision is the entrypoint.
package rules

import (
	"embed"
	"io/fs"
)

//go:embed *.rego
var files embed.FS

// FS returns the built-in Rego modules and their tests.
func FS() fs.FS { return files }
