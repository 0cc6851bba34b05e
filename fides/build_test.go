package fides

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

// A key without an entry takes its nearest ancestor's: by the project's parent_key first,
// else by dotted prefix; with no ancestor, none.
func TestResolveFallsBack(t *testing.T) {
	doc := policy.Default().Document
	r := tableOf(doc).resolve(kindCategory, "user.contact.email.work")
	assert.Equal(t, "user.contact.email", r.From)
	assert.Equal(t, []string{"email"}, r.Entry.To)
	assert.False(t, tableOf(doc).resolve(kindSubject, "member").Mapped)

	p := &project{mapping: doc.FidesMapping, custom: map[string]map[string]custom{kindCategory: {"shoe_size": {parent: "user.demographic.profile"}}}}
	r = p.resolve(kindCategory, "shoe_size")
	assert.Equal(t, "user.demographic.profile", r.From)
	assert.Equal(t, []string{"interests"}, r.Entry.To)
	assert.True(t, tableOf(doc).resolve(kindCategory, "system.operations.logs").Entry.NotPersonalData)
	assert.True(t, strings.HasPrefix(outside("user.Financial-Data"), "fides_user_financial_data"))
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
					assert.Equal(t, 2, f.Line) // the fides_key's
				}
			}
		}
		return n
	}
	assert.Equal(t, 1, count(parse("p/a.yml"), parse("p/b.yml")))
	assert.Equal(t, 0, count(parse("p/a.yml"), parse("q/a.yml")))
}
