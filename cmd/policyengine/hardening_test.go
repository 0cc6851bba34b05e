package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/testpolicy"
)

// The same policy gives the same verdict whatever its folder is called: --policy rules (or
// policy: rules in the config) once made its own person rules count as built-in ones, so that a
// rule denying every person was a mere condition and the gate passed.
func TestPolicyFolderNameChangesNothing(t *testing.T) {
	root := t.TempDir()
	doc := mustRead(t, "../../policy/confect.yaml")
	write(t, root, "consent.yaml", testpolicy.OnConsent)
	for _, folder := range []string{"own", "rules", "rego"} {
		write(t, root, filepath.Join(folder, "policy.yaml"), string(doc))
		write(t, root, filepath.Join(folder, "never.rego"), testpolicy.NeverOnConsent)
	}
	t.Chdir(root)
	for _, folder := range []string{"own", "rules", "rego"} {
		code, stdout, stderr := runCLI(t, "check", "--config", "none", "--now", now, "--policy", folder, "-o", "text", "consent.yaml")
		assert.Equal(t, 1, code, "--policy %s: %s%s", folder, stdout, stderr)
		assert.Contains(t, stdout, "never.consent", "--policy %s", folder)

		require.NoError(t, os.WriteFile(".policyengine.yaml", []byte("policy: "+folder+"\n"), 0o644))
		code, stdout, stderr = runCLI(t, "check", "--now", now, "-o", "text", "consent.yaml")
		assert.Equal(t, 1, code, "policy: %s in the config: %s%s", folder, stdout, stderr)
	}
}
