package compiler_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/compiler"
)

// What a package reads of the input is followed through variables, every, count, object.get and
// the functions the input is passed to: two inputs alike in it are alike to the package, and
// anything the package could see differently tells them apart.
func TestPackageReads(t *testing.T) {
	t.Parallel()
	input := func(name, typ string, n int) map[string]any {
		var rs []any
		for range n {
			rs = append(rs, map[string]any{"name": name, "type": typ})
		}
		return map[string]any{"id": "a", "recipients": rs}
	}
	base := input("Acme", "subprocessor", 2)
	cases := []struct {
		name string
		src  string
		// whether the package can tell base from an input with another name, another type, one
		// recipient fewer
		name2, type2, fewer bool
	}{
		{"a field of each element", "changes_at contains 1 if {\n\tsome r in input.recipients\n\tr.type == \"x\"\n}", false, true, true},
		{"through a function reading a field", "_t(r) := r.type\n\nchanges_at contains 1 if {\n\tsome r in input.recipients\n\t_t(r) == \"x\"\n}", false, true, true},
		{"object.get of a constant key", "changes_at contains 1 if {\n\tsome r in input.recipients\n\tobject.get(r, \"type\", \"\") == \"x\"\n}", false, true, true},
		{"every", "changes_at contains 1 if {\n\tevery r in input.recipients {\n\t\tr.type == \"x\"\n\t}\n}", false, true, true},
		{"in a rule it depends on", "_typed if {\n\tsome r in input.recipients\n\tr.type == \"x\"\n}\n\nchanges_at contains 1 if _typed", false, true, true},
		{"count", "changes_at contains 1 if count(input.recipients) > 1", false, false, true},
		{"a function returning its argument", "_id(r) := r\n\nchanges_at contains 1 if {\n\tsome r in input.recipients\n\t_id(r).name == \"x\"\n}", true, true, true},
		{"object.get of a computed key", "changes_at contains 1 if {\n\tsome r in input.recipients\n\tsome k in [\"name\"]\n\tobject.get(r, k, \"\") == \"x\"\n}", true, true, true},
		{"an element passed to a builtin", "changes_at contains 1 if {\n\tsome r in input.recipients\n\tcount(json.marshal(r)) > 0\n}", true, true, true},
		{"the input whole", "changes_at contains 1 if count(json.marshal(input)) > 0", true, true, true},
		{"nothing of the recipients", "changes_at contains 1 if input.id == \"b\"", false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := compiler.Build(withModule("package policyengine.rules.own\n\n" + tc.src + "\n"))
			require.NoError(t, err)
			own, ok := r.Packages["own"]
			require.True(t, ok)
			assert.Equal(t, []string{"changes_at"}, own.Kinds)
			differs := func(other map[string]any) bool {
				return !bytes.Equal(own.Reads.Append(nil, base), own.Reads.Append(nil, other))
			}
			assert.Equal(t, tc.name2, differs(input("Beta", "subprocessor", 2)), "another name")
			assert.Equal(t, tc.type2, differs(input("Acme", "partner", 2)), "another type")
			assert.Equal(t, tc.fewer, differs(input("Acme", "subprocessor", 1)), "one recipient fewer")
			assert.False(t, own.Clock)
		})
	}
	r, err := compiler.Build(withModule("package policyengine.rules.own\n\nimport data.policyengine.lib\n\nchanges_at contains lib.now_ns if input.id == \"a\"\n"))
	require.NoError(t, err)
	for name, p := range r.Packages {
		switch name {
		case "own", "retention":
			assert.True(t, p.Clock, name)
		case "processor", "categories":
			assert.False(t, p.Clock, name)
		}
	}
}
