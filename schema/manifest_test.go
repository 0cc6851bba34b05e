package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/schema"
)

// The manifest schema, as an editor fetches it: from its $id, the activity schema beside it.
func manifestSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	var m struct {
		ID string `json:"$id"`
	}
	require.NoError(t, json.Unmarshal(schema.ManifestSchema(), &m))
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	require.NoError(t, c.AddResource(m.ID, bytes.NewReader(schema.ManifestSchema())))
	require.NoError(t, c.AddResource(strings.TrimSuffix(m.ID, "manifest.schema.json")+"activity.schema.json", bytes.NewReader(schema.ActivitySchema())))
	s, err := c.Compile(m.ID)
	require.NoError(t, err)
	return s
}

func decodeFile(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if filepath.Ext(path) == ".json" {
		var v any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		require.NoError(t, d.Decode(&v))
		return []any{v}
	}
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		// Through JSON, as an editor's YAML support does.
		js, err := json.Marshal(v)
		require.NoError(t, err)
		var back any
		require.NoError(t, json.Unmarshal(js, &back))
		docs = append(docs, back)
	}
	return docs
}

// Every example manifest is valid under the manifest schema, in each of its three forms, with or
// without $schema; what is not a manifest is refused.
func TestManifestSchema(t *testing.T) {
	s := manifestSchema(t)
	files, err := filepath.Glob("../examples/manifests/*")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		for _, doc := range decodeFile(t, f) {
			assert.NoError(t, s.Validate(doc), f)
		}
	}
	lone := `{"$schema": "x", "id": "a", "data_categories": ["email"], "purposes": ["purchase.orders"]}`
	for _, ok := range []string{
		lone,
		`[` + lone + `]`,
		`{"$schema": "x", "activities": [` + lone + `]}`,
	} {
		assert.NoError(t, s.Validate(decode(t, ok)), ok)
	}
	for _, bad := range []string{
		`{"id": "a"}`,
		`{"activities": [{"id": "a"}]}`,
		`{"activities": [], "owner": "x"}`,
		`[1]`,
		`"activity"`,
	} {
		assert.Error(t, s.Validate(decode(t, bad)), bad)
	}
}
