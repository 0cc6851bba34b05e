package drift_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/drift"
	"github.com/confect/policyengine/problem"
)

var (
	engineOnce sync.Once
	engineVal  *policyengine.Engine
	engineErr  error
)

func engine(t *testing.T) *policyengine.Engine {
	t.Helper()
	engineOnce.Do(func() {
		engineVal, engineErr = policyengine.New(context.Background(), policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }))
	})
	require.NoError(t, engineErr)
	return engineVal
}

// judge runs drift on the test manifests against the reports.
func judge(t *testing.T, inputs ...drift.Input) *drift.Result {
	t.Helper()
	rep, err := check.Run(context.Background(), engine(t), []string{"testdata/manifests"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	res, err := drift.Judge(rep, inputs, drift.Limits{})
	require.NoError(t, err)
	return res
}

// finding is one finding of a drift report, as a user reads it.
type finding struct {
	rule, file string
	line, col  int
	path       string
}

func findings(rep *check.Report) []finding {
	var out []finding
	for _, r := range rep.Results {
		if r.Index >= 0 {
			continue
		}
		for _, f := range r.Reasons {
			out = append(out, finding{f.Rule, f.In(r.File), f.Line, f.Column, f.Path})
		}
	}
	return out
}

func decided(rep *check.Report) map[string]bool {
	out := map[string]bool{}
	for _, r := range rep.Results {
		if r.Index >= 0 {
			out[r.Activity] = r.Allow
		}
	}
	return out
}

func TestPrivadoCovered(t *testing.T) {
	res := judge(t, drift.Input{Scanner: drift.Privado, File: "testdata/privado/covered.json"})
	rep := res.Report
	assert.Empty(t, findings(rep))
	assert.Equal(t, map[string]bool{"card-payments": true}, decided(rep), "only the declaration that covers the flow, decided as check decides it")
	assert.Zero(t, rep.Summary.Denied)
	assert.Zero(t, rep.Summary.Errors)
	require.Len(t, res.Flows, 1)
	f := res.Flows[0]
	assert.Equal(t, drift.Covered, f.Outcome)
	assert.Equal(t, []string{"email"}, f.Categories)
	assert.Equal(t, drift.Location{File: "src/billing/charge.js", Line: 42, Column: 11}, f.Code, "the last step of the path, where the data leaves")
	assert.Equal(t, []drift.Declaration{{File: filepath.Join("testdata", "manifests", "payments.yaml"), Index: 0, ID: "card-payments"}}, f.DecidedBy)
}

func TestPrivadoDrift(t *testing.T) {
	rep := judge(t, drift.Input{Scanner: drift.Privado, File: "testdata/privado/drift.json"}).Report
	assert.Equal(t, []finding{
		{drift.RuleUnmatchedSink, "src/analytics/track.js", 12, 3, "/dataFlow/third_parties/2/sinks/0/paths/0"},
		{drift.RuleUnmatchedSink, "src/analytics/track.js", 30, 5, "/dataFlow/third_parties/2/sinks/1/paths/0"},
		{drift.RuleUncovered, "src/billing/charge.js", 57, 11, "/dataFlow/third_parties/1/sinks/0/paths/0"},
		{drift.RuleUnmapped, "src/billing/refund.js", 8, 3, "/dataFlow/third_parties/4/sinks/0/paths/0"},
	}, findings(rep), "two paths leaving at one line are one finding; stripe.com.example.net is no subdomain of stripe.com")
	assert.Equal(t, map[string]bool{"card-payments": true, "error-reports": false}, decided(rep),
		"Sentry's API host is a subdomain of sentry.io: the error reports' declaration covers the flow and is denied by the policy")
	assert.Equal(t, 5, rep.Summary.Denied, "four findings and a denied declaration")
	var msgs []string
	for _, r := range rep.Results {
		for _, f := range r.Reasons {
			msgs = append(msgs, f.Message)
		}
	}
	all := strings.Join(msgs, "\n")
	assert.Contains(t, all, `no declaration naming that recipient ("card-payments") lists phone`)
	assert.Contains(t, all, `scanner_mapping.privado table has no entry`)
	assert.Contains(t, all, `"Segment" ("segment.io")`)
	assert.Contains(t, rules(rep), "transfer.without_scc")
}

func rules(rep *check.Report) []string {
	var out []string
	for _, r := range rep.Results {
		for _, f := range r.Reasons {
			out = append(out, f.Rule)
		}
	}
	return out
}

func TestBearer(t *testing.T) {
	res := judge(t, drift.Input{Scanner: drift.Bearer, File: "testdata/bearer/covered.json"})
	assert.Empty(t, findings(res.Report))
	assert.Equal(t, map[string]bool{"card-payments": true}, decided(res.Report), "by name: Bearer gives no domains")
	outcomes := map[string]string{}
	for _, f := range res.Flows {
		outcomes[f.Element] = f.Outcome
	}
	assert.Equal(t, map[string]string{"Unknown": drift.NotPersonal, "Email Address": drift.Covered, "Fullname": drift.Covered}, outcomes)

	rep := judge(t, drift.Input{Scanner: drift.Bearer, File: "testdata/bearer/drift.json"}).Report
	file := "testdata/bearer/drift.json"
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	// at is the place of a data type's string on a line of the report.
	at := func(line int, token string) (int, int) {
		text := strings.Split(string(src), "\n")[line-1]
		return line, strings.Index(text, `"`+token+`"`) + 1
	}
	l1, c1 := at(4, "Telephone Number")
	l2, c2 := at(5, "Email Address")
	l3, c3 := at(6, "Salary")
	l4, c4 := at(6, "Passport Number")
	assert.Equal(t, []finding{
		{drift.RuleUncovered, file, l1, c1, "/third_party/0/data_types/1"},
		{drift.RuleUnmatchedSink, file, l2, c2, "/third_party/1/data_types/0"},
		{drift.RuleUnmapped, file, l3, c3, "/third_party/2/data_types/0"},
		{drift.RuleUncovered, file, l4, c4, "/third_party/2/data_types/1"},
	}, findings(rep), "Bearer gives no line in the code: each finding stands at its data type in the report")
}

func TestBothScanners(t *testing.T) {
	rep := judge(t, drift.Input{Scanner: drift.Privado, File: "testdata/privado/covered.json"}, drift.Input{Scanner: drift.Bearer, File: "testdata/bearer/covered.json"}).Report
	assert.Empty(t, findings(rep))
	assert.Equal(t, 1, len(rep.Results), "a declaration that decides flows of both reports is listed once")
}

func TestBrokenReports(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	for _, tc := range []struct {
		name, scanner, text string
		line                int
		pointer, message    string
	}{
		{"a Bearer report read as Privado's", drift.Privado, `{"subjects": [], "third_party": []}`, 1, "", "expected a Privado report (privado.json): an object with dataFlow.third_parties"},
		{"a Privado report read as Bearer's", drift.Bearer, `{"sources": [], "dataFlow": {"third_parties": []}}`, 1, "", "expected a Bearer privacy report"},
		{"not JSON", drift.Privado, "sources:\n  - x\n", 1, "", ""},
		{"a line that is not a number", drift.Privado, "{\"dataFlow\": {\"third_parties\": [{\"sourceId\": \"Data.Sensitive.ContactData.EmailAddress\", \"sinks\": [{\"id\": \"ThirdParties.SDK.Stripe\", \"name\": \"Stripe\", \"paths\": [{\"path\": [\n{\"fileName\": \"a.js\", \"lineNumber\": \"12\"}]}]}]}]}}",
			2, "/dataFlow/third_parties/0/sinks/0/paths/0/path/0/lineNumber", "expected a whole number"},
		{"a flow with no element", drift.Privado, `{"dataFlow": {"third_parties": [{"sinks": []}]}}`, 1, "/dataFlow/third_parties/0/sourceId", "expected a string that is not empty"},
		{"data types that are not a list", drift.Bearer, "{\"third_party\": [\n {\"third_party\": \"Stripe\", \"data_types\": \"Email Address\"}]}", 2, "/third_party/0/data_types", "expected a list of data type names"},
		{"an empty path", drift.Privado, `{"dataFlow": {"third_parties": [{"sourceId": "x", "sinks": [{"id": "s", "paths": [{"path": []}]}]}]}}`, 1, "/dataFlow/third_parties/0/sinks/0/paths/0/path", "expected a list of at least one step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := write(strings.ReplaceAll(tc.name, " ", "-")+".json", tc.text)
			_, err := drift.ReadFile(tc.scanner, file, drift.Limits{})
			var p *problem.Problem
			require.True(t, errors.As(err, &p), "%v", err)
			assert.Equal(t, file, p.File)
			assert.Equal(t, tc.line, p.Line)
			assert.Equal(t, tc.pointer, p.Pointer)
			assert.Contains(t, p.Message, tc.message)
			assert.NotContains(t, p.Message, "12\"", "no value of the report is quoted")

			rep := judge(t, drift.Input{Scanner: tc.scanner, File: file}).Report
			assert.Equal(t, 1, rep.Summary.Errors, "a broken report is an error in the outcome")
			assert.Empty(t, decided(rep), "nothing it holds is judged")
		})
	}
	t.Run("missing", func(t *testing.T) {
		rep := judge(t, drift.Input{Scanner: drift.Privado, File: filepath.Join(dir, "none.json")}).Report
		assert.Equal(t, 1, rep.Summary.Errors)
	})
}

func TestMatches(t *testing.T) {
	stripe := policyengine.Recipient{Name: "Stripe Payments Europe", Type: "subprocessor", Domains: []string{"stripe.com"}}
	for _, tc := range []struct {
		sink drift.Sink
		want bool
	}{
		{drift.Sink{Name: "x", Domains: []string{"stripe.com"}}, true},
		{drift.Sink{Name: "x", Domains: []string{"api.stripe.com"}}, true},
		{drift.Sink{Name: "x", Domains: []string{"a.b.stripe.com"}}, true},
		{drift.Sink{Name: "x", Domains: []string{"notstripe.com"}}, false},
		{drift.Sink{Name: "x", Domains: []string{"stripe.com.evil.net"}}, false},
		{drift.Sink{Name: "Stripe Payments Europe", Domains: []string{"evil.net"}}, false},
		{drift.Sink{Name: "stripe payments-europe"}, true},
		{drift.Sink{Name: "Stripe"}, false},
		{drift.Sink{Name: ""}, false},
	} {
		assert.Equal(t, tc.want, drift.Matches(tc.sink, stripe), "%+v", tc.sink)
	}
	assert.True(t, drift.Matches(drift.Sink{Name: "Sentry", Domains: []string{"sentry.io"}}, policyengine.Recipient{Name: "sentry"}), "by name when the recipient lists no domains")
}

func TestJudgeNeedsEntries(t *testing.T) {
	rep, err := check.Run(context.Background(), engine(t), []string{"testdata/manifests"}, check.Options{})
	require.NoError(t, err)
	_, err = drift.Judge(rep, nil, drift.Limits{})
	assert.ErrorIs(t, err, drift.ErrNoEntries)
}
