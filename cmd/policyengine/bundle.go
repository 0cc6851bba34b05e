package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/output"
)

const bundleBuildLong = `Build an OPA bundle of the policy, for a fleet of stock OPA servers fed by a bundle
service: the built-in rules, the policy's own modules, the policy document as data, the
activity's JSON Schema (so servers refuse what the library refuses), the decision log mask,
and a .manifest whose revision is the policy revision the library reports.

With --declarations PATH (repeatable: every one is kept), the declarations in the manifests
there (the files CI checks, chosen as check chooses them: the project config file's ignore globs
and --ignore leave files out of every walk, a file named is always read) go into the bundle,
each validated and with its residual: what the rules leave of it once everything but the
person's state is known, as Rego. A server asked {"declaration": ID, "consent": ...,
"subject": ...} at data.policyengine.decision validates the person's state and evaluates only
that residual: the decision of the library's Declaration.DecideJSON. An unknown id is an error
decision that denies.

With --signing-key (a PEM RSA or ECDSA private key) and --key-id, the bundle is signed;
servers configured with the public key under that id refuse a bundle that fails it.
See docs/scale-out.md.`

func newBundleCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle",
		Short: "Build OPA bundles of the policy",
	}
	cmd.AddCommand(newBundleBuildCmd(e))
	return cmd
}

func newBundleBuildCmd(e env) *cobra.Command {
	var f engineFlags
	var files manifestFlags
	var signingKey, keyID, out string
	var declarations []string
	cmd := &cobra.Command{
		Use:     "build [--policy DIR] [--declarations PATH]... [--signing-key PEM --key-id ID] -o bundle.tar.gz",
		Short:   "Build an OPA bundle of the policy",
		Long:    bundleBuildLong,
		Example: "  policyengine bundle build --signing-key keys/private.pem --key-id policyengine -o bundle.tar.gz",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("bundle build needs -o FILE")
			}
			if (signingKey == "") != (keyID == "") {
				return fmt.Errorf("--signing-key and --key-id go together")
			}
			p, err := f.loadPolicy()
			if err != nil {
				return err
			}
			opts := bundle.BuildOptions{KeyID: keyID}
			if signingKey != "" {
				key, err := os.ReadFile(signingKey)
				if err != nil {
					return fmt.Errorf("--signing-key: %v", err)
				}
				opts.SigningKey = key
			}
			if len(declarations) > 0 {
				if opts.Declarations, err = loadDeclarations(cmd, e, &f, &files, declarations); err != nil {
					return err
				}
			}
			tmp, err := os.CreateTemp(filepath.Dir(out), ".bundle-*.tar.gz")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			built, err := bundle.Build(cmd.Context(), tmp, p, opts)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp.Name(), out)
			}
			if err != nil {
				return err
			}
			signed := "unsigned"
			if signingKey != "" {
				signed = "signed with key " + keyID
			}
			held := ""
			if len(declarations) > 0 {
				held = fmt.Sprintf("%d declarations (%d decided from their residual), ", built.Declarations, built.Residuals)
			}
			fmt.Fprintf(e.stdout, "%s: revision %s, %s%s\n", out, built.Revision, held, signed)
			return nil
		},
	}
	addPolicyFlags(cmd, &f)
	addKeyIDFlag(cmd, &keyID)
	fl := cmd.Flags()
	fl.StringVar(&signingKey, "signing-key", "", "PEM private key (RSA or ECDSA) to sign the bundle with")
	fl.StringVarP(&out, "output", "o", "", "the bundle file to write (.tar.gz)")
	fl.StringArrayVar(&declarations, "declarations", nil, "a manifest, or a directory of manifests, whose declarations servers decide by id (repeatable)")
	addManifestFlags(cmd, &files)
	return cmd
}

// loadDeclarations reads the declarations of the manifests the paths hold, chosen as check
// chooses them, for the bundle's data.
func loadDeclarations(cmd *cobra.Command, e env, f *engineFlags, files *manifestFlags, paths []string) (map[string]map[string]any, error) {
	sel, err := files.selectFiles(cmd, f, paths, "put in the bundle")
	switch {
	case err != nil:
		return nil, fmt.Errorf("--declarations: %w", err)
	case len(sel.Files) == 0: // --allow-empty: a bundle of no declaration
		return nil, nil
	}
	fsys, root, err := sel.FS()
	if err != nil {
		return nil, err
	}
	engine, err := e.engine(cmd.Context(), f)
	if err != nil {
		return nil, err
	}
	decls, err := engine.LoadDeclarations(cmd.Context(), fsys)
	if err != nil {
		return nil, fmt.Errorf("--declarations, in %s: %w", output.Printable(root), err)
	}
	return decls.Documents(), nil
}
