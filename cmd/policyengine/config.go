package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/problem"
)

// ConfigFile is the name of the project config file, looked for in the working directory and
// each directory above it, up to the repository's root.
const ConfigFile = ".policyengine.yaml"

// config is a project's .policyengine.yaml: what check decides and how, so that a bare
// `policyengine check` in any directory of the project does what the project wants. Paths and
// globs in it are relative to the file's directory. Flags given on the command line win.
type config struct {
	// Policy is the policy directory (default: the embedded Confect policy).
	Policy string `yaml:"policy"`
	// Manifests are globs, from the config file's directory, of the project's manifests: what
	// every command that reads manifests reads when given no PATH (check.Project).
	Manifests []string `yaml:"manifests"`
	// Ignore are globs left out of every directory walk of every command, named or not.
	Ignore []string `yaml:"ignore"`
	// Output is the default output format.
	Output string `yaml:"output"`
	// FailOnWarn and AllowEmpty are the defaults of --fail-on-warn and --allow-empty.
	FailOnWarn bool `yaml:"fail_on_warn"`
	AllowEmpty bool `yaml:"allow_empty"`
	// InputFormat is the default of --input-format: how the files are written (fides,
	// manifest, or auto: each file by its shape).
	InputFormat string `yaml:"input_format"`
	// Format is input_format's former name, still read.
	Format string `yaml:"format" deprecated:"input_format"`

	dir  string // the directory it was read from
	path string // the file itself
}

// findConfig returns the config file named by --config, or else the one searchConfig finds from
// the working directory, if the user can vouch for it (trustConfig); none found is an empty
// config. "none" turns it off. The file used is named on stderr.
func findConfig(named string, stderr io.Writer) (*config, error) {
	if named == "none" {
		return &config{}, nil
	}
	path := named
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", ConfigFile, err)
		}
		if path, err = searchConfig(wd); err != nil || path == "" {
			return &config{}, err
		}
		if err := trustConfig(path); err != nil {
			return nil, err
		}
	}
	c, err := readConfig(path, named != "")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "policyengine: config file: %s\n", output.Printable(path))
	return c, nil
}

// searchConfig returns the first config file in dir or above it, up to the repository's root
// (the directory that holds .git, a directory or, in a worktree, a file): a config above the
// repository is someone else's. Outside a repository the search goes up to the root of the file
// system. "" when there is none.
func searchConfig(dir string) (string, error) {
	exists := func(path string) (bool, error) {
		_, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("finding %s: %s: %v", ConfigFile, path, err)
		}
		return true, nil
	}
	for {
		path := filepath.Join(dir, ConfigFile)
		if found, err := exists(path); found || err != nil {
			return path, err
		}
		if root, err := exists(filepath.Join(dir, ".git")); root || err != nil {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// maxConfigBytes is the largest config file read.
const maxConfigBytes = 1 << 20

// readConfigFile reads a config file as manifests are read: a regular file only (a FIFO is not
// waited on, a device not read), within a size limit.
func readConfigFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, fmt.Errorf("%s: %w", path, pe.Err)
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file (%s): not read", path, manifest.Kind(info.Mode()))
	case info.Size() > maxConfigBytes:
		return nil, fmt.Errorf("%s: %d bytes, more than a config file's limit of %d: not read", path, info.Size(), maxConfigBytes)
	}
	data, err := manifest.ReadData(path, manifest.Options{MaxBytes: maxConfigBytes})
	if p := (*problem.Problem)(nil); errors.As(err, &p) {
		return nil, fmt.Errorf("%s: %s", path, p.Message) // the name once
	}
	return data, err
}

// readConfig reads and decodes the config file at path, which --config named or (named
// false) the search found.
func readConfig(path string, named bool) (*config, error) {
	data, err := readConfigFile(path)
	switch {
	case err != nil && named:
		return nil, fmt.Errorf("--config: %w", err)
	case err != nil: // no --config was given: the file was found from the working directory
		return nil, fmt.Errorf("the config file found: %w", err)
	}
	c := &config{dir: filepath.Dir(path), path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%s (the keys are %s)", path, configError(err), strings.Join(configKeys(), ", "))
	}
	return c, nil
}

// configKeys are the keys of the config file, as its fields' tags name them, but the former
// names still read.
func configKeys() []string {
	var keys []string
	ct := reflect.TypeFor[config]()
	for i := range ct.NumField() {
		if f := ct.Field(i); f.Tag.Get("yaml") != "" && f.Tag.Get("deprecated") == "" {
			keys = append(keys, f.Tag.Get("yaml"))
		}
	}
	return keys
}

// configError turns the YAML decoder's message into "LINE: what is wrong".
func configError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	msg, _, _ = strings.Cut(msg, "\n") // the first problem
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			if key, ok := strings.CutPrefix(tail, "field "); ok {
				key, _, _ = strings.Cut(key, " not found")
				tail = fmt.Sprintf("unknown key %q%s", key, suggest.DidYouMean(key, configKeys()))
			} else if _, want, ok := strings.Cut(tail, " into "); ok && strings.HasPrefix(tail, "cannot unmarshal") {
				tail = "expected " + map[string]string{"bool": "true or false", "string": "a string", "[]string": "a list of strings"}[want] // never the value given
			}
			return n + ": " + tail
		}
	}
	return " " + msg
}

// rel makes a path from the config file relative to the config's directory.
func (c *config) rel(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// project is what the config says about the project's manifests, for check.Select; nil for
// no config file.
func (c *config) project() *check.Project {
	if c.path == "" {
		return nil
	}
	return &check.Project{Config: c.path, Dir: c.dir, Manifests: c.Manifests, Ignore: c.Ignore}
}

// applyConfig fills the check flags the command line left out from the config file (the
// policy is engineFlags', the files manifestFlags'.)
func applyConfig(cmd *cobra.Command, f *checkFlags, c *config) {
	changed := cmd.Flags().Changed
	if c.Output != "" && !changed("output") {
		f.output = c.Output
	}
	if in := cmp.Or(c.InputFormat, c.Format); in != "" && !changed("input-format") && !changed("format") {
		f.format = in
	}
	if !changed("fail-on-warn") {
		f.failOnWarn = f.failOnWarn || c.FailOnWarn
	}
}
