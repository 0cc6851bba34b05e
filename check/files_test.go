package check_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
)

// A project: its config lists services/ and ignores test fixtures; a Fides folder and a stray
// file lie outside the globs.
func projectTree(t *testing.T) (string, *check.Project) {
	t.Helper()
	root := tree(t, map[string]string{
		".policyengine.yaml":              "manifests: [services/**]\n",
		"services/a/privacy.json":         good,
		"services/b/privacy.yaml":         "id: b\ndata_categories: [name]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P1Y}\n",
		"services/b/testdata/broken.yaml": "id: [\n",
		"services/b/notes.txt":            "not a manifest",
		"services/.hidden/x.json":         good,
		"other/stray.json":                good,
		".fides/systems.yml":              "system: []\n",
	})
	return root, &check.Project{Config: filepath.Join(root, ".policyengine.yaml"), Dir: root, Manifests: []string{"services/**"}, Ignore: []string{"**/testdata/**"}}
}

func rel(t *testing.T, root string, files []string) []string {
	t.Helper()
	out := make([]string, len(files))
	for i, f := range files {
		r, err := filepath.Rel(root, f)
		require.NoError(t, err)
		out[i] = filepath.ToSlash(r)
	}
	return out
}

func TestSelect(t *testing.T) {
	root, project := projectTree(t)
	opts := check.Options{Project: project}

	// No path: the project's manifests, its ignore applied, the config file never read.
	s, err := check.Select(nil, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"services/a/privacy.json", "services/b/privacy.yaml"}, rel(t, root, s.Files))

	// A directory named is walked whatever the manifests globs say; the ignore still applies.
	s, err = check.Select([]string{root}, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{".fides/systems.yml", "other/stray.json", "services/a/privacy.json", "services/b/privacy.yaml"}, rel(t, root, s.Files),
		"not the config file, not the ignored fixture, not a hidden directory but .fides")

	// A file named is read, ignored or not.
	broken := filepath.Join(root, "services", "b", "testdata", "broken.yaml")
	s, err = check.Select([]string{broken}, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{broken}, s.Files)

	// Options' Include keeps only its matches in every walk, instead of the project's globs.
	s, err = check.Select(nil, check.Options{Project: project, Include: []string{"**/*.yaml"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"services/b/privacy.yaml"}, rel(t, root, s.Files))

	// No path and no project listing manifests.
	_, err = check.Select(nil, check.Options{})
	assert.ErrorIs(t, err, check.ErrNoPaths)
	_, err = check.Select(nil, check.Options{Project: &check.Project{Dir: root}})
	assert.ErrorIs(t, err, check.ErrNoPaths)

	// A path that does not exist: Err names it; Run reports it in its place.
	s, err = check.Select([]string{filepath.Join(root, "missing")}, opts)
	require.NoError(t, err)
	assert.ErrorContains(t, s.Err(), "missing: no such file or directory")
}

// What the walks left out is recorded, so that a run that finds nothing says why.
func TestSelectionWhy(t *testing.T) {
	root, project := projectTree(t)
	s, err := check.Select([]string{filepath.Join(root, "services", "b")}, check.Options{Project: project, Ignore: []string{"privacy.*"}})
	require.NoError(t, err)
	assert.Empty(t, s.Files)
	by := map[string]check.LeftOut{}
	for _, l := range s.LeftOut {
		by[l.By] = l
	}
	assert.Equal(t, check.LeftOut{By: `ignore pattern "privacy.*"`, Count: 1, First: filepath.Join(root, "services", "b", "privacy.yaml")}, by[`ignore pattern "privacy.*"`])
	assert.Contains(t, by, `ignore pattern "**/testdata/**" of "`+filepath.Join(root, ".policyengine.yaml")+`"`)
	assert.Contains(t, by, "files not named .json, .yaml or .yml")
	assert.Contains(t, s.Why(), `ignore pattern "privacy.*" left out "`)

	s, err = check.Select(nil, check.Options{Project: &check.Project{Dir: root, Manifests: []string{"nothing/**"}}})
	require.NoError(t, err)
	assert.Empty(t, s.Files)
	assert.Contains(t, s.Why(), `the manifests globs ("nothing/**") of the project left out 6 paths, the first "`)
	assert.Contains(t, s.Why(), `hidden directories (walked only when named) left out "`)

	s, err = check.Select([]string{t.TempDir()}, check.Options{})
	require.NoError(t, err)
	assert.Equal(t, "no .json, .yaml or .yml file there", s.Why())
}

// The files chosen, as a file system for Engine.LoadDeclarations: every path's declarations,
// under their names from the deepest directory that holds them all.
func TestSelectionFS(t *testing.T) {
	root, project := projectTree(t)
	s, err := check.Select([]string{filepath.Join(root, "services", "a"), filepath.Join(root, "services", "b", "privacy.yaml")}, check.Options{Project: project})
	require.NoError(t, err)
	fsys, dir, err := s.FS()
	require.NoError(t, err)
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "services"), abs)
	var names []string
	require.NoError(t, fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			names = append(names, name)
		}
		return nil
	}))
	assert.Equal(t, []string{"a/privacy.json", "b/privacy.yaml"}, names, "nothing else of the folders")
	_, err = fsys.Open("b/testdata/broken.yaml")
	assert.ErrorIs(t, err, fs.ErrNotExist)

	decls, err := engine(t).LoadDeclarations(context.Background(), fsys)
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "ok"}, decls.IDs())
}
