package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/opatest"
)

// A repository as issue 23 found it: a config that lists the manifests and ignores test
// fixtures, a broken fixture under testdata/, and a Fides project outside the manifests globs.
func gatedRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write(t, root, ".policyengine.yaml", "manifests: [\"services/**\"]\nignore: [\"**/testdata/**\"]\n")
	write(t, root, "services/shop/privacy.yaml", "id: checkout\ndata_categories: [name]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P5Y, from: end_of_contract}\n")
	write(t, root, "services/leads/privacy.json", denied)
	write(t, root, "services/leads/testdata/broken.yaml", "id: [\n")
	write(t, root, ".fides/systems.yml", string(mustRead(t, "../../check/testdata/fides/project/systems.yml")))
	write(t, root, ".fides/datasets.yml", string(mustRead(t, "../../check/testdata/fides/project/datasets.yml")))
	write(t, root, ".fides/taxonomy.yml", string(mustRead(t, "../../check/testdata/fides/project/taxonomy.yml")))
	return root
}

// bundleDeclarations are the ids of the declarations a bundle gives OPA servers.
func bundleDeclarations(t *testing.T, file string) []string {
	t.Helper()
	var ids []string
	for name, content := range opatest.Files(t, mustRead(t, file)) {
		if filepath.Base(name) != "data.json" {
			continue
		}
		var data map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(content, &data))
		var decls struct {
			Activities map[string]any `json:"activities"`
		}
		if raw, ok := data[bundle.DeclarationsRoot]; ok {
			require.NoError(t, json.Unmarshal(raw, &decls))
		}
		for id := range decls.Activities {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Every command that reads manifests reads the same files the same way: with no path, the
// config's manifests globs; the config's ignore in every walk; a directory named whatever the
// globs say; a file named always.
func TestEveryCommandReadsTheSameFiles(t *testing.T) {
	root := gatedRepo(t)
	t.Chdir(filepath.Join(root, "services"))

	// No path: the manifests the config lists, the broken fixture ignored, by every command.
	code, stdout, stderr := runCLI(t, "check", "--now", now, "-o", "json")
	assert.Equal(t, 1, code, "the real denial, not the broken fixture: %s", stderr)
	assert.Contains(t, stdout, `"activities": 2`)
	assert.NotContains(t, stdout, "broken.yaml")

	code, stdout, stderr = runCLI(t, "ropa", "--now", now, "-o", "csv")
	assert.Equal(t, 0, code, stderr)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 3, "a header and the two declarations")
	assert.NotContains(t, stdout, "broken.yaml")

	code, stdout, stderr = runCLI(t, "diff", "--now", now)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "2 activities: 0 newly denied")

	bundle := filepath.Join(root, "bundle.tar.gz")
	code, _, stderr = runCLI(t, "bundle", "build", "-o", bundle, "--declarations", ".")
	assert.Equal(t, 0, code, "the broken fixture is ignored: %s", stderr)
	assert.Equal(t, []string{"checkout", "no-basis"}, bundleDeclarations(t, bundle))

	// --declarations given twice keeps both, a file named among them.
	code, _, stderr = runCLI(t, "bundle", "build", "-o", bundle, "--declarations", "shop", "--declarations", "leads/privacy.json")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, []string{"checkout", "no-basis"}, bundleDeclarations(t, bundle))

	// The same flags on every command: --ignore leaves a directory out of each.
	for _, args := range [][]string{
		{"check", "--ignore", "leads"},
		{"ropa", "--ignore", "leads"},
		{"diff", "--ignore", "leads"},
	} {
		code, stdout, stderr := runCLI(t, append(args, "--now", now, "-o", "json")...)
		assert.Equal(t, 0, code, "%v: %s", args, stderr)
		assert.NotContains(t, stdout, "no-basis", "%v", args)
	}
	code, _, stderr = runCLI(t, "bundle", "build", "-o", bundle, "--declarations", ".", "--ignore", "leads")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, []string{"checkout"}, bundleDeclarations(t, bundle))

	// A directory named is read whatever the manifests globs say: the README's Fides command.
	code, stdout, stderr = runCLI(t, "check", "--now", now, "../.fides/")
	assert.Equal(t, 1, code, "its denials: %s", stderr)
	assert.Contains(t, stdout, "7 activities in 3 files")

	// The config's ignore applies to a directory named too: nothing is left to read, and every
	// command says so, naming the pattern and the config.
	for _, args := range [][]string{
		{"check", "--now", now, "leads/testdata"},
		{"ropa", "--now", now, "leads/testdata"},
		{"diff", "--now", now, "leads/testdata"},
		{"bundle", "build", "-o", bundle, "--declarations", "leads/testdata"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stdout)
		assert.Contains(t, stderr, `no activity found in leads/testdata: nothing was `, "%v", args)
		assert.Contains(t, stderr, `ignore pattern "**/testdata/**" of "../.policyengine.yaml" left out "leads/testdata/broken.yaml"`, "%v", args)
		code, _, stderr = runCLI(t, append(args, "--allow-empty")...)
		assert.Equal(t, 0, code, "%v --allow-empty: %s", args, stderr)
	}

	// A file named is always read, ignored or not.
	code, stdout, _ = runCLI(t, "check", "--now", now, "leads/testdata/broken.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, "malformed YAML")
	code, _, stderr = runCLI(t, "bundle", "build", "-o", bundle, "--declarations", "leads/testdata/broken.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "broken.yaml")
}

// When a walk finds nothing, the message says what left what out, every name escaped.
func TestWhyNothingWasChecked(t *testing.T) {
	root := gatedRepo(t)
	t.Chdir(root)
	for name, tc := range map[string]struct {
		config string
		args   []string
		want   []string
	}{
		"the manifests globs match nothing": {
			config: "manifests: [\"manifests/**\"]\n",
			want:   []string{`no activity found in .: nothing was checked`, `the manifests globs ("manifests/**") of ".policyengine.yaml" left out 6 paths, the first ".fides/datasets.yml"`},
		},
		"an ignore pattern of the command line": {
			args: []string{"--ignore", "privacy.*", "services/shop"},
			want: []string{`ignore pattern "privacy.*" left out "services/shop/privacy.yaml"`},
		},
		"the include patterns of the command line": {
			config: "manifests: [\"services/**\"]\n",
			args:   []string{"--include", "**/*.yml", "services"},
			want:   []string{`the include patterns ("**/*.yml") left out 3 paths, the first "services/leads/privacy.json"`},
		},
		"no path, and no config": {
			args: []string{"--config", "none", "--ignore", "services", "--ignore", ".fides"},
			want: []string{`check needs at least one PATH`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.config != "" {
				write(t, root, ".policyengine.yaml", tc.config)
			}
			code, _, stderr := runCLI(t, append([]string{"check", "--now", now}, tc.args...)...)
			assert.Equal(t, 2, code)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}

	empty := t.TempDir()
	write(t, empty, "notes.txt", "not a manifest")
	code, _, stderr := runCLI(t, "check", "--config", "none", empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `files not named .json, .yaml or .yml left out "`+filepath.Join(empty, "notes.txt")+`"`)
	code, _, stderr = runCLI(t, "check", "--config", "none", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "(no .json, .yaml or .yml file there; --allow-empty to accept that)")
	write(t, empty, ".github/privacy.yaml", allowed)
	code, _, stderr = runCLI(t, "check", "--config", "none", empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `hidden directories (walked only when named) left out "`+filepath.Join(empty, ".github")+`"`)
	write(t, empty, "empty.yaml", "activities: []\n")
	code, _, stderr = runCLI(t, "check", "--config", "none", filepath.Join(empty, "empty.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "(the files read hold no activity; --allow-empty to accept that)")

	// A name with control characters is quoted with escapes, never printed raw.
	odd := t.TempDir()
	write(t, odd, "x\x1b[31m\ny/a.yaml", allowed)
	code, _, stderr = runCLI(t, "check", "--config", "none", "--ignore", "x*", odd)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `left out "`+filepath.Join(odd, `x\x1b[31m\ny`)+`"`)
	assert.NotContains(t, stderr, "\x1b")
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	write(t, odd, "z\n::error::w/a.yaml", allowed)
	code, _, stderr = runCLI(t, "check", "--config", "none", "--ignore", "*", odd)
	assert.Equal(t, 2, code)
	assert.NotContains(t, stderr, "\n::", "no workflow command at the start of a line: %q", stderr)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
}

// export fides and import fides read files as every other command does: export with no path
// reads the manifests the config lists, and the config's ignore applies to both.
func TestFidesCommandsReadTheSameFiles(t *testing.T) {
	root := t.TempDir()
	write(t, root, ".policyengine.yaml", "manifests: [\"services/**\"]\nignore: [\"**/testdata/**\"]\n")
	write(t, root, "services/shop/privacy.yaml", "id: checkout\ndata_categories: [name]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P5Y, from: end_of_contract}\n")
	write(t, root, "services/shop/testdata/broken.yaml", "id: [\n")
	t.Chdir(root)

	code, stdout, stderr := runCLI(t, "export", "fides", "-o", "fides")
	require.Equal(t, 0, code, "no path: the config's manifests, the fixture ignored: %s", stderr)
	assert.Contains(t, stdout, "fides/privacy.yml: 1 declaration from services/shop/privacy.yaml")
	assert.Contains(t, stdout, "1 activity written as privacy declarations to 1 Fides file")

	code, stdout, stderr = runCLI(t, "import", "fides", "-o", "back", "fides")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "1 declaration written to 1 manifest")

	code, _, stderr = runCLI(t, "import", "fides", "-o", "back", "--ignore", "privacy.*", "fides")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `no activity found in fides: nothing was imported (ignore pattern "privacy.*" left out "fides/privacy.yml"`)
	code, _, stderr = runCLI(t, "export", "fides", "-o", "fides", "services/shop/testdata")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `ignore pattern "**/testdata/**" of ".policyengine.yaml" left out "services/shop/testdata/broken.yaml"`)
	code, _, stderr = runCLI(t, "import", "fides", "-o", "back")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "import fides needs at least one PATH")
}

// A directory named beside others that gave files, whose own walk gives none, is not passed
// over in silence: every command that reads manifests says which pattern left out what it holds.
func TestWhyAPathGaveNothing(t *testing.T) {
	root := gatedRepo(t)
	write(t, root, "docs/notes.txt", "not a manifest")
	t.Chdir(root)
	paths := []string{"services/shop", "services/leads/testdata", "docs"}
	for _, args := range [][]string{
		append([]string{"check", "--now", now}, paths...),
		append([]string{"ropa", "--now", now}, paths...),
		append([]string{"diff", "--now", now}, paths...),
		{"bundle", "build", "-o", filepath.Join(t.TempDir(), "b.tar.gz"), "--declarations", paths[0], "--declarations", paths[1], "--declarations", paths[2]},
	} {
		code, stdout, stderr := runCLI(t, args...)
		assert.NotEqual(t, 2, code, "%s: the files found are read: %s%s", args[0], stdout, stderr)
		assert.NotContains(t, stderr, "no file found in services/shop", args[0])
		assert.Contains(t, stderr, "policyengine: no file found in services/leads/testdata: ignore pattern \"**/testdata/**\" of \".policyengine.yaml\" left out \"services/leads/testdata/broken.yaml\"\n", args[0])
		assert.Contains(t, stderr, "policyengine: no file found in docs: files not named .json, .yaml or .yml left out \"docs/notes.txt\"\n", args[0])
	}
}
