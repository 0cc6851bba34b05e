package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/rego"
)

func newExportCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write what the engine holds in a form other tools read",
	}
	cmd.AddCommand(newExportRegoCmd(e), newExportFidesCmd(e))
	return cmd
}

const exportRegoLong = `Write the built-in rules (Rego v1 modules, without their tests) into a directory, so that stock
OPA can check and test a policy of one's own without this project's checkout: the rules read the
policy document at data.privacy_policy, and a policy's own modules may call theirs. The law's
facts the rules read beside the document (where the EU/EEA is, the Commission's adequacy
decisions) go with them, under privacy_policy/, where OPA loads them at data.privacy_policy.

  policyengine export rego -o policyengine-rego
  opa check --strict policyengine-rego policies/acme
  opa test policyengine-rego policies/acme

The directory is created when missing. Run again (after upgrading policyengine), it replaces the
modules it wrote before; it refuses a directory that holds anything else, or is a link.`

func newExportRegoCmd(e env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:     "rego -o DIR",
		Short:   "Write the built-in rules for stock OPA to check a policy of one's own with",
		Long:    exportRegoLong,
		Example: "  policyengine export rego -o policyengine-rego && opa check --strict policyengine-rego policies/acme",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("export rego needs -o DIR")
			}
			modules, err := rego.Modules()
			if err != nil {
				return err
			}
			if err := emptyForExport(out); err != nil {
				return err
			}
			names := make([]string, 0, len(modules))
			for name := range modules {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if err := os.WriteFile(filepath.Join(out, name), modules[name], 0o644); err != nil {
					return err
				}
			}
			if err := exportFacts(out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d modules written to %s: opa check --strict %s POLICY-DIR\n", len(names), out, out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the directory to write the modules to (created if missing)")
	return cmd
}

// emptyForExport makes dir ready to take the modules: created when missing; when it exists, a
// directory (not a link) holding only .rego files, a previous export, which are removed so that
// a module the new version no longer has does not linger.
func emptyForExport(dir string) error {
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("-o %s: not a directory (a link is not followed)", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, entry := range entries {
		if entry.IsDir() && entry.Name() == factsDir && exportedFacts(filepath.Join(dir, factsDir)) {
			continue
		}
		if !entry.Type().IsRegular() || !strings.HasSuffix(entry.Name(), ".rego") {
			return fmt.Errorf("-o %s: it holds %q, which is no module an export wrote: export into a new directory, or one of modules only", dir, entry.Name())
		}
	}
	for _, entry := range entries {
		if err := os.RemoveAll(filepath.Join(dir, entry.Name())); err != nil {
			return err
		}
	}
	return nil
}

// factsDir is where an export puts the law's facts (rego.Facts): OPA loads a YAML file at the
// path of its directory, so there they are data.privacy_policy.
const factsDir = "privacy_policy"

// exportedFacts reports whether a directory holds only YAML files, as an export writes the facts.
func exportedFacts(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, entry := range entries {
		if !entry.Type().IsRegular() || !strings.HasSuffix(entry.Name(), ".yaml") {
			return false
		}
	}
	return true
}

// exportFacts writes the law's facts under out/privacy_policy.
func exportFacts(out string) error {
	return fs.WalkDir(rego.Facts(), factsDir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(out, filepath.FromSlash(name)), 0o755)
		}
		src, err := fs.ReadFile(rego.Facts(), name)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, filepath.FromSlash(name)), src, 0o644)
	})
}
