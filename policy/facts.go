package policy

import (
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/rego"
)

// factsDir is where the law's facts live, in the rules' directory (rego.Facts): each YAML file
// there holds keys of data.privacy_policy.
const factsDir = "privacy_policy"

// lawFacts are the keys of data.privacy_policy that the law's facts files hold, and their values,
// read once: eu_eea_territory and adequacy_decisions. Nothing writes to them; each policy gets a
// copy.
var lawFacts = sync.OnceValues(func() (map[string]any, error) {
	out := map[string]any{}
	err := fs.WalkDir(rego.Facts(), factsDir, func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isDocumentFile(rel) {
			return err
		}
		src, err := fs.ReadFile(rego.Facts(), rel)
		if err != nil {
			return err
		}
		docs, err := jsonpos.ParseYAML(src, jsonpos.Options{})
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		obj, ok := docs[0].Value.(map[string]any)
		if len(docs) != 1 || !ok {
			return fmt.Errorf("%s: expected one YAML document, an object", rel)
		}
		for key, value := range obj {
			if _, dup := out[key]; dup {
				return fmt.Errorf("%s: %s is defined by another facts file too", rel, key)
			}
			out[key] = value
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: the law's facts (rego/%s): %w", ErrInvalid, factsDir, err)
	}
	return out, nil
})

// FactKeys are the keys of data.privacy_policy that come from the law's facts, not from a policy
// document, sorted.
func FactKeys() []string {
	facts, err := lawFacts()
	if err != nil {
		return nil
	}
	keys := make([]string, 0, len(facts))
	for k := range facts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// addFacts merges the law's facts into a document read from its source, before it is
// validated: every policy's data holds them beside its own facts, as stock OPA's does when it
// loads the rules' directory with the policy's. A document that defines one of their keys
// itself is refused, at that key: the facts are said once, and OPA would refuse the two
// definitions as a conflict.
func addFacts(name string, doc *jsonpos.Doc) error {
	facts, err := lawFacts()
	if err != nil {
		return err
	}
	root, ok := doc.Value.(map[string]any)
	if !ok {
		return nil // the schema refuses it
	}
	pp, ok := root["privacy_policy"].(map[string]any)
	if !ok {
		return nil // the schema refuses it
	}
	var problems []*problem.Problem
	for _, key := range FactKeys() {
		if _, defined := pp[key]; defined {
			pointer := jsonpos.AppendPointer("/privacy_policy", key)
			pos := doc.Locate(pointer)
			problems = append(problems, &problem.Problem{Kind: problem.Schema, File: name, Line: pos.Line, Column: pos.Column, Pointer: pointer,
				Message: fmt.Sprintf("%s is a fact of the law that the rules hold (rego/%s/): a policy document does not define it", key, factsDir)})
			continue
		}
		pp[key] = jsonpos.Clone(facts[key])
	}
	return Invalid(problems)
}
