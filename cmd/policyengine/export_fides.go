package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policy"
)

const exportFidesLong = `Write Fides (fideslang 3) resource files from activity manifests, so that a team that keeps
its declarations as manifests can feed Fides' data map. Each manifest gives one Fides file,
DIR/<manifest name>.yml, of one system (its fides_key the manifest's name); each activity is a
privacy declaration named by its id. The policy's fides_mapping, read backwards, gives the Fides
data use, data categories and data subjects; its recipient_register, the vendors' systems the
declarations send data to (written once, in DIR/recipients.yml). What Fides has no field for
(sources, retention from an event other than collection, court orders, a term no Fides key
stands for alone) is kept in the system's meta, under policyengine: check and import fides read
the files back as the manifests decide. Once a declaration's Fides fields are changed in Fides,
the meta is no longer read for it (fides.meta_stale) and the Fides fields are judged.

DIR must stand inside the working directory once symbolic links are followed; a name in it that
is a symbolic link or anything but a regular file is refused, never written through. See
docs/fides.md.

PATH is as for check (files and directories of manifests; with none, the manifests the project
config file lists; its ignore globs and --ignore leave files out of every walk). An activity
that decides about one person (consent, subject) is not a declaration and is not written.

Exit codes: 0 every activity is written; 2 a usage or policy error, or a manifest or activity
that could not be read or written (the rest is still written; the problems are listed).`

// newExportFidesCmd is export fides.
func newExportFidesCmd(e env) *cobra.Command {
	return fidesSubcommand(e, fidesVerb{
		verb:     "export",
		subShort: "Write Fides (fideslang) resource files from manifests", long: exportFidesLong,
		example: "  policyengine export fides -o .fides/ manifests/", reads: "a manifest", writes: "the Fides files", paths: "[PATH...]", project: true,
		run: func(cmd *cobra.Command, doc *policy.Document, files []string, dir string) error {
			ex, err := fides.Export(cmd.Context(), doc, files, fides.ExportOptions{Dir: dir, Read: manifest.Options{}})
			if ex != nil {
				reportExport(e.stdout, e.stderr, ex)
			}
			switch {
			case err != nil:
				return err
			case len(ex.Problems) > 0:
				return errReported
			}
			return nil
		},
	})
}

// reportExport prints what an export did, every line escaped.
func reportExport(stdout, stderr io.Writer, ex *fides.Exported) {
	for _, p := range ex.Problems {
		printProblem(stderr, "", p)
	}
	for _, n := range ex.Notes {
		fmt.Fprintf(stderr, "note: %s\n", output.Printable(n))
	}
	written := 0
	for _, f := range ex.Files {
		if f.From == "" {
			fmt.Fprintf(stdout, "%s: the vendors' systems\n", output.Printable(f.Path))
			continue
		}
		written += f.Declarations
		fmt.Fprintf(stdout, "%s: %s from %s\n", output.Printable(f.Path), output.Plural(f.Declarations, "declaration"), output.Printable(f.From))
	}
	fmt.Fprintf(stdout, "%s written as privacy declarations to %s\n", output.Plural(written, "activity"), output.Plural(len(ex.Files), "Fides file"))
}
