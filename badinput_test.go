package policyengine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// badInput is the exact error each file of testdata/bad-input must produce, as "line:column
// pointer: message" (the place left out where there is none). Nothing is ever allowed.
var badInput = map[string][]string{
	"alias-bomb.yaml":            {"1:29 /f/0/2/0/6/0/3: YAML aliases expand to too many values (limit 100000)"},
	"bad-duration-and-date.json": {"1:145 /consent/given_at: expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z", "1:90 /retention/period: expected an ISO 8601 duration such as P6M or P2Y"},
	"deeply-nested.json":         {"1:49 /x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: nesting deeper than 32 levels"},
	"duplicate-key.json":         {"5:3 /id: duplicate key"},
	"duplicate-key.yaml":         {"5:1 /legal_basis: duplicate key"},
	"empty.json":                 {"1:1 the document is empty"},
	"empty.yaml":                 {"the document is empty"},
	"malformed.yaml":             {"2:1 malformed YAML: did not find expected ',' or ']'"},
	"merge-key.yaml":             {"4:1 YAML merge keys (<<) are not supported; write the keys out"},
	"non-utf8.json":              {"1:12 /id: invalid UTF-8 in a string"},
	"not-an-activity.json":       {"1:1 expected an activity, a list of activities or {activities: [...]}"},
	"nul-byte.json":              {"2:19 /description: NUL byte in the document"},
	"number-out-of-range.json":   {"1:88 /subject/age: out of range: must be <= 150"},
	"number-out-of-range.yaml":   {"4:11 /subject/age: out of range: must be <= 150"},
	"truncated.json":             {"3:1 /purposes: unexpected end of JSON inside an array"},
	"unknown-key.json":           {"1:76 /owner: unknown key: not part of the format"},
	"wrong-types.json":           {"1:13 /data_categories: expected array, but got string", "1:74 /profiling: expected boolean, but got string"},
}

func located(line, col int, path, msg string) string {
	s := msg
	if path != "" {
		s = path + ": " + msg
	}
	if line > 0 {
		s = fmt.Sprintf("%d:%d %s", line, col, s)
	}
	return s
}

func TestBadInputCorpus(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	files, err := filepath.Glob("testdata/bad-input/*")
	require.NoError(t, err)
	require.Len(t, files, len(badInput), "every file of the corpus has its expected error, and every expectation its file")
	for _, file := range files {
		want, ok := badInput[filepath.Base(file)]
		require.True(t, ok, file)
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			rep, err := check.Run(context.Background(), e, []string{file}, check.Options{})
			require.NoError(t, err)
			require.Len(t, rep.Results, 1)
			r := rep.Results[0]
			assert.False(t, r.Allow)
			var got []string
			for _, p := range r.Errors {
				got = append(got, located(p.Line, p.Column, p.Pointer, p.Message))
			}
			assert.Equal(t, want, got)

			// A JSON document fails EvaluateJSON the same way, and the decision denies.
			if strings.HasSuffix(file, ".json") {
				data, err := os.ReadFile(file)
				require.NoError(t, err)
				d, err := e.EvaluateJSON(context.Background(), data)
				assert.False(t, d.Allow)
				if filepath.Base(file) == "not-an-activity.json" {
					assert.ErrorContains(t, err, "expected object, but got string")
					return
				}
				require.ErrorIs(t, err, policyengine.ErrInvalidInput)
				var evalGot []string
				for _, p := range problem.All(err) {
					evalGot = append(evalGot, located(p.Line, p.Column, p.Pointer, p.Message))
				}
				for i := range want {
					// EvaluateJSON knows lines for syntax errors, not for schema errors.
					assert.True(t, strings.HasSuffix(want[i], evalGot[i]), "%q vs %q", want[i], evalGot[i])
				}
			}
		})
	}
}

// Limits on size, nesting and activities per manifest are options with safe defaults.
func TestManifestLimits(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	dir := t.TempDir()
	one := `{"id": "a%d", "data_categories": ["email"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P1Y"}}`
	var items []string
	for i := 0; i < 11; i++ {
		items = append(items, fmt.Sprintf(one, i))
	}
	many := filepath.Join(dir, "many.json")
	require.NoError(t, os.WriteFile(many, []byte("["+strings.Join(items, ",")+"]"), 0o644))

	rep, err := check.Run(context.Background(), e, []string{many}, check.Options{Manifest: manifest.Options{MaxActivities: 10}})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	assert.Equal(t, "more than 10 activities in one manifest", rep.Results[0].Errors[0].Message)

	rep, err = check.Run(context.Background(), e, []string{many}, check.Options{Manifest: manifest.Options{MaxBytes: 100}})
	require.NoError(t, err)
	assert.Regexp(t, `^the manifest is \d+ bytes, more than the limit of 100$`, rep.Results[0].Errors[0].Message)

	rep, err = check.Run(context.Background(), e, []string{"-"}, check.Options{Stdin: strings.NewReader(strings.Repeat(" ", 101)), Manifest: manifest.Options{MaxBytes: 100}})
	require.NoError(t, err)
	assert.Equal(t, "the manifest is 101 bytes, more than the limit of 100", rep.Results[0].Errors[0].Message)

	rep, err = check.Run(context.Background(), e, []string{many}, check.Options{})
	require.NoError(t, err)
	assert.Equal(t, 11, rep.Summary.Allowed, "the defaults admit ordinary manifests")

	// A huge document fails EvaluateJSON fast on its size.
	d, err := e.EvaluateJSON(context.Background(), []byte(`{"id":"a","description":"`+strings.Repeat("x", 2<<20)+`"}`))
	assert.False(t, d.Allow)
	assert.ErrorContains(t, err, "more than the limit of 1048576")
}

// No value of a bad input appears in its error: values may be personal data.
func TestBadInputErrorsDoNotEchoValues(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	secret := "Grace Hopper 555-0199"
	for _, doc := range []string{
		`{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "retention": {"period": "` + secret + `"}}`,
		`{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "subject": {"last_activity_at": "` + secret + `"}}`,
		`{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "role": "` + secret + `"}`,
		`{"id": "x", "data_categories": ["email"], "purposes": ["purchase.orders"], "recipients": [{"name": "n", "type": "subprocessor", "country": "` + secret + `"}]}`,
		`{"id": "x", "data_categories": ["` + secret + `"], "purposes": ["purchase.orders"]}`,
		`{"id": "x", "description": "` + secret + `", "data_categories": ["email"], "purposes": ["purchase.orders"], "subject": {"age": 999}}`,
		`{"id": "x", "description": "` + secret + `"`,
		`{"id": "x", "description": "` + secret + "\x00" + `"}`,
	} {
		_, err := e.EvaluateJSON(context.Background(), []byte(doc))
		require.Error(t, err, doc)
		assert.NotContains(t, err.Error(), "Grace", doc)
		assert.NotContains(t, err.Error(), "0199", doc)
		assert.NotContains(t, err.Error(), "999", doc)
	}
}
