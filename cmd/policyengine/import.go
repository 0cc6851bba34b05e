package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
)

const importFidesLong = `Write activity manifests from Fides (fideslang) resource files, so that a team can move from
Fides files to manifests for good. Each privacy declaration of each system becomes one
activity, read exactly as check reads it: its keys mapped through the policy's fides_mapping,
its datasets' categories and purposes added, its vendors described by the policy's
recipient_register. Every Fides file with systems gives one manifest, DIR/<file name>.yaml;
each activity is headed by a comment naming the Fides file and line it came from, the import's
findings and the Fides facts no rule judges yet.

Only terms of the policy's vocabularies are written. A declaration check denies for a Fides key
the policy does not cover (one fides_mapping has no entry for, or marks not_in_policy) or for a
finding of the import (a dataset missing, no data category) is not written: it is listed, with
the table to extend or the file to add, at the end of its manifest and here.

DIR must stand inside the working directory once symbolic links are followed; a name in it that
is a symbolic link or anything but a regular file is refused, never written through. See
docs/fides.md.

PATH is as for check: files and directories (walked for .json, .yaml and .yml; .fides is
walked too; the project config file's ignore globs and --ignore leave files out of every walk).
Files that are not Fides files are left out, and said so.

Exit codes: 0 every declaration of personal data is written; 1 some are not written (check
denies them; each is listed with why); 2 a usage or policy error, or a Fides file or
declaration that could not be read (the rest is still written; the problems are listed with
their lines).`

func newImportCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write manifests from another format (fides)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fmt.Errorf("import needs a format: policyengine import fides -o DIR PATH")
		},
	}
	cmd.AddCommand(fidesSubcommand(e, fidesVerb{
		verb:     "import",
		subShort: "Write manifests from Fides (fideslang) resource files", long: importFidesLong,
		example: "  policyengine import fides -o manifests/ .fides/", reads: "a Fides file", writes: "the manifests", paths: "PATH...",
		run: func(cmd *cobra.Command, doc *policy.Document, files []string, dir string) error {
			im, err := fides.Import(cmd.Context(), doc, files, fides.ImportOptions{Dir: dir, Read: manifest.Options{}})
			if im != nil {
				reportImport(e.stdout, e.stderr, im)
			}
			switch {
			case err != nil:
				return err
			case im.Failed():
				return errReported
			case im.Count(fides.Held) > 0:
				return violation(output.Plural(im.Count(fides.Held), "declaration") + " not written: check denies them (listed above)")
			}
			return nil
		},
	}))
	return cmd
}

// fidesVerb describes import fides or export fides.
type fidesVerb struct {
	verb, subShort, long, example string
	reads, writes                 string // what a PATH is, what DIR receives
	paths                         string // the usage's PATH part
	project                       bool   // with no PATH, the manifests the project config lists
	run                           func(cmd *cobra.Command, doc *policy.Document, files []string, dir string) error
}

// fidesSubcommand is import fides or export fides: it reads the files under PATHs, under the
// policy's fides_mapping and recipient_register, and writes into -o DIR.
func fidesSubcommand(e env, v fidesVerb) *cobra.Command {
	var f engineFlags
	var files manifestFlags
	var outDir string
	sub := &cobra.Command{
		Use:     "fides [--policy DIR] -o DIR " + v.paths,
		Short:   v.subShort,
		Long:    v.long,
		Example: v.example,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 && !v.project {
				return fmt.Errorf("%s fides needs at least one PATH (%s or a directory)", v.verb, v.reads)
			}
			if outDir == "" {
				return fmt.Errorf("%s fides needs -o DIR, the directory to write %s to", v.verb, v.writes)
			}
			sel, err := files.selectFiles(cmd, &f, paths, v.verb+"ed")
			if err != nil {
				return err
			}
			engine, err := e.engine(cmd.Context(), &f)
			if err != nil {
				return err
			}
			return v.run(cmd, engine.Document(), sel.Files, outDir)
		},
	}
	addPolicyFlags(sub, &f)
	addOutputDirFlag(sub, &outDir, v.writes)
	addManifestFlags(sub, &files)
	return sub
}

// reportImport prints what an import did, every line escaped: problems and findings on stderr
// with their places, the manifests written and the declarations held on stdout.
func reportImport(stdout, stderr io.Writer, im *fides.Imported) {
	for _, p := range im.Problems {
		printProblem(stderr, "", p)
	}
	for _, name := range im.NotFides {
		fmt.Fprintf(stderr, "%s: not a Fides file: left out\n", output.Printable(name))
	}
	for _, f := range im.Findings { // about a file, not a declaration: a warning
		fmt.Fprintf(stderr, "%s:%d:%d: warning %s: %s\n", output.Printable(f.File), f.Line, f.Column, f.Rule, output.Printable(f.Message))
	}
	for _, d := range im.Declarations {
		switch d.Outcome {
		case fides.Failed:
			for i := range d.Problems {
				printProblem(stderr, d.ID, &d.Problems[i])
			}
		case fides.Held:
			fmt.Fprintf(stderr, "%s:%d:%d: %s: not written: check denies it\n", output.Printable(d.At.File), d.At.Line, d.At.Column, output.Printable(d.ID))
			for _, f := range d.Unwritable() {
				fmt.Fprintf(stderr, "  %s:%d:%d: %s: %s\n", output.Printable(f.File), f.Line, f.Column, f.Rule, output.Printable(f.Message))
			}
		}
	}
	for _, m := range im.Manifests {
		fmt.Fprintf(stdout, "%s: %s from %s\n", output.Printable(m.Path), output.Plural(m.Declarations, "declaration"), output.Printable(m.From))
	}
	fmt.Fprintf(stdout, "%s written to %s", output.Plural(im.Count(fides.Written), "declaration"), output.Plural(len(im.Manifests), "manifest"))
	if n := im.Count(fides.Held); n > 0 {
		fmt.Fprintf(stdout, "; %d not written (check denies them)", n)
	}
	if n := im.Count(fides.NotPersonal) + im.Count(fides.Failed); n > 0 {
		fmt.Fprintf(stdout, "; %d left out (a problem, or no personal data)", n)
	}
	fmt.Fprintln(stdout)
}

// printProblem prints a located problem on one line, escaped, after the id of what it is about.
func printProblem(w io.Writer, id string, p *problem.Problem) {
	msg := p.Message
	if id != "" {
		msg = id + ": " + msg
	}
	fmt.Fprintf(w, "%s:%d:%d: %s\n", output.Printable(p.File), p.Line, p.Column, output.Printable(msg))
}
