package manifest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// where is the place an entry says it came from.
type where struct {
	ID       string
	Index    int
	Document int
	Pointer  string
	Line     int
	Column   int
}

func places(m *manifest.Manifest) []where {
	var out []where
	for _, e := range m.Entries {
		out = append(out, where{e.ID, e.Index, e.Document, e.Pointer, e.Line, e.Column})
	}
	return out
}

// decodeJSON decodes an entry's JSON the way the parsers decode values: numbers as json.Number.
func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	require.NoError(t, d.Decode(&v))
	return v
}

// checkJSON asserts that each entry's JSON is its value, encoded.
func checkJSON(t *testing.T, m *manifest.Manifest) {
	t.Helper()
	for _, e := range m.Entries {
		require.True(t, json.Valid(e.JSON), "entry %d", e.Index)
		if e.Value != nil {
			assert.Equal(t, any(e.Value), decodeJSON(t, e.JSON), "entry %d", e.Index)
		}
	}
}

func TestReadFileForms(t *testing.T) {
	for file, want := range map[string][]where{
		"one.json": {{"orders", 0, 0, "", 1, 1}},
		"list.json": {
			{"a", 0, 0, "/0", 2, 3},
			{"b", 1, 0, "/1", 3, 3},
		},
		"activities.yaml": {
			{"newsletter", 0, 0, "/activities/0", 3, 5},
			{"profiling", 1, 0, "/activities/1", 8, 5},
		},
		"stream.yml": {
			{"lone", 0, 0, "", 1, 1},
			{"first", 1, 1, "/0", 5, 3},
			{"second", 2, 1, "/1", 8, 3},
			{"third", 3, 2, "/activities/0", 13, 5},
		},
	} {
		t.Run(file, func(t *testing.T) {
			path := filepath.Join("testdata", file)
			m, err := manifest.ReadFile(path, manifest.Options{})
			require.NoError(t, err)
			assert.Equal(t, path, m.File)
			assert.Equal(t, want, places(m))
			checkJSON(t, m)
			for _, e := range m.Entries {
				assert.Nil(t, e.Err, "entry %d", e.Index)
				require.NotNil(t, e.Value, "entry %d", e.Index)
				assert.Equal(t, e.ID, e.Value["id"])
			}
		})
	}
}

func TestEntryValues(t *testing.T) {
	m, err := manifest.ReadFile("testdata/activities.yaml", manifest.Options{})
	require.NoError(t, err)
	require.Len(t, m.Entries, 2)
	assert.Equal(t, map[string]any{
		"id":              "newsletter",
		"data_categories": []any{"email", "name"},
		"purposes":        []any{"marketing.materials"},
		"legal_basis":     "consent",
		"channel":         map[string]any{"type": "email", "content": "marketing"},
	}, m.Entries[0].Value)
	assert.JSONEq(t, `{"id": "profiling", "data_categories": ["interests"], "purposes": ["marketing.profiling"],
		"recipients": [{"name": "Mailer", "type": "subprocessor", "country": "US"}]}`, string(m.Entries[1].JSON))
	assert.True(t, strings.HasPrefix(string(m.Entries[1].JSON), `{"data_categories":`), "keys sorted: %s", m.Entries[1].JSON)

	// YAML's numbers, timestamps and YAML 1.2 words reach the JSON as the parser reads them.
	m, err = manifest.Parse("m.yaml", []byte("id: a\nsubject: {age: 030, last_activity_at: 2026-01-02T10:00:00Z, restricted: yes}\n"), manifest.Auto, manifest.Options{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id": "a", "subject": {"age": 30, "last_activity_at": "2026-01-02T10:00:00Z", "restricted": "yes"}}`, string(m.Entries[0].JSON))
	checkJSON(t, m)

	// An element that is not an object is an entry without a value or id; the engine refuses it.
	m, err = manifest.Parse("m.yaml", []byte("- just words\n- id: a\n- null\n- {id: 5}\n"), manifest.Auto, manifest.Options{})
	require.NoError(t, err)
	require.Len(t, m.Entries, 4)
	assert.Nil(t, m.Entries[0].Value)
	assert.Equal(t, `"just words"`, string(m.Entries[0].JSON))
	assert.Equal(t, "a", m.Entries[1].ID)
	assert.Nil(t, m.Entries[2].Value)
	assert.Equal(t, "null", string(m.Entries[2].JSON))
	assert.Equal(t, "", m.Entries[3].ID, "an id that is not a string")
	assert.Equal(t, map[string]any{"id": json.Number("5")}, m.Entries[3].Value)
	for _, e := range m.Entries {
		assert.Nil(t, e.Err)
	}

	// Lists with nothing in them are manifests with no activities.
	for _, src := range []string{"[]", "activities: []\n", `{"activities": []}`} {
		m, err := manifest.Parse("-", []byte(src), manifest.Auto, manifest.Options{})
		require.NoError(t, err, src)
		assert.Empty(t, m.Entries, src)
	}
}

func TestEntryLocate(t *testing.T) {
	type pos [2]int
	for file, tc := range map[string]map[int]map[string]pos{
		"one.json": {0: {
			"":                   {1, 1},
			"/id":                {3, 3},
			"/data_categories":   {4, 3},
			"/data_categories/1": {4, 31},
			"/retention/period":  {6, 17},
			"/retention/from":    {6, 3}, // missing: its parent
			"/recipients/0/dpa":  {1, 1}, // missing: the activity
			"/legal_basis":       {1, 1},
		}},
		"list.json": {
			0: {"": {2, 3}, "/id": {2, 4}, "/purposes/0": {2, 58}, "/legal_basis": {2, 3}},
			1: {
				"":                   {3, 3},
				"/id":                {4, 5},
				"/recipients/0":      {7, 20},
				"/recipients/0/type": {7, 38},
				"/recipients/0/dpa":  {7, 20}, // missing: its recipient
				"/recipients/1/name": {7, 5},  // missing: the list
				"/retention/period":  {3, 3},  // missing: the activity
			},
		},
		"activities.yaml": {
			0: {
				"":                   {3, 5},
				"/id":                {3, 5},
				"/data_categories/1": {4, 30},
				"/channel/content":   {7, 28},
				"/consent/status":    {3, 5},
			},
			1: {
				"":                      {8, 5},
				"/recipients/0":         {12, 9},
				"/recipients/0/country": {14, 9},
				"/recipients/0/dpa":     {12, 9},
				"/retention/period":     {8, 5},
			},
		},
		"stream.yml": {
			0: {"": {1, 1}, "/purposes/0": {3, 12}, "/role": {1, 1}},
			1: {"": {5, 3}, "/purposes": {7, 3}, "/role": {5, 3}},
			2: {"/data_categories/0": {9, 21}},
			3: {"": {13, 5}, "/purposes/0": {15, 16}, "/recipients": {13, 5}},
		},
	} {
		t.Run(file, func(t *testing.T) {
			m, err := manifest.ReadFile(filepath.Join("testdata", file), manifest.Options{})
			require.NoError(t, err)
			for i, pointers := range tc {
				e := m.Entries[i]
				for pointer, want := range pointers {
					at := e.Locate(pointer)
					assert.Equal(t, want, pos{at.Line, at.Column}, "entry %d, %q", i, pointer)
				}
				at := e.Locate("")
				assert.Equal(t, pos{e.Line, e.Column}, pos{at.Line, at.Column}, "entry %d: Locate(\"\") is the entry's place", i)
				assert.Equal(t, m.File, at.File, "entry %d: Locate names the manifest's file", i)
			}
		})
	}
}

func TestFormatDetection(t *testing.T) {
	trailing := `{"id": "a"} {"id": "b"}` // JSON with trailing data; YAML cannot read it either, differently
	for name, tc := range map[string]struct {
		file   string
		src    string
		format manifest.Format
		ids    []string
		err    string
	}{
		"JSON by extension":              {"a.json", `{"id": "a"}`, manifest.Auto, []string{"a"}, ""},
		"JSON by extension, capitals":    {"A.JSON", `[{"id": "a"}]`, manifest.Auto, []string{"a"}, ""},
		"YAML in a .json file":           {"a.json", "id: a\n", manifest.Auto, nil, "a.json:1:1: invalid character where a JSON value was expected"},
		"YAML by extension":              {"a.yaml", "id: a\n", manifest.Auto, []string{"a"}, ""},
		"YAML by .yml":                   {"a.yml", "- id: a\n", manifest.Auto, []string{"a"}, ""},
		"YAML by extension, capitals":    {"a.YML", "- id: a\n", manifest.Auto, []string{"a"}, ""},
		"JSON in a .yaml file is YAML":   {"a.yaml", `{"id": "a"}`, manifest.Auto, []string{"a"}, ""},
		"JSON error as YAML":             {"a.yaml", `{"id": "a",,}`, manifest.Auto, nil, "a.yaml:1:1: malformed YAML: did not find expected node content"},
		"stdin: JSON object":             {"-", trailing, manifest.Auto, nil, "-:1:13: unexpected data after the JSON value"},
		"stdin: JSON list":               {"-", `[{"id": "a"}, {"id": "b"}]`, manifest.Auto, []string{"a", "b"}, ""},
		"stdin: JSON after space":        {"-", " \r\n\t[{\"id\": \"a\"}]", manifest.Auto, []string{"a"}, ""},
		"stdin: JSON after a BOM":        {"-", "\xEF\xBB\xBF{\"id\": \"a\"}", manifest.Auto, []string{"a"}, ""},
		"stdin: JSON duplicate key":      {"-", `{"id": "a", "id": "b"}`, manifest.Auto, nil, "-:1:13: /id: duplicate key"},
		"stdin: YAML":                    {"-", "id: a\n", manifest.Auto, []string{"a"}, ""},
		"stdin: YAML stream":             {"-", "id: a\n---\nid: b\n", manifest.Auto, []string{"a", "b"}, ""},
		"stdin: YAML after a BOM":        {"-", "\xEF\xBB\xBFid: a\n", manifest.Auto, []string{"a"}, ""},
		"stdin: a comment first is YAML": {"-", "# c\n{\"id\": \"a\"}", manifest.Auto, []string{"a"}, ""},
		"other extension: by content":    {"a.txt", trailing, manifest.Auto, nil, "a.txt:1:13: unexpected data after the JSON value"},
		"no extension: YAML":             {"manifest", "id: a\n", manifest.Auto, []string{"a"}, ""},
		"JSON format forced":             {"a.yaml", "id: a\n", manifest.JSON, nil, "a.yaml:1:1: invalid character where a JSON value was expected"},
		"YAML format forced":             {"a.json", "id: a\n", manifest.YAML, []string{"a"}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := manifest.Parse(tc.file, []byte(tc.src), tc.format, manifest.Options{})
			if tc.err != "" {
				require.Error(t, err)
				assert.Equal(t, tc.err, err.Error())
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, e := range m.Entries {
				ids = append(ids, e.ID)
			}
			assert.Equal(t, tc.ids, ids)
			assert.Equal(t, tc.file, m.File)
		})
	}
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		file, src string
		opts      manifest.Options
		want      problem.Problem
	}{
		"a scalar": {"a.yaml", "just words\n", manifest.Options{},
			problem.Problem{File: "a.yaml", Line: 1, Column: 1, Message: "expected an activity, a list of activities or {activities: [...]}"}},
		"a JSON string": {"a.json", "\n  \"just a string\"", manifest.Options{},
			problem.Problem{File: "a.json", Line: 2, Column: 3, Message: "expected an activity, a list of activities or {activities: [...]}"}},
		"a number": {"a.json", "42", manifest.Options{},
			problem.Problem{File: "a.json", Line: 1, Column: 1, Message: "expected an activity, a list of activities or {activities: [...]}"}},
		"a scalar in a later document": {"a.yaml", "id: a\n---\n# two\n5\n", manifest.Options{},
			problem.Problem{File: "a.yaml", Line: 4, Column: 1, Message: "expected an activity, a list of activities or {activities: [...]}"}},
		"an empty JSON file": {"a.json", "", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "a.json", Line: 1, Column: 1, Message: "the document is empty"}},
		"an empty YAML file": {"a.yaml", "", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "a.yaml", Message: "the document is empty"}},
		"only comments": {"a.yaml", "# nothing\n---\n# here\n", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "a.yaml", Message: "the document is empty"}},
		"a null document": {"a.yaml", "null\n", manifest.Options{},
			problem.Problem{File: "a.yaml", Line: 1, Column: 1, Message: "the document is empty"}},
		"activities and another key": {"a.yaml", "activities: []\nowner: me\n", manifest.Options{},
			problem.Problem{File: "a.yaml", Line: 1, Column: 1, Message: `a manifest with an activities list holds nothing else but $schema; unknown key "owner"`}},
		"activities and other keys (JSON)": {"a.json", "{\"zeta\": 1, \"activities\": [], \"beta\": 2, \"alpha\": 3, \"gamma\": 4}", manifest.Options{},
			problem.Problem{File: "a.json", Line: 1, Column: 1, Message: `a manifest with an activities list holds nothing else but $schema; unknown key "alpha"`}},
		"activities not a list": {"a.yaml", "activities: {id: a}\n", manifest.Options{},
			problem.Problem{File: "a.yaml", Line: 1, Column: 1, Pointer: "/activities", Message: "expected a list of activities"}},
		"activities null": {"a.json", "{\n  \"activities\": null\n}", manifest.Options{},
			problem.Problem{File: "a.json", Line: 2, Column: 3, Pointer: "/activities", Message: "expected a list of activities"}},
		"activities not a list, later document": {"a.yaml", "id: a\n---\nactivities: text\n", manifest.Options{},
			problem.Problem{File: "a.yaml", Line: 3, Column: 1, Pointer: "/activities", Message: "expected a list of activities"}},
		"too many activities": {"m.yaml", "- id: a\n- id: b\n- id: c\n", manifest.Options{MaxActivities: 2},
			problem.Problem{File: "m.yaml", Line: 1, Column: 1, Message: "more than 2 activities in one manifest"}},
		"too many across documents": {"m.yaml", "id: a\n---\nactivities:\n  - id: b\n  - id: c\n", manifest.Options{MaxActivities: 2},
			problem.Problem{File: "m.yaml", Line: 3, Column: 1, Message: "more than 2 activities in one manifest"}},
		"too many lone activities": {"m.yaml", "id: a\n---\nid: b\n", manifest.Options{MaxActivities: 1},
			problem.Problem{File: "m.yaml", Line: 3, Column: 1, Message: "more than 1 activities in one manifest"}},
		"too large": {"m.yaml", "- id: a\n- id: b\n- id: c\n", manifest.Options{MaxBytes: 10},
			problem.Problem{File: "m.yaml", Message: "the manifest is 24 bytes, more than the limit of 10"}},
		"JSON syntax": {"m.json", "[\n  {\"id\": \"a\",}\n]", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "m.json", Line: 2, Column: 14, Pointer: "/0", Message: "expected a string key in the object"}},
		"JSON duplicate key": {"m.json", "{\n  \"id\": \"x\",\n  \"purposes\": [],\n  \"id\": \"y\"\n}", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "m.json", Line: 4, Column: 3, Pointer: "/id", Message: "duplicate key"}},
		"YAML duplicate key": {"m.yaml", "- id: x\n  id: y\n", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "m.yaml", Line: 2, Column: 3, Pointer: "/0/id", Message: "duplicate key"}},
		"YAML syntax": {"m.yaml", "id: x\ndata_categories: [email\npurposes: [purchase.orders]\n", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "m.yaml", Line: 2, Column: 1, Message: "malformed YAML: did not find expected ',' or ']'"}},
		"YAML merge key": {"m.yaml", "- id: x\n  <<: {legal_basis: contract}\n", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "m.yaml", Line: 2, Column: 3, Pointer: "/0", Message: "YAML merge keys (<<) are not supported; write the keys out"}},
		"NUL byte": {"m.json", "{\"id\": \"a\x00\"}", manifest.Options{},
			problem.Problem{Kind: problem.Syntax, File: "m.json", Line: 1, Column: 10, Pointer: "/id", Message: "NUL byte in the document"}},
		"nesting limit": {"m.json", `{"id": "a", "x": [[1]]}`, manifest.Options{MaxDepth: 2},
			problem.Problem{Kind: problem.Syntax, File: "m.json", Line: 1, Column: 19, Pointer: "/x/0", Message: "nesting deeper than 2 levels"}},
		"value limit": {"m.yaml", "- id: a\n- id: b\n", manifest.Options{MaxValues: 3},
			problem.Problem{Kind: problem.Syntax, File: "m.yaml", Line: 2, Column: 3, Pointer: "/1", Message: "the document holds too many values, aliases expanded (limit 3)"}},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := manifest.Parse(tc.file, []byte(tc.src), manifest.Auto, tc.opts)
			require.Error(t, err)
			assert.Nil(t, m)
			var me *problem.Problem
			require.True(t, errors.As(err, &me), "a *problem.Problem: %T", err)
			assert.Equal(t, tc.want, *me)
			assert.Equal(t, tc.want.Error(), err.Error())
		})
	}
}

// The unknown key named beside an activities list is the same on every run.
func TestUnknownKeyIsDeterministic(t *testing.T) {
	src := []byte("activities: []\nzeta: 1\nbeta: 2\nalpha: 3\ndelta: 4\n")
	for i := 0; i < 50; i++ {
		_, err := manifest.Parse("m.yaml", src, manifest.Auto, manifest.Options{})
		require.EqualError(t, err, `m.yaml:1:1: a manifest with an activities list holds nothing else but $schema; unknown key "alpha"`)
	}
}

func TestErrorRendering(t *testing.T) {
	for _, tc := range []struct {
		err  problem.Problem
		want string
	}{
		{problem.Problem{File: "m.yaml", Line: 3, Column: 4, Pointer: "/0/id", Message: "bad"}, "m.yaml:3:4: /0/id: bad"},
		{problem.Problem{File: "m.yaml", Line: 3, Message: "bad"}, "m.yaml:3: bad"},
		{problem.Problem{File: "m.yaml", Message: "bad"}, "m.yaml: bad"},
		{problem.Problem{File: "-", Line: 1, Column: 1, Message: "bad"}, "-:1:1: bad"},
	} {
		assert.Equal(t, tc.want, tc.err.Error())
	}
}

func TestDuplicateIDs(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		m, err := manifest.ReadFile("testdata/duplicates.json", manifest.Options{})
		require.NoError(t, err, "a duplicate id is the activity's problem, not the manifest's")
		require.Len(t, m.Entries, 4)
		assert.Nil(t, m.Entries[0].Err, "the first use is untouched")
		assert.Nil(t, m.Entries[1].Err)
		assert.Equal(t, &problem.Problem{File: "testdata/duplicates.json", Line: 7, Column: 20, Pointer: "/2/id",
			Message: `this activity's id is already used at line 3; ids are unique within a manifest`}, m.Entries[2].Err)
		assert.Equal(t, &problem.Problem{File: "testdata/duplicates.json", Line: 8, Column: 4, Pointer: "/3/id",
			Message: `this activity's id is already used at line 3; ids are unique within a manifest`}, m.Entries[3].Err)
		assert.Equal(t, "testdata/duplicates.json:7:20: /2/id: this activity's id is already used at line 3; ids are unique within a manifest", m.Entries[2].Err.Error())
		for _, e := range m.Entries {
			assert.NotEmpty(t, e.JSON, "a duplicate keeps its JSON")
		}
	})
	t.Run("YAML documents", func(t *testing.T) {
		m, err := manifest.ReadFile("testdata/duplicates.yaml", manifest.Options{})
		require.NoError(t, err)
		require.Len(t, m.Entries, 4)
		assert.Equal(t, []where{
			{"a", 0, 0, "", 1, 1},
			{"b", 1, 1, "/0", 4, 3},
			{"a", 2, 1, "/1", 5, 3},
			{"b", 3, 2, "/activities/0", 9, 5},
		}, places(m))
		assert.Nil(t, m.Entries[0].Err)
		assert.Nil(t, m.Entries[1].Err)
		assert.Equal(t, &problem.Problem{File: "testdata/duplicates.yaml", Line: 6, Column: 3, Pointer: "/1/id",
			Message: `this activity's id is already used at line 2; ids are unique within a manifest`}, m.Entries[2].Err)
		assert.Equal(t, &problem.Problem{File: "testdata/duplicates.yaml", Line: 9, Column: 5, Pointer: "/activities/0/id",
			Message: `this activity's id is already used at line 4; ids are unique within a manifest`}, m.Entries[3].Err)
	})
	t.Run("entries without ids", func(t *testing.T) {
		m, err := manifest.Parse("m.yaml", []byte("- {}\n- {}\n- id: ''\n- id: ''\n- {id: 1}\n- {id: 1}\n"), manifest.Auto, manifest.Options{})
		require.NoError(t, err)
		for _, e := range m.Entries {
			assert.Nil(t, e.Err, "entry %d: no id is not a duplicate id (the schema reports it)", e.Index)
		}
	})
	t.Run("ids differ by case", func(t *testing.T) {
		m, err := manifest.Parse("m.yaml", []byte("- id: a\n- id: A\n"), manifest.Auto, manifest.Options{})
		require.NoError(t, err)
		assert.Nil(t, m.Entries[1].Err)
	})
}

func TestDefaultActivityLimit(t *testing.T) {
	items := strings.Repeat(`{"id": "x"},`, manifest.DefaultMaxActivities)
	m, err := manifest.Parse("m.json", []byte("["+strings.TrimSuffix(items, ",")+"]"), manifest.Auto, manifest.Options{})
	require.NoError(t, err)
	assert.Len(t, m.Entries, manifest.DefaultMaxActivities)
	_, err = manifest.Parse("m.json", []byte("["+items+`{"id": "x"}]`), manifest.Auto, manifest.Options{})
	assert.EqualError(t, err, fmt.Sprintf("m.json:1:1: more than %d activities in one manifest", manifest.DefaultMaxActivities))
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/list.json")
	require.NoError(t, err)
	for _, name := range []string{"m.json", "m.YAML", "noext"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, src, 0o644))
		m, err := manifest.ReadFile(path, manifest.Options{})
		require.NoError(t, err, name)
		assert.Len(t, m.Entries, 2, name)
	}

	path := filepath.Join(dir, "m.json")
	_, err = manifest.ReadFile(path, manifest.Options{MaxBytes: 10})
	assert.EqualError(t, err, fmt.Sprintf("%s: the manifest is %d bytes, more than the limit of 10", path, len(src)))

	for name, tc := range map[string]struct{ path, want string }{
		"missing":     {filepath.Join(dir, "missing.yaml"), filepath.Join(dir, "missing.yaml") + ": cannot read: no such file or directory"},
		"a directory": {dir, dir + ": cannot read: is a directory"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := manifest.ReadFile(tc.path, manifest.Options{})
			var me *problem.Problem
			require.True(t, errors.As(err, &me))
			assert.Equal(t, tc.want, err.Error())
			assert.Equal(t, tc.path, me.File)
		})
	}

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"id\": \"a\",\n  \"id\": \"b\"\n}"), 0o644))
	_, err = manifest.ReadFile(bad, manifest.Options{})
	assert.EqualError(t, err, bad+":3:3: /id: duplicate key", "errors name the file as given")
}

func TestIsManifestFile(t *testing.T) {
	for name, want := range map[string]bool{
		"a.json": true, "b.YAML": true, "c.yml": true, "dir/d.Json": true,
		"d.txt": false, "e": false, "f.json.bak": false, "g.yaml~": false, ".json": true, "h.jsonl": false,
	} {
		assert.Equal(t, want, manifest.IsManifestFile(name), name)
	}
}
