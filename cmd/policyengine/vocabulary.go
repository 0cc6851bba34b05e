package main

import (
	"github.com/spf13/cobra"

	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/output"
)

const vocabularyLong = `List what a manifest may say under the policy: every vocabulary with its terms and the
fields they go in — data subjects, data categories, special categories (recognised and
refused), sources, purposes with the legal bases each may rest on, legal bases, channels, the
events a retention period runs from, recipient types, the EU/EEA countries and the transfer
safeguards. The lists come from the policy document (the embedded Confect policy, or
--policy DIR) and the activity schema.

With --fides, print instead how every key of the fideslang default taxonomy (data uses, data
categories, data subjects), and every other key of the policy's fides_mapping table, resolves
under the policy: the terms it maps to (and the channel, profiling or recipient a data use
implies), "not in this policy" (the policy's own rule refuses it), "not personal data", or
"unmapped"; a key without an entry of its own names the ancestor whose entry it takes.`

func newVocabularyCmd(e env) *cobra.Command {
	var f engineFlags
	var out string
	var fidesKeys bool
	cmd := &cobra.Command{
		Use:     "vocabulary [--policy DIR] [--fides] [-o text|json]",
		Short:   "List every term a manifest may use, from the policy",
		Long:    vocabularyLong,
		Example: "  policyengine vocabulary\n  policyengine vocabulary --policy examples/policies/brightpath -o json\n  policyengine vocabulary --fides",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kind := output.Vocabulary
			if fidesKeys {
				kind = output.FidesMapping
			}
			engine, err := readPolicy(cmd, e, &f, kind, out)
			if err != nil {
				return err
			}
			if fidesKeys {
				return output.WriteFidesMapping(e.stdout, out, fides.Resolutions(engine.Document()), output.Options{})
			}
			return output.WriteVocabulary(e.stdout, out, engine.Document().Vocabularies(), output.Options{})
		},
	}
	addReaderFlags(cmd, &f, &out, output.Vocabulary)
	cmd.Flags().BoolVar(&fidesKeys, "fides", false, "print how every key of the Fides default taxonomy (and of the policy's fides_mapping) resolves under the policy")
	return cmd
}
