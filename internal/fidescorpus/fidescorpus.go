// Package fidescorpus finds, for the tests, the outside corpus of real Fides files (written by
// the Fides project, not by this one): the directory the environment variable
// POLICYENGINE_FIDES_CORPUS names. .ci/run sets it; DEVELOPMENT.md says how to get the corpus.
// Outside CI a test run without it reports the corpus as not configured and skips what needs it,
// since outside contributors have no corpus; under CI=true a missing setting fails, and a
// setting that names no directory fails anywhere.
package fidescorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Env is the environment variable that names the corpus directory.
const Env = "POLICYENGINE_FIDES_CORPUS"

// Dir returns the corpus directory, or ends the test as the package comment says.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(Env)
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Fides corpus is not configured: set %s to its directory (.ci/run sets it to ../shared/fides beside the clone)", Env)
		}
		t.Skipf("the Fides corpus is not configured (%s is not set): the tests on real Fides files do not run", Env)
	}
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		t.Fatalf("%s names %s, which is not a directory: %v", Env, dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// File returns the path of a file of the corpus, by its slash-separated path inside it.
func File(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(rel))
}
