package check

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// Project is what a project's config file (.policyengine.yaml) says about its manifests. Every
// command that reads manifests obeys it the same way, through Select: with no path named, the
// project's manifests are read; its ignore patterns apply to every directory walk.
type Project struct {
	// Config is the config file's path: never read as a manifest, and named in messages about
	// what its globs left out.
	Config string
	// Dir is the project's directory (the config file's): what Manifests, and Ignore patterns
	// with a slash, are relative to, and what a run with no path walks.
	Dir string
	// Manifests are globs, from Dir, of the project's manifests: a run given no path walks Dir
	// and keeps only the files matching one ("**" stands for any directories; a pattern naming
	// a directory keeps all below it). A path named is read whatever they say.
	Manifests []string
	// Ignore are globs left out of every directory walk, named or not: one with a slash is a
	// path from Dir, one without matches a file or directory name anywhere.
	Ignore []string
}

// ErrNoPaths is the error of Select given no path when no project lists its manifests.
var ErrNoPaths = errors.New("no path given, and no project config that lists manifests")

// Selection is what a run reads: the files, in order, and what its walks left out and why.
type Selection struct {
	// Paths are the paths walked: those given, or the project's directory when none was.
	Paths []string
	// Files are the files to read, in order: each path in turn, a directory's files sorted.
	Files []string
	// Skipped are files a walk found and does not read: special files, and symbolic links
	// that lead out of the directory given.
	Skipped []Skipped
	// LeftOut says what each pattern or rule of the walks left out, in the order first met.
	LeftOut []LeftOut
	// EmptyWalks are the directories walked that gave no file to read, each with what its walk
	// left out (as LeftOut, for that walk alone), in the order walked: a command whose other
	// paths gave files says why these gave none.
	EmptyWalks []EmptyWalk

	units []unit
}

// LeftOut is what one pattern (or one rule of the walk) left out of the directory walks.
type LeftOut struct {
	// By says what left them out: `ignore pattern "**/testdata/**" of .policyengine.yaml`.
	By string `json:"by"`
	// Count is how many files and directories it left out (a directory counts once, for all
	// below it); First is the first of them, as walked.
	Count int    `json:"count"`
	First string `json:"first"`
}

// EmptyWalk is a directory whose walk gave no file to read, and what that walk left out.
type EmptyWalk struct {
	Path    string    `json:"path"`
	LeftOut []LeftOut `json:"left_out,omitempty"`
}

// Why says what the walk left out, or that the directory holds no manifest file at all.
func (e EmptyWalk) Why() string { return why(nil, e.LeftOut) }

// why joins what was said first and what each pattern or rule left out, or says that there is
// no manifest file at all when nothing is to be said.
func why(parts []string, leftOut []LeftOut) string {
	for _, l := range leftOut {
		parts = append(parts, l.String())
	}
	if len(parts) == 0 {
		return "no .json, .yaml or .yml file there"
	}
	return strings.Join(parts, "; ")
}

// tally counts path as left out by by in list, a new entry (with path first) for a new by.
func tally(list []LeftOut, by, path string) []LeftOut {
	i := slices.IndexFunc(list, func(l LeftOut) bool { return l.By == by })
	if i < 0 {
		i = len(list)
		list = append(list, LeftOut{By: by, First: path})
	}
	list[i].Count++
	return list
}

// String says what was left out, every name quoted with Go's escapes.
func (l LeftOut) String() string {
	if l.Count == 1 {
		return fmt.Sprintf("%s left out %s", l.By, strconv.Quote(l.First))
	}
	return fmt.Sprintf("%s left out %d paths, the first %s", l.By, l.Count, strconv.Quote(l.First))
}

// Why says what the walks left out, for a run that found nothing to read: every pattern and
// rule that left something out, or that the paths hold no manifest file at all, or that the
// files read hold no activity.
func (s *Selection) Why() string {
	var parts []string
	if len(s.Files) > 0 {
		parts = append(parts, "the files read hold no activity")
	}
	return why(parts, s.LeftOut)
}

// unit is a file to read, or an error found while walking, in its place.
type unit struct {
	file string
	err  *Result
}

// pattern is a glob and what a message calls it.
type pattern struct {
	glob, by string
}

// Select decides which files a run over paths reads (the contract's "Which files a command
// reads"), for every command that reads manifests:
//
//   - with no path, the project's directory is walked for the files its Manifests globs match
//     (or Options.Include's); no project listing manifests is ErrNoPaths;
//   - a directory named is walked whatever the Manifests globs say (Options.Include, when
//     given, still keeps only its matches);
//   - the project's and Options' Ignore patterns apply to every directory walk, named or not;
//   - a file named is always read, whatever its name and the patterns; "-" is standard input.
//
// A walk reads .json, .yaml and .yml files, leaves out hidden directories but .fides and the
// project's config file, and takes regular files and symbolic links that lead to a regular
// file inside the directory walked. A path that does not exist is an error result in its place.
func Select(paths []string, opts Options) (*Selection, error) {
	var ignore []pattern
	config, of := "", "the project" // the config file, and how messages name it
	if p := opts.Project; p != nil {
		if p.Config != "" {
			config = relToWd(p.Config)
			of = strconv.Quote(config)
		}
		for _, g := range p.Ignore {
			glob := g
			if strings.ContainsRune(filepath.ToSlash(g), '/') {
				glob = p.rel(g)
			}
			ignore = append(ignore, pattern{glob, fmt.Sprintf("ignore pattern %q of %s", g, of)})
		}
	}
	for _, g := range opts.Ignore {
		ignore = append(ignore, pattern{g, fmt.Sprintf("ignore pattern %q", g)})
	}
	include, includeBy := opts.Include, "the include patterns "+quoteAll(opts.Include)
	s := &Selection{Paths: paths}
	if len(paths) == 0 {
		p := opts.Project
		if p == nil || len(p.Manifests) == 0 {
			return nil, ErrNoPaths
		}
		s.Paths = []string{relToWd(p.Dir)}
		if len(include) == 0 {
			include = make([]string, len(p.Manifests))
			for i, g := range p.Manifests {
				include[i] = p.rel(g)
			}
			includeBy = fmt.Sprintf("the manifests globs %s of %s", quoteAll(p.Manifests), of)
		}
	}
	w := walker{s: s, ignore: ignore, include: include, includeBy: includeBy, seen: map[string]bool{}}
	if config != "" {
		w.config, _ = filepath.Abs(config)
	}
	for _, p := range s.Paths {
		w.path(p)
	}
	for _, u := range s.units {
		if u.err == nil {
			s.Files = append(s.Files, u.file)
		}
	}
	return s, nil
}

// rel makes a path from the project's directory relative to the working directory's view.
func (p *Project) rel(path string) string {
	if path == "" || filepath.IsAbs(path) || p.Dir == "" {
		return path
	}
	return filepath.Join(p.Dir, path)
}

func quoteAll(globs []string) string {
	q := make([]string, len(globs))
	for i, g := range globs {
		q[i] = strconv.Quote(g)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// relToWd names a path relative to the working directory when it is below it, one of the
// directories above it or in one of them, so that reports name files as the user sees them;
// else as it is.
func relToWd(dir string) string {
	if dir == "" {
		return "."
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return dir
	}
	segs := strings.Split(filepath.ToSlash(rel), "/")
	up := 0
	for up < len(segs) && segs[up] == ".." {
		up++
	}
	if up > 0 && len(segs)-up > 1 {
		return dir // down another branch: named as given, not as ../../x/y
	}
	return rel
}

// walker expands the paths of one selection.
type walker struct {
	s                 *Selection
	ignore            []pattern
	include           []string
	includeBy, config string
	seen              map[string]bool
	walk              *EmptyWalk // what the directory walk under way left out
}

func (w *walker) addFile(f string) {
	if !w.seen[f] {
		w.seen[f] = true
		w.s.units = append(w.s.units, unit{file: f})
	}
}

func (w *walker) addErr(r Result) { w.s.units = append(w.s.units, unit{err: &r}) }

func (w *walker) leave(by, path string) {
	w.s.LeftOut = tally(w.s.LeftOut, by, path)
	if w.walk != nil {
		w.walk.LeftOut = tally(w.walk.LeftOut, by, path)
	}
}

func (w *walker) path(p string) {
	if p == Stdin {
		w.addFile(p)
		return
	}
	info, err := os.Stat(p)
	if err != nil {
		w.addErr(FileError(p, &problem.Problem{File: p, Message: "no such file or directory"}))
		return
	}
	if !info.IsDir() {
		w.addFile(p)
		return
	}
	root, rerr := filepath.EvalSymlinks(p)
	if rerr == nil {
		root, rerr = filepath.Abs(root)
	}
	if rerr != nil {
		w.addErr(FileError(p, &problem.Problem{File: p, Message: "cannot resolve: " + rerr.Error()}))
		return
	}
	var found []string
	w.walk = &EmptyWalk{Path: p}
	defer func() { w.walk = nil }()
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			w.addErr(FileError(path, &problem.Problem{File: path, Message: "cannot read: " + err.Error()}))
			return nil
		}
		if path == p {
			return nil
		}
		skip := func() error {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if by := ignoredBy(path, d.Name(), w.ignore); by != "" {
			w.leave(by, path)
			return skip()
		}
		if d.IsDir() {
			if len(d.Name()) > 1 && d.Name()[0] == '.' && d.Name() != ".fides" {
				if d.Name() != ".git" { // version control's own: never a manifest's place
					w.leave("hidden directories (walked only when named)", path)
				}
				return fs.SkipDir // .fides is where Fides projects keep their files
			}
			return nil
		}
		if !manifest.IsManifestFile(d.Name()) {
			w.leave("files not named .json, .yaml or .yml", path)
			return nil
		}
		if w.config != "" {
			if abs, err := filepath.Abs(path); err == nil && abs == w.config {
				return nil // the project's config file
			}
		}
		if !included(path, w.include) {
			w.leave(w.includeBy, path)
			return nil
		}
		if why := unreadable(root, path, d); why != "" {
			w.s.Skipped = append(w.s.Skipped, Skipped{File: path, Reason: why})
			return nil
		}
		found = append(found, path)
		return nil
	})
	if err != nil {
		w.addErr(FileError(p, &problem.Problem{File: p, Message: "cannot walk: " + err.Error()}))
	}
	sort.Strings(found)
	for _, f := range found {
		w.addFile(f)
	}
	if len(found) == 0 && err == nil {
		w.s.EmptyWalks = append(w.s.EmptyWalks, *w.walk)
	}
}

// unreadable says why a walk leaves a file unread, or "" to read it: a special file, or a
// symbolic link that leads out of root (resolved and absolute) or to anything but a regular file.
func unreadable(root, path string, d fs.DirEntry) string {
	if d.Type().IsRegular() {
		return ""
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return "not a regular file (" + manifest.Kind(d.Type()) + ")"
	}
	target, err := filepath.EvalSymlinks(path)
	if err == nil {
		target, err = filepath.Abs(target)
	}
	if err != nil {
		return "a symbolic link that cannot be resolved"
	}
	if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "a symbolic link that leads out of the directory given: not followed"
	}
	info, err := os.Stat(target)
	if err != nil || !info.Mode().IsRegular() {
		return "a symbolic link to something other than a regular file: not followed"
	}
	return ""
}

// ignoredBy says which ignore pattern leaves a path out, or "".
func ignoredBy(path, name string, patterns []pattern) string {
	for _, p := range patterns {
		pat := p.glob
		if ok, _ := filepath.Match(pat, name); ok {
			return p.by
		}
		if ok, _ := filepath.Match(pat, path); ok {
			return p.by
		}
		if ok, _ := filepath.Match(pat, filepath.ToSlash(path)); ok {
			return p.by
		}
		if matchGlob(pat, path) {
			return p.by
		}
	}
	return ""
}

func included(path string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, pat := range patterns {
		if matchGlob(pat, path) {
			return true
		}
	}
	return false
}

// Files returns the files a run over paths reads, in its order, and those the walk skipped
// (Select's Files and Skipped). A path that does not exist, or a directory that cannot be
// walked, is the error.
func Files(paths []string, opts Options) ([]string, []Skipped, error) {
	s, err := Select(paths, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Err(); err != nil {
		return nil, nil, err
	}
	return s.Files, s.Skipped, nil
}

// Err is the first path that could not be read or walked (one that does not exist, a directory
// that cannot be read), as a *problem.Problem naming it; nil when there is none. Run reports each
// as an error result in its place instead.
func (s *Selection) Err() error {
	for _, u := range s.units {
		if u.err != nil {
			p := u.err.Errors[0]
			p.File = u.err.File
			return &p
		}
	}
	return nil
}

// FS returns the files selected (standard input aside) as a read-only file system, for a call
// that reads one (Engine.LoadDeclarations): rooted at the deepest directory that holds them
// all, each file under its path from there. It returns that directory too, as the working
// directory names it.
func (s *Selection) FS() (fs.FS, string, error) {
	set := &fileSet{files: map[string]bool{}, dirs: map[string]map[string]bool{".": {}}}
	var abs []string
	for _, f := range s.Files {
		if f == Stdin {
			continue
		}
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, "", err
		}
		abs = append(abs, a)
	}
	if len(abs) == 0 {
		return set, ".", nil
	}
	set.root = filepath.Dir(abs[0])
	for _, a := range abs[1:] {
		for !within(set.root, a) {
			set.root = filepath.Dir(set.root)
		}
	}
	for _, a := range abs {
		rel, err := filepath.Rel(set.root, a)
		if err != nil {
			return nil, "", err
		}
		name := filepath.ToSlash(rel)
		set.files[name] = true
		for child := name; child != "."; {
			dir := pathDir(child)
			if set.dirs[dir] == nil {
				set.dirs[dir] = map[string]bool{}
			}
			set.dirs[dir][child[strings.LastIndexByte(child, '/')+1:]] = true
			child = dir
		}
	}
	return set, relToWd(set.root), nil
}

func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func pathDir(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return "."
}

// fileSet is a read-only file system of chosen files below root: the files, and the
// directories that lead to them.
type fileSet struct {
	root  string
	files map[string]bool            // slash paths from root
	dirs  map[string]map[string]bool // a directory's entries by name
}

func (f *fileSet) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f.files[name] {
		return os.Open(filepath.Join(f.root, filepath.FromSlash(name)))
	}
	if _, ok := f.dirs[name]; ok {
		return setDir{name: name}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists a directory of the set, sorted by name.
func (f *fileSet) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, ok := f.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(entries))
	for child := range entries {
		full := child
		if name != "." {
			full = name + "/" + child
		}
		if !f.files[full] {
			out = append(out, fs.FileInfoToDirEntry(setDir{name: full}))
			continue
		}
		info, err := os.Stat(filepath.Join(f.root, filepath.FromSlash(full)))
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: full, Err: err}
		}
		out = append(out, fs.FileInfoToDirEntry(info))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// setDir is a directory of a fileSet, as an open file and as its own FileInfo.
type setDir struct{ name string }

func (d setDir) Stat() (fs.FileInfo, error) { return d, nil }
func (d setDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (setDir) Close() error       { return nil }
func (d setDir) Name() string     { return d.name[strings.LastIndexByte(d.name, '/')+1:] }
func (setDir) Size() int64        { return 0 }
func (setDir) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (setDir) ModTime() time.Time { return time.Time{} }
func (setDir) IsDir() bool        { return true }
func (setDir) Sys() any           { return nil }
