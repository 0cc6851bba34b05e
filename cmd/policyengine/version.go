package main

import (
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
			engine, err := readPolicy(cmd, e, &f, output.Version, out)
			if err != nil {
				return err
			}
			v := output.VersionInfo{Info: buildinfo.Read(), Module: buildinfo.Module, PolicyRevision: engine.Revision()}
			return output.WriteVersion(e.stdout, out, v, output.Options{})
		},
	}
	addReaderFlags(cmd, &f, &out, output.Version)
	return cmd
}
