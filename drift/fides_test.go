package drift_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/policy"
)

// A Fides declaration's recipient comes from the policy's recipient register, domains included:
// drift matches a scanner's sink to it as to a manifest's recipient.
func TestFidesRecipientsCarryTheRegistersDomains(t *testing.T) {
	dir := t.TempDir()
	systems := filepath.Join(dir, "systems.yml")
	require.NoError(t, os.WriteFile(systems, []byte(`system:
  - fides_key: shop
    name: Shop
    system_type: Service
    privacy_declarations:
      - name: payments
        data_use: essential.service.payment_processing
        data_categories: [user.contact.email]
        data_subjects: [customer]
        legal_basis_for_processing: Contract
        retention_period: "2555"
        data_shared_with_third_parties: true
        third_parties: payments
`), 0o600))
	p := policy.Default()
	p.Document.RecipientRegister = map[string]policy.RegisteredRecipient{
		"payments": {Name: "Stripe Payments Europe", Type: "subprocessor", Country: "IE", DPA: true, Domains: []string{"stripe.com"}},
	}
	ctx := context.Background()
	engine, err := policyengine.New(ctx, policyengine.WithPolicy(p))
	require.NoError(t, err)
	rep, err := check.Run(ctx, engine, []string{systems}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	res, err := drift.Judge(rep, []drift.Input{{Scanner: drift.Privado, File: "testdata/privado/covered.json"}}, drift.Limits{})
	require.NoError(t, err)
	require.Len(t, res.Flows, 1)
	assert.Equal(t, drift.Covered, res.Flows[0].Outcome, "api.stripe.com is under the register's stripe.com")
	assert.Equal(t, "shop/payments", res.Flows[0].DecidedBy[0].ID)
}

// Exported to Fides, a recipient with domains that a register entry says exactly is written as
// the entry's vendor system; read back from the Fides fields alone, it has the entry's domains
// again, and drift matches the scanner's sink to it.
func TestFidesExportKeepsTheDomainsThroughTheRegister(t *testing.T) {
	manifest, err := filepath.Abs("testdata/manifests/payments.yaml")
	require.NoError(t, err)
	report, err := filepath.Abs("testdata/privado/covered.json")
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	p := policy.Default()
	p.Document.RecipientRegister = map[string]policy.RegisteredRecipient{
		"stripe": {Name: "Stripe Payments Europe", Type: "subprocessor", Country: "IE", DPA: true, Domains: []string{"stripe.com"}},
	}
	ctx := context.Background()
	_, err = fides.Export(ctx, p.Document, []string{manifest}, fides.ExportOptions{Dir: "fides"})
	require.NoError(t, err)
	files, err := filepath.Glob("fides/*.yml")
	require.NoError(t, err)
	for _, f := range files { // the Fides fields alone: the meta export writes removed
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var v map[string]any
		require.NoError(t, yaml.Unmarshal(data, &v))
		for _, s := range v["system"].([]any) {
			delete(s.(map[string]any), "meta")
		}
		out, err := yaml.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(f, out, 0o600))
	}
	engine, err := policyengine.New(ctx, policyengine.WithPolicy(p))
	require.NoError(t, err)
	rep, err := check.Run(ctx, engine, []string{"fides"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	res, err := drift.Judge(rep, []drift.Input{{Scanner: drift.Privado, File: report}}, drift.Limits{})
	require.NoError(t, err)
	require.Len(t, res.Flows, 1)
	assert.Equal(t, drift.Covered, res.Flows[0].Outcome, "the vendor's system stands for the recipient, domains and all")
}
