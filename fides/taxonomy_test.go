package fides

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/fidescorpus"
	"github.com/confect/policyengine/policy"
)

// defaultTaxonomy reads the fideslang default taxonomy of the shared corpus: its keys by kind
// (data_uses, data_categories, data_subjects).
func defaultTaxonomy(t *testing.T) map[string][]string {
	t.Helper()
	path := fidescorpus.File(t, "taxonomy/fideslang_3.1_default_taxonomy.yml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	f, err := Parse(path, data, Limits{})
	require.NoError(t, err)
	out := map[string][]string{}
	top := f.Docs[0].Value.(map[string]any)
	for list, kind := range customKinds {
		for _, item := range top[list].([]any) {
			out[kind] = append(out[kind], item.(map[string]any)["fides_key"].(string))
		}
	}
	return out
}

// Confect's table has an entry for every key of the default taxonomy, each naming terms of the
// policy's own vocabularies, and every purpose of the policy is reachable from a data use.
func TestConfectTableCoversTheDefaultTaxonomy(t *testing.T) {
	tax := defaultTaxonomy(t)
	assert.Len(t, tax[kindCategory], 85)
	assert.Len(t, tax[kindUse], 56)
	assert.Len(t, tax[kindSubject], 15)
	for kind, keys := range tax {
		assert.Equal(t, keys, DefaultKeys(kind), "the built-in list of %s is the taxonomy's", kind)
	}
	doc := policy.Default().Document
	m := doc.FidesMapping
	require.NotNil(t, m)
	assert.Contains(t, m.Attribution, "CC BY 4.0")
	assert.Contains(t, m.Attribution, "Ethyca")

	for _, k := range tax[kindUse] {
		assert.Contains(t, m.DataUses, k, "data use %s has an entry", k)
	}
	for _, k := range tax[kindCategory] {
		assert.Contains(t, m.DataCategories, k, "data category %s has an entry", k)
	}
	for _, k := range tax[kindSubject] {
		assert.Contains(t, m.DataSubjects, k, "data subject %s has an entry", k)
	}

	reached := map[string]bool{}
	for k, e := range m.DataUses {
		for _, p := range e.To {
			assert.Contains(t, doc.Purposes, p, "%s maps to a purpose of the policy", k)
			reached[p] = true
		}
		if e.Recipient != "" {
			assert.Contains(t, doc.RecipientTypes, e.Recipient, k)
		}
	}
	var unreached []string
	for p := range doc.Purposes {
		if !reached[p] {
			unreached = append(unreached, p)
		}
	}
	sort.Strings(unreached)
	assert.Empty(t, unreached, "every purpose is reachable from a data use")

	for k, e := range m.DataCategories {
		for _, c := range e.To {
			_, listed := doc.DataCategories[c]
			_, special := doc.SpecialCategories[c]
			assert.True(t, listed || special, "%s maps to %s, a category of the policy", k, c)
		}
	}
	for k, e := range m.DataSubjects {
		for _, s := range e.To {
			assert.Contains(t, doc.DataSubjects, s, k)
		}
	}
	for _, b := range []string{"Consent", "Contract", "Legal obligations", "Vital interests", "Public interest", "Legitimate interests"} {
		assert.Contains(t, m.LegalBases, b)
	}
	for _, b := range []string{"SCCs", "Adequacy Decision", "BCRs"} {
		assert.Contains(t, m.TransferBases, b)
	}
}

// Every key a rename leads to is a key of the default taxonomy.
func TestRenamesLeadIntoTheTaxonomy(t *testing.T) {
	tax := defaultTaxonomy(t)
	for kind, table := range renamed {
		known := map[string]bool{}
		for _, k := range tax[kind] {
			known[k] = true
		}
		for old, to := range table {
			if to == "user" {
				continue // a 1.x prefix dropped; what follows is renamed again
			}
			assert.True(t, known[to], "%s: %s → %s", kind, old, to)
			up, ok := upgrade(kind, old, func(k string) bool { return known[k] })
			assert.True(t, ok, old)
			assert.True(t, known[up], "%s upgrades to a known key, got %s", old, up)
		}
	}
}

func TestRetentionPeriods(t *testing.T) {
	for in, want := range map[string]string{"4320": "P4320D", "0": "P0D", " 30 ": "P30D", "3 years": "P3Y", "1 Year": "P1Y", "6 months": "P6M", "2 weeks": "P2W", "10 days": "P10D"} {
		got, ok := retention(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "forever", "3 years or so", "P6M", "-1", "1.5 years"} {
		_, ok := retention(in)
		assert.False(t, ok, in)
	}
}

// A key without an entry takes its nearest ancestor's: by the project's parent_key first,
// else by dotted prefix; with no ancestor, none.
func TestResolveFallsBack(t *testing.T) {
	doc := policy.Default().Document
	r := Resolve(doc, kindCategory, "user.contact.email.work")
	assert.Equal(t, "user.contact.email", r.From)
	assert.Equal(t, []string{"email"}, r.Entry.To)
	assert.False(t, Resolve(doc, kindSubject, "member").Mapped)

	p := &project{mapping: doc.FidesMapping, custom: map[string]map[string]custom{kindCategory: {"shoe_size": {parent: "user.demographic.profile"}}}}
	r = p.resolve(kindCategory, "shoe_size")
	assert.Equal(t, "user.demographic.profile", r.From)
	assert.Equal(t, []string{"interests"}, r.Entry.To)
	assert.True(t, Resolve(doc, kindCategory, "system.operations.logs").Entry.NotPersonalData)
	assert.True(t, strings.HasPrefix(outside("user.Financial-Data"), "fides_user_financial_data"))
}

// Of datasets of the same key in several projects, a system takes the one nearest its file.
func TestNearestDataset(t *testing.T) {
	doc := policy.Default().Document
	parse := func(name, src string) *File {
		f, err := Parse(name, []byte(src), Limits{})
		require.NoError(t, err)
		return f
	}
	sys := "system:\n  - fides_key: s\n    system_type: Service\n    privacy_declarations:\n      - data_use: essential.service\n        data_categories: []\n        dataset_references: [db]\n"
	ds := func(cat string) string {
		return "dataset:\n  - fides_key: db\n    data_categories: [" + cat + "]\n    collections: []\n"
	}
	decls, _, errs := Build([]*File{
		parse("a/.fides/db.yml", ds("user.name")),
		parse("b/.fides/db.yml", ds("user.contact.email")),
		parse("b/.fides/sys.yml", sys),
	}, doc)
	require.Empty(t, errs)
	require.Len(t, decls, 1)
	assert.Equal(t, []any{"email"}, decls[0].Activity["data_categories"])
	assert.Equal(t, "b/.fides/db.yml", decls[0].Locate("/data_categories/0").File)
}

// A system that transfers data abroad with no recipient described is told what to add.
func TestTransfersWithoutRecipients(t *testing.T) {
	f, err := Parse("s.yml", []byte("system:\n  - fides_key: app\n    system_type: Service\n    does_international_transfers: true\n    legal_basis_for_transfers: [SCCs]\n    privacy_declarations:\n      - data_use: essential.service\n        data_categories: [user.name]\n"), Limits{})
	require.NoError(t, err)
	decls, _, errs := Build([]*File{f}, policy.Default().Document)
	require.Empty(t, errs)
	require.Len(t, decls, 1)
	var found []Finding
	for _, x := range decls[0].Findings {
		if x.Rule == RuleUnregistered {
			found = append(found, x)
		}
	}
	require.Len(t, found, 1)
	assert.Equal(t, 4, found[0].At.Line)
	assert.Contains(t, found[0].Message, "recipient_register")
	assert.Equal(t, true, decls[0].Carried["does_international_transfers"])
}

// Two systems of one directory with the same fides_key are told apart by a warning; systems of
// different projects (directories) may share one.
func TestDuplicateSystemKeys(t *testing.T) {
	doc := policy.Default().Document
	sys := "system:\n  - fides_key: s\n    system_type: Service\n    privacy_declarations:\n      - data_use: essential.service\n        data_categories: [user.name]\n"
	parse := func(name string) *File {
		f, err := Parse(name, []byte(sys), Limits{})
		require.NoError(t, err)
		return f
	}
	count := func(files ...*File) int {
		decls, _, errs := Build(files, doc)
		require.Empty(t, errs)
		n := 0
		for _, d := range decls {
			for _, f := range d.Findings {
				if f.Rule == RuleDuplicateKey {
					n++
					assert.Equal(t, 2, f.At.Line) // the fides_key's
				}
			}
		}
		return n
	}
	assert.Equal(t, 1, count(parse("p/a.yml"), parse("p/b.yml")))
	assert.Equal(t, 0, count(parse("p/a.yml"), parse("q/a.yml")))
}

// The ISO 3166-1 table is one table: every alpha-3 code names one alpha-2 code and no two
// name the same; each code has its shape; the policy's EU/EEA countries are all in it.
func TestFidesCountriesTable(t *testing.T) {
	seen := map[string]string{}
	n := 0
	for _, line := range strings.Split(countriesTable, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		a3, a2, ok := strings.Cut(line, "\t")
		require.True(t, ok, line)
		assert.Regexp(t, `^[A-Z]{3}$`, a3)
		assert.Regexp(t, `^[A-Z]{2}$`, a2)
		prev, dup := seen[a2]
		assert.False(t, dup, "%s and %s both name %s", prev, a3, a2)
		seen[a2] = a3
		got, ok := Alpha2(strings.ToLower(a3))
		assert.True(t, ok)
		assert.Equal(t, a2, got)
	}
	assert.Equal(t, 249, n, "ISO 3166-1 lists 249 countries")
	for c := range policy.Default().Document.EUEEATerritory.Territories {
		assert.Contains(t, seen, c, "a territory of the EU/EEA's facts")
	}
	for a3, a2 := range map[string]string{"USA": "US", "GBR": "GB", "NOR": "NO", "CHE": "CH", "DEU": "DE"} {
		got, _ := Alpha2(a3)
		assert.Equal(t, a2, got)
	}
	_, ok := Alpha2("XXX")
	assert.False(t, ok)
}
