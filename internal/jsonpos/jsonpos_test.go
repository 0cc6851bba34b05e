package jsonpos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/problem"
)

// parseOne parses src as JSON or as a YAML stream of exactly one document.
func parseOne(t *testing.T, isJSON bool, src string, opts Options) (*Doc, error) {
	t.Helper()
	if isJSON {
		return ParseJSON([]byte(src), opts)
	}
	docs, err := ParseYAML([]byte(src), opts)
	if err != nil {
		return nil, err
	}
	require.Len(t, docs, 1, "one YAML document")
	return docs[0], nil
}

// Error is the place, pointer and message a test expects of a syntax problem.
type Error struct {
	problem.Position
	Pointer, Message string
}

// at is the position a test expects Locate to return: a line and a column, no file.
func at(line, column int) problem.Position { return problem.Position{Line: line, Column: column} }

// docError asserts that err is exactly want, a syntax *problem.Problem.
func docError(t *testing.T, err error, want Error) {
	t.Helper()
	require.Error(t, err)
	var de *problem.Problem
	require.True(t, errors.As(err, &de), "a *problem.Problem, got %T: %v", err, err)
	assert.Equal(t, want, Error{at(de.Line, de.Column), de.Pointer, de.Message})
	assert.Equal(t, problem.Syntax, de.Kind)
}

func TestParseJSONValues(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want any
	}{
		"object":       {`{"a": "b", "c": [1, 2]}`, map[string]any{"a": "b", "c": []any{json.Number("1"), json.Number("2")}}},
		"empty object": {`{}`, map[string]any{}},
		"empty array":  {`[]`, []any{}},
		"nested empty": {`[{}, [], ""]`, []any{map[string]any{}, []any{}, ""}},
		"literals":     {`[true, false, null]`, []any{true, false, nil}},
		"lone string":  {`"x"`, "x"},
		"lone number":  {` 42 `, json.Number("42")},
		"numbers as written": {`[0, -0, 1.50, -2.5e3, 1E+2, 6e-1, 12345678901234567890123]`, []any{
			json.Number("0"), json.Number("-0"), json.Number("1.50"), json.Number("-2.5e3"),
			json.Number("1E+2"), json.Number("6e-1"), json.Number("12345678901234567890123")}},
		"escapes":                        {`"\" \\ \/ \b \f \n \r \t"`, "\" \\ / \b \f \n \r \t"},
		"unicode escapes":                {`"\u00e9\u00C9\u20ac"`, "éÉ€"},
		"surrogate pair":                 {`"\ud83d\ude00"`, "😀"},
		"two pairs":                      {`"\uD83D\uDE00\ud83c\udf70"`, "😀🍰"},
		"lone high":                      {`"\ud83d"`, "\uFFFD"},
		"high then text":                 {`"\ud83dx"`, "\uFFFDx"},
		"high then escape":               {`"\ud83d\n"`, "\uFFFD\n"},
		"high then non-low":              {`"\ud83d\u0041"`, "\uFFFDA"},
		"lone low then pair":             {`"\ude00\ud83d\ude00"`, "\uFFFD😀"},
		"raw UTF-8":                      {`{"é": "日本語 😀"}`, map[string]any{"é": "日本語 😀"}},
		"DEL is not a control character": {"\"a\x7fb\"", "a\x7fb"},
		"escaped slash in a key":         {`{"a\/b": 1}`, map[string]any{"a/b": json.Number("1")}},
		"empty key":                      {`{"": 1}`, map[string]any{"": json.Number("1")}},
		"byte order mark":                {"\xEF\xBB\xBF{\"a\": 1}", map[string]any{"a": json.Number("1")}},
		"CRLF and tabs":                  {"{\r\n\t\"a\" :\t[ 1 ,2 ]\r\n}\r\n", map[string]any{"a": []any{json.Number("1"), json.Number("2")}}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, positions := range []bool{false, true} {
				doc, err := ParseJSON([]byte(tc.src), Options{Positions: positions})
				require.NoError(t, err, "positions %v", positions)
				assert.Equal(t, tc.want, doc.Value, "positions %v", positions)
			}
			// What this parser accepts, encoding/json accepts with the same meaning.
			var std any
			d := json.NewDecoder(strings.NewReader(strings.TrimPrefix(tc.src, "\xEF\xBB\xBF")))
			d.UseNumber()
			require.NoError(t, d.Decode(&std))
			assert.Equal(t, std, mustParseJSON(t, tc.src))
		})
	}
}

func mustParseJSON(t *testing.T, src string) any {
	t.Helper()
	doc, err := ParseJSON([]byte(src), Options{})
	require.NoError(t, err)
	return doc.Value
}

func TestParseYAMLValues(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want any
	}{
		"mapping":        {"id: x\nlist: [a, 'b', \"c\"]\n", map[string]any{"id": "x", "list": []any{"a", "b", "c"}}},
		"block sequence": {"- a\n- b: 1\n  c: 2\n", []any{"a", map[string]any{"b": json.Number("1"), "c": json.Number("2")}}},
		"timestamps stay text": {"date: 2026-01-02\ntime: 2026-01-02T10:00:00Z\nspaced: 2026-01-02 10:00:00\ntagged: !!timestamp 2026-01-02\n",
			map[string]any{"date": "2026-01-02", "time": "2026-01-02T10:00:00Z", "spaced": "2026-01-02 10:00:00", "tagged": "2026-01-02"}},
		"YAML 1.2 booleans": {"a: yes\nb: no\nc: on\nd: off\ne: y\nf: NO\ng: true\nh: False\n",
			map[string]any{"a": "yes", "b": "no", "c": "on", "d": "off", "e": "y", "f": "NO", "g": true, "h": false}},
		"nulls": {"a: ~\nb: null\nc: Null\nd:\n", map[string]any{"a": nil, "b": nil, "c": nil, "d": nil}},
		"integers": {"a: 0\nb: -17\nc: 0x1F\nd: 0o17\ne: 9223372036854775807\nf: -9223372036854775808\n",
			map[string]any{"a": json.Number("0"), "b": json.Number("-17"), "c": json.Number("31"), "d": json.Number("15"),
				"e": json.Number("9223372036854775807"), "f": json.Number("-9223372036854775808")}},
		"a leading zero is decimal": {"a: 0777\nb: 010\nc: -010\nd: 09\n",
			map[string]any{"a": json.Number("777"), "b": json.Number("10"), "c": json.Number("-10"), "d": json.Number("9")}},
		"floats": {"a: 1.5\nb: .5\nc: 1.0\nd: -2.5e3\ne: !!float 3\n",
			map[string]any{"a": json.Number("1.5"), "b": json.Number("0.5"), "c": json.Number("1"), "d": json.Number("-2500"), "e": json.Number("3")}},
		"strings that look like other things": {"a: '1'\nb: \"true\"\nc: !!str 3\nd: 'null'\ne: 1e999\n",
			map[string]any{"a": "1", "b": "true", "c": "3", "d": "null", "e": "1e999"}},
		"binary stays text":                 {"a: !!binary aGVsbG8=\n", map[string]any{"a": "aGVsbG8="}},
		"block scalars":                     {"a: |\n  one\n  two\nb: >-\n  folded\n  text\n", map[string]any{"a": "one\ntwo\n", "b": "folded text"}},
		"explicit key":                      {"? a\n: 1\n", map[string]any{"a": json.Number("1")}},
		"a quoted merge key is a plain key": {"'<<': 1\n", map[string]any{"<<": json.Number("1")}},
		"aliases are expanded": {"x: &a {k: v}\ny: *a\nz: &s text\nw: *s\n",
			map[string]any{"x": map[string]any{"k": "v"}, "y": map[string]any{"k": "v"}, "z": "text", "w": "text"}},
		"an alias as a key": {"k: &name a\n*name : 1\n", map[string]any{"k": "a", "a": json.Number("1")}},
		"unicode":           {"é: ö\nb: [x, 日本]\n", map[string]any{"é": "ö", "b": []any{"x", "日本"}}},
		"byte order mark":   {"\xEF\xBB\xBFa: 1\n", map[string]any{"a": json.Number("1")}},
		"JSON is YAML":      {`{"a": [1, "b", null, true]}`, map[string]any{"a": []any{json.Number("1"), "b", nil, true}}},
		"document end":      {"a: 1\n...\n", map[string]any{"a": json.Number("1")}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, positions := range []bool{false, true} {
				doc, err := parseOne(t, false, tc.src, Options{Positions: positions})
				require.NoError(t, err)
				assert.Equal(t, tc.want, doc.Value)
			}
		})
	}
}

func TestParseYAMLStream(t *testing.T) {
	docs, err := ParseYAML([]byte("a: 1\n---\n# only a comment\n---\n- b\n---\nc: 2.5\n---\n"), Options{Positions: true})
	require.NoError(t, err)
	require.Len(t, docs, 3, "empty documents, as a trailing --- leaves, are skipped")
	assert.Equal(t, map[string]any{"a": json.Number("1")}, docs[0].Value)
	assert.Equal(t, []any{"b"}, docs[1].Value)
	assert.Equal(t, map[string]any{"c": json.Number("2.5")}, docs[2].Value)
	// Positions are lines of the stream, not of the document.
	assert.Equal(t, at(5, 3), docs[1].Locate("/0"))
	assert.Equal(t, at(7, 1), docs[2].Locate("/c"))
	// Each document has its own positions.
	assert.Equal(t, at(1, 1), docs[0].Locate("/c"), "a key of another document: this one's root")
}

const jsonDoc = `{
  "id": "x",
  "recipients": [
    {"name": "a/b~c", "dpa": true},
    {"name": "d"}
  ],
  "a/b": {"~x": 1},
  "é": ["ü", "日本"], "after": 2,
  "age": 37
}`

const yamlDoc = `id: x
recipients:
  - name: a/b~c
    dpa: true
  - name: d
a/b: {~x: 1}
é: [ü, 日本]
after: 2
age: 37
when: 2026-01-02
flag: yes
`

func TestLocate(t *testing.T) {
	j, err := ParseJSON([]byte(jsonDoc), Options{Positions: true})
	require.NoError(t, err)
	y, err := parseOne(t, false, yamlDoc, Options{Positions: true})
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		pointer    string
		json, yaml problem.Position
	}{
		"the document":                 {"", at(1, 1), at(1, 1)},
		"a key":                        {"/id", at(2, 3), at(1, 1)},
		"an array":                     {"/recipients", at(3, 3), at(2, 1)},
		"an array element":             {"/recipients/0", at(4, 5), at(3, 5)},
		"the second element":           {"/recipients/1", at(5, 5), at(5, 5)},
		"a key in an element":          {"/recipients/0/name", at(4, 6), at(3, 5)},
		"a later key in an element":    {"/recipients/0/dpa", at(4, 23), at(4, 5)},
		"escaped slash":                {"/a~1b", at(7, 3), at(6, 1)},
		"escaped tilde below it":       {"/a~1b/~0x", at(7, 11), at(6, 7)},
		"columns count characters":     {"/é/1", at(8, 14), at(7, 8)},
		"after characters on the line": {"/after", at(8, 21), at(8, 1)},
		"missing field: its object":    {"/recipients/1/dpa", at(5, 5), at(5, 5)},
		"missing element: the array":   {"/recipients/7", at(3, 3), at(2, 1)},
		"missing below missing":        {"/recipients/7/court_order/reference", at(3, 3), at(2, 1)},
		"missing at the top":           {"/retention/period", at(1, 1), at(1, 1)},
		"unescaped slash is a path":    {"/a/b", at(1, 1), at(1, 1)},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.json, j.Locate(tc.pointer), "json")
			assert.Equal(t, tc.yaml, y.Locate(tc.pointer), "yaml")
		})
	}

	var nilDoc *Doc
	assert.Equal(t, problem.Position{}, nilDoc.Locate("/x"), "a nil document knows no position")
	fast, err := ParseJSON([]byte(jsonDoc), Options{})
	require.NoError(t, err)
	assert.Equal(t, problem.Position{}, fast.Locate("/id"), "without Positions, nothing is located")
	assert.Equal(t, problem.Position{}, j.Locate("no-slash"), "not a pointer")
}

// Positions on one long line (minified JSON) cost time in proportion to the line, not its square.
func TestLocateOnOneLongLine(t *testing.T) {
	const n = 300_000
	src := "[" + strings.Repeat(`"é",`, n-1) + `"é"]`
	doc, p, err := parseJSON(context.Background(), []byte(src), Options{Positions: true})
	require.NoError(t, err)
	assert.LessOrEqual(t, p.counted, len(src), "every byte is counted for columns at most once")
	assert.Equal(t, at(1, 2), doc.Locate("/0"))
	assert.Equal(t, at(1, 2+4*(n-1)), doc.Locate(fmt.Sprintf("/%d", n-1)), "columns count characters")

	_, err = ParseJSON([]byte(src[:len(src)-1]+"}"), Options{})
	docError(t, err, Error{at(1, 1+4*n), "", "expected ',' or ']' in the array"})
}

// stopsAfter is a context that is done after its first few looks.
type stopsAfter struct {
	context.Context
	looks int
}

func (c *stopsAfter) Err() error {
	if c.looks--; c.looks < 0 {
		return context.Canceled
	}
	return nil
}

// Parsing stops soon after the context is done, and says why.
func TestParseHonoursTheContext(t *testing.T) {
	src := []byte("[" + strings.Repeat(`"a",`, 100_000) + `1 x]`) // an error at the end: parsed twice
	ctx := &stopsAfter{Context: context.Background(), looks: 3}
	_, p, err := parseJSON(ctx, src, Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, p.values, 5*checkEvery, "stopped soon after the context was done")
	assert.Less(t, p.i, len(src)/10)

	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ParseJSONContext(done, src, Options{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestLocateAfterCRLFAndBOM(t *testing.T) {
	j, err := ParseJSON([]byte("\xEF\xBB\xBF{\"a\": 1,\r\n \"b\": [\r\n  2]}"), Options{Positions: true})
	require.NoError(t, err)
	assert.Equal(t, at(1, 1), j.Locate(""), "the byte order mark takes no column")
	assert.Equal(t, at(1, 2), j.Locate("/a"))
	assert.Equal(t, at(2, 2), j.Locate("/b"))
	assert.Equal(t, at(3, 3), j.Locate("/b/0"))

	y, err := parseOne(t, false, "a: 1\r\nb:\r\n  - 2\r\n", Options{Positions: true})
	require.NoError(t, err)
	assert.Equal(t, at(2, 1), y.Locate("/b"))
	assert.Equal(t, at(3, 5), y.Locate("/b/0"))
}

func TestLocateAlias(t *testing.T) {
	y, err := parseOne(t, false, "x: &a {k: v}\ny: *a\n", Options{Positions: true})
	require.NoError(t, err)
	assert.Equal(t, at(2, 1), y.Locate("/y"), "the alias's key")
	assert.Equal(t, at(1, 8), y.Locate("/y/k"), "inside an alias: where the anchored value is written")
}

func TestAppendPointer(t *testing.T) {
	for _, tc := range []struct{ pointer, token, want string }{
		{"", "a", "/a"},
		{"/x", "0", "/x/0"},
		{"", "a/b", "/a~1b"},
		{"", "m~n", "/m~0n"},
		{"/p", "~/", "/p/~0~1"},
		{"/p", "/~", "/p/~1~0"},
		{"", "~1", "/~01"},
		{"", "", "/"},
		{"", "é ü", "/é ü"},
	} {
		assert.Equal(t, tc.want, AppendPointer(tc.pointer, tc.token), "%q + %q", tc.pointer, tc.token)
	}
}

// TestBadJSON is the corpus of JSON the parser refuses: each with its exact error. Parsing
// without Positions gives the same error, pointer included (the parser parses again to find it).
func TestBadJSON(t *testing.T) {
	long := strings.Repeat("1", 101)
	for name, tc := range map[string]struct {
		src  string
		want Error
	}{
		"empty":                         {"", Error{at(1, 1), "", "the document is empty"}},
		"only spaces":                   {"  \n  ", Error{at(2, 3), "", "the document is empty"}},
		"only a byte order mark":        {"\xEF\xBB\xBF", Error{at(1, 1), "", "the document is empty"}},
		"trailing data":                 {`{"a": 1} x`, Error{at(1, 10), "", "unexpected data after the JSON value"}},
		"two values":                    {"{}\n{}", Error{at(2, 1), "", "unexpected data after the JSON value"}},
		"leading zero":                  {`01`, Error{at(1, 2), "", "unexpected data after the JSON value"}},
		"word after a literal":          {`truex`, Error{at(1, 5), "", "unexpected data after the JSON value"}},
		"truncated object":              {`{"a": 1`, Error{at(1, 8), "", "unexpected end of JSON inside an object"}},
		"truncated array":               {"{\"a\": [1,\n2", Error{at(2, 2), "/a", "unexpected end of JSON inside an array"}},
		"truncated after a key":         {`{"a":`, Error{at(1, 6), "/a", "unexpected end of JSON"}},
		"truncated after [":             {`[`, Error{at(1, 2), "/0", "unexpected end of JSON"}},
		"truncated after {":             {`{`, Error{at(1, 2), "", "expected a string key in the object"}},
		"missing value":                 {`{"a": }`, Error{at(1, 7), "/a", "invalid character where a JSON value was expected"}},
		"trailing comma (array)":        {`[1,]`, Error{at(1, 4), "/1", "invalid character where a JSON value was expected"}},
		"trailing comma (object)":       {`{"a": 1,}`, Error{at(1, 9), "", "expected a string key in the object"}},
		"single quotes":                 {`{'a': 1}`, Error{at(1, 2), "", "expected a string key in the object"}},
		"number key":                    {`{1: 2}`, Error{at(1, 2), "", "expected a string key in the object"}},
		"missing colon":                 {`{"a" 1}`, Error{at(1, 6), "/a", "expected ':' after the key"}},
		"missing comma (object)":        {`{"a": 1 "b": 2}`, Error{at(1, 9), "", "expected ',' or '}' in the object"}},
		"missing comma (array)":         {`{"x": [1 2]}`, Error{at(1, 10), "/x", "expected ',' or ']' in the array"}},
		"wrong closer":                  {`[1}`, Error{at(1, 3), "", "expected ',' or ']' in the array"}},
		"bare word":                     {`{"a": yes}`, Error{at(1, 7), "/a", "invalid character where a JSON value was expected"}},
		"capitalised literal":           {`True`, Error{at(1, 1), "", "invalid character where a JSON value was expected"}},
		"short literal":                 {`{"a": tru}`, Error{at(1, 7), "/a", "invalid literal where a JSON value was expected"}},
		"NaN":                           {`[NaN]`, Error{at(1, 2), "/0", "invalid character where a JSON value was expected"}},
		"leading plus":                  {`{"a": +1}`, Error{at(1, 7), "/a", "invalid character where a JSON value was expected"}},
		"leading dot":                   {`[.5]`, Error{at(1, 2), "/0", "invalid character where a JSON value was expected"}},
		"lone minus":                    {`[-]`, Error{at(1, 3), "/0", "invalid number"}},
		"dot without digits":            {`[1.]`, Error{at(1, 4), "/0", "invalid number"}},
		"exponent without digits":       {`[1e+]`, Error{at(1, 5), "/0", "invalid number"}},
		"number too long":               {"[" + long + "]", Error{at(1, 103), "/0", "number too long"}},
		"unterminated string":           {`{"a": "x`, Error{at(1, 9), "/a", "unterminated string"}},
		"unterminated escape":           {`"x\`, Error{at(1, 3), "", "unterminated string"}},
		"unterminated key":              {`{"a`, Error{at(1, 4), "", "unterminated string"}},
		"bad escape":                    {`{"a": "\q"}`, Error{at(1, 10), "/a", "invalid escape in a string"}},
		"short \\u escape":              {`["\u12"]`, Error{at(1, 5), "/0", "invalid \\u escape in a string"}},
		"non-hex \\u escape":            {`["\uZZZZ"]`, Error{at(1, 5), "/0", "invalid \\u escape in a string"}},
		"bad low surrogate":             {`["\ud83d\uXYZW"]`, Error{at(1, 11), "/0", "invalid \\u escape in a string"}},
		"escaped NUL":                   {`{"a": "x\u0000y"}`, Error{at(1, 15), "/a", "NUL character in a string"}},
		"escaped NUL in a key":          {`{"a\u0000": 1}`, Error{at(1, 10), "", "NUL character in a string"}},
		"control character":             {"{\"a\": \"x\ty\"}", Error{at(1, 9), "/a", "control character in a string (escape it)"}},
		"raw newline in a string":       {"[\"a\nb\"]", Error{at(1, 4), "/0", "control character in a string (escape it)"}},
		"control after an escape":       {"[\"\\n\x01\"]", Error{at(1, 5), "/0", "control character in a string (escape it)"}},
		"invalid UTF-8 in a value":      {"{\"id\": \"caf\xe9\"}", Error{at(1, 12), "/id", "invalid UTF-8 in a string"}},
		"invalid UTF-8 after an escape": {"[\"\\n\xff\"]", Error{at(1, 5), "/0", "invalid UTF-8 in a string"}},
		"invalid UTF-8 in a key":        {"{\"k\xc3\": 1}", Error{at(1, 4), "", "invalid UTF-8 in a string"}},
		"invalid UTF-8 outside":         {"\xff", Error{at(1, 1), "", "invalid character where a JSON value was expected"}},
		"NUL in a string":               {"{\"id\": \"x\",\n \"description\": \"a\x00b\"}", Error{at(2, 19), "/description", "NUL byte in the document"}},
		"NUL after an escape":           {"[\"\\t\x00\"]", Error{at(1, 5), "/0", "NUL byte in the document"}},
		"NUL as a value":                {"[1, \x00]", Error{at(1, 5), "/1", "NUL byte in the document"}},
		"NUL alone":                     {"\x00", Error{at(1, 1), "", "NUL byte in the document"}},
		"NUL after the value":           {"{\"a\": 1}\n\x00", Error{at(2, 1), "", "NUL byte in the document"}},
		"duplicate key":                 {"{\n  \"id\": \"x\",\n  \"purposes\": [],\n  \"id\": \"y\"\n}", Error{at(4, 3), "/id", "duplicate key"}},
		"nested duplicate key":          {`{"a": {"b": 1, "b": 2}}`, Error{at(1, 16), "/a/b", "duplicate key"}},
		"duplicate in an element":       {`[{"a": 1}, {"a": 1, "a": 2}]`, Error{at(1, 21), "/1/a", "duplicate key"}},
		"duplicate once unescaped":      {`{"a/b": 1, "a\/b": 2}`, Error{at(1, 12), "/a~1b", "duplicate key"}},
		"position after multibyte":      {`{"é": "ü", "é": 1}`, Error{at(1, 12), "/é", "duplicate key"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tc.src), Options{Positions: true})
			docError(t, err, tc.want)
			_, err = ParseJSON([]byte(tc.src), Options{})
			docError(t, err, tc.want)
		})
	}
}

// TestBadYAML is the corpus of YAML the parser refuses: each with its exact error.
func TestBadYAML(t *testing.T) {
	for name, tc := range map[string]struct {
		src  string
		want Error
	}{
		"empty":                     {"", Error{Message: "the document is empty"}},
		"only a comment":            {"# only a comment\n", Error{Message: "the document is empty"}},
		"only markers":              {"---\n...\n---\n", Error{Message: "the document is empty"}},
		"mapping in a value":        {"x: 1\na: b: c\n", Error{at(2, 1), "", "malformed YAML: mapping values are not allowed in this context"}},
		"mapping on line 1":         {"a: b: c\n", Error{at(1, 1), "", "malformed YAML: mapping values are not allowed in this context"}},
		"unclosed flow list":        {"id: x\ndata_categories: [email\npurposes: [purchase.orders]\n", Error{at(2, 1), "", "malformed YAML: did not find expected ',' or ']'"}},
		"unclosed flow map":         {"x: 1\ny: {a: 1\n", Error{at(2, 1), "", "malformed YAML: did not find expected ',' or '}'"}},
		"list then a mapping":       {"- a\nb: c\n", Error{at(2, 1), "", "malformed YAML: did not find expected '-' indicator"}},
		"bad indentation":           {"privacy_policy:\n  a: 1\n b: 2\n", Error{at(3, 1), "", "malformed YAML: did not find expected key"}},
		"JSON with two commas":      {`{"id": "a",,}`, Error{at(1, 1), "", "malformed YAML: did not find expected node content"}},
		"tab indentation":           {"x: 1\n\ty: 2\n", Error{at(2, 1), "", "malformed YAML: found a tab character that violates indentation"}},
		"tab at the start":          {"\tx: 1\n", Error{at(1, 1), "", "malformed YAML: found character that cannot start any token"}},
		"unterminated quote":        {"a: 'x\n", Error{at(2, 1), "", "malformed YAML: found unexpected end of stream"}},
		"unknown anchor":            {"a: *nope\n", Error{Message: "malformed YAML: unknown anchor 'nope' referenced"}},
		"duplicate key":             {"id: x\nlegal_basis: contract\nlegal_basis: consent\n", Error{at(3, 1), "/legal_basis", "duplicate key"}},
		"nested duplicate key":      {"a:\n  b: 1\n  b: 2\n", Error{at(3, 3), "/a/b", "duplicate key"}},
		"duplicate, quoted":         {"a: 1\n'a': 2\n", Error{at(2, 1), "/a", "duplicate key"}},
		"duplicate in a list":       {"- {k: 1, k: 2}\n", Error{at(1, 10), "/0/k", "duplicate key"}},
		"duplicate via alias":       {"&k a: 1\n*k : 2\n", Error{at(1, 1), "/a", "duplicate key"}},
		"merge key":                 {"id: x\n<<: {legal_basis: contract}\n", Error{at(2, 1), "", "YAML merge keys (<<) are not supported; write the keys out"}},
		"nested merge key":          {"base: &b {k: v}\nx:\n  <<: *b\n", Error{at(3, 3), "/x", "YAML merge keys (<<) are not supported; write the keys out"}},
		"sequence key":              {"? [a]\n: 1\n", Error{at(1, 3), "", "a key must be a string"}},
		"flow sequence key":         {"[a]: 1\n", Error{at(1, 1), "", "a key must be a string"}},
		"mapping key":               {"x:\n  ? {a: 1}\n  : 2\n", Error{at(2, 5), "/x", "a key must be a string"}},
		"integer key":               {"1: a\n", Error{at(1, 1), "", "a key must be a string"}},
		"boolean key":               {"x:\n  true: a\n", Error{at(2, 3), "/x", "a key must be a string"}},
		"null key":                  {"~: a\n", Error{at(1, 1), "", "a key must be a string"}},
		"empty key":                 {"? \n: a\n", Error{at(1, 2), "", "a key must be a string"}},
		"float key":                 {"- 1.5: a\n", Error{at(1, 3), "/0", "a key must be a string"}},
		"timestamp key":             {"2026-01-01: a\n", Error{at(1, 1), "", "a key must be a string"}},
		"NaN":                       {"a: .nan\n", Error{at(1, 4), "/a", "not a finite number"}},
		"NaN, capitalised":          {"a: .NaN\n", Error{at(1, 4), "/a", "not a finite number"}},
		"infinity":                  {"a: .inf\n", Error{at(1, 4), "/a", "not a finite number"}},
		"minus infinity":            {"a: [1, -.Inf]\n", Error{at(1, 8), "/a/1", "not a finite number"}},
		"plus infinity":             {"a: +.inf\n", Error{at(1, 4), "/a", "not a finite number"}},
		"above int64":               {"subject: {age: 9223372036854775808}\n", Error{at(1, 16), "/subject/age", "integer out of range"}},
		"uint64 max":                {"a: 18446744073709551615\n", Error{at(1, 4), "/a", "integer out of range"}},
		"hex above int64":           {"a: 0xFFFFFFFFFFFFFFFF\n", Error{at(1, 4), "/a", "integer out of range"}},
		"leading zero above int64":  {"a: 01777777777777777777777\n", Error{at(1, 4), "/a", "integer out of range"}},
		"custom tag":                {"a: !thing x\n", Error{at(1, 4), "/a", "unsupported YAML tag on a scalar (tags are not read: leave it out)"}},
		"tag on a sequence":         {"a: !secret [x]\n", Error{at(1, 4), "/a", "unsupported YAML tag on a sequence (tags are not read: leave it out)"}},
		"tag on a mapping":          {"a: !secret {x: 1}\n", Error{at(1, 4), "/a", "unsupported YAML tag on a mapping (tags are not read: leave it out)"}},
		"tag on a block mapping":    {"a: !secret\n  x: 1\n", Error{at(1, 4), "/a", "unsupported YAML tag on a mapping (tags are not read: leave it out)"}},
		"tag on a document":         {"--- !shell\nx: 1\n", Error{at(1, 5), "", "unsupported YAML tag on a mapping (tags are not read: leave it out)"}},
		"tag on an empty document":  {"--- !shell\n", Error{at(1, 5), "", "unsupported YAML tag on a scalar (tags are not read: leave it out)"}},
		"ordered map tag":           {"a: !!omap [x: 1]\n", Error{at(1, 4), "/a", "unsupported YAML tag on a sequence (tags are not read: leave it out)"}},
		"invalid UTF-8":             {"a: \xff\n", Error{at(1, 4), "", "invalid UTF-8"}},
		"invalid UTF-8, line 2":     {"x: 1\ny: é\xff\n", Error{at(2, 5), "", "invalid UTF-8"}},
		"truncated UTF-8":           {"x: \xc3", Error{at(1, 4), "", "invalid UTF-8"}},
		"NUL in a key":              {"a\x00b: 1\n", Error{at(1, 2), "", "NUL byte in the document"}},
		"NUL in a quoted string":    {"x: 1\ny: \"a\x00b\"\n", Error{at(2, 6), "", "NUL byte in the document"}},
		"NUL in a comment":          {"x: 1 # \x00\n", Error{at(1, 8), "", "NUL byte in the document"}},
		"error in a later document": {"a: 1\n---\nb: 1\nb: 2\n", Error{at(4, 1), "/b", "duplicate key"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseYAML([]byte(tc.src), Options{Positions: true})
			docError(t, err, tc.want)
			_, err = ParseYAML([]byte(tc.src), Options{})
			docError(t, err, tc.want)
		})
	}
}

func TestRecursiveAliasIsBounded(t *testing.T) {
	_, err := ParseYAML([]byte("a: &a [*a]\n"), Options{})
	docError(t, err, Error{at(1, 4), "/a" + strings.Repeat("/0", 31), "nesting deeper than 32 levels"})
}

func TestDepthLimit(t *testing.T) {
	nestJSON := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	nestObj := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	nestYAML := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat("  ", i) + "a:\n")
		}
		b.WriteString(strings.Repeat("  ", n) + "b: 1\n")
		return b.String()
	}

	// The default limit: 32 levels pass, 33 do not.
	_, err := ParseJSON([]byte(nestJSON(DefaultMaxDepth)), Options{})
	require.NoError(t, err)
	_, err = ParseJSON([]byte(nestJSON(DefaultMaxDepth+1)), Options{})
	docError(t, err, Error{at(1, 33), strings.Repeat("/0", 32), "nesting deeper than 32 levels"})
	_, err = ParseJSON([]byte(nestObj(DefaultMaxDepth+1)), Options{})
	docError(t, err, Error{at(1, 1+5*32), strings.Repeat("/a", 32), "nesting deeper than 32 levels"})
	_, err = ParseYAML([]byte(nestYAML(DefaultMaxDepth-1)), Options{})
	require.NoError(t, err, "31 nested keys and the mapping holding b: 32 levels")
	_, err = ParseYAML([]byte(nestYAML(DefaultMaxDepth)), Options{})
	docError(t, err, Error{at(33, 65), strings.Repeat("/a", 32), "nesting deeper than 32 levels"})

	// A chosen limit.
	_, err = ParseJSON([]byte(`[[[1]]]`), Options{MaxDepth: 3})
	require.NoError(t, err)
	_, err = ParseJSON([]byte(`[[[[1]]]]`), Options{MaxDepth: 3})
	docError(t, err, Error{at(1, 4), "/0/0/0", "nesting deeper than 3 levels"})
	_, err = ParseJSON([]byte(`{"a": {"b": {"c": {}}}}`), Options{MaxDepth: 3})
	docError(t, err, Error{at(1, 19), "/a/b/c", "nesting deeper than 3 levels"})
	_, err = ParseYAML([]byte("- [[1]]\n"), Options{MaxDepth: 3})
	require.NoError(t, err)
	_, err = ParseYAML([]byte("- [[[1]]]\n"), Options{MaxDepth: 3})
	docError(t, err, Error{at(1, 5), "/0/0/0", "nesting deeper than 3 levels"})

	// The deeply nested activity of the bad-input corpus.
	deep := `{"id": "x", "x": ` + nestJSON(100) + `}`
	_, err = ParseJSON([]byte(deep), Options{})
	docError(t, err, Error{at(1, 49), "/x" + strings.Repeat("/0", 31), "nesting deeper than 32 levels"})
}

func TestValueLimit(t *testing.T) {
	_, err := ParseJSON([]byte(`[1, 2]`), Options{MaxValues: 3})
	require.NoError(t, err, "the array and its two elements: 3 values")
	_, err = ParseJSON([]byte(`[1, 2, 3]`), Options{MaxValues: 3})
	docError(t, err, Error{at(1, 8), "/2", "the document holds too many values (limit 3)"})
	_, err = ParseJSON([]byte(`{"a": {"b": 1}}`), Options{MaxValues: 2})
	docError(t, err, Error{at(1, 13), "/a/b", "the document holds too many values (limit 2)"})

	_, err = ParseYAML([]byte("- 1\n- 2\n"), Options{MaxValues: 3})
	require.NoError(t, err)
	_, err = ParseYAML([]byte("- 1\n- 2\n- 3\n"), Options{MaxValues: 3})
	docError(t, err, Error{at(3, 3), "/2", "the document holds too many values, aliases expanded (limit 3)"})
	// Aliases count as what they expand to.
	_, err = ParseYAML([]byte("a: &x [1, 2, 3]\nb: *x\n"), Options{MaxValues: 7})
	docError(t, err, Error{at(1, 8), "/b/0", "the document holds too many values, aliases expanded (limit 7)"})
	// The limit is for the whole stream.
	_, err = ParseYAML([]byte("[1, 2]\n---\n[3, 4]\n"), Options{MaxValues: 5})
	docError(t, err, Error{at(3, 5), "/1", "the document holds too many values, aliases expanded (limit 5)"})

	// The default is large enough for a large manifest.
	big := "[" + strings.Repeat("1,", 100_000) + "1]"
	_, err = ParseJSON([]byte(big), Options{})
	require.NoError(t, err)
}

// billionLaughs builds an alias bomb: levels lists of nine aliases of the level before, 9^levels
// strings once expanded.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString(`a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]` + "\n")
	prev := "a"
	for i := 1; i < levels; i++ {
		name := string(rune('a' + i))
		b.WriteString(name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]\n")
		prev = name
	}
	return b.String()
}

func TestAliasBombFailsFast(t *testing.T) {
	bomb := []byte(billionLaughs(10)) // 9^10, some 3.5 billion values expanded
	start := time.Now()
	_, err := ParseYAML(bomb, Options{})
	docError(t, err, Error{at(1, 29), "/f/0/2/0/6/0/3", "YAML aliases expand to too many values (limit 100000)"})
	_, err = ParseYAML(bomb, Options{MaxValues: 1000})
	docError(t, err, Error{at(1, 4), "/c/8/7", "the document holds too many values, aliases expanded (limit 1000)"})
	assert.Less(t, time.Since(start), 10*time.Second, "refused without expanding")

	// A modest use of aliases within the limits is fine.
	docs, err := ParseYAML([]byte(billionLaughs(3)), Options{})
	require.NoError(t, err)
	assert.Len(t, docs[0].Value.(map[string]any)["c"].([]any), 9)
}

func TestErrorRendering(t *testing.T) {
	_, err := ParseJSON([]byte(`{"a": [1, oops]}`), Options{})
	assert.EqualError(t, err, "line 1, column 11: /a/1: invalid character where a JSON value was expected")
}

func TestClone(t *testing.T) {
	orig := map[string]any{"a": []any{map[string]any{"b": "c"}, json.Number("1")}, "n": nil}
	c := Clone(orig).(map[string]any)
	assert.Equal(t, orig, c)
	c["a"].([]any)[0].(map[string]any)["b"] = "changed"
	c["a"].([]any)[1] = "changed"
	c["new"] = true
	assert.Equal(t, "c", orig["a"].([]any)[0].(map[string]any)["b"])
	assert.Equal(t, json.Number("1"), orig["a"].([]any)[1])
	assert.NotContains(t, orig, "new")
	assert.Equal(t, "x", Clone("x"))
	assert.Nil(t, Clone(nil))
}

// Minified and pretty-printed JSON cost about the same: positions on one long line are linear.
func BenchmarkParseJSONWithPositions(b *testing.B) {
	item := `{"id": "act", "categories": ["email", "name"], "note": "é"}`
	for name, sep := range map[string]string{"one-line": ",", "pretty": ",\n"} {
		src := []byte("[" + strings.Repeat(item+sep, 5000) + item + "]")
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := ParseJSON(src, Options{Positions: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Known strings are returned as they are, as keys and as values; everything else (escapes,
// duplicates, errors and their positions) is as without them.
func TestParseJSONKnownStrings(t *testing.T) {
	t.Parallel()
	known := map[string]any{"id": "id", "purposes": "purposes", "email": "email"}
	for _, src := range []string{
		`{"id": "email", "purposes": ["email", "e\u006dail", "other"]}`,
		`{"id": "a", "id": "b"}`,
		`{"purposes": ["email"`,
		`{"email": "id\\"}`,
	} {
		want, wantErr := ParseJSON([]byte(src), Options{})
		got, gotErr := ParseJSON([]byte(src), Options{Known: known})
		if wantErr != nil {
			assert.Equal(t, wantErr.Error(), gotErr.Error(), src)
			continue
		}
		require.NoError(t, gotErr, src)
		assert.Equal(t, want.Value, got.Value, src)
	}
}
