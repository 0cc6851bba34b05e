package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A declaration that rests on an adequacy decision with an end date is decided with the instant
// it changes: check's JSON reports valid_until, and from then on the same manifest is denied.
func TestCheckJSONReportsWhenAnAdequacyDecisionEnds(t *testing.T) {
	t.Parallel()
	manifest := filepath.Join(t.TempDir(), "crash-reports.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(`id: crash-reports
data_subjects: [learner]
data_categories: [device]
purposes: [security.monitoring]
legal_basis: legitimate_interest
retention: {period: P90D, from: collection}
recipients:
  - {name: CrashDesk Ltd, type: subprocessor, country: GB, dpa: true, transfer_safeguard: adequacy}
`), 0o644))
	type result struct {
		Allow      bool   `json:"allow"`
		ValidUntil string `json:"valid_until"`
		Reasons    []struct {
			Rule string `json:"rule"`
		} `json:"reasons"`
	}
	decide := func(now string) (int, result) {
		code, out, stderr := runCLI(t, "check", "--policy", brightpathPolicy, "-o", "json", "--now", now, manifest)
		var report struct {
			Results []result `json:"results"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &report), stderr)
		require.Len(t, report.Results, 1)
		return code, report.Results[0]
	}

	code, r := decide("2026-11-28T00:00:00Z")
	assert.Equal(t, 0, code)
	assert.True(t, r.Allow)
	assert.Equal(t, "2031-12-28T00:00:00Z", r.ValidUntil, "the UK's decision applies to the end of 27 December 2031")

	code, r = decide(r.ValidUntil)
	assert.Equal(t, 1, code)
	assert.False(t, r.Allow)
	require.Len(t, r.Reasons, 1)
	assert.Equal(t, "transfer.without_scc", r.Reasons[0].Rule)
	assert.Empty(t, r.ValidUntil, "no decision is due to come into force: nothing changes it")
}
