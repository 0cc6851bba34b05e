package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/output"
)

const driftData = "../../drift/testdata"

// located reads the findings a report in a machine format gives, as the machine would: each as
// "rule file:line".
func located(t *testing.T, format, out string) []string {
	t.Helper()
	var found []string
	switch format {
	case "json":
		var rep struct {
			Results []struct {
				File    string               `json:"file"`
				Errors  []struct{ Line int } `json:"errors"`
				Reasons []struct {
					Rule string `json:"rule"`
					File string `json:"file"`
					Line int    `json:"line"`
				} `json:"reasons"`
			} `json:"results"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
		for _, r := range rep.Results {
			for _, e := range r.Errors {
				found = append(found, fmt.Sprintf("input.invalid %s:%d", r.File, e.Line))
			}
			for _, f := range r.Reasons {
				found = append(found, fmt.Sprintf("%s %s:%d", f.Rule, r.File, f.Line))
			}
		}
	case "sarif":
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct{ ID string } `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID    string `json:"ruleId"`
					RuleIndex int    `json:"ruleIndex"`
					Level     string `json:"level"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
							Region           struct{ StartLine int } `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &log), out)
		run := log.Runs[0]
		for _, r := range run.Results {
			require.GreaterOrEqual(t, r.RuleIndex, 0, "every result's rule is in the run's catalogue: %s", r.RuleID)
			assert.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
			if r.Level == "note" {
				continue // a condition, as the other formats' notices
			}
			l := r.Locations[0].PhysicalLocation
			found = append(found, fmt.Sprintf("%s %s:%d", r.RuleID, strings.TrimPrefix(l.ArtifactLocation.URI, "file://"), l.Region.StartLine))
		}
	case "junit":
		var suites struct {
			Suites []struct {
				Cases []struct {
					File    string `xml:"file,attr"`
					Failure *struct {
						Text string `xml:",chardata"`
					} `xml:"failure"`
					Error *struct {
						Text string `xml:",chardata"`
					} `xml:"error"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		require.NoError(t, xml.Unmarshal([]byte(out), &suites), out)
		line := regexp.MustCompile(`^line (\d+): (\S+) at `)
		for _, s := range suites.Suites {
			for _, c := range s.Cases {
				if c.Error != nil {
					m := regexp.MustCompile(`line (\d+)`).FindStringSubmatch(c.Error.Text)
					require.NotNil(t, m, c.Error.Text)
					found = append(found, fmt.Sprintf("input.invalid %s:%s", c.File, m[1]))
				}
				if c.Failure == nil {
					continue
				}
				for _, l := range strings.Split(c.Failure.Text, "\n") {
					m := line.FindStringSubmatch(l)
					require.NotNil(t, m, l)
					found = append(found, fmt.Sprintf("%s %s:%s", m[2], c.File, m[1]))
				}
			}
		}
	case "github":
		ann := regexp.MustCompile(`^::error file=([^,]+),line=(\d+)(?:,col=\d+)?,title=([^:]+)::`)
		for _, l := range strings.Split(out, "\n") {
			if m := ann.FindStringSubmatch(l); m != nil {
				found = append(found, fmt.Sprintf("%s %s:%s", m[3], m[1], m[2]))
			}
		}
	default:
		t.Fatalf("no reader for %s", format)
	}
	return found
}

func TestDriftInEveryFormat(t *testing.T) {
	t.Parallel()
	manifests := filepath.Join(driftData, "manifests")
	privadoDrift := filepath.Join(driftData, "privado", "drift.json")
	bearerDrift := filepath.Join(driftData, "bearer", "drift.json")
	broken := write(t, t.TempDir(), "privado.json", "{\"dataFlow\": {\"third_parties\": [\n  {\"sourceId\": 7, \"sinks\": []}]}}")
	brokenBearer := write(t, t.TempDir(), "bearer.json", "{\"third_party\": [\n  {\"third_party\": 7, \"data_types\": []}]}")
	denied := "transfer.without_scc " + filepath.Join(manifests, "payments.yaml") + ":21"
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		found []string // what a machine format locates, in any order
	}{
		{"covered", []string{"--privado", filepath.Join(driftData, "privado", "covered.json"), "--bearer", filepath.Join(driftData, "bearer", "covered.json")}, 0, nil},
		{"uncovered, unmatched and unmapped", []string{"--privado", privadoDrift}, 1, []string{
			denied,
			"drift.unmatched_sink src/analytics/track.js:12", "drift.unmatched_sink src/analytics/track.js:30",
			"drift.uncovered_flow src/billing/charge.js:57",
			"drift.unmapped_element src/billing/refund.js:8",
		}},
		{"Bearer", []string{"--bearer", bearerDrift}, 1, []string{
			"drift.uncovered_flow " + bearerDrift + ":4", "drift.unmatched_sink " + bearerDrift + ":5",
			"drift.unmapped_element " + bearerDrift + ":6", "drift.uncovered_flow " + bearerDrift + ":6",
		}},
		{"broken", []string{"--privado", broken}, 2, []string{"input.invalid " + broken + ":2"}},
		{"broken Bearer", []string{"--bearer", brokenBearer}, 2, []string{"input.invalid " + brokenBearer + ":2"}},
	} {
		for _, format := range output.Formats(output.Check) {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				code, out, errs := runCLI(t, append(append([]string{"drift", "--config", "none", "--now", now, "-o", format}, tc.args...), manifests)...)
				assert.Equal(t, tc.code, code, errs)
				switch format {
				case "json", "sarif", "junit", "github":
					assert.ElementsMatch(t, tc.found, located(t, format, out))
				default: // for people: every finding's rule and file are shown
					for _, f := range tc.found {
						rule, place, _ := strings.Cut(f, " ")
						file, _, _ := strings.Cut(place, ":")
						if rule == "input.invalid" {
							rule = "expected a string" // people read what is wrong
						}
						assert.Contains(t, out, rule)
						assert.Contains(t, out, file)
					}
					if tc.found == nil {
						assert.NotContains(t, out, "drift.")
					}
				}
			})
		}
	}
}

func TestDriftNeedsAReport(t *testing.T) {
	t.Parallel()
	code, _, errs := runCLI(t, "drift", "--config", "none", filepath.Join(driftData, "manifests"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--privado FILE or --bearer FILE")
}

func TestDriftReadsTheProjectConfig(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "services/pay.yaml", string(mustRead(t, filepath.Join(driftData, "manifests", "payments.yaml"))))
	write(t, dir, "services/testdata/other.yaml", `{"id": "x", "data_categories": ["phone"], "purposes": ["purchase.orders"], "legal_basis": "contract", "retention": {"period": "P1Y", "from": "end_of_contract"}, "recipients": [{"name": "Stripe", "type": "subprocessor", "country": "IE", "dpa": true}]}`)
	write(t, dir, ConfigFile, "manifests: [services]\nignore: [testdata]\n")
	report, err := filepath.Abs(filepath.Join(driftData, "privado", "drift.json"))
	require.NoError(t, err)
	t.Chdir(dir)
	code, out, errs := runCLI(t, "drift", "--now", now, "--privado", report, "-o", "json")
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, errs, "config file")
	assert.Contains(t, located(t, "json", out), "drift.uncovered_flow src/billing/charge.js:57", "the ignored manifest, which lists phone for Stripe, is not read")
}

func TestRopaShowsTheCodeThatFeedsADeclaration(t *testing.T) {
	t.Parallel()
	manifests := filepath.Join(driftData, "manifests")
	code, out, errs := runCLI(t, "ropa", "--now", now, "-f", "json", "--privado", filepath.Join(driftData, "privado", "drift.json"), "--bearer", filepath.Join(driftData, "bearer", "covered.json"), manifests)
	require.Equal(t, 0, code, errs)
	var rec struct {
		Entries []struct {
			ID   string `json:"id"`
			Code []struct {
				Scanner, Element, Recipient, File string
				Categories                        []string
				Line                              int
			} `json:"code"`
		} `json:"entries"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rec))
	feeds := map[string][]string{}
	for _, e := range rec.Entries {
		for _, c := range e.Code {
			feeds[e.ID] = append(feeds[e.ID], fmt.Sprintf("%s %s:%d %s", c.Scanner, c.File, c.Line, strings.Join(c.Categories, ",")))
		}
	}
	bearer := filepath.Join(driftData, "bearer", "covered.json")
	assert.Equal(t, map[string][]string{
		"card-payments": {"privado src/billing/charge.js:42 email", "bearer " + bearer + ":7 email", "bearer " + bearer + ":7 name"},
		"error-reports": {"privado src/errors.js:7 ip_address"},
	}, feeds, "each covered flow under the declarations that decide it, once per place; the newsletter is fed by no code")

	_, csvOut, _ := runCLI(t, "ropa", "--now", now, "-f", "csv", manifests)
	assert.NotContains(t, strings.SplitN(csvOut, "\n", 2)[0], "code", "no code column without a scanner's report")
	_, csvOut, _ = runCLI(t, "ropa", "--now", now, "-f", "csv", "--privado", filepath.Join(driftData, "privado", "covered.json"), manifests)
	assert.Contains(t, csvOut, "src/billing/charge.js:42: email to Stripe (privado's Data.Sensitive.ContactData.EmailAddress)")

	code, _, errs = runCLI(t, "ropa", "--now", now, "--privado", filepath.Join(driftData, "bearer", "covered.json"), manifests)
	assert.Equal(t, 2, code, "a report that is not Privado's")
	assert.Contains(t, errs, "expected a Privado report")
}

// The example workflow's drift commands run as written (given the test's report and manifests,
// where the workflow's repository has its config file), with the exit code the job fails on.
func TestDriftWorkflow(t *testing.T) {
	t.Parallel()
	var workflow struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(mustRead(t, "../../examples/ci/github-drift.yml"), &workflow))
	var ran int
	for _, step := range workflow.Jobs["drift"].Steps {
		for _, line := range strings.Split(step.Run, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "policyengine drift ") {
				continue
			}
			line, _, _ = strings.Cut(line, " >")
			args := strings.Fields(line)[1:]
			for i, a := range args {
				if a == "bearer.json" {
					args[i] = filepath.Join(driftData, "bearer", "drift.json")
				}
			}
			code, out, errs := runCLI(t, append(args, "--config", "none", "--now", now, filepath.Join(driftData, "manifests"))...)
			assert.Equal(t, 1, code, "%s: %s", line, errs)
			assert.Contains(t, out, "drift.unmatched_sink", line)
			ran++
		}
	}
	assert.Equal(t, 2, ran, "SARIF for code scanning, annotations for the pull request")
}

// drift decides the declarations as check does, with its decision flags: a timeout per
// activity and the decision cache, refused alike when out of range.
func TestDriftTakesCheckDecisionFlags(t *testing.T) {
	t.Parallel()
	report := filepath.Join(driftData, "privado", "covered.json")
	manifests := filepath.Join(driftData, "manifests")
	code, stdout, stderr := runCLI(t, "drift", "--config", "none", "--privado", report, "--decision-timeout", "30s", "--cache-size", "0", manifests)
	assert.NotEqual(t, 2, code, "%s%s", stdout, stderr)
	for _, bad := range [][]string{{"--cache-size", "-1", "--cache-size: expected 0 or more"}, {"--decision-timeout", "-1s", "--decision-timeout: expected 0 (no limit)"}} {
		code, _, stderr = runCLI(t, "drift", "--config", "none", "--privado", report, bad[0], bad[1], manifests)
		assert.Equal(t, 2, code, bad[0])
		assert.Contains(t, stderr, bad[2], bad[0])
	}
}
