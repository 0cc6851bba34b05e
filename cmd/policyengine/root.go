package main

import (
	"github.com/spf13/cobra"

	"github.com/confect/policyengine/internal/buildinfo"
)

const rootLong = `policyengine decides whether proposed processing of personal data is allowed by a
company's privacy policy, written as code (Rego rules reading a policy document), and says why
not: for every denial the rule, the clause of the policy it enforces and the field at fault.

The default policy is Confect's privacy policy, embedded in the binary.`

func newRootCmd(e env) *cobra.Command {
	root := &cobra.Command{
		Use:           "policyengine",
		Short:         "Privacy policy as code: decide data-flow manifests against the policy",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.Read().String(),
	}
	root.SetVersionTemplate("policyengine {{.Version}}\n")
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.AddCommand(newCheckCmd(e))
	root.AddCommand(newDriftCmd(e))
	root.AddCommand(newVocabularyCmd(e), newVersionCmd(e))
	root.AddCommand(newBundleCmd(e))
	root.AddCommand(newRulesCmd(e))
	root.AddCommand(newExplainCmd(e))
	root.AddCommand(newTestCmd(e))
	root.AddCommand(newDiffCmd(e))
	root.AddCommand(newROPACmd(e))
	root.AddCommand(newImportCmd(e))
	root.AddCommand(newExportCmd(e))
	return root
}
