package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/internal/buildinfo"
	"github.com/confect/policyengine/output"
)

const versionLong = `Print policyengine's version: the module version and the commit it was built from (as the
Go toolchain records them), the Go version, and the revision of the policy it decides under
(the embedded Confect policy, or --policy DIR). Pin the first in CI; the last is what every
report names.`

func newVersionCmd(e env) *cobra.Command {
	var f engineFlags
	var out string
	cmd := &cobra.Command{
		Use:   "version [--policy DIR] [-o text|json]",
		Short: "Print the version, the commit it was built from and the policy revision",
		Long:  versionLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			engine, err := readPolicy(cmd, f, out)
			if err != nil {
				return err
			}
			info := buildinfo.Read()
			if out == "json" {
				return output.JSON{}.Value(e.stdout, struct {
					buildinfo.Info
					Module         string `json:"module"`
					PolicyRevision string `json:"policy_revision"`
				}{info, buildinfo.Module, engine.Revision()})
			}
			fmt.Fprintf(e.stdout, "policyengine %s\n", info)
			fmt.Fprintf(e.stdout, "  module    %s %s\n", buildinfo.Module, info.Version)
			if info.Revision != "" {
				fmt.Fprintf(e.stdout, "  commit    %s %s\n", info.Revision, info.Time)
			}
			fmt.Fprintf(e.stdout, "  go        %s\n", info.Go)
			fmt.Fprintf(e.stdout, "  policy    %s\n", engine.Revision())
			return nil
		},
	}
	addReaderFlags(cmd, &f, &out)
	return cmd
}
