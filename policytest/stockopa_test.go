package policytest_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/policy"
)

// Every example policy loads into stock OPA unchanged, with its test cases inside it: OPA reads
// the document at data.privacy_policy, with the law's facts from the rules' directory beside it
// (and the case files, as data of their own, without a conflict), a strict check passes, the Rego is formatted, and the policy's own Rego tests pass
// against its document.
func TestExamplePoliciesOnStockOPA(t *testing.T) {
	opa := opatest.Binary(t)
	dirs, err := filepath.Glob("../examples/policies/*")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p, err := policy.LoadDir(dir)
			require.NoError(t, err)
			var packages []string
			tests := 0
			for _, m := range p.Tests {
				parsed, err := ast.ParseModuleWithOpts(m.Name, string(m.Source), compiler.ParserOptions())
				require.NoError(t, err)
				packages = append(packages, regexp.QuoteMeta(parsed.Package.Path.String()+"."))
				for _, r := range parsed.Rules {
					if strings.HasPrefix(r.Head.Name.String(), "test_") {
						tests++
					}
				}
			}
			require.NotEmpty(t, packages, "an example policy has Rego tests of its own")

			stock := func(args ...string) string {
				t.Helper()
				out, err := exec.CommandContext(t.Context(), opa, args...).CombinedOutput()
				require.NoError(t, err, "opa %s:\n%s", strings.Join(args, " "), out)
				return string(out)
			}
			out := stock("eval", "--format", "raw", "-d", "../rego", "-d", dir, "data.privacy_policy.organisation")
			assert.Equal(t, p.Document.Organisation, strings.TrimSpace(out))
			// The law's facts, which the library adds to the policy's data, stock OPA reads from
			// the rules' directory: the same facts at the same place.
			for _, key := range policy.FactKeys() {
				out = stock("eval", "--format", "raw", "-d", "../rego", "-d", dir, "data.privacy_policy."+key)
				var got any
				require.NoError(t, json.Unmarshal([]byte(out), &got), out)
				assert.Equal(t, p.Data()["privacy_policy"].(map[string]any)[key], got, key)
			}
			stock("check", "--strict", "../rego", dir)
			stock("fmt", "--list", "--fail", dir)

			var results []struct {
				Package string `json:"package"`
				Name    string `json:"name"`
				Fail    bool   `json:"fail"`
				Error   any    `json:"error"`
			}
			out = stock("test", "--format", "json", "--run", strings.Join(packages, "|"), "../rego", dir)
			require.NoError(t, json.Unmarshal([]byte(out), &results), out)
			assert.Len(t, results, tests)
			for _, r := range results {
				assert.False(t, r.Fail || r.Error != nil, "%s.%s", r.Package, r.Name)
			}
		})
	}
}
