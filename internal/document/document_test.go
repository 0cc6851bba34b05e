package document

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const jsonDoc = `{
  "id": "x",
  "recipients": [
    {"name": "a/b~c", "dpa": true},
    {"name": "d"}
  ],
  "age": 37
}`

const yamlDoc = `id: x
recipients:
  - name: a/b~c
    dpa: true
  - name: d
age: 37
when: 2026-01-02
flag: yes
`

func TestPositions(t *testing.T) {
	j, err := ParseJSON([]byte(jsonDoc), Options{Positions: true})
	require.NoError(t, err)
	y, err := ParseYAML([]byte(yamlDoc), Options{Positions: true})
	require.NoError(t, err)
	require.Len(t, y, 1)
	for _, tc := range []struct {
		pointer    string
		json, yaml Position
	}{
		{"", Position{1, 1}, Position{1, 1}},
		{"/id", Position{2, 3}, Position{1, 1}},
		{"/recipients/0", Position{4, 5}, Position{3, 5}},
		{"/recipients/0/name", Position{4, 6}, Position{3, 5}},
		{"/recipients/0/dpa", Position{4, 23}, Position{4, 5}},
		{"/recipients/1/dpa", Position{5, 5}, Position{5, 5}}, // missing: its recipient
		{"/recipients/7", Position{3, 3}, Position{2, 1}},     // missing: the list
		{"/nothing/at/all", Position{1, 1}, Position{1, 1}},
	} {
		assert.Equal(t, tc.json, j.Locate(tc.pointer), "json %s", tc.pointer)
		assert.Equal(t, tc.yaml, y[0].Locate(tc.pointer), "yaml %s", tc.pointer)
	}
	var nilDoc *Doc
	assert.Equal(t, Position{}, nilDoc.Locate("/x"))
}

func TestValues(t *testing.T) {
	j, err := ParseJSON([]byte(jsonDoc), Options{})
	require.NoError(t, err)
	assert.Equal(t, json.Number("37"), j.Value.(map[string]any)["age"])
	y, err := ParseYAML([]byte(yamlDoc), Options{})
	require.NoError(t, err)
	v := y[0].Value.(map[string]any)
	assert.Equal(t, json.Number("37"), v["age"])
	assert.Equal(t, "2026-01-02", v["when"], "timestamps stay the text they were written as")
	assert.Equal(t, "yes", v["flag"], "YAML 1.2: yes is a string")
	assert.Equal(t, "a/b~c", v["recipients"].([]any)[0].(map[string]any)["name"])

	s, err := ParseJSON([]byte("\xEF\xBB\xBF"+`"\u00e9\ud83d\ude00 \n\t\"\\"`), Options{})
	require.NoError(t, err, "a UTF-8 byte order mark is accepted")
	assert.Equal(t, "é😀 \n\t\"\\", s.Value)

	docs, err := ParseYAML([]byte("a: 1\n---\nb: 2.5\n---\n"), Options{})
	require.NoError(t, err)
	require.Len(t, docs, 2, "an empty trailing document is skipped")
	assert.Equal(t, json.Number("2.5"), docs[1].Value.(map[string]any)["b"])

	a, err := ParseYAML([]byte("x: &a {k: v}\ny: *a\n"), Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"k": "v"}, a[0].Value.(map[string]any)["y"], "aliases are expanded")
}

func TestAppendPointer(t *testing.T) {
	assert.Equal(t, "/a~1b~0c", AppendPointer("", "a/b~c"))
	assert.Equal(t, "/x/0", AppendPointer("/x", "0"))
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		json bool
		src  string
		want string
	}{
		"trailing data":       {true, `{"a": 1} x`, "line 1, column 10: unexpected data after the JSON value"},
		"control character":   {true, "{\"a\": \"x\ty\"}", "line 1, column 9: /a: control character in a string (escape it)"},
		"bad escape":          {true, `{"a": "\q"}`, "line 1, column 10: /a: invalid escape in a string"},
		"bad number":          {true, `{"a": 01}`, "line 1, column 8: expected ',' or '}' in the object"},
		"leading plus":        {true, `{"a": +1}`, "line 1, column 7: /a: invalid character where a JSON value was expected"},
		"bare word":           {true, `{"a": yes}`, "line 1, column 7: /a: invalid character where a JSON value was expected"},
		"bad literal":         {true, `{"a": tru}`, "line 1, column 7: /a: invalid literal where a JSON value was expected"},
		"key not a string":    {true, `{1: 2}`, "line 1, column 2: expected a string key in the object"},
		"missing colon":       {true, `{"a" 1}`, "line 1, column 6: /a: expected ':' after the key"},
		"unterminated string": {true, `{"a": "x`, "line 1, column 9: /a: unterminated string"},
		"non-string key":      {false, "? [a]\n: 1\n", "line 1, column 3: a key must be a string"},
		"nan":                 {false, "a: .nan\n", "line 1, column 4: /a: not a finite number"},
		"infinity":            {false, "a: -.inf\n", "line 1, column 4: /a: not a finite number"},
		"custom tag":          {false, "a: !thing x\n", `line 1, column 4: /a: unsupported YAML tag "!thing"`},
		"invalid UTF-8":       {false, "a: \xff\n", "line 1, column 4: invalid UTF-8"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if tc.json {
				_, err = ParseJSON([]byte(tc.src), Options{})
			} else {
				_, err = ParseYAML([]byte(tc.src), Options{})
			}
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestLimits(t *testing.T) {
	_, err := ParseJSON([]byte(`[[[[1]]]]`), Options{MaxDepth: 3})
	assert.EqualError(t, err, "line 1, column 4: /0/0/0: nesting deeper than 3 levels")
	_, err = ParseJSON([]byte(`[1, 2, 3]`), Options{MaxValues: 3})
	assert.EqualError(t, err, "line 1, column 8: /2: the document holds too many values (limit 3)")
	_, err = ParseYAML([]byte("- [[[1]]]\n"), Options{MaxDepth: 3})
	assert.EqualError(t, err, "line 1, column 5: /0/0/0: nesting deeper than 3 levels")
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := range []string{"a", "b", "c", "d", "e", "f"} {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
	}
	_, err = ParseYAML([]byte(bomb), Options{})
	assert.ErrorContains(t, err, "YAML aliases expand to too many values (limit 100000)")
}

func TestDescribeAndClone(t *testing.T) {
	assert.Equal(t, "f.yaml:3:4: /a: bad", Describe("f.yaml", 3, 4, "/a", "bad"))
	assert.Equal(t, "f.yaml: bad", Describe("f.yaml", 0, 0, "", "bad"))
	assert.Equal(t, "bad", Describe("", 0, 0, "", "bad"))
	orig := map[string]any{"a": []any{map[string]any{"b": "c"}}}
	c := Clone(orig).(map[string]any)
	c["a"].([]any)[0].(map[string]any)["b"] = "changed"
	assert.Equal(t, "c", orig["a"].([]any)[0].(map[string]any)["b"])
}
