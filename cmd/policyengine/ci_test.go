package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
)

// The GitHub Action's commands run as a user runs them: each policyengine check line of
// action.yml, with its inputs at their defaults plus the paths of the example workflow, is a
// command the CLI takes and decides the examples with; the install line and the check command
// are the ones the README shows.
func TestAction(t *testing.T) {
	t.Parallel()
	var action actionFile
	require.NoError(t, yaml.Unmarshal(mustRead(t, "../../action.yml"), &action))
	require.Equal(t, "composite", action.Runs.Using)
	readme := string(mustRead(t, "../../README.md"))

	var checks []string
	for _, step := range action.Runs.Steps {
		for _, line := range strings.Split(step.Run, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "go install ") {
				// The README installs as the action does: from a clone, or by module path.
				assert.Regexp(t, `(?m)^go install (\./cmd/policyengine|"?github\.com/confect/policyengine/cmd/policyengine@)`, line)
				assert.Contains(t, readme, "\ngo install ./cmd/policyengine ")
				assert.Contains(t, readme, "\ngo install github.com/confect/policyengine/cmd/policyengine@main ")
			}
			if !strings.HasPrefix(line, "policyengine check ") {
				continue
			}
			checks = append(checks, line)
			cmd, _, _ := strings.Cut(line, " > ")
			cmd, _, _ = strings.Cut(cmd, " || ")
			args := strings.Fields(strings.NewReplacer("$ARGS", "--now "+now, "$PATHS", exampleManifests).Replace(cmd))[1:]
			code, stdout, stderr := runCLI(t, args...)
			assert.Equal(t, 1, code, "%s: the examples hold denials\n%s", line, stderr)
			assert.NotEmpty(t, stdout, line)
			format := args[slices.Index(args, "--output")+1]
			assert.Contains(t, output.Formats(output.Check), format)
			assert.Contains(t, readme, "policyengine check --output "+format, "the README shows the action's %s run", format)
		}
	}
	assert.Len(t, checks, 2, "SARIF for code scanning, annotations for the pull request")

	// The example workflow uses the action, and the inputs it gives are the action's.
	var workflow struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(mustRead(t, "../../examples/ci/github-actions.yml"), &workflow))
	used := false
	for _, step := range workflow.Jobs["policyengine"].Steps {
		if step.Uses == "./" {
			used = true
			for in := range step.With {
				assert.Contains(t, action.Inputs, in)
			}
		}
	}
	assert.True(t, used, "the example workflow uses the action")
	assert.Contains(t, readme, "uses: confect/policyengine@")
}

// The pre-commit hooks run commands the CLI has, and the example config names a hook that exists.
func TestPreCommitHooks(t *testing.T) {
	var hooks []struct {
		ID            string `yaml:"id"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		PassFilenames bool   `yaml:"pass_filenames"`
	}
	require.NoError(t, yaml.Unmarshal(mustRead(t, "../../.pre-commit-hooks.yaml"), &hooks))
	require.NotEmpty(t, hooks)
	ids := map[string]bool{}
	for _, h := range hooks {
		ids[h.ID] = true
		assert.Equal(t, "golang", h.Language)
		args := strings.Fields(h.Entry)
		require.Equal(t, "policyengine", args[0])
		code, _, stderr := runCLI(t, append(args[1:], "--help")...)
		assert.Equal(t, 0, code, "%s: %s", h.ID, stderr)
	}
	var config struct {
		Repos []struct {
			Hooks []struct {
				ID string `yaml:"id"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	require.NoError(t, yaml.Unmarshal(mustRead(t, "../../examples/ci/pre-commit-config.yaml"), &config))
	for _, r := range config.Repos {
		for _, h := range r.Hooks {
			assert.True(t, ids[h.ID], h.ID)
		}
	}

	// The hook decides what the project's config lists: with the example config in a project.
	root := project(t, string(mustRead(t, "../../examples/ci/policyengine.yaml")))
	write(t, root, "manifests/shop.json", allowed)
	t.Chdir(root)
	code, stdout, stderr := runCLI(t, hooks[0].Entry[len("policyengine "):], "--now", now)
	assert.Equal(t, 0, code, stdout+stderr)
	assert.Contains(t, stdout, "1 activity in 1 file: 1 allowed")
}

// The config file's schema and the config the CLI reads have the same keys, and the example
// config is valid YAML with only those keys.
func TestConfigSchema(t *testing.T) {
	t.Parallel()
	var s struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(mustRead(t, "../../schema/config.schema.json"), &s))
	var keys, tags []string
	for k := range s.Properties {
		keys = append(keys, k)
	}
	ct := reflect.TypeFor[config]()
	for i := range ct.NumField() {
		if tag := ct.Field(i).Tag.Get("yaml"); tag != "" {
			tags = append(tags, tag)
		}
	}
	sort.Strings(keys)
	sort.Strings(tags)
	assert.Equal(t, tags, keys)
	assert.Equal(t, output.Formats(output.Check), sorted(s.Properties["output"].Enum))
	assert.Equal(t, sorted(check.Formats()), sorted(s.Properties["input_format"].Enum))
	assert.Equal(t, sorted(check.Formats()), sorted(s.Properties["format"].Enum))
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

// The README's first screen works as written: its manifest (with the editor modeline) in the
// place its .policyengine.yaml lists, and a bare check decides it.
func TestReadmeFirstScreen(t *testing.T) {
	readme := string(mustRead(t, "../../README.md"))
	block := func(first string) string {
		i := strings.Index(readme, "```yaml\n"+first)
		require.GreaterOrEqual(t, i, 0, "the README has a yaml block starting %q", first)
		rest := readme[i+len("```yaml\n"):]
		return rest[:strings.Index(rest, "```")]
	}
	manifest := block("# yaml-language-server: $schema=")
	var m struct {
		Schema string `json:"$id"`
	}
	require.NoError(t, json.Unmarshal(mustRead(t, "../../schema/manifest.schema.json"), &m))
	assert.Contains(t, manifest, "$schema="+m.Schema, "the modeline names the schema's $id")
	assert.Contains(t, readme, `"$schema": "`+m.Schema+`"`)

	root := t.TempDir()
	write(t, root, ".policyengine.yaml", block("# .policyengine.yaml"))
	write(t, root, "manifests/checkout.yaml", manifest)
	write(t, root, ".github/workflows/privacy.yml", block("# .github/workflows/privacy.yml"))
	t.Chdir(filepath.Join(root, ".github"))
	code, stdout, stderr := runCLI(t, "check")
	assert.Equal(t, 0, code, stdout+stderr)
	assert.Contains(t, stdout, "1 activity in 1 file: 1 allowed")
}
