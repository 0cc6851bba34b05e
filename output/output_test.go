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

// render writes a report in a format, through the function that writes its kind.
func render[R any](t *testing.T, write func(io.Writer, string, R, output.Options) error, format string, r R) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, write(&buf, format, r, output.Options{}))
	return buf.Bytes()
}

// Every format renders the kinds of report Formats lists it for, and the others refuse it with
// Validate's error, writing nothing: the list a command validates against is what the formats do.
func TestEveryFormatRendersTheKindsItIsListedFor(t *testing.T) {
	e := engine(t)
	rep, err := check.Run(context.Background(), e, []string{"../examples/manifests/newsletter.yaml"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	rec, err := ropa.Build(rep)
	require.NoError(t, err)
	diff, err := impact.Compare(context.Background(), e, e, []string{"../examples/manifests/newsletter.yaml"}, check.Options{KeepEntries: true})
	require.NoError(t, err)
	suite := &policytest.Report{Cases: []policytest.Result{{Name: "a case", File: "cases.yaml", Line: 1, Passed: true}}}
	var o output.Options
	kinds := map[output.Kind]func(w io.Writer, name string) error{
		output.Check:   func(w io.Writer, name string) error { return output.WriteCheck(w, name, rep, o) },
		output.Test:    func(w io.Writer, name string) error { return output.WriteTest(w, name, suite, o) },
		output.Diff:    func(w io.Writer, name string) error { return output.WriteDiff(w, name, diff, o) },
		output.Rules:   func(w io.Writer, name string) error { return output.WriteRules(w, name, e.Rules(), o) },
		output.Explain: func(w io.Writer, name string) error { return output.WriteExplain(w, name, e.Rules()[0], o) },
		output.Record:  func(w io.Writer, name string) error { return output.WriteRecord(w, name, rec, o) },
		output.Vocabulary: func(w io.Writer, name string) error {
			return output.WriteVocabulary(w, name, e.Document().Vocabularies(), o)
		},
		output.FidesMapping: func(w io.Writer, name string) error {
			return output.WriteFidesMapping(w, name, fides.Resolutions(e.Document()), o)
		},
		output.Version: func(w io.Writer, name string) error {
			return output.WriteVersion(w, name, output.VersionInfo{PolicyRevision: e.Revision()}, o)
		},
	}
	assert.ElementsMatch(t, output.AllKinds(), slices.Collect(maps.Keys(kinds)), "every kind of report is tried")
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
			var buf bytes.Buffer
			err := write(&buf, name)
			if listed {
				assert.NoError(t, err, "%s renders a %s report", name, kind)
				assert.NotEmpty(t, buf.String(), "%s renders a %s report", name, kind)
			} else {
				assert.True(t, errors.Is(err, output.ErrUnknownFormat), "%s does not render a %s report: %v", name, kind, err)
				assert.EqualError(t, err, output.Validate(kind, name).Error(), "the error names the formats of the kind")
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
	assert.ErrorIs(t, output.WriteRules(&bytes.Buffer{}, "html", nil, output.Options{}), output.ErrUnknownFormat)
}

// The version in text: the build in one line, then the module, the commit it was built from when
// the build records one, the Go version and the policy revision.
func TestTextVersion(t *testing.T) {
	write := func(v output.VersionInfo) string {
		return string(render(t, output.WriteVersion, "text", v))
	}
	v := output.VersionInfo{Module: "example.com/m", PolicyRevision: "4d9c48d0"}
	v.Version, v.Go = "v1.2.0", "go1.26.0"
	assert.Equal(t, "policyengine v1.2.0\n  module    example.com/m v1.2.0\n  go        go1.26.0\n  policy    4d9c48d0\n", write(v))
	v.Version, v.Revision, v.Time, v.Modified = "(devel)", "0123456789abcdef0123", "2026-11-28T09:00:00Z", true
	assert.Equal(t, "policyengine (devel) 0123456789ab (modified)\n  module    example.com/m (devel)\n  commit    0123456789abcdef0123 2026-11-28T09:00:00Z\n  go        go1.26.0\n  policy    4d9c48d0\n", write(v))
}
