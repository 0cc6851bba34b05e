package output_test

import (
	"encoding/json"
	"net/url"
	"path"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
)

// SARIF artifact locations are URIs: encoded, and relative to %SRCROOT% when the path is, so a
// file named "my policy, 100%.yaml" still gives a valid log that points at it.
func TestSARIFURIs(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("some dir", "a#b.yaml"))
	require.NoError(t, err)
	cases := []struct {
		file, uri, base string
	}{
		{"my policy, 100%.yaml", "my%20policy,%20100%25.yaml", "%SRCROOT%"},
		{"manifests/a#b?.json", "manifests/a%23b%3F.json", "%SRCROOT%"},
		{"new\nline.yaml", "new%0Aline.yaml", "%SRCROOT%"},
		{"c:colon.yaml", "./c:colon.yaml", "%SRCROOT%"},
		{abs, (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), ""},
		{"-", "-", ""},
	}
	rep := &check.Report{Summary: check.Summary{Activities: len(cases), Denied: len(cases)}}
	for _, tc := range cases {
		rep.Results = append(rep.Results, check.Result{File: tc.file, Activity: "a", Reasons: []finding.Finding{{Reason: policyengine.Reason{Rule: "r.x", Message: "m"}, Line: 1}}})
	}
	var got struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(format(t, "sarif", rep), &got))
	require.Len(t, got.Runs[0].Results, len(cases))
	for i, tc := range cases {
		loc := got.Runs[0].Results[i].Locations[0].PhysicalLocation.ArtifactLocation
		assert.Equal(t, tc.uri, loc.URI, tc.file)
		assert.Equal(t, tc.base, loc.URIBaseID, tc.file)
		u, err := url.Parse(loc.URI)
		require.NoError(t, err, "a valid URI reference")
		if tc.file != "-" {
			assert.Equal(t, filepath.ToSlash(tc.file), path.Clean(u.Path), "the URI names the file")
		}
	}
}
