package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A project like the one the README shows: manifests beside workflow, OPA and test files that
// are not manifests, a .policyengine.yaml at its root.
func project(t *testing.T, config string) string {
	t.Helper()
	root := t.TempDir()
	write(t, root, "services/shop/privacy.yaml", "id: checkout\ndata_categories: [name]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P5Y, from: end_of_contract}\n")
	write(t, root, "services/leads/privacy.json", warned)
	write(t, root, "services/leads/testdata/broken.yaml", "id: [\n")
	write(t, root, ".github/workflows/ci.yml", "on: push\njobs: {}\n")
	write(t, root, "deploy/opa-config.yaml", "services: {}\n")
	if config != "" {
		write(t, root, ".policyengine.yaml", config)
	}
	return root
}

func TestConfigFile(t *testing.T) {
	// Without a config, a walk of the whole repository reads files that are not manifests.
	root := project(t, "")
	t.Chdir(root)
	code, _, _ := runCLI(t, "check", "--now", now, ".")
	assert.Equal(t, 2, code)

	root = project(t, `# the manifests of this repository
manifests: ["services/*/privacy.*"]
ignore: ["**/testdata/**"]
fail_on_warn: true
output: table
`)
	t.Chdir(filepath.Join(root, "services", "shop")) // found by walking up
	code, stdout, stderr := runCLI(t, "check", "--now", now)
	assert.Equal(t, 1, code, stderr, "fail_on_warn from the config")
	assert.Contains(t, stdout, "PLACE", "output from the config")
	assert.Contains(t, stdout, filepath.Join("..", "..", "services", "shop", "privacy.yaml")+":1")
	assert.Contains(t, stdout, filepath.Join("..", "..", "services", "leads", "privacy.json")+":1")
	assert.Contains(t, stdout, "2 activities in 2 files: 2 allowed, 0 denied, 0 errors, 1 warning")

	// A directory named is walked whatever the manifests globs say; the config's ignore still
	// applies, and flags win over the config.
	code, stdout, stderr = runCLI(t, "check", "--now", now, "--fail-on-warn=false", "-o", "text", "../..")
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stdout, filepath.Join("..", "..", "deploy", "opa-config.yaml"), "not a manifest, but named by the walk")
	assert.NotContains(t, stdout, "broken.yaml", "ignored")
	assert.NotContains(t, stdout, "ci.yml", "hidden directories are not walked")
	code, stdout, stderr = runCLI(t, "check", "--now", now, "--fail-on-warn=false", "-o", "text", "--ignore", "deploy", "../..")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "allow  checkout")
	code, stdout, _ = runCLI(t, "check", "--now", now, "--include", "**/shop/*", "-o", "json", "../..")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, `"activities": 1`)
	code, _, _ = runCLI(t, "check", "--now", now, "--config", "none", "../..")
	assert.Equal(t, 2, code, "no config: the walk reads everything")
	code, _, stderr = runCLI(t, "check", "--now", now, "--config", "none")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "check needs at least one PATH")

	// A file named as a path is read whatever the globs say.
	code, stdout, _ = runCLI(t, "check", "--now", now, "-o", "text", "../leads/testdata/broken.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, "malformed YAML")
}

func TestConfigFileErrors(t *testing.T) {
	for name, tc := range map[string]struct{ config, want string }{
		"an unknown key":           {"output: text\nmanifest: [a]\n", `.policyengine.yaml:2: unknown key "manifest" (did you mean "manifests"?) (the keys are policy, manifests, ignore, output, fail_on_warn, allow_empty, input_format)`},
		"a wrong type":             {"fail_on_warn: sometimes\n", `.policyengine.yaml:1: expected true or false`},
		"bad YAML":                 {"manifests: [a\n", `.policyengine.yaml:1: `},
		"an unknown format":        {"output: xml\nmanifests: [services]\n", `--output: unknown format "xml" (want one of github, html, json, junit, sarif, table, text)`},
		"a policy that is not one": {"policy: services\nmanifests: [services]\n", filepath.Join("services")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Chdir(project(t, tc.config))
			code, stdout, stderr := runCLI(t, "check", "--now", now)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, "sometimes", "no value is quoted")
			assert.Empty(t, stdout)
		})
	}

	code, _, stderr := runCLI(t, "check", "--config", filepath.Join(t.TempDir(), "missing.yaml"), ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "missing.yaml")
	require.NotEmpty(t, stderr)
}

// The commands that read the policy (vocabulary, rules, explain, version) use the config file's
// policy when --policy is not given.
func TestConfigFilePolicy(t *testing.T) {
	root := project(t, "policy: policies/brightpath\nmanifests: [services]\nignore: [testdata]\n")
	for _, name := range []string{"policy.yaml", "minors.rego"} {
		write(t, root, filepath.Join("policies", "brightpath", name), string(mustRead(t, filepath.Join(brightpathPolicy, name))))
	}
	t.Chdir(filepath.Join(root, "services"))
	code, stdout, stderr := runCLI(t, "vocabulary")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "learning.courses")
	code, stdout, _ = runCLI(t, "explain", "minors.parental_consent")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "minors.parental_consent: ")
	code, stdout, _ = runCLI(t, "vocabulary", "--policy", "../../"+filepath.Base(root)+"/no-such-dir")
	assert.Equal(t, 2, code, stdout)
	code, stdout, _ = runCLI(t, "check", "--now", now, "-o", "json", "--allow-empty")
	assert.Equal(t, 1, code, "the brightpath policy does not know Confect's purposes")
	assert.Contains(t, stdout, `"purpose.unlisted"`)
}

// The config file's input_format says how the files are written, as --input-format does; the
// flag wins. The former names, format and --format, are still read.
func TestConfigFileFormat(t *testing.T) {
	const system = "system:\n  - fides_key: shop\n    system_type: Service\n    privacy_declarations:\n      - data_use: essential.service\n        data_categories: [user.contact.email]\n        data_subjects: [customer]\n        legal_basis_for_processing: Contract\n        retention_period: \"30\"\n"
	for name, tc := range map[string]struct {
		config string
		flags  []string
		want   int
		output string
	}{
		"fides from the file":            {"input_format: fides\n", nil, 0, "1 activity in 1 file"},
		"manifest from the file":         {"input_format: manifest\n", nil, 2, "/system: unknown key"},
		"auto from the file":             {"input_format: auto\n", nil, 0, "1 activity in 1 file"},
		"the flag wins over the file":    {"input_format: manifest\n", []string{"--input-format", "auto"}, 0, "1 activity in 1 file"},
		"the flag wins, the other way":   {"input_format: fides\n", []string{"--input-format", "manifest"}, 2, "/system: unknown key"},
		"the former key":                 {"format: manifest\n", nil, 2, "/system: unknown key"},
		"the former flag":                {"input_format: fides\n", []string{"--format", "manifest"}, 2, "/system: unknown key"},
		"no config: recognised by shape": {"", nil, 0, "1 activity in 1 file"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, "shop.yml", system)
			if tc.config != "" {
				write(t, root, ".policyengine.yaml", tc.config)
			}
			t.Chdir(root)
			code, stdout, stderr := runCLI(t, append([]string{"check", "--now", now, "-o", "text", "shop.yml"}, tc.flags...)...)
			assert.Equal(t, tc.want, code, stdout+stderr)
			assert.Contains(t, stdout, tc.output)
		})
	}

	t.Chdir(project(t, "input_format: yaml\nmanifests: [services]\n"))
	code, stdout, stderr := runCLI(t, "check", "--now", now)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--input-format: expected auto, fides, manifest")
	assert.Empty(t, stdout)

	_, _, stderr = runCLI(t, "check", "--now", now, "--format", "auto")
	assert.Contains(t, stderr, "--format is now --input-format")
	_, help, _ := runCLI(t, "check", "--help")
	assert.Contains(t, help, "--input-format string")
	assert.NotContains(t, help, "--format ")
}

// The config file's policy is every command's default --policy: the policy the gate decides
// under is the one the project's other commands read, bundle and test.
func TestConfigPolicyIsEveryCommandsDefault(t *testing.T) {
	brightpath, err := filepath.Abs("../../examples/policies/brightpath")
	require.NoError(t, err)
	code, stdout, stderr := runCLI(t, "version", "-o", "json", "--policy", brightpath)
	require.Equal(t, 0, code, stderr)
	var want struct {
		Revision string `json:"policy_revision"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &want))
	_, stdout, _ = runCLI(t, "version", "-o", "json")
	require.NotContains(t, stdout, want.Revision, "the embedded policy is another")

	root := project(t, "policy: "+brightpath+"\n")
	t.Chdir(filepath.Join(root, "services"))
	code, stdout, stderr = runCLI(t, "version", "-o", "json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, want.Revision, "version")
	code, stdout, stderr = runCLI(t, "bundle", "build", "-o", filepath.Join(root, "bundle.tar.gz"))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "revision "+want.Revision, "bundle build")
	code, stdout, stderr = runCLI(t, "test", filepath.Join(brightpath, "tests"))
	assert.Equal(t, 0, code, "test: Brightpath's cases pass under Brightpath's policy only: %s%s", stdout, stderr)
	code, _, stderr = runCLI(t, "test", "--config", "none", filepath.Join(brightpath, "tests"))
	assert.Equal(t, 2, code, "--config none: the embedded policy")
	assert.Contains(t, stderr, `the policy has no rule "minors.parental_consent"`)
}

// Every command reads the config file once: the policy and the files it reads come from one
// reading, and stderr names the config once. bundle build read it twice (its declarations and
// its policy from two readings).
func TestConfigIsReadOnce(t *testing.T) {
	root := project(t, "manifests: [\"services/**\"]\nignore: [\"**/testdata/**\"]\n")
	t.Chdir(root)
	config := "policyengine: config file: " + filepath.Join(root, ".policyengine.yaml") + "\n"
	for _, args := range [][]string{
		{"check", "--now", now},
		{"ropa", "--now", now},
		{"diff", "--now", now},
		{"bundle", "build", "--declarations", "services", "-o", filepath.Join(root, "b.tar.gz")},
		{"rules"},
	} {
		_, _, stderr := runCLI(t, args...)
		assert.Equal(t, 1, strings.Count(stderr, config), "%s: %s", args[0], stderr)
	}
}
