package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/policy"
)

func runFides(t *testing.T, p *policy.Policy, paths ...string) *check.Report {
	t.Helper()
	opts := []policyengine.Option{}
	if p != nil {
		opts = append(opts, policyengine.WithPolicy(p))
	}
	engine, err := policyengine.New(context.Background(), opts...)
	require.NoError(t, err)
	rep, err := check.Run(context.Background(), engine, paths, check.Options{})
	require.NoError(t, err)
	return rep
}

func byActivity(t *testing.T, rep *check.Report) map[string]check.Result {
	t.Helper()
	out := map[string]check.Result{}
	for _, r := range rep.Results {
		out[r.Activity] = r
	}
	return out
}

func rules(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func conditionRules(cs []check.Condition) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Rule)
	}
	return out
}

func findingOf(fs []finding.Finding, rule string) (finding.Finding, bool) {
	for _, f := range fs {
		if f.Rule == rule {
			return f, true
		}
	}
	return finding.Finding{}, false
}

const project = "testdata/fides/project"

// Every mapping rule of the import, on a small Fides project of our own: each declaration is
// decided as a declaration (consent is a condition), and every finding lands on the Fides line
// it came from.
func TestFidesProjectMapping(t *testing.T) {
	rep := runFides(t, nil, project)
	systems := filepath.Join(project, "systems.yml")
	datasets := filepath.Join(project, "datasets.yml")
	assert.Equal(t, 0, rep.Summary.Errors)
	assert.Equal(t, 3, rep.Summary.FidesFiles)
	res := byActivity(t, rep)
	require.Len(t, res, 7)

	for _, r := range rep.Results {
		assert.Equal(t, systems, r.File, r.Activity)
		for _, f := range append(append([]finding.Finding{}, r.Reasons...), r.Warnings...) {
			assert.Positive(t, f.Line, "%s: %s is located", r.Activity, f.Rule)
			assert.NotEqual(t, "consent.not_given", f.Rule, "consent is never a denial of a declaration")
		}
		for _, c := range r.Conditions {
			assert.Positive(t, c.Line, "%s: condition %s is located", r.Activity, c.Rule)
		}
	}

	// Exact entries, a legal basis one to one, a retention period of days, categories of a
	// dataset's nested field: nothing to deny.
	orders := res["webshop/orders"]
	assert.True(t, orders.Allow, "%v", rules(orders.Reasons))
	assert.Empty(t, orders.Warnings)

	// A collection reference takes that collection's categories (and its fields'), not the
	// others', and the reason points into the dataset file, naming the Fides key.
	pay := res["webshop/payments"]
	unlisted, ok := findingOf(pay.Reasons, "category.unlisted")
	require.True(t, ok, "%v", rules(pay.Reasons))
	assert.Equal(t, datasets, unlisted.File)
	assert.Equal(t, 19, unlisted.Line)
	assert.Contains(t, unlisted.Message, "user.financial.credit_card (Credit Card Number)")
	assert.NotContains(t, rules(pay.Reasons), "category.sensitive", "the selfies collection is not referenced")
	odd, ok := findingOf(pay.Warnings, "fides.unknown_key")
	require.True(t, ok, "a dataset's unknown key is reported: %v", rules(pay.Warnings))
	assert.Equal(t, datasets, odd.File)
	assert.Equal(t, 20, odd.Line)

	// A data use implying a channel; "known, not in this policy"; "3 years"; consent a condition.
	mail := res["webshop/2"]
	assert.False(t, mail.Allow)
	unlisted, ok = findingOf(mail.Reasons, "category.unlisted")
	require.True(t, ok)
	assert.Equal(t, "", unlisted.File)
	assert.Equal(t, 28, unlisted.Line)
	var periods []string
	for _, f := range mail.Reasons {
		if f.Rule == "retention.exceeds_limit" {
			periods = append(periods, f.Message)
		}
	}
	assert.Contains(t, strings.Join(periods, "\n"), "P3Y", "3 years read as P3Y")
	assert.Subset(t, conditionRules(mail.Conditions), []string{"consent.not_given", "marketing.email_without_consent"})

	// Custom taxonomy: a data use and a category by parent_key, a subject without any entry.
	loyalty := res["webshop/loyalty"]
	assert.NotContains(t, rules(loyalty.Reasons), "category.unlisted", "shoe_size is profile data by its parent_key")
	assert.Contains(t, rules(loyalty.Reasons), "data_subject.unlisted")
	missing, ok := findingOf(loyalty.Reasons, "retention.missing")
	require.True(t, ok, "an unreadable period is no period")
	assert.Contains(t, missing.Message, "(Fides retention_period)", "names the Fides field")
	assert.Subset(t, rules(loyalty.Warnings), []string{"fides.unmapped_key", "fides.retention_unread", "fides.dropped_field", "fides.unknown_key"})
	assert.Subset(t, conditionRules(loyalty.Conditions), []string{"profiling.opted_out", "objection.legitimate_interest"})
	unmapped, _ := findingOf(loyalty.Warnings, "fides.unmapped_key")
	assert.Contains(t, unmapped.Message, "fides_mapping.data_subjects")

	// A processor, a vendor missing from the register, a key below a known one.
	send := res["mailer/send"]
	dpa, ok := findingOf(send.Reasons, "processor.no_customer_dpa")
	require.True(t, ok, "%v", rules(send.Reasons))
	assert.Equal(t, 45, dpa.Line, "at the system's responsibility")
	assert.Contains(t, rules(send.Reasons), "sharing.subprocessor_without_dpa")
	assert.NotContains(t, rules(send.Reasons), "category.unlisted", "user.contact.email.work is email by its dotted prefix")
	assert.Subset(t, rules(send.Warnings), []string{"fides.recipient_unregistered", "fides.unknown_key"})

	// 1.x keys upgraded with a warning, then judged.
	ad := res["adnet/0"]
	assert.Contains(t, rules(ad.Warnings), "fides.renamed_key")
	sensitive, ok := findingOf(ad.Reasons, "category.sensitive")
	require.True(t, ok)
	assert.Equal(t, 60, sensitive.Line)
	assert.Contains(t, rules(ad.Reasons), "sharing.partner_without_legal_basis")

	// Not personal data: left out, and said so.
	logs := res["logs/system logs"]
	assert.True(t, logs.Allow)
	assert.Equal(t, []string{"fides.not_personal_data"}, rules(logs.Warnings))
}

// The recipient register describes the vendors and third parties Fides cannot: with entries,
// the sharing and transfer rules judge what they say, and the system's legal basis for
// transfers gives the safeguard.
func TestFidesRecipientRegister(t *testing.T) {
	p := policy.Default()
	p.Document.RecipientRegister = map[string]policy.RegisteredRecipient{
		"gvl.123":  {Name: "Mailer Inc.", Type: "subprocessor", Country: "US", DPA: true},
		"partners": {Name: "Partners AB", Type: "business_partner", Country: "SE", LegalBasis: "legitimate_interest"},
	}
	res := byActivity(t, runFides(t, p, project))
	send := res["mailer/send"]
	assert.NotContains(t, rules(send.Reasons), "sharing.subprocessor_without_dpa")
	assert.NotContains(t, rules(send.Reasons), "transfer.without_scc", "SCCs in legal_basis_for_transfers")
	assert.NotContains(t, rules(send.Warnings), "fides.recipient_unregistered")
	assert.Equal(t, []string{"processor.no_customer_dpa"}, rules(send.Reasons))

	ad := res["adnet/0"]
	for _, f := range ad.Reasons {
		assert.NotContains(t, f.Message, `"third parties"`, "the third parties are the register's entry")
	}
	unreg, ok := findingOf(ad.Warnings, "fides.recipient_unregistered")
	require.True(t, ok, "adnet itself has no entry")
	assert.Contains(t, unreg.Message, `"adnet"`)
}

// A structurally broken Fides file is an input error with its line, and the run's exit is 2
// (Summary.Errors); the other declarations are still decided.
func TestFidesBrokenFiles(t *testing.T) {
	rep := runFides(t, nil, "testdata/fides/broken")
	assert.Equal(t, 5, rep.Summary.Errors)
	var msgs []string
	for _, r := range rep.Results {
		require.NotEmpty(t, r.Errors, r.Activity)
		for _, p := range r.Errors {
			assert.Positive(t, p.Line)
			msgs = append(msgs, p.Message)
		}
	}
	joined := strings.Join(msgs, "\n")
	assert.Contains(t, joined, "needs a fides_key")
	assert.Contains(t, joined, "a privacy declaration needs data_use")
	assert.Contains(t, joined, "a system needs system_type")
	assert.Contains(t, joined, "egress names a system or dataset its own system's egress does not")
	assert.Contains(t, joined, "expected a data flow's type: system, dataset or user", "flow.yml's ingress")
}

// --format fides reads every file as Fides: a manifest is then an error, not an activity.
func TestFidesFormatForced(t *testing.T) {
	engine, err := policyengine.New(context.Background())
	require.NoError(t, err)
	rep, err := check.Run(context.Background(), engine, []string{"testdata/fides/project", "../examples/manifests/newsletter.yaml"}, check.Options{Format: check.FormatFides})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Summary.Errors)
	rep, err = check.Run(context.Background(), engine, []string{"testdata/fides/project"}, check.Options{Format: check.FormatManifest})
	require.NoError(t, err)
	assert.Equal(t, 0, rep.Summary.FidesFiles)
	assert.Positive(t, rep.Summary.Errors)
}

// A 1.x file: renamed keys upgraded (a custom data use's parent_key too), the fields fideslang 3
// drops read with a warning each, a data use's 1.x legal basis applied.
func TestFidesOldKeys(t *testing.T) {
	rep := runFides(t, nil, "testdata/fides/old")
	require.Len(t, rep.Results, 1)
	r := rep.Results[0]
	assert.Empty(t, r.Errors)
	assert.Equal(t, "crm/newsletter", r.Activity)
	assert.NotContains(t, rules(r.Reasons), "purpose.unlisted", "provide.service is essential.service")
	assert.NotContains(t, rules(r.Reasons), "legal_basis.missing", "the data use's 1.x legal_basis is read")
	assert.Contains(t, conditionRules(r.Conditions), "objection.legitimate_interest")
	var dropped, renamed []int
	for _, w := range r.Warnings {
		switch w.Rule {
		case "fides.dropped_field":
			dropped = append(dropped, w.Line)
		case "fides.renamed_key":
			renamed = append(renamed, w.Line)
		}
	}
	assert.ElementsMatch(t, []int{6, 7, 12, 13, 19}, dropped, "legal_basis, recipients, data_responsibility_title, third_country_transfers, data_qualifier")
	assert.Len(t, renamed, 2)

	// third_country_transfers (alpha-3) are where the declaration's recipients are: each is
	// judged by the transfer rule at its place in the list, and the register is named.
	var transfers []string
	for _, f := range r.Reasons {
		if f.Rule == "transfer.without_scc" {
			assert.Equal(t, 13, f.Line)
			transfers = append(transfers, f.Message)
		}
	}
	require.Len(t, transfers, 2)
	assert.Contains(t, transfers[0], "is in US")
	assert.Contains(t, transfers[1], "is in GB")
	unreg, ok := findingOf(r.Warnings, "fides.recipient_unregistered")
	require.True(t, ok)
	assert.Contains(t, unreg.Message, "recipient_register")

	// What no rule judges is in the result, at its own line (a 1.x data use's field at the
	// data use's).
	lines := map[string]int{}
	for _, c := range r.Carried {
		lines[c.Field+"="+c.Value] = c.Line
	}
	assert.Equal(t, map[string]int{"data_qualifier=aggregated_data": 19, "data_use.legal_basis=Legitimate_Interests": 6, "data_use.recipients=[(given)]": 7}, lines)
}

// Issue 22, item 8: a Fides file holds no more privacy declarations than a manifest holds
// activities (10,000 by default); one of more is an input error of the file, decided no further.
func TestFidesWithinTheActivityBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("system:\n  - fides_key: app\n    system_type: Service\n    privacy_declarations:\n")
	for i := 0; i <= manifest.DefaultMaxActivities; i++ {
		b.WriteString("      - {data_use: essential.service, data_categories: [user.name]}\n")
	}
	path := filepath.Join(t.TempDir(), "big.yml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	rep := runFides(t, nil, path)
	require.Len(t, rep.Results, 1)
	assert.Equal(t, 1, rep.Summary.Errors)
	assert.Zero(t, rep.Summary.Activities)
	require.Len(t, rep.Results[0].Errors, 1)
	assert.Contains(t, rep.Results[0].Errors[0].Message, "more than 10000 privacy declarations in one Fides file")

	engine, err := policyengine.New(context.Background())
	require.NoError(t, err)
	small, err := check.Run(context.Background(), engine, []string{"testdata/fides/project"}, check.Options{Manifest: manifest.Options{MaxActivities: 3}})
	require.NoError(t, err)
	assert.Equal(t, 1, small.Summary.Errors, "systems.yml holds 7 declarations, more than 3")
}
