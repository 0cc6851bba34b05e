package impact_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/internal/testpolicy"
	"github.com/confect/policyengine/manifest"
)

var now = policyengine.WithClock(func(context.Context) time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) })

func engine(t *testing.T, opts ...policyengine.Option) *policyengine.Engine {
	t.Helper()
	e, err := policyengine.New(context.Background(), append(opts, now)...)
	require.NoError(t, err)
	return e
}

type change struct{ activity, kind string }

func changes(r *impact.Report) []change {
	var out []change
	for _, c := range r.Changes {
		out = append(out, change{c.Activity, c.Kind})
	}
	return out
}

// Accepting adequacy and shortening the marketing limit to a year: the UK crash reports are
// newly allowed, marketing kept 24 months newly denied.
func TestPolicyChangeFlipsKnownActivities(t *testing.T) {
	next := testpolicy.Edited(t,
		[2]string{"  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n"},
		[2]string{"        period: P24M\n        from: last_activity", "        period: P12M\n        from: last_activity"},
	)
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)),
		[]string{"../examples/manifests/analytics-subprocessors.yaml", "../examples/manifests/newsletter.yaml", "../testdata/people/newsletter.yaml"}, check.Options{})
	require.NoError(t, err)
	assert.Equal(t, []change{
		{"crash-reports-uk", impact.NewlyAllowed},
		{"newsletter-monthly", impact.NewlyDenied},
		{"newsletter-imported-contacts", impact.NewlyDenied},
		{"newsletter-legacy-subscribers", impact.OtherReasons}, // P12M is now exactly the limit: a warning
		{"newsletter-to-opted-out-customer", impact.OtherReasons},
	}, changes(rep))
	assert.Equal(t, impact.Summary{Activities: 8, NewlyDenied: 2, NewlyAllowed: 1, OtherReasons: 2}, rep.Summary)
	assert.True(t, rep.Changed())

	uk := rep.Changes[0]
	assert.False(t, uk.Before)
	assert.True(t, uk.After)
	require.Len(t, uk.Removed, 1)
	assert.Equal(t, "transfer.without_scc", uk.Removed[0].Rule)
	assert.Empty(t, uk.Added)

	monthly := rep.Changes[1]
	var added []string
	for _, f := range monthly.Added {
		added = append(added, f.Kind+" "+f.Rule+" "+f.Path)
	}
	assert.Equal(t, []string{"deny retention.exceeds_limit /retention/period"}, added)
	require.Len(t, monthly.Removed, 1)
	assert.Equal(t, "warn", monthly.Removed[0].Kind, "the at-limit warning goes with the old limit")
}

func TestNoChange(t *testing.T) {
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir("../policy")),
		[]string{"../examples/manifests"}, check.Options{})
	require.NoError(t, err)
	assert.False(t, rep.Changed())
	assert.Equal(t, rep.BaseRevision, rep.Revision)
	assert.Equal(t, 33, rep.Summary.Activities)
}

// Brightpath's policy decides Confect's manifests otherwise, for the reasons its document
// gives: adequacy accepted, its own purposes, a shorter marketing limit.
func TestBrightpathAgainstConfect(t *testing.T) {
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir("../examples/policies/brightpath")),
		[]string{"../examples/manifests/analytics-subprocessors.yaml"}, check.Options{})
	require.NoError(t, err)
	byActivity := map[string]impact.Change{}
	for _, c := range rep.Changes {
		byActivity[c.Activity] = c
	}
	uk := byActivity["crash-reports-uk"]
	var removed, added []string
	for _, f := range uk.Removed {
		removed = append(removed, f.Rule)
	}
	for _, f := range uk.Added {
		added = append(added, f.Rule)
	}
	assert.Equal(t, []string{"transfer.without_scc"}, removed, "Brightpath accepts the UK's adequacy decision")
	assert.Contains(t, added, "purpose.unlisted", "security.maintenance is Confect's purpose, not Brightpath's")
	assert.Equal(t, impact.NewlyDenied, byActivity["product-analytics-eu"].Kind)
}

// The same recruitment manifest, in words both policies share, decided under Confect's policy
// and Brightpath's: each difference is one their documents give. Brightpath accepts the UK's
// adequacy decision, keeps applications 3 months rather than 6, and has consent reviewed after
// 12 months rather than 24.
func TestBrightpathAgainstConfectOnTheSameManifest(t *testing.T) {
	rep, err := impact.Compare(t.Context(), engine(t), engine(t, policyengine.WithPolicyDir("../examples/policies/brightpath")),
		[]string{"../testdata/two-policies"}, check.Options{})
	require.NoError(t, err)
	type diff struct {
		kind           string
		added, removed []string
	}
	got := map[string]diff{}
	for _, c := range rep.Changes {
		d := diff{kind: c.Kind}
		for _, f := range c.Added {
			d.added = append(d.added, f.Kind+" "+f.Rule+" "+f.Path)
		}
		for _, f := range c.Removed {
			d.removed = append(d.removed, f.Kind+" "+f.Rule+" "+f.Path)
		}
		got[c.Activity] = d
	}
	assert.Equal(t, map[string]diff{
		// Brightpath's own person rule: a child's data only with a parent's consent.
		"applicant-tracking-uk": {kind: impact.NewlyAllowed,
			added:   []string{"condition minors.parental_consent /data_subjects", "warn retention.at_limit /retention/period"},
			removed: []string{"deny transfer.without_scc /recipients/0/transfer_safeguard"}},
		"applications-inbox": {kind: impact.NewlyDenied,
			added:   []string{"condition minors.parental_consent /data_subjects", "deny retention.exceeds_limit /retention/period"},
			removed: []string{"warn retention.at_limit /retention/period"}},
		"open-applications": {kind: impact.OtherReasons,
			added: []string{"warn consent.stale /consent/given_at"}},
		"applicant-access-request": {kind: impact.OtherReasons,
			added: []string{"condition minors.parental_consent /data_subjects"}},
	}, got)
	assert.Equal(t, impact.Summary{Activities: 5, NewlyDenied: 1, NewlyAllowed: 1, OtherReasons: 2}, rep.Summary)
	for _, c := range rep.Changes {
		for _, f := range c.Added {
			switch f.Rule {
			case "retention.exceeds_limit":
				assert.Equal(t, "retention P6M is longer than the policy's recruitment limit of P3M from last_application_date", f.Message)
			case "consent.stale":
				assert.Equal(t, "consent was given more than P12M ago; renew it", f.Message)
			}
		}
	}
}

// Standard input is read once and decided under both policies.
func TestStdin(t *testing.T) {
	next := testpolicy.Edited(t, [2]string{"  transfer_safeguards:\n    scc: true\n", "  transfer_safeguards:\n    scc: true\n    adequacy: true\n"})
	doc := `{"id":"uk","data_categories":["device"],"purposes":["security.maintenance"],"legal_basis":"legitimate_interest","retention":{"period":"P90D"},
		"recipients":[{"name":"CrashDesk","type":"subprocessor","country":"GB","dpa":true,"transfer_safeguard":"adequacy"}]}`
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)), []string{"-"}, check.Options{Stdin: strings.NewReader(doc)})
	require.NoError(t, err)
	assert.Equal(t, []change{{"uk", impact.NewlyAllowed}}, changes(rep))
}

// untouchable fails the test if it is read.
type untouchable struct{ t *testing.T }

func (u untouchable) Read([]byte) (int, error) {
	u.t.Error("standard input was read, though no path is -")
	return 0, io.EOF
}

// endless is standard input that never ends.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read += int64(len(p))
	return len(p), nil
}

// Standard input is read only when a path is -, and then no more than a manifest may hold.
func TestStdinIsReadOnlyWhenNamedAndBounded(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"id":"a","data_categories":["email"],"purposes":["purchase.orders"],"legal_basis":"contract","retention":{"period":"P1Y"}}`), 0o644))
	_, err := impact.Compare(context.Background(), engine(t), engine(t), []string{dir}, check.Options{Stdin: untouchable{t}})
	require.NoError(t, err)

	in := &endless{}
	rep, err := impact.Compare(context.Background(), engine(t), engine(t), []string{"-"}, check.Options{Stdin: in, Manifest: manifest.Options{MaxBytes: 1 << 20}})
	require.NoError(t, err)
	assert.LessOrEqual(t, in.read, int64(1<<20+64<<10), "read about the limit, not all of it")
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Message, "more than the limit of 1048576")
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("id: [\n"), 0o644))
	rep, err := impact.Compare(context.Background(), engine(t), engine(t), []string{dir}, check.Options{})
	require.NoError(t, err)
	assert.False(t, rep.Changed(), "a manifest broken under both policies has not changed")
	assert.Equal(t, 1, rep.Summary.Errors)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, filepath.Join(dir, "broken.yaml"), rep.Errors[0].File)
	assert.Positive(t, rep.Errors[0].Line)
	assert.Contains(t, rep.Errors[0].Message, "malformed YAML")
	_, err = impact.Compare(context.Background(), nil, engine(t), []string{dir}, check.Options{})
	assert.Error(t, err)
}

// A policy change that makes a person rule apply to more declarations shows as a change of
// their conditions: here, restriction no longer spares the handling of a person's rights.
func TestPolicyChangeShowsConditions(t *testing.T) {
	next := testpolicy.Edited(t, [2]string{"    restriction_exempt_purposes:\n      rights.access: true\n", "    restriction_exempt_purposes:\n"})
	rep, err := impact.Compare(context.Background(), engine(t), engine(t, policyengine.WithPolicyDir(next)),
		[]string{"../examples/manifests/rights-requests.yaml"}, check.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Changes, 1, "%+v", rep.Changes)
	c := rep.Changes[0]
	assert.Equal(t, "access-request", c.Activity)
	assert.Equal(t, impact.OtherReasons, c.Kind)
	require.Len(t, c.Added, 1)
	assert.Equal(t, "condition", c.Added[0].Kind)
	assert.Equal(t, "restriction.requested", c.Added[0].Rule)
}

// A change's JSON lists a finding by its kind, rule, path, message and line (its clause and
// column stay out), every character of the message as it is.
func TestItemJSON(t *testing.T) {
	it := impact.Item{Kind: "deny", Finding: finding.Finding{Reason: policyengine.Reason{Rule: "category.sensitive", Message: "health <data> & more", Clause: "Sensitive", ClauseID: "sensitive-data", Path: "/data_categories/0"}, Line: 4, Column: 7}}
	var out strings.Builder
	enc := json.NewEncoder(&out) // as the report writer's
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(impact.Change{Added: []impact.Item{it}, Removed: []impact.Item{}}))
	assert.Contains(t, out.String(), `"added":[{"kind":"deny","rule":"category.sensitive","path":"/data_categories/0","message":"health <data> & more","line":4}],"removed":[]`)
}
