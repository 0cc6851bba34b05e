package check

import (
	"path/filepath"
	"strings"
)

// matchGlob reports whether a path matches a glob pattern. A pattern without a slash matches a
// base name; one with a slash matches the path, both made absolute (a relative pattern is
// relative to the working directory, unless it starts with "**"), where "**" stands for any
// number of directories, none included. A pattern naming a directory matches everything below it.
func matchGlob(pattern, path string) bool {
	if !strings.ContainsRune(filepath.ToSlash(pattern), '/') {
		ok, _ := filepath.Match(pattern, filepath.Base(path))
		return ok
	}
	pat := filepath.ToSlash(pattern)
	if !strings.HasPrefix(pat, "**/") { // one that starts with ** matches below any directory
		abs, err := filepath.Abs(pattern)
		if err != nil {
			return false
		}
		pat = filepath.ToSlash(abs)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	ps := strings.Split(pat, "/")
	segs := strings.Split(filepath.ToSlash(abs), "/")
	// The path or any directory above it.
	for n := len(segs); n > 0; n-- {
		if matchSegments(ps, segs[:n]) {
			return true
		}
	}
	return false
}

func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, _ := filepath.Match(pat[0], segs[0]); !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}
