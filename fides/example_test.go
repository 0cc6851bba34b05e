package fides_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/policy"
)

// Read a Fides file and build the activities its privacy declarations stand for, under the
// policy's fides_mapping.
func ExampleBuild() {
	src := `system:
  - fides_key: shop
    system_type: Service
    privacy_declarations:
      - name: orders
        data_use: essential.service.payment_processing
        data_categories: [user.name, user.contact.email]
        data_subjects: [customer]
        legal_basis_for_processing: Contract
        retention_period: "730"
`
	f, err := fides.Parse("shop.yml", []byte(src), fides.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	decls, _, _ := fides.Build([]*fides.File{f}, policy.Default().Document)
	for _, d := range decls {
		fmt.Println(d.ID, d.Activity["purposes"], d.Activity["data_categories"], d.Activity["legal_basis"])
		fmt.Println("purposes from line", d.Locate("/purposes/0").Line)
	}
	// Output:
	// shop/orders [purchase.orders] [name email] contract
	// purposes from line 6
}

// Write fideslang from a manifest, then import it back: the activity comes back as it was.
func ExampleExport() {
	dir, _ := os.MkdirTemp("", "export")
	defer os.RemoveAll(dir)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir) // Export and Import write only inside the working directory
	os.WriteFile("orders.yaml", []byte("id: orders\ndata_subjects: [customer]\ndata_categories: [name, email]\nsources: [data_subject]\npurposes: [purchase.orders]\nlegal_basis: contract\nretention: {period: P5Y, from: end_of_contract}\n"), 0o644)

	doc := policy.Default().Document
	ex, err := fides.Export(context.Background(), doc, []string{"orders.yaml"}, fides.ExportOptions{Dir: "fides"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range ex.Files {
		fmt.Println(f.Path, f.Declarations)
	}
	im, err := fides.Import(context.Background(), doc, []string{filepath.Join("fides", "orders.yml")}, fides.ImportOptions{Dir: "back"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range im.Declarations {
		fmt.Println(d.ID, d.Outcome, d.Manifest, d.Activity["sources"], d.Activity["retention"])
	}
	// Output:
	// fides/orders.yml 1
	// orders written back/orders.yaml [data_subject] map[from:end_of_contract period:P5Y]
}
