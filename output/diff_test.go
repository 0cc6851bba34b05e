package output_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/internal/htmltest"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/output"
)

var (
	elements  = htmltest.All
	attribute = htmltest.Attr
)

func classed(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return htmltest.HasClass(n, class) }
}

// engine decides under the embedded policy, or under opts', at recordTime.
func engine(t testing.TB, opts ...policyengine.Option) *policyengine.Engine {
	t.Helper()
	e, err := policyengine.New(context.Background(), append(opts, policyengine.WithClock(func(context.Context) time.Time { return recordTime }))...)
	require.NoError(t, err)
	return e
}

// diff writes a diff in a format.
func diff(t *testing.T, rep *impact.Report, format string) string {
	t.Helper()
	return string(render(t, output.WriteDiff, format, rep))
}

// The picture of a policy change: the crash reports' flow to the UK newly allowed under a policy
// that accepts adequacy, the monthly newsletter's flows newly denied under a shorter limit.
func TestDiffHTMLShowsTheFlowsAChangeDeniesOrAllows(t *testing.T) {
	next := testpolicy.Edited(t,
		[2]string{"  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n"},
		[2]string{"        period: P24M\n        from: last_activity", "        period: P12M\n        from: last_activity"},
	)
	paths := []string{"../examples/manifests/analytics-subprocessors.yaml", "../examples/manifests/newsletter.yaml"}
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)), paths, check.Options{KeepEntries: true})
	require.NoError(t, err)
	root, err := htmltest.Parse([]byte(diff(t, rep, "html")))
	require.NoError(t, err)

	rows := elements(root, func(n *html.Node) bool { return n.Data == "tr" && attribute(n, "data-kind") != "" })
	require.Len(t, rows, len(rep.Changes), "a row per change")
	decls := elements(root, func(n *html.Node) bool { return attribute(n, "data-node") == "declaration" })
	require.Len(t, decls, len(rep.Changes), "the picture shows the declarations that change, and no other")
	kinds := map[string]string{}
	ids := map[string]string{}
	for i, n := range decls {
		kinds[attribute(n, "data-label")] = strings.Fields(attribute(n, "class"))[2]
		ids[attribute(n, "data-label")] = attribute(n, "data-id")
		assert.Equal(t, rep.Changes[i].Kind, attribute(rows[i], "data-kind"))
	}
	assert.Equal(t, impact.NewlyAllowed, kinds["crash-reports-uk"])
	assert.Equal(t, impact.NewlyDenied, kinds["newsletter-monthly"])

	edges := elements(root, classed("edge"))
	var ukTransfer, monthlyDenied int
	for _, e := range edges {
		if attribute(e, "data-from") == ids["crash-reports-uk"] {
			assert.Equal(t, impact.NewlyAllowed, attribute(e, "data-status"))
			assert.Equal(t, "adequacy", attribute(e, "data-safeguard"), "the transfer's safeguard is on its edge")
			ukTransfer++
		}
		if attribute(e, "data-to") == ids["newsletter-monthly"] || attribute(e, "data-from") == ids["newsletter-monthly"] {
			assert.Equal(t, impact.NewlyDenied, attribute(e, "data-status"))
			monthlyDenied++
		}
	}
	assert.Equal(t, 1, ukTransfer)
	assert.Positive(t, monthlyDenied)

	// Without the activities there is nothing to draw: an error, not an empty picture.
	bare, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)), paths, check.Options{})
	require.NoError(t, err)
	assert.ErrorIs(t, output.WriteDiff(&bytes.Buffer{}, "html", bare, output.Options{}), output.ErrNoEntries)
}

// Accepting adequacy and shortening the marketing limit to a year, as text and JSON: the UK
// crash reports newly allowed, marketing kept 24 months newly denied.
func TestDiffFormats(t *testing.T) {
	next := testpolicy.Edited(t,
		[2]string{"  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n"},
		[2]string{"        period: P24M\n        from: last_activity", "        period: P12M\n        from: last_activity"},
	)
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)),
		[]string{"../examples/manifests/analytics-subprocessors.yaml", "../examples/manifests/newsletter.yaml", "../testdata/people/newsletter.yaml"}, check.Options{})
	require.NoError(t, err)

	text := diff(t, rep, "text")
	assert.Contains(t, text, "crash-reports-uk  DENY -> allow\n    - transfer.without_scc at /recipients/0/transfer_safeguard")
	assert.Contains(t, text, "8 activities: 2 newly denied, 1 newly allowed, 2 with other reasons")

	var js struct {
		Changes []struct {
			Activity string `json:"activity"`
			Kind     string `json:"kind"`
		} `json:"changes"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(diff(t, rep, "json")), &js))
	assert.Equal(t, "crash-reports-uk", js.Changes[0].Activity)
	assert.Equal(t, 2, js.Summary["newly_denied"])
	assert.ErrorIs(t, output.WriteDiff(&bytes.Buffer{}, "xml", rep, output.Options{}), output.ErrUnknownFormat)
}

// An activity that could not be decided is listed with its file and line.
func TestDiffTextErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("id: [\n"), 0o644))
	rep, err := impact.Compare(context.Background(), engine(t), engine(t), []string{dir}, check.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, diff(t, rep, "text"), fmt.Sprintf("%s:%d  could not be decided: malformed YAML", filepath.Join(dir, "broken.yaml"), rep.Errors[0].Line))
}

// The text report escapes what comes from manifests and their names, as check's text does.
func TestDiffTextEscapesControlCharacters(t *testing.T) {
	rep := &impact.Report{
		Changes: []impact.Change{{File: "a\n::error::x.yaml", Activity: "id\x1b[2J", Line: 1,
			Added: []impact.Item{{Kind: "deny", Finding: finding.Finding{Reason: policyengine.Reason{Rule: "r.x", Path: "/k\r", Message: "m\x00"}}}}}},
		Errors: []impact.Failure{{File: "b\n.yaml", Activity: "\u202eid", Message: "bad\n::warning::y"}},
	}
	text := diff(t, rep, "text")
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		assert.False(t, strings.HasPrefix(strings.TrimSpace(line), "::"), "%q", line)
		assert.NotContains(t, line, "\x1b")
		assert.NotContains(t, line, "\r")
		assert.NotContains(t, line, "\x00")
		assert.NotContains(t, line, "\u202e")
	}
	assert.Contains(t, text, `"a\n::error::x.yaml":1`)
}

// A change of a declaration's conditions shows as one: here, restriction no longer spares the
// handling of a person's rights.
func TestDiffTextShowsConditions(t *testing.T) {
	next := testpolicy.Edited(t, [2]string{"    restriction_exempt_purposes:\n      rights.access: true\n", "    restriction_exempt_purposes:\n"})
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)),
		[]string{"../examples/manifests/rights-requests.yaml"}, check.Options{})
	require.NoError(t, err)
	assert.Contains(t, diff(t, rep, "text"), "+ condition restriction.requested at /purposes/0: requires the person has not asked to restrict processing")
}
