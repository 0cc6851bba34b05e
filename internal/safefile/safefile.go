// Package safefile writes files into a directory a command names (import fides -o DIR, export
// fides -o DIR) so that what a repository holds cannot redirect the writing: the directory must
// stand inside the working directory once symbolic links are followed, a file is never written
// through a symbolic link nor over anything but a regular file, and a file is written whole to a
// temporary name in the directory, then renamed over its name, so that no reader sees half of it
// and no link placed at its name is followed.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/confect/policyengine/manifest"
)

// ErrOutside is the error of an output directory that leads outside the working directory.
var ErrOutside = errors.New("leads outside the working directory")

// ErrNotRegular is the error of a name in the output directory that is not a regular file: a
// symbolic link, a directory, a FIFO, a device or a socket.
var ErrNotRegular = errors.New("is not a regular file")

// Dir makes sure dir (created if missing, with its parents) stands inside the working directory
// once every symbolic link on its way is followed, and returns it as an absolute path. A link
// inside the working directory to another place inside it is followed; one that leads out is
// refused with ErrOutside.
func Dir(dir string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(wd)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	// Follow the links of the part that exists before creating anything: MkdirAll would
	// otherwise create directories wherever a link leads.
	if err := inside(root, abs, dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", err
	}
	if err := inside(root, abs, dir); err != nil {
		return "", err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	return abs, nil
}

// inside checks that abs, its links followed as far as it exists, is root or under it.
func inside(root, abs, named string) error {
	existing, rest := abs, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, filepath.Join(real, rest))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s %w (%s): write inside the repository, or run from the directory to write in", named, ErrOutside, root)
	}
	return nil
}

// Write writes data to the file name in dir, a directory Dir returned. name is one path
// element. An existing entry of that name that is not a regular file is refused with
// ErrNotRegular and left as it is; a regular file is replaced whole.
func Write(dir, name string, data []byte, perm fs.FileMode) error {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name || strings.ContainsRune(name, '/') {
		return fmt.Errorf("%q: not a file name", name)
	}
	target := filepath.Join(dir, name)
	if info, err := os.Lstat(target); err == nil && !info.Mode().IsRegular() {
		return fmt.Errorf("%s %w (it is %s): not written; remove it, or write elsewhere", target, ErrNotRegular, manifest.Kind(info.Mode()))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), target) // replaces the name itself: never follows a link
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
