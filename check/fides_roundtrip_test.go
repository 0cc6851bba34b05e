package check_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/fides"
	"github.com/confect/policyengine/internal/fidescorpus"
	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/policy"
)

// decision is what a test compares of a result: allowed, the policy's own rules that deny (the
// import's fides.* findings aside, with the fields they point at), the conditions, the errors.
type decision struct {
	Allow      bool
	Reasons    []string
	Conditions []string
	Errors     int
}

func decisions(t *testing.T, p *policy.Policy, paths ...string) map[string]decision {
	t.Helper()
	out := map[string]decision{}
	for _, r := range runFides(t, p, paths...).Results {
		if r.Index < 0 {
			continue
		}
		d := decision{Allow: r.Allow, Errors: len(r.Errors)}
		for _, f := range r.Reasons {
			if !strings.HasPrefix(f.Rule, "fides.") {
				d.Reasons = append(d.Reasons, f.Rule+" "+f.Path)
			}
		}
		for _, c := range r.Conditions {
			d.Conditions = append(d.Conditions, c.Rule+" "+c.Path)
		}
		slices.Sort(d.Reasons)
		slices.Sort(d.Conditions)
		out[occurrence(out, r.Activity)] = d
	}
	return out
}

// occurrence keys the n-th declaration of an id (two files of a folder may define one system:
// Fides' passing and failing fixtures do), in the order of the files, which import and check
// share.
func occurrence[V any](seen map[string]V, id string) string {
	k := id
	for n := 2; ; n++ {
		if _, ok := seen[k]; !ok {
			return k
		}
		k = id + "#" + strconv.Itoa(n)
	}
}

// abs returns the absolute paths of files named relative to the package directory, for a test
// that works in a directory of its own (the import and the export write only inside the
// working directory).
func abs(t *testing.T, paths ...string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		a, err := filepath.Abs(p)
		require.NoError(t, err)
		out = append(out, a)
	}
	return out
}

// Round trip: every example manifest, written as fideslang by export fides, decides as the
// manifests do when checked as Fides files, and again when imported back into manifests; what
// export writes is fideslang the reader's model accepts, its meta left out too.
func TestExportRoundTrip(t *testing.T) {
	examples := abs(t, "../examples/manifests")[0]
	files, _, err := check.Files([]string{examples}, check.Options{})
	require.NoError(t, err)
	want := decisions(t, nil, examples)
	require.Len(t, want, 33)

	t.Chdir(t.TempDir())
	doc := policy.Default().Document
	ex, err := fides.Export(context.Background(), doc, files, fides.ExportOptions{Dir: "fides"})
	require.NoError(t, err)
	assert.Empty(t, ex.Problems)
	assert.Len(t, ex.Files, len(files))
	assert.Equal(t, want, decisions(t, nil, "fides"), "the Fides files decide as the manifests")

	exported, _, err := check.Files([]string{"fides"}, check.Options{})
	require.NoError(t, err)
	im, err := fides.Import(context.Background(), doc, exported, fides.ImportOptions{Dir: "manifests"})
	require.NoError(t, err)
	assert.False(t, im.Failed())
	assert.Equal(t, 33, im.Count(fides.Written))
	assert.Equal(t, want, decisions(t, nil, "manifests"), "imported back, they decide as the manifests")

	// The Fides fields alone (the meta removed, as a Fides server that dropped it would leave
	// them) are fideslang the model accepts: not one input error.
	require.NoError(t, os.MkdirAll("bare", 0o755))
	for _, f := range exported {
		var v map[string]any
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(data, &v))
		for _, s := range v["system"].([]any) {
			delete(s.(map[string]any), "meta")
		}
		out, err := yaml.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join("bare", filepath.Base(f)), out, 0o644))
	}
	bare := runFides(t, nil, "bare")
	assert.Zero(t, bare.Summary.Errors)
	assert.Equal(t, 33, bare.Summary.Activities)
}

// A declaration changed in Fides after the export is no longer read from the meta: it is judged
// by its Fides fields, with the warning fides.meta_stale at its place in the meta; the others of
// its system are not read from the meta either, since the system's fields no longer say what
// export wrote for them.
func TestExportStaleMeta(t *testing.T) {
	newsletter := abs(t, "../examples/manifests/newsletter.yaml")
	t.Chdir(t.TempDir())
	_, err := fides.Export(context.Background(), policy.Default().Document, newsletter, fides.ExportOptions{Dir: "fides"})
	require.NoError(t, err)
	fresh := byActivity(t, runFides(t, nil, "fides"))
	require.Contains(t, fresh, "newsletter-monthly")
	assert.NotContains(t, rules(fresh["newsletter-monthly"].Warnings), "fides.meta_stale")

	path := filepath.Join("fides", "newsletter.yml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	edited := strings.Replace(string(data), `data_categories: ["user.name", "user.contact.email"]`, `data_categories: ["user.name", "user.contact.email", "user.financial"]`, 1)
	require.NotEqual(t, string(data), edited)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))

	stale := byActivity(t, runFides(t, nil, "fides"))
	r, ok := stale["newsletter/newsletter-monthly"]
	require.True(t, ok, "read from the Fides fields: %v", stale)
	w, ok := findingOf(r.Warnings, "fides.meta_stale")
	require.True(t, ok, "%v", rules(r.Warnings))
	assert.Positive(t, w.Line)
	assert.Contains(t, rules(r.Reasons), "category.unlisted", "the category added in Fides is judged")
	assert.NotContains(t, stale, "newsletter-imported-contacts")
}

// The import never writes a manifest that decides more permissively than check decides the Fides
// files: on every fixture and every folder of the corpus, a declaration written decides as its
// Fides source does; one held back is one check denies; one of no personal data is one check
// allows; and every declaration check decides is accounted for.
func TestImportNeverMorePermissive(t *testing.T) {
	sources := abs(t, "testdata/fides/project", "testdata/fides/newuser", "testdata/fides/old", "testdata/fides/apisystem", "testdata/fides/broken")
	if os.Getenv(fidescorpus.Env) != "" || os.Getenv("CI") == "true" {
		corpus := fidescorpus.Dir(t)
		err := filepath.WalkDir(corpus, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".json")) && !slices.Contains(sources, filepath.Dir(path)) {
				sources = append(sources, filepath.Dir(path)) // each folder, a project of its own
			}
			return err
		})
		require.NoError(t, err)
	}
	terms := policy.Default().Document.Terms()
	t.Chdir(t.TempDir())
	for i, src := range sources {
		files, _, err := check.Files([]string{src}, check.Options{})
		require.NoError(t, err)
		from := decisions(t, nil, src)
		out := filepath.Join("out", strings.Repeat("x", i+1))
		im, err := fides.Import(context.Background(), policy.Default().Document, files, fides.ImportOptions{Dir: out})
		require.NoError(t, err, src)
		written := map[string]decision{}
		if im.Count(fides.Written) > 0 {
			written = decisions(t, nil, out)
		}
		done := map[string]bool{}
		for _, d := range im.Declarations {
			id := occurrence(done, d.ID)
			done[id] = true
			source, ok := from[id]
			require.True(t, ok, "%s: %s is decided by check", src, id)
			switch d.Outcome {
			case fides.Written:
				assert.Equal(t, source, written[id], "%s: %s decides as its Fides source", src, id)
				for _, field := range []string{"data_categories", "data_subjects", "purposes"} {
					list, _ := d.Activity[field].([]any)
					for j, term := range list {
						known, _ := terms.At("/" + field + "/" + strconv.Itoa(j))
						assert.Contains(t, known, term, "%s: %s writes only the policy's terms", src, id)
					}
				}
			case fides.Held:
				assert.False(t, source.Allow, "%s: %s is held back only when check denies it", src, d.ID)
				assert.NotEmpty(t, d.Unwritable(), "%s: %s says why", src, d.ID)
			case fides.NotPersonal:
				assert.True(t, source.Allow, "%s: %s", src, d.ID)
			case fides.Failed:
				assert.Positive(t, source.Errors, "%s: %s", src, d.ID)
			}
			delete(from, id)
		}
		assert.Empty(t, from, "%s: every declaration check decides is imported or accounted for", src)
	}
}

// A US recipient certified under the EU-US Data Privacy Framework (dpf_certified) keeps its mark
// both ways, under a policy that accepts adequacy decisions (Brightpath's, given a mapping table
// and a register entry for the vendor): exported, the recipient is the register's vendor system;
// read back from the Fides fields alone (the meta removed), the register says it is certified;
// imported, the manifest says so; and every time it is allowed as the manifest is. The same
// vendor uncertified in the register is denied once the meta is gone.
func TestExportRoundTripDPFCertified(t *testing.T) {
	brightpath := abs(t, "../examples/policies/brightpath")[0]
	t.Chdir(t.TempDir())
	recipient := map[string]any{"name": "CrashDesk Inc.", "type": "subprocessor", "country": "US", "dpa": true, "transfer_safeguard": "adequacy", "dpf_certified": true}
	writePolicy := func(dir string, certified bool) *policy.Policy {
		data, err := os.ReadFile(filepath.Join(brightpath, "policy.yaml"))
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, yaml.Unmarshal(data, &doc))
		pp := doc["privacy_policy"].(map[string]any)
		pp["fides_mapping"] = map[string]any{
			"attribution":     "test",
			"data_uses":       map[string]any{"essential.service.security": map[string]any{"to": []any{"security.monitoring"}}},
			"data_categories": map[string]any{"user.device": map[string]any{"to": []any{"device"}}},
			"data_subjects":   map[string]any{"customer": map[string]any{"to": []any{"learner"}}},
			"legal_bases":     map[string]any{"Legitimate interests": "legitimate_interest"},
			"transfer_bases":  map[string]any{"Adequacy Decision": "adequacy", "SCCs": "scc"},
		}
		entry := jsonpos.Clone(recipient).(map[string]any)
		entry["dpf_certified"] = certified
		pp["recipient_register"] = map[string]any{"crashdesk": entry}
		out, err := yaml.Marshal(doc)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), out, 0o644))
		rego, err := os.ReadFile(filepath.Join(brightpath, "minors.rego"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "minors.rego"), rego, 0o644))
		p, err := policy.LoadDir(dir)
		require.NoError(t, err)
		return p
	}
	p := writePolicy("policy", true)
	activity := map[string]any{
		"id": "crash-reports", "data_subjects": []any{"learner"}, "data_categories": []any{"device"},
		"purposes": []any{"security.monitoring"}, "legal_basis": "legitimate_interest",
		"retention": map[string]any{"period": "P90D", "from": "collection"}, "recipients": []any{recipient},
	}
	out, err := yaml.Marshal(map[string]any{"activities": []any{activity}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile("crash.yaml", out, 0o644))
	// Read from the Fides fields, the declaration is named <system>/<name>: compare the one
	// decision each reading gives.
	one := func(p *policy.Policy, path string) decision {
		d := decisions(t, p, path)
		require.Len(t, d, 1, path)
		for _, v := range d {
			return v
		}
		return decision{}
	}
	want := one(p, "crash.yaml")
	require.True(t, want.Allow, "the manifest is allowed: %v", want)

	ex, err := fides.Export(context.Background(), p.Document, []string{"crash.yaml"}, fides.ExportOptions{Dir: "fides"})
	require.NoError(t, err)
	require.Empty(t, ex.Problems)
	vendors, err := os.ReadFile(filepath.Join("fides", "recipients.yml"))
	require.NoError(t, err, "the certified recipient is the register's vendor")
	assert.Contains(t, string(vendors), "crashdesk")
	assert.Equal(t, want, one(p, "fides"), "read from the meta")

	// The Fides fields alone: the recipient is the register's, certified.
	require.NoError(t, os.MkdirAll("bare", 0o755))
	for _, f := range []string{"crash.yml", "recipients.yml"} {
		data, err := os.ReadFile(filepath.Join("fides", f))
		require.NoError(t, err)
		var v map[string]any
		require.NoError(t, yaml.Unmarshal(data, &v))
		for _, s := range v["system"].([]any) {
			delete(s.(map[string]any), "meta")
		}
		data, err = yaml.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join("bare", f), data, 0o644))
	}
	assert.Equal(t, want, one(p, "bare"), "read from the Fides fields and the register")

	bare, _, err := check.Files([]string{"bare"}, check.Options{})
	require.NoError(t, err)
	im, err := fides.Import(context.Background(), p.Document, bare, fides.ImportOptions{Dir: "manifests"})
	require.NoError(t, err)
	require.Equal(t, 1, im.Count(fides.Written))
	recipients, _ := im.Declarations[0].Activity["recipients"].([]any)
	require.Len(t, recipients, 1)
	assert.Equal(t, true, recipients[0].(map[string]any)["dpf_certified"], "the imported manifest says it")
	assert.Equal(t, want, one(p, "manifests"), "imported, it decides as the manifest")

	uncertified := writePolicy("uncertified", false)
	got := one(uncertified, "bare")
	assert.False(t, got.Allow, "%v", got)
	assert.Contains(t, got.Reasons, "transfer.without_scc /recipients/0/dpf_certified")
}
