package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

const importFidesLong = `Write activity manifests from Fides (fideslang) resource files, so that a team can move from
Fides files to manifests for good. Each privacy declaration of each system becomes one
activity, read exactly as check reads it: its keys mapped through the policy's fides_mapping,
its datasets' categories added, its vendors described by the policy's recipient_register.
Every system file gives one manifest, DIR/<file name>.yaml; each activity is headed by a
comment naming the Fides file and line it came from, the import's findings (renamed, unknown
or unmapped keys, recipients missing from the register) and the Fides facts no rule judges yet
(special-category processing and its basis, DPIA requirement, transfers and their bases).

PATH is as for check: files and directories (walked for .json, .yaml and .yml; .fides is
walked too). Files that are not Fides files are left out, and said so.

Exit codes: 0 every declaration is written; 2 a usage or policy error, or a Fides file or
declaration that could not be read (the rest is still written; the problems are listed with
their lines).`

func newImportCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write manifests from another format (fides)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("import needs a format: policyengine import fides -o DIR PATH")
		},
	}
	var f engineFlags
	var outDir string
	fidesCmd := &cobra.Command{
		Use:     "fides [--policy DIR] -o DIR PATH...",
		Short:   "Write manifests from Fides (fideslang) resource files",
		Long:    importFidesLong,
		Example: "  policyengine import fides -o manifests/ .fides/",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				return fmt.Errorf("import fides needs at least one PATH (a Fides file or a directory)")
			}
			if outDir == "" {
				return fmt.Errorf("import fides needs -o DIR, the directory to write the manifests to")
			}
			engine, err := newEngine(cmd.Context(), f)
			if err != nil {
				return err
			}
			files, _, err := check.Files(paths, check.Options{})
			if err != nil {
				return err
			}
			failed := false
			report := func(file string, line, col int, msg string) {
				failed = true
				fmt.Fprintf(e.stderr, "%s:%d:%d: %s\n", file, line, col, msg)
			}
			var read []*fides.File
			for _, name := range files {
				data, err := manifest.ReadData(name, manifest.Options{})
				if err != nil {
					report(name, 0, 0, err.Error())
					continue
				}
				f, err := fides.Parse(name, data, fides.Limits{})
				var fe *problem.Problem
				switch {
				case errors.Is(err, fides.ErrNotFides):
					fmt.Fprintf(e.stderr, "%s: not a Fides file: left out\n", name)
				case errors.As(err, &fe):
					report(fe.File, fe.Line, fe.Column, fe.Message)
				case err != nil:
					report(name, 0, 0, err.Error())
				default:
					read = append(read, f)
				}
			}
			decls, findings, errs := fides.Build(read, engine.Policy())
			for _, fe := range errs {
				report(fe.File, fe.Line, fe.Column, fe.Message)
			}
			for _, f := range findings { // about a file, not a declaration: a warning
				fmt.Fprintf(e.stderr, "%s:%d:%d: warning %s: %s\n", f.At.File, f.At.Line, f.At.Column, f.Rule, f.Message)
			}
			bySystemFile := map[string][]*fides.Declaration{}
			var order []string
			written, left := 0, 0
			for _, d := range decls {
				for _, p := range d.Problems {
					report(p.File, p.Line, p.Column, d.ID+": "+p.Message)
				}
				if d.Activity == nil {
					left++
					continue
				}
				if _, ok := bySystemFile[d.At.File]; !ok {
					order = append(order, d.At.File)
				}
				bySystemFile[d.At.File] = append(bySystemFile[d.At.File], d)
				written++
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			used := map[string]bool{}
			for _, file := range order {
				data, err := fides.Manifest(bySystemFile[file])
				if err != nil {
					return err
				}
				base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
				name := base + ".yaml"
				for n := 2; used[name]; n++ {
					name = base + "-" + strconv.Itoa(n) + ".yaml"
				}
				used[name] = true
				target := filepath.Join(outDir, name)
				if err := os.WriteFile(target, data, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s: %d declarations from %s\n", target, len(bySystemFile[file]), file)
			}
			fmt.Fprintf(e.stdout, "%d declarations written to %d manifests in %s", written, len(order), outDir)
			if left > 0 {
				fmt.Fprintf(e.stdout, "; %d left out (a problem, or no personal data)", left)
			}
			fmt.Fprintln(e.stdout)
			if failed {
				return errReported
			}
			return nil
		},
	}
	addPolicyFlags(fidesCmd, &f) // its fides_mapping and recipient_register are used
	fidesCmd.Flags().StringVarP(&outDir, "output-dir", "o", "", "the directory to write the manifests to (created if missing)")
	cmd.AddCommand(fidesCmd)
	return cmd
}
