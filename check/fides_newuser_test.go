package check_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/policy"
)

const newUser = "testdata/fides/newuser"

// The rules of the import's findings about what the policy cannot judge, and what each must
// name for the user to add.
var cannotJudge = map[string][]string{
	"fides.recipient_unregistered": {"recipient_register"},
	"fides.unmapped_key":           {"fides_mapping"},
	"fides.flow_missing":           {"Fides files checked", "recipient_register"},
	"fides.dataset_missing":        {"Fides files checked"},
}

// Tried as a new user would with an unseen Fides project (several systems, two datasets with
// nested fields, a custom taxonomy key, a 1.x file, a vendor the register describes and one it
// does not): every declaration is decided, and every finding about what the policy cannot judge
// says what to add to the register or the table, at its file and line.
func TestFidesUnseenProject(t *testing.T) {
	p := policy.Default()
	p.Document.RecipientRegister = map[string]policy.RegisteredRecipient{
		"pay.1": {Name: "Payments Ltd", Type: "subprocessor", Country: "GB", DPA: true},
	}
	rep := runFides(t, p, newUser)
	assert.Equal(t, 0, rep.Summary.Errors)
	assert.Equal(t, 4, rep.Summary.FidesFiles)
	assert.Equal(t, 7, rep.Summary.Activities)
	files := []string{}
	for _, f := range []string{"datasets.yml", "legacy.yml", "systems.yml", "taxonomy.yml"} {
		files = append(files, filepath.Join(newUser, f))
	}
	seen := map[string]bool{}
	for _, r := range rep.Results {
		assert.Empty(t, r.Errors, r.Activity)
		for _, f := range append(append([]finding.Finding{}, r.Reasons...), r.Warnings...) {
			assert.Positive(t, f.Line, "%s %s", r.Activity, f.Rule)
			assert.Contains(t, files, f.In(r.File), "%s %s", r.Activity, f.Rule)
			if says, ok := cannotJudge[f.Rule]; ok {
				seen[f.Rule] = true
				assert.True(t, slices.ContainsFunc(says, func(s string) bool { return strings.Contains(f.Message, s) }), "%s: %s says what to add: %s", r.Activity, f.Rule, f.Message)
			}
		}
	}
	assert.True(t, seen["fides.recipient_unregistered"] && seen["fides.unmapped_key"] && seen["fides.flow_missing"], "the project exercises them: %v", seen)

	res := byActivity(t, rep)
	require.Contains(t, res, "booking_api/bookings")
	bookings := res["booking_api/bookings"]
	sensitive, ok := findingOf(bookings.Reasons, "category.sensitive")
	require.True(t, ok, "a nested field's health data is found")
	assert.Equal(t, filepath.Join(newUser, "datasets.yml"), sensitive.File)
	assert.Equal(t, 18, sensitive.Line)
	flag, ok := findingOf(bookings.Warnings, "fides.flag_mismatch")
	require.True(t, ok, "processes_special_category_data: false with health data")
	assert.Equal(t, 22, flag.Line)
	flow, ok := findingOf(bookings.Warnings, "fides.flow_missing")
	require.True(t, ok)
	assert.Equal(t, 12, flow.Line, "warehouse, not payments_vendor (a system of the project)")
	assert.Contains(t, flow.Message, `"warehouse"`)

	trips := res["booking_api/trip_suggestions"]
	assert.NotContains(t, rules(trips.Reasons), "category.unlisted", "the custom key falls back to its parent_key")
	assert.Contains(t, conditionRules(trips.Conditions), "profiling.opted_out")
	flag, ok = findingOf(trips.Warnings, "fides.flag_mismatch")
	require.True(t, ok, "uses_profiling: false with a profiling data use")
	assert.Equal(t, 8, flag.Line)

	index := res["search/index"]
	flag, ok = findingOf(index.Warnings, "fides.flag_mismatch")
	require.True(t, ok, "processes_special_category_data: true with no special category")
	assert.Equal(t, 40, flag.Line)

	charge := res["payments_vendor/charge"]
	assert.NotContains(t, rules(charge.Warnings), "fides.recipient_unregistered", "the register has pay.1")
	assert.NotContains(t, rules(charge.Reasons), "transfer.without_scc", "GB under the system's SCCs")
	assert.NotContains(t, rules(charge.Reasons), "sharing.subprocessor_without_dpa", "the register's DPA")
	assert.Contains(t, carried(charge), "requires_data_protection_assessments=true")

	chat := res["chat_vendor/support_chat"]
	unreg, ok := findingOf(chat.Warnings, "fides.recipient_unregistered")
	require.True(t, ok)
	assert.Contains(t, unreg.Message, `"chat_vendor"`)
	assert.Contains(t, carried(chat), "third_parties=(given)", "free text is carried, not quoted")

	legacy := res["newsletter_tool/newsletter"]
	var countries []string
	for _, f := range legacy.Reasons {
		if f.Rule == "transfer.without_scc" {
			countries = append(countries, f.Message)
		}
	}
	require.Len(t, countries, 2, "USA and CHE")
	assert.Contains(t, countries[1], "is in CH")

	// Findings that belong to a file, not a declaration: the unknown keys of an organization, a
	// Fides policy, a dataset no declaration references and a system with no declaration, and
	// that system's flow to a dataset not checked. Each file has a result of its own.
	fileRules := map[string][]string{}
	for _, r := range rep.Results {
		if r.Index >= 0 {
			continue
		}
		assert.True(t, r.Allow)
		assert.Empty(t, r.Activity)
		for _, w := range r.Warnings {
			fileRules[filepath.Base(r.File)] = append(fileRules[filepath.Base(r.File)], fmt.Sprintf("%d %s", w.Line, w.Rule))
		}
	}
	assert.Equal(t, map[string][]string{
		"taxonomy.yml": {"10 fides.unknown_key", "11 fides.unknown_key", "21 fides.unknown_key"}, // controller.fax, headquarters, a policy rule's value
		"datasets.yml": {"32 fides.unknown_key", "38 fides.unknown_key"},                         // the unreferenced archive's owner_team, a field's sensitivity
		"systems.yml":  {"78 fides.unknown_key", "80 fides.flow_missing"},                        // cdn's region, its egress to edge_cache
	}, fileRules)

	js, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "chat subcontractors", "no free-form value is quoted")
	assert.NotContains(t, string(js), "Controller of Trips")
}

func carried(r check.Result) []string {
	var out []string
	for _, c := range r.Carried {
		out = append(out, c.Field+"="+c.Value)
	}
	return out
}
