// Package testpolicy writes edited copies of the embedded Confect policy for tests.
package testpolicy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// Edited writes Confect's document with edits into a new policy directory and returns it. Each
// edit is an old text, which must be in the document, and the new text that replaces it once.
func Edited(t testing.TB, edits ...[2]string) string {
	t.Helper()
	doc := string(policy.DefaultDocument())
	for _, e := range edits {
		require.Contains(t, doc, e[0])
		doc = strings.Replace(doc, e[0], e[1], 1)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(doc), 0o644))
	return dir
}

// NeverOnConsent is a policy's own person rule (its METADATA says what it requires of the
// person) that no declaration on consent can pass, whoever the person: it denies such a
// declaration alone.
const NeverOnConsent = `package policyengine.rules.never

import data.policyengine.lib

# METADATA
# title: Never on consent, nor for a restricted person
# description: This policy never relies on consent, and keeps a restriction.
# custom:
#   id: never.consent
#   clause: consent
#   requires: the person has not asked to restrict processing
deny contains lib.reason(rego.metadata.rule(), "/legal_basis", "never on consent, nor for a restricted person") if _blocked

_blocked if input.legal_basis == "consent"

_blocked if input.subject.restricted
`

// OnConsent is a declaration on consent that Confect's built-in rules allow, on the conditions
// they set for the person.
const OnConsent = `{"id": "newsletter", "data_categories": ["email"], "purposes": ["marketing.materials"], "legal_basis": "consent", "retention": {"period": "P12M", "from": "last_activity"}}`
