package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// policyAtRevision writes the policy directory dir as it was at the git revision rev into a new
// directory under tmp, read with the git on PATH, and returns where.
func policyAtRevision(ctx context.Context, dir, rev, tmp string) (string, error) {
	if strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("--base-ref: %q is not a revision", rev)
	}
	git := func(stdout io.Writer, in string, args ...string) error {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", in}, args...)...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = stdout, &stderr
		if err := cmd.Run(); err != nil {
			if errors.Is(err, exec.ErrNotFound) {
				return fmt.Errorf("--base-ref reads the policy with git, and there is no git on PATH")
			}
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return fmt.Errorf("--base-ref %s: git %s: %s", rev, args[0], msg)
		}
		return nil
	}
	// The directory's path inside its repository, as git names it.
	var where bytes.Buffer
	if err := git(&where, dir, "rev-parse", "--show-toplevel", "--show-prefix"); err != nil {
		return "", err
	}
	top, sub, _ := strings.Cut(strings.TrimRight(where.String(), "\n"), "\n")
	var archive bytes.Buffer
	if err := git(&archive, top, "archive", "--format=tar", rev+":"+sub); err != nil {
		return "", err
	}
	out, err := os.MkdirTemp(tmp, "base-policy-")
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(&archive)
	files := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("--base-ref %s: reading git's archive: %w", rev, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			continue
		}
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}
		data, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return "", err
		}
		files++
	}
	if files == 0 {
		return "", fmt.Errorf("--base-ref %s: %s holds no files at that revision", rev, dir)
	}
	return out, nil
}
