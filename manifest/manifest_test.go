package manifest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/manifest"
)

func TestForms(t *testing.T) {
	for name, tc := range map[string]struct {
		file, src string
		ids       []string
		pointers  []string
		docs      []int
		lines     []int
	}{
		"one JSON activity": {"a.json", `{"id": "a", "purposes": []}`, []string{"a"}, []string{""}, []int{0}, []int{1}},
		"a JSON list":       {"a.json", "[\n  {\"id\": \"a\"},\n  {\"id\": \"b\"}\n]", []string{"a", "b"}, []string{"/0", "/1"}, []int{0, 0}, []int{2, 3}},
		"an activities object": {"a.yaml", "activities:\n  - id: a\n  - id: b\n", []string{"a", "b"},
			[]string{"/activities/0", "/activities/1"}, []int{0, 0}, []int{2, 3}},
		"YAML documents": {"a.yml", "id: a\n---\n- id: b\n- id: c\n---\nactivities: [{id: d}]\n---\n", []string{"a", "b", "c", "d"},
			[]string{"", "/0", "/1", "/activities/0"}, []int{0, 1, 1, 2}, []int{1, 3, 4, 6}},
		"JSON on stdin": {"-", `[{"id": "a"}]`, []string{"a"}, []string{"/0"}, []int{0}, []int{1}},
		"YAML on stdin": {"-", "id: a\n", []string{"a"}, []string{""}, []int{0}, []int{1}},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := manifest.Parse(tc.file, []byte(tc.src), manifest.Auto, manifest.Options{})
			require.NoError(t, err)
			var ids, pointers []string
			var docs, lines []int
			for i, e := range m.Entries {
				assert.Equal(t, i, e.Index)
				ids = append(ids, e.ID)
				pointers = append(pointers, e.Pointer)
				docs = append(docs, e.Document)
				lines = append(lines, e.Line)
				var v map[string]any
				require.NoError(t, json.Unmarshal(e.JSON, &v))
				assert.Equal(t, e.ID, v["id"])
			}
			assert.Equal(t, tc.ids, ids)
			assert.Equal(t, tc.pointers, pointers)
			assert.Equal(t, tc.docs, docs)
			assert.Equal(t, tc.lines, lines)
		})
	}
}

func TestLocate(t *testing.T) {
	src := `activities:
  - id: share
    data_categories: [name, email]
    purposes: [purchase.orders]
    recipients:
      - name: Mailer
        type: subprocessor
`
	m, err := manifest.Parse("m.yaml", []byte(src), manifest.Auto, manifest.Options{})
	require.NoError(t, err)
	e := m.Entries[0]
	for pointer, want := range map[string][2]int{
		"":                   {2, 5},
		"/data_categories/1": {3, 29},
		"/recipients/0/type": {7, 9},
		"/recipients/0/dpa":  {6, 9}, // missing: its recipient
		"/retention/period":  {2, 5}, // missing: the activity
	} {
		line, col := e.Locate(pointer)
		assert.Equal(t, want, [2]int{line, col}, pointer)
	}
}

func TestDuplicateIDs(t *testing.T) {
	m, err := manifest.Parse("m.yaml", []byte("- id: a\n- id: b\n- id: a\n"), manifest.Auto, manifest.Options{})
	require.NoError(t, err)
	assert.Nil(t, m.Entries[0].Err)
	assert.Nil(t, m.Entries[1].Err)
	require.NotNil(t, m.Entries[2].Err)
	assert.Equal(t, `m.yaml:3:3: /2/id: activity id "a" is already used at line 1; ids are unique within a manifest`, m.Entries[2].Err.Error())
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct{ file, src, want string }{
		"a scalar":             {"a.yaml", "just words\n", "a.yaml:1:1: expected an activity, a list of activities or {activities: [...]}"},
		"empty":                {"a.json", "", "a.json:1:1: the document is empty"},
		"activities and more":  {"a.yaml", "activities: []\nowner: me\n", `a.yaml:1:1: a manifest with an activities list holds nothing else; unknown key "owner"`},
		"activities not list":  {"a.yaml", "activities: {id: a}\n", "a.yaml:1:1: /activities: expected a list of activities"},
		"null document":        {"a.yaml", "null\n", "a.yaml:1:1: the document is empty"},
		"JSON with a YAML ext": {"a.yaml", `{"id": "a",,}`, "a.yaml: malformed YAML: did not find expected node content"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := manifest.Parse(tc.file, []byte(tc.src), manifest.Auto, manifest.Options{})
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var me *manifest.Error
			assert.ErrorAs(t, err, &me)
		})
	}
}

func TestLimitsAndFiles(t *testing.T) {
	src := "- id: a\n- id: b\n- id: c\n"
	_, err := manifest.Parse("m.yaml", []byte(src), manifest.Auto, manifest.Options{MaxActivities: 2})
	assert.EqualError(t, err, "m.yaml:1:1: more than 2 activities in one manifest")
	_, err = manifest.Parse("m.yaml", []byte(src), manifest.Auto, manifest.Options{MaxBytes: 10})
	assert.EqualError(t, err, "m.yaml: the manifest is 24 bytes, more than the limit of 10")

	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	m, err := manifest.ReadFile(path, manifest.Options{})
	require.NoError(t, err)
	assert.Len(t, m.Entries, 3)
	_, err = manifest.ReadFile(path, manifest.Options{MaxBytes: 10})
	assert.ErrorContains(t, err, "more than the limit of 10")
	_, err = manifest.ReadFile(filepath.Join(dir, "missing.yaml"), manifest.Options{})
	assert.ErrorContains(t, err, "cannot read: no such file or directory")

	for name, want := range map[string]bool{"a.json": true, "b.YAML": true, "c.yml": true, "d.txt": false, "e": false} {
		assert.Equal(t, want, manifest.IsManifestFile(name), name)
	}
}
