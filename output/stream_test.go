package output_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/output"
)

// A format that streams writes, result by result, exactly what it writes for the whole report,
// the rights every person has said once after the results (or, with AllConditions, under each
// declaration); the JSON format writes what encoding the whole report at once writes. Formats
// that need every result first do not stream: they keep the results and write the same report at
// End.
func TestStreamedCheckEqualsWhole(t *testing.T) {
	full := report(t)
	rights := 0
	for _, r := range full.Results {
		for _, c := range r.Conditions {
			if c.EveryPerson {
				rights++
			}
		}
	}
	require.NotZero(t, rights, "the report has rights every person has, which a format says once")
	warned := *full
	warned.FailOnWarn = true
	empty := &check.Report{Results: []check.Result{}, Revision: full.Revision}
	var streaming []string
	for _, name := range output.Formats(output.Check) {
		for _, all := range []bool{false, true} {
			opts := output.Options{AllConditions: all}
			if output.NeedsEntries(name) {
				continue // a page that describes the activities: it needs them all
			}
			for _, rep := range []*check.Report{full, &warned, empty} {
				var whole bytes.Buffer
				require.NoError(t, output.WriteCheck(&whole, name, rep, opts))
				head := &check.Report{Revision: rep.Revision, Rules: rep.Rules, Policy: rep.Policy, FailOnWarn: rep.FailOnWarn}
				var streamed bytes.Buffer
				s, err := output.StreamCheck(&streamed, name, head, opts)
				require.NoError(t, err)
				for _, r := range rep.Results {
					require.NoError(t, s.Result(r))
				}
				rest := *rep
				rest.Results = []check.Result{}
				require.NoError(t, s.End(&rest))
				require.Equal(t, whole.String(), streamed.String(), "%s, all conditions %v", name, all)
				if rep == full && !all && output.Streams(name) {
					streaming = append(streaming, name)
				}
				if name == "json" {
					var encoded bytes.Buffer
					enc := json.NewEncoder(&encoded)
					enc.SetIndent("", "  ")
					enc.SetEscapeHTML(false)
					require.NoError(t, enc.Encode(rep))
					require.Equal(t, encoded.String(), streamed.String())
				}
			}
		}
	}
	require.Equal(t, []string{"github", "json", "junit", "sarif", "text"}, streaming)
}

// SARIF and JUnit write as the results come, so that a run holds only what is in flight: SARIF
// each result when it comes, JUnit a file's suite once a result of the next file comes.
func TestSARIFAndJUnitWriteAsResultsCome(t *testing.T) {
	full := report(t)
	require.Equal(t, "broken.json", full.Results[0].File)
	require.Equal(t, "orders.yaml", full.Results[1].File)
	head := &check.Report{Revision: full.Revision, Rules: full.Rules, Policy: full.Policy}

	var sarif bytes.Buffer
	s, err := output.StreamCheck(&sarif, "sarif", head, output.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Result(full.Results[0]))
	assert.Contains(t, sarif.String(), `"ruleId": "`+check.InputRule+`"`, "the first file's input error is written")
	assert.NotContains(t, sarif.String(), `"invocations"`, "what follows the results is not")

	var junit bytes.Buffer
	s, err = output.StreamCheck(&junit, "junit", head, output.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Result(full.Results[0]))
	assert.NotContains(t, junit.String(), "<testsuite ", "a file's suite waits for its last result")
	require.NoError(t, s.Result(full.Results[1]))
	assert.Contains(t, junit.String(), `<testsuite name="broken.json"`, "the first file's suite is written once the next file's results come")
	assert.NotContains(t, junit.String(), "orders.yaml")
}
