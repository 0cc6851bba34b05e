package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/ropa"
)

const ropaLong = `Write the record of processing activities (GDPR art. 30(1)) from the declarations in the
manifests: one entry per declaration, with its purposes in the policy's words, legal basis,
categories of data subjects and of personal data, sources, recipients by category with third
countries and the safeguard of each transfer, retention and the event it runs from, and the
decision with its findings. The controller, its contact, the DPO and the security measures come
from the policy document. Fields the record needs and a declaration leaves out are listed per
declaration.

PATH is as for check. Formats: markdown (a table for a pull request), csv (one row per
declaration, for a spreadsheet), json (schema/ropa.schema.json), html (one self-contained page).

Exit codes: 0 the record is written; 2 a usage or policy error, or a manifest or declaration that
could not be read or decided (the record is still written and lists it).`

func newROPACmd(e env) *cobra.Command {
	var f engineFlags
	var ignore []string
	var format string
	cmd := &cobra.Command{
		Use:     "ropa [--policy DIR] [--format markdown|csv|html|json] PATH...",
		Short:   "Write the record of processing activities (GDPR art. 30) from the manifests",
		Long:    ropaLong,
		Example: "  policyengine ropa --format markdown examples/manifests > ROPA.md\n  policyengine ropa --format csv manifests/ > ropa.csv",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				return fmt.Errorf("ropa needs at least one PATH (a file, a directory, or - for standard input)")
			}
			formatter, err := output.For(output.Record, format, output.Options{})
			if err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			engine, err := newEngine(cmd.Context(), f)
			if err != nil {
				return err
			}
			rep, err := check.Run(cmd.Context(), engine, paths, check.Options{Ignore: ignore, Stdin: e.stdin, KeepEntries: true})
			if err != nil {
				return err
			}
			rec, err := ropa.Build(rep)
			if err != nil {
				return err
			}
			if err := formatter.FormatRecord(e.stdout, rec); err != nil {
				return fmt.Errorf("writing the record: %w", err)
			}
			if rep.Summary.Errors > 0 {
				return errReported
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&format, "format", "f", "markdown", "record format: "+strings.Join(output.Formats(output.Record), "|"))
	addPolicyFlags(cmd, &f)
	addNowFlag(cmd, &f.now)
	addIgnoreFlag(cmd, &ignore)
	return cmd
}
