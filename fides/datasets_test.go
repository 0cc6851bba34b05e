package fides

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/policy"
)

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

// A dataset's data uses (data_uses, or data_purposes as fideslang 3.1 names them) on the
// dataset, a collection or a field: the ones the policy maps are purposes of every declaration
// that references it, at their lines; the others are carried, each at its line, not judged.
func TestDatasetPurposes(t *testing.T) {
	src := system("", "dataset_references: [db]\n") +
		"dataset:\n  - fides_key: db\n    data_purposes: [marketing.communications.email]\n    collections:\n      - name: users\n        fields:\n          - name: email\n            data_categories: [user.contact.email]\n            data_uses: [analytics, train_ai_system, custom_use]\n"
	at, decls := problemsAt(t, src)
	assert.Empty(t, at)
	require.Len(t, decls, 1)
	d := decls[0]
	assert.Equal(t, []any{"purchase.services", "marketing.materials", "support.improvement"}, d.Activity["purposes"])
	assert.Equal(t, 11, d.Locate("/purposes/1").Line, "the dataset's data_purposes")
	assert.Equal(t, 17, d.Locate("/purposes/2").Line, "the field's data_uses")
	var carried []string
	for _, f := range d.Facts() {
		if strings.HasPrefix(f.Field, "dataset ") {
			carried = append(carried, fmt.Sprintf("%s=%s@%d", f.Field, f.Value, f.At.Line))
		}
	}
	assert.Equal(t, []string{"dataset data_uses=train_ai_system@17", "dataset data_uses=custom_use@17"}, carried)
}
