package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// actionFile is action.yml as a runner reads it.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Name  string            `yaml:"name"`
			If    string            `yaml:"if"`
			Uses  string            `yaml:"uses"`
			Shell string            `yaml:"shell"`
			Run   string            `yaml:"run"`
			Env   map[string]string `yaml:"env"`
			With  map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// runAction runs the action's steps as a GitHub runner does, in repo, for a pull request, with
// the inputs given (the others at their defaults): each shell step in bash with its env, the
// ${{ }} expressions it uses filled in, GITHUB_OUTPUT read back for the next steps. The steps
// that use other actions are not run: setup-go (Go is here), and upload-sarif, whose file is
// returned instead. It returns the exit code of the step that failed (0 if none), the action's
// outputs, the SARIF file's content and what the steps printed.
func runAction(t *testing.T, repo string, inputs map[string]string) (code int, outputs map[string]string, sarif []byte, log string) {
	t.Helper()
	var action actionFile
	require.NoError(t, yaml.Unmarshal(mustRead(t, "../../action.yml"), &action))
	actionPath, err := filepath.Abs("../..")
	require.NoError(t, err)
	temp := t.TempDir()
	bin := filepath.Join(temp, "bin")
	in := map[string]string{}
	for name, i := range action.Inputs {
		in[name] = i.Default
	}
	for name, v := range inputs {
		require.Contains(t, action.Inputs, name, "an input of the action")
		in[name] = v
	}
	steps := map[string]map[string]string{}
	expr := regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	value := func(e string) string {
		switch {
		case strings.HasPrefix(e, "inputs."):
			return in[strings.TrimPrefix(e, "inputs.")]
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".") // steps.ID.outputs.NAME
			require.Len(t, parts, 4, e)
			return steps[parts[1]][parts[3]]
		case e == "runner.temp":
			return temp
		case e == "github.event_name":
			return "pull_request"
		}
		t.Fatalf("the action uses an expression this test does not know: %s", e)
		return ""
	}
	fill := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string { return value(expr.FindStringSubmatch(m)[1]) })
	}
	// Conditions are comparisons of one expression with a string, as the action writes them.
	cond := regexp.MustCompile(`^(\S+) == '([^']*)'$`)
	var out bytes.Buffer
	for _, step := range action.Runs.Steps {
		if step.If != "" {
			m := cond.FindStringSubmatch(step.If)
			require.NotNil(t, m, "a condition this test reads: %s", step.If)
			if value(m[1]) != m[2] {
				continue
			}
		}
		switch {
		case strings.HasPrefix(step.Uses, "actions/setup-go@"):
			assert.Equal(t, "1.26", fill(step.With["go-version"]), "the Go of go.mod")
			continue
		case strings.HasPrefix(step.Uses, "github/codeql-action/upload-sarif@"):
			sarif = mustRead(t, fill(step.With["sarif_file"]))
			continue
		}
		require.Empty(t, step.Uses, "a step that uses an action this test does not know")
		require.Equal(t, "bash", step.Shell, step.Name)
		output := filepath.Join(temp, "output-"+step.ID)
		require.NoError(t, os.WriteFile(output, nil, 0o644))
		cmd := exec.CommandContext(t.Context(), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.Run)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GITHUB_ACTION_PATH="+actionPath, "GITHUB_OUTPUT="+output, "RUNNER_TEMP="+temp,
			"GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		for k, v := range step.Env {
			cmd.Env = append(cmd.Env, k+"="+fill(v))
		}
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if step.ID != "" {
			steps[step.ID] = map[string]string{}
			for _, line := range strings.Split(string(mustRead(t, output)), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					steps[step.ID][k] = v
				}
			}
		}
		if err != nil {
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "%s: %s", step.Name, out.String())
			code = exit.ExitCode()
			break
		}
	}
	outputs = map[string]string{}
	for name, o := range action.Outputs {
		outputs[name] = fill(o.Value)
	}
	return code, outputs, sarif, out.String()
}

// The action's steps, run as a runner runs them in a repository of its own: with no version
// pinned it builds policyengine from its own checkout, decides the manifests the repository's
// config lists, writes SARIF for code scanning and annotations for the pull request, and the
// gate fails as check exits.
func TestActionSteps(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	write(t, repo, ".policyengine.yaml", "manifests: [\"services/**\"]\nignore: [\"**/testdata/**\"]\n")
	write(t, repo, "services/shop/privacy.json", allowed)
	write(t, repo, "services/shop/testdata/broken.yaml", "id: [\n")

	code, outputs, sarif, log := runAction(t, repo, nil)
	require.Equal(t, 0, code, log)
	assert.Equal(t, "0", outputs["exit-code"])
	assert.Regexp(t, `(?m)^policyengine \S`, log, "the install step prints the version it built")
	var s struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(sarif, &s), "the SARIF code scanning gets")
	require.Len(t, s.Runs, 1)
	assert.Contains(t, log, "policyengine: 1 activity in 1 file: 1 allowed", "the annotations' summary")

	// A denial in the paths given as an input: the annotations name it on its line, and the gate
	// step fails with check's code.
	write(t, repo, "leads/privacy.json", denied)
	code, outputs, sarif, log = runAction(t, repo, map[string]string{"version": "action", "args": "--now " + now, "paths": "leads services", "upload-sarif": "false"})
	assert.Equal(t, 1, code, log)
	assert.Equal(t, "1", outputs["exit-code"])
	assert.Nil(t, sarif, "not uploaded")
	assert.Regexp(t, `(?m)^::error file=leads/privacy\.json,line=1,col=\d+,title=legal_basis\.missing::`, log)
	assert.Contains(t, log, "policyengine: 2 activities in 2 files: 1 allowed, 1 denied", "both paths decided")
}
