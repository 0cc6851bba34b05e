package fides

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/policy"
)

// A system that transfers data abroad with no recipient described is told what to add.
func TestTransfersWithoutRecipients(t *testing.T) {
	f, err := Parse("s.yml", []byte("system:\n  - fides_key: app\n    system_type: Service\n    does_international_transfers: true\n    legal_basis_for_transfers: [SCCs]\n    privacy_declarations:\n      - data_use: essential.service\n        data_categories: [user.name]\n"), Limits{})
	require.NoError(t, err)
	decls, _, errs := Build([]*File{f}, policy.Default().Document)
	require.Empty(t, errs)
	require.Len(t, decls, 1)
	var found []finding.Finding
	for _, x := range decls[0].Findings {
		if x.Rule == RuleUnregistered {
			found = append(found, x)
		}
	}
	require.Len(t, found, 1)
	assert.Equal(t, 4, found[0].Line)
	assert.Contains(t, found[0].Message, "recipient_register")
	assert.Equal(t, true, decls[0].Carried["does_international_transfers"])
}
