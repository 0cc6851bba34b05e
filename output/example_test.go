package output_test

import (
	"fmt"
	"os"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/output"
)

// A kind of report is written in a format of its own table: the rule catalogue as text.
func ExampleWriteRules() {
	rules := []policyengine.Rule{
		{ID: "transfer.without_scc", Kind: "deny", Title: "Transfer without SCCs", Clause: "International Transfers"},
		{ID: "retention.review", Kind: "warn", Title: "Retention due for review", Clause: "Retention"},
	}
	if err := output.WriteRules(os.Stdout, "text", rules, output.Options{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// RULE                  KIND  TITLE                     CLAUSE
	// transfer.without_scc  deny  Transfer without SCCs     International Transfers
	// retention.review      warn  Retention due for review  Retention
}

// A name that is no format of the kind of report is an error naming those that are.
func ExampleValidate() {
	fmt.Println(output.Formats(output.Record))
	fmt.Println(output.Validate(output.Record, "text"))
	// Output:
	// [csv html json markdown]
	// unknown format "text" (want one of csv, html, json, markdown)
}
