package main

import (
	"fmt"
	"strings"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/internal/markdown"
)

// rulesPage is docs/rules.md: a table of every rule, then each rule's entry as `policyengine
// explain` gives it.
func rulesPage(engine *policyengine.Engine) []byte {
	doc := engine.Document()
	var b strings.Builder
	b.WriteString("# The rule catalogue\n\n")
	b.WriteString(generated("the rules' METADATA and the policy document"))
	fmt.Fprintf(&b, `
The rules of %s, the policy the engine embeds: every rule that can deny or warn, what it
checks, what to change to pass it, and the clause of the policy it enforces. `+"`policyengine rules`"+`
lists the rules of the policy in force (`+"`--policy DIR`"+` for another company's) and
`+"`policyengine explain RULE`"+` explains one. [How the policy's text is read](policy-authors.md#how-confects-policy-is-read)
says where the rules read room in it.

A **declaration** rule reads only what a team declares. A **person** rule reads the person's state
(`+"`consent`, `subject`"+`): for a declaration alone it is a condition the service must meet at run time,
not a denial, and it says what it requires of the person. A **warning** never denies
(`+"`check --fail-on-warn`"+` fails on it). A `+"`processor`"+` activity is governed by the customer's DPA: only
`+"`processor.no_customer_dpa`"+` and the `+"`sharing.*`"+` and `+"`transfer.*`"+` rules apply to it.
`, doc.Title)

	rules := engine.Rules()
	b.WriteString("\n| rule | kind | title | clause of the policy |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", r.ID, markdown.Slug("`"+r.ID+"`"), kind(r), cell(r.Title), cell(r.Clause))
	}
	b.WriteString("\n## Rules\n")
	for _, r := range rules {
		entry(&b, r)
	}

	findings(&b, "Findings of the Fides reader", "Reading Fides files (see [fides.md](fides.md)) makes findings of its own, beside the rules':", fides.Rules(doc))
	findings(&b, "Findings of drift", "Judging what code scanners found against the declarations (see [drift.md](drift.md)) makes findings of its own, located in the code:", drift.Rules(doc))
	return []byte(b.String())
}

// findings writes a section of findings beside the rules': a table of them, then an entry each.
func findings(b *strings.Builder, title, intro string, found []policyengine.Rule) {
	fmt.Fprintf(b, "\n## %s\n\n%s\n\n", title, intro)
	b.WriteString("| finding | kind | title | clause of the policy |\n|---|---|---|---|\n")
	for _, r := range found {
		fmt.Fprintf(b, "| [`%s`](#%s) | %s | %s | %s |\n", r.ID, markdown.Slug("`"+r.ID+"`"), kind(r), cell(r.Title), cell(r.Clause))
	}
	for _, r := range found {
		entry(b, r)
	}
}

// entry writes a rule's section: its title, kind and clause, what it checks, how to pass it,
// and what a person rule requires of the person.
func entry(b *strings.Builder, r policyengine.Rule) {
	fmt.Fprintf(b, "\n### `%s`\n\n**%s** (%s; clause `%s`, %s)\n\n%s\n", r.ID, r.Title, kind(r), r.ClauseID, r.Clause, r.Description)
	if r.Remedy != "" {
		fmt.Fprintf(b, "\nTo pass: %s\n", r.Remedy)
	}
	if r.Requires != "" {
		fmt.Fprintf(b, "\nRequires of the person: %s.\n", r.Requires)
	}
}

// kind says whether a rule denies or warns, and whom it reads.
func kind(r policyengine.Rule) string {
	k := "deny"
	if r.Kind == "warn" {
		k = "warning"
	}
	switch {
	case r.Requires != "" && r.AlsoDeclaration:
		return k + ", person and declaration"
	case r.Requires != "":
		return k + ", person"
	}
	return k
}

// cell makes text fit a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
