package output_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/impact"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/policytest"
	"github.com/confect/policyengine/ropa"
)

// render writes a report of a kind in a format, through the formatter's method for the kind.
func render(t *testing.T, kind output.Kind, format string, write func(output.Formatter, io.Writer) error) []byte {
	t.Helper()
	f, err := output.For(kind, format, output.Options{})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, write(f, &buf))
	return buf.Bytes()
}

// Every format renders the kinds of report Formats lists it for, and refuses the others with
// ErrUnsupported: the list a command validates against is what the formats do.
func TestEveryFormatRendersTheKindsItIsListedFor(t *testing.T) {
	e := engine(t)
	rep, err := check.Run(context.Background(), e, []string{"../examples/manifests/newsletter.yaml"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	rec, err := ropa.Build(rep)
	require.NoError(t, err)
	diff, err := impact.Compare(context.Background(), e, e, []string{"../examples/manifests/newsletter.yaml"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	suite := &policytest.Report{Cases: []policytest.Result{{Name: "a case", File: "cases.yaml", Line: 1, Passed: true}}}
	kinds := map[output.Kind]func(output.Formatter, io.Writer) error{
		output.Check:   func(f output.Formatter, w io.Writer) error { return f.FormatCheck(w, rep) },
		output.Test:    func(f output.Formatter, w io.Writer) error { return f.FormatTest(w, suite) },
		output.Diff:    func(f output.Formatter, w io.Writer) error { return f.FormatDiff(w, diff) },
		output.Rules:   func(f output.Formatter, w io.Writer) error { return f.FormatRules(w, e.Rules()) },
		output.Explain: func(f output.Formatter, w io.Writer) error { return f.FormatExplain(w, e.Rules()[0]) },
		output.Record:  func(f output.Formatter, w io.Writer) error { return f.FormatRecord(w, rec) },
		output.Vocabulary: func(f output.Formatter, w io.Writer) error {
			return f.FormatVocabulary(w, e.Policy().Vocabularies())
		},
		output.FidesMapping: func(f output.Formatter, w io.Writer) error {
			return f.FormatFidesMapping(w, fides.Resolutions(e.Policy()))
		},
		output.Version: func(f output.Formatter, w io.Writer) error {
			return f.FormatVersion(w, output.VersionInfo{PolicyRevision: e.Revision()})
		},
	}
	assert.ElementsMatch(t, output.AllKinds(), slices.Collect(maps.Keys(kinds)), "every kind a format renders is tried")
	all := map[string]bool{}
	for kind := range kinds {
		for _, name := range output.Formats(kind) {
			all[name] = true
		}
	}
	require.Len(t, all, 9, "text, json, sarif, junit, github, table, html, markdown, csv")
	for name := range all {
		for kind, write := range kinds {
			listed := slices.Contains(output.Formats(kind), name)
			f, err := output.For(output.Check, name, output.Options{})
			if err != nil { // a format of records only
				f, err = output.For(output.Record, name, output.Options{})
			}
			require.NoError(t, err)
			var buf bytes.Buffer
			err = write(f, &buf)
			if listed {
				assert.NoError(t, err, "%s renders a %s report", name, kind)
				assert.NotEmpty(t, buf.String(), "%s renders a %s report", name, kind)
			} else {
				assert.True(t, errors.Is(err, output.ErrUnsupported), "%s does not render a %s report: %v", name, kind, err)
				assert.Empty(t, buf.String())
			}
		}
	}
}

// Every command validates its format name through Validate: one wording, naming the formats of
// that kind of report.
func TestValidate(t *testing.T) {
	for kind, want := range map[output.Kind]string{
		output.Check:        `unknown format "yaml" (want one of github, html, json, junit, sarif, table, text)`,
		output.Test:         `unknown format "yaml" (want one of json, junit, text)`,
		output.Diff:         `unknown format "yaml" (want one of html, json, text)`,
		output.Rules:        `unknown format "yaml" (want one of json, text)`,
		output.Explain:      `unknown format "yaml" (want one of text)`,
		output.Record:       `unknown format "yaml" (want one of csv, html, json, markdown)`,
		output.Vocabulary:   `unknown format "yaml" (want one of json, text)`,
		output.FidesMapping: `unknown format "yaml" (want one of json, text)`,
		output.Version:      `unknown format "yaml" (want one of json, text)`,
	} {
		err := output.Validate(kind, "yaml")
		require.ErrorIs(t, err, output.ErrUnknownFormat)
		assert.EqualError(t, err, want)
		for _, name := range output.Formats(kind) {
			assert.NoError(t, output.Validate(kind, name))
		}
	}
	assert.Error(t, output.Validate(output.Test, "sarif"), "a format of another kind of report is no format of this one")
	_, err := output.For(output.Rules, "html", output.Options{})
	assert.ErrorIs(t, err, output.ErrUnknownFormat)
}

// The version in text: the build in one line, then the module, the commit it was built from when
// the build records one, the Go version and the policy revision.
func TestTextVersion(t *testing.T) {
	write := func(v output.VersionInfo) string {
		return string(render(t, output.Version, "text", func(f output.Formatter, w io.Writer) error { return f.FormatVersion(w, v) }))
	}
	v := output.VersionInfo{Module: "example.com/m", PolicyRevision: "4d9c48d0"}
	v.Version, v.Go = "v1.2.0", "go1.26.0"
	assert.Equal(t, "policyengine v1.2.0\n  module    example.com/m v1.2.0\n  go        go1.26.0\n  policy    4d9c48d0\n", write(v))
	v.Version, v.Revision, v.Time, v.Modified = "(devel)", "0123456789abcdef0123", "2026-11-28T09:00:00Z", true
	assert.Equal(t, "policyengine (devel) 0123456789ab (modified)\n  module    example.com/m (devel)\n  commit    0123456789abcdef0123 2026-11-28T09:00:00Z\n  go        go1.26.0\n  policy    4d9c48d0\n", write(v))
}
