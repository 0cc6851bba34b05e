package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/output"
)

// The golden files are what every command that reports prints, in every output format it has,
// over the examples, byte for byte: a change to any of them is a change users see. After a
// change meant to show, rewrite them with
//
//	go test ./cmd/policyengine -run TestGolden -update
//
// and review the diff of testdata/golden.
var update = flag.Bool("update", false, "rewrite testdata/golden with what the commands print now")

// goldenDir holds the golden files, a folder per command.
const goldenDir = "testdata/golden"

// fidesExamples are the Fides examples check reads (a project, a first user's files, a system
// from Fides' API, files of fideslang 1.x), and fidesBroken the ones it refuses.
const (
	fidesExamples = "../../check/testdata/fides"
	fidesBroken   = fidesExamples + "/broken"
)

// golden is one run of the command line and the golden file (under goldenDir) of what it
// prints; what it prints on stderr, when anything, is in the file of the same name with
// .stderr appended.
type golden struct {
	file string
	args []string
	code int // the exit code
}

// goldenRuns are the runs of the reporting commands, every format of each (output.Formats), over
// the examples (drift over the scanners' reports of drift/testdata), all as at one --now: the
// evaluation time is what would otherwise vary from run to run.
func goldenRuns(t *testing.T) []golden {
	var runs []golden
	each := func(kind output.Kind, dir, name string, code int, args ...string) {
		for _, format := range output.Formats(kind) {
			runs = append(runs, golden{dir + "/" + name + "." + format, append(append([]string{}, args...), "-o", format), code})
		}
	}
	fides := []string{fidesExamples + "/project", fidesExamples + "/newuser", fidesExamples + "/apisystem", fidesExamples + "/old"}

	each(output.Check, "check", "manifests", exitDenied, "check", "--now", now, exampleManifests)
	each(output.Check, "check", "fides", exitDenied, append([]string{"check", "--now", now}, fides...)...)
	each(output.Check, "check", "fides-broken", exitError, "check", "--now", now, fidesBroken)
	each(output.Check, "check", "bad-input", exitError, "check", "--now", now, "../../testdata/bad-input")
	each(output.Check, "check", "brightpath", exitDenied, "check", "--now", now, "--policy", brightpathPolicy, twoPolicies)
	each(output.Check, "check", "all-conditions", exitDenied, "check", "--now", now, "--all-conditions", exampleManifests)
	each(output.Check, "check", "fail-on-warn", exitDenied, "check", "--now", now, "--fail-on-warn", "../../examples/service/manifests")
	runs = append(runs, golden{"check/manifests-color.text", []string{"check", "--now", now, "--color", "always", exampleManifests}, exitDenied})

	privado, bearer := driftData+"/privado/", driftData+"/bearer/"
	driftManifests := driftData + "/manifests"
	each(output.Check, "drift", "privado", exitDenied, "drift", "--now", now, "--privado", privado+"drift.json", driftManifests)
	each(output.Check, "drift", "bearer", exitDenied, "drift", "--now", now, "--bearer", bearer+"drift.json", driftManifests)
	each(output.Check, "drift", "covered", exitOK, "drift", "--now", now, "--privado", privado+"covered.json", "--bearer", bearer+"covered.json", driftManifests)

	each(output.Record, "ropa", "manifests", exitOK, "ropa", "--now", now, exampleManifests)
	each(output.Record, "ropa", "fides", exitOK, append([]string{"ropa", "--now", now}, fides...)...)
	each(output.Record, "ropa", "code", exitOK, "ropa", "--now", now, "--privado", privado+"drift.json", "--bearer", bearer+"covered.json", driftManifests)

	each(output.Diff, "diff", "brightpath", exitDenied, "diff", "--now", now, "--policy", brightpathPolicy, twoPolicies)
	each(output.Diff, "diff", "from-brightpath", exitDenied, "diff", "--now", now, "--base", brightpathPolicy, exampleManifests)
	// impact is diff's other name: the same report.
	each(output.Diff, "diff", "brightpath", exitDenied, "impact", "--now", now, "--policy", brightpathPolicy, twoPolicies)

	each(output.Rules, "rules", "confect", exitOK, "rules")
	each(output.Rules, "rules", "brightpath", exitOK, "rules", "--policy", brightpathPolicy)
	e, err := engines.engine(context.Background(), &engineFlags{config: "none"})
	require.NoError(t, err)
	for _, r := range e.Rules() {
		each(output.Explain, "explain", r.ID, exitOK, "explain", r.ID)
	}

	// The coverage report where a format has one; JUnit has none, and a run costs seconds.
	runs = append(runs,
		golden{"test/confect.text", []string{"test", "--coverage", confectCases}, exitOK},
		golden{"test/confect.json", []string{"test", "--coverage", "-o", "json", confectCases}, exitOK},
		golden{"test/confect.junit", []string{"test", "-o", "junit", confectCases}, exitOK})
	each(output.Test, "test", "brightpath", exitOK, "test", "--policy", brightpathPolicy, brightpathCases)

	each(output.Vocabulary, "vocabulary", "confect", exitOK, "vocabulary")
	each(output.Vocabulary, "vocabulary", "brightpath", exitOK, "vocabulary", "--policy", brightpathPolicy)
	each(output.FidesMapping, "vocabulary", "fides", exitOK, "vocabulary", "--fides")
	each(output.Version, "version", "confect", exitOK, "version")
	return runs
}

// varies are what differs from one run of the same command to the next, each with what stands
// in its place: a test's duration, and the Go release the binary is built with.
var varies = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`time="[0-9.e+-]+"`), `time="0"`},
	{regexp.MustCompile(`"duration_ns": [0-9]+`), `"duration_ns": 0`},
	{regexp.MustCompile(regexp.QuoteMeta(runtime.Version())), "GOVERSION"},
}

func normalize(s string) string {
	for _, v := range varies {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// TestGolden runs every reporting command in every format over the examples and compares what
// it prints, exit code, stdout and stderr, with the golden files.
func TestGolden(t *testing.T) {
	t.Parallel()
	runs := goldenRuns(t)
	written := map[string]bool{}
	for _, g := range runs {
		written[g.file] = true
		t.Run(strings.Join(g.args, " "), func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, g.args...)
			assert.Equal(t, g.code, code, stderr)
			compareGolden(t, g.file, normalize(stdout))
			compareGolden(t, g.file+".stderr", normalize(stderr))
		})
	}
	if *update {
		return
	}
	// Every golden file is some run's: none is left over from a run that is gone.
	t.Run("no stale files", func(t *testing.T) {
		require.NoError(t, filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel := filepath.ToSlash(strings.TrimPrefix(path, goldenDir+string(filepath.Separator)))
			if dir, _, _ := strings.Cut(rel, "/"); dir == "export" || dir == "import" {
				return nil // TestGoldenFiles'
			}
			assert.True(t, written[strings.TrimSuffix(rel, ".stderr")], "%s: no run writes it: delete it", path)
			return nil
		}))
	})
}

// TestGoldenFiles compares what import fides and export fides write, the files and the summary
// they print, with the golden files. It changes the working directory (the commands write only
// inside it), so it runs alone.
func TestGoldenFiles(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	golden, err := filepath.Abs(goldenDir)
	require.NoError(t, err)
	work := t.TempDir()
	// The inputs are named through a link, so that the paths the outputs quote are the
	// repository's, not the temporary directory's.
	require.NoError(t, os.Symlink(root, filepath.Join(work, "repo")))
	t.Chdir(work)
	for _, run := range []struct {
		dir  string // the golden folder, and the folder the command writes
		args []string
		code int
	}{
		{"export/manifests", []string{"export", "fides", "repo/examples/manifests"}, exitOK},
		{"import/project", []string{"import", "fides", "repo/check/testdata/fides/project"}, exitDenied},
		{"import/newuser", []string{"import", "fides", "repo/check/testdata/fides/newuser"}, exitDenied},
	} {
		t.Run(run.dir, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(run.args, "-o", run.dir)...)
			assert.Equal(t, run.code, code, stderr)
			want := filepath.Join(golden, run.dir)
			compareGolden(t, want+".stdout", stdout)
			compareGolden(t, want+".stderr", stderr)
			compareFolder(t, run.dir, want)
		})
	}
}

// compareFolder compares the files a command wrote in dir with the golden folder want.
func compareFolder(t *testing.T, dir, want string) {
	t.Helper()
	got := map[string]bool{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		require.NoError(t, err)
		got[rel] = true
		compareGolden(t, filepath.Join(want, rel), string(mustRead(t, path)))
		return nil
	}))
	if *update {
		return
	}
	require.NoError(t, filepath.WalkDir(want, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(want, path)
		require.NoError(t, err)
		assert.True(t, got[rel], "%s: the command no longer writes it", path)
		return nil
	}))
}

// compareGolden compares got with the golden file path (relative to goldenDir unless absolute),
// or with no file at all when got is empty; with -update it writes the file (or removes it).
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(goldenDir, path)
	}
	if *update {
		if got == "" {
			require.NoError(t, removeIfExists(path))
			return
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if got == "" {
		assert.ErrorIs(t, err, fs.ErrNotExist, "%s: the command printed nothing", path)
		return
	}
	require.NoError(t, err, "no golden file: go test ./cmd/policyengine -run TestGolden -update")
	if string(want) != got {
		t.Errorf("%s changed: review, then go test ./cmd/policyengine -run TestGolden -update\n%s", path, firstDifference(string(want), got))
	}
}

// firstDifference shows the first line where got differs from want, with the line before: the
// files are long, and the diff of testdata/golden after -update shows the rest.
func firstDifference(want, got string) string {
	w, g := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	line := func(lines []string, i int) string {
		if i >= len(lines) {
			return "(end)"
		}
		return fmt.Sprintf("%q", lines[i])
	}
	before := ""
	if i > 0 {
		before = fmt.Sprintf("line %d:  %q\n", i, w[i-1])
	}
	return fmt.Sprintf("%sline %d: want %s\n         got %s", before, i+1, line(w, i), line(g, i))
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
