package finding_test

import (
	"fmt"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/finding"
)

// A finding names its own file only where it is not its result's: a category a Fides
// declaration takes from a dataset stands in the dataset's file.
func ExampleFinding_In() {
	inResult := finding.Finding{Reason: policyengine.Reason{Rule: "category.sensitive", Path: "/data_categories/0", Message: "health data is a special category"}, Line: 12}
	inDataset := inResult
	inDataset.File = "fides/datasets.yml"
	for _, f := range []finding.Finding{inResult, inDataset} {
		fmt.Printf("%s:%d: %s\n", f.In("fides/systems.yml"), f.Line, f.Reason)
	}
	// Output:
	// fides/systems.yml:12: category.sensitive at /data_categories/0: health data is a special category
	// fides/datasets.yml:12: category.sensitive at /data_categories/0: health data is a special category
}
