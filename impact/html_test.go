package impact_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/internal/htmltest"
)

var (
	elements  = htmltest.All
	attribute = htmltest.Attr
)

func classed(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return htmltest.HasClass(n, class) }
}

// The picture of a policy change: the crash reports' flow to the UK newly allowed under a policy
// that accepts adequacy, the monthly newsletter's flows newly denied under a shorter limit.
func TestHTMLShowsTheFlowsAChangeDeniesOrAllows(t *testing.T) {
	next := changed(t,
		[2]string{"  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n"},
		[2]string{"        period: P24M\n        from: last_activity", "        period: P12M\n        from: last_activity"},
	)
	paths := []string{"../examples/manifests/analytics-subprocessors.yaml", "../examples/manifests/newsletter.yaml"}
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)), paths, check.Options{KeepEntries: true})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, rep.Write(&buf, "html"))
	root, err := htmltest.Parse(buf.Bytes())
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
	assert.ErrorIs(t, bare.Write(&bytes.Buffer{}, "html"), impact.ErrNoEntries)
}
