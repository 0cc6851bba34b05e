package output_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
)

// A Fides finding from a dataset lands on the dataset's file in SARIF, GitHub annotations and
// JUnit, and every SARIF result names a rule the run describes (the import's own too).
func TestFidesFindingsLandOnTheirFile(t *testing.T) {
	engine, err := policyengine.New(context.Background())
	require.NoError(t, err)
	rep, err := check.Run(context.Background(), engine, []string{filepath.Join("..", "check", "testdata", "fides", "project")}, check.Options{})
	require.NoError(t, err)
	render := func(name string) string {
		var buf bytes.Buffer
		require.NoError(t, output.WriteCheck(&buf, name, rep, output.Options{}))
		return buf.String()
	}
	dataset := filepath.ToSlash(filepath.Join("..", "check", "testdata", "fides", "project", "datasets.yml"))

	var log sarifLog
	require.NoError(t, json.Unmarshal([]byte(render("sarif")), &log))
	run := log.Runs[0]
	inDataset := false
	for _, r := range run.Results {
		require.GreaterOrEqual(t, r.RuleIndex, 0, r.RuleID)
		assert.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
		loc := r.Locations[0].PhysicalLocation
		assert.Positive(t, loc.Region.StartLine, r.RuleID)
		if strings.HasSuffix(loc.ArtifactLocation.URI, "datasets.yml") && r.RuleID == "category.unlisted" {
			inDataset = true
			assert.Equal(t, 19, loc.Region.StartLine)
		}
	}
	assert.True(t, inDataset, "a result lands on the dataset file")

	assert.Contains(t, render("github"), "::error file="+dataset+",line=19,col=27,title=category.unlisted::")
	assert.Contains(t, render("junit"), dataset+" line 19: category.unlisted")
}
