package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/bundle"
	"github.com/confect/policyengine/internal/opatest"
	"github.com/confect/policyengine/policy"
)

type entry struct {
	name string
	kind byte
	size int64 // what the header claims
	body []byte
}

// archive writes a .tar.gz whose headers claim what they are told, whatever follows them.
func archive(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		kind := e.kind
		if kind == 0 {
			kind = tar.TypeReg
		}
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: kind, Size: e.size, Mode: 0o644, Linkname: "/etc/passwd"}))
		_, _ = tw.Write(e.body)
	}
	_ = tw.Flush() // fails for a header that claims more than was written: the point
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// A bundle is bounded while it is read: a header claiming a terabyte, a gzip bomb, too many files
// or a special file are refused after reading no more than the bounds, before OPA's reader sees
// them.
func TestBundleReadingIsBounded(t *testing.T) {
	t.Parallel()
	_, public := opatest.Keys(t, false)
	signedOpts := bundle.ReadOptions{PublicKey: public, KeyID: "policyengine", MaxSize: 8 << 20}
	zeros := make([]byte, 32<<20)
	many := make([]entry, 1001)
	for i := range many {
		many[i] = entry{name: filepath.Join("d", string(rune('a'+i%26)), "f"), size: 0}
	}
	cases := []struct {
		name   string
		bundle []byte
		opts   bundle.ReadOptions
		want   string
	}{
		{"header claims a terabyte", archive(t, entry{name: "data.json", size: 1 << 40}), bundle.ReadOptions{}, `"data.json": 1099511627776 bytes, more than the limit of 16777216 per file`},
		{"header claims a terabyte, with a key and a limit", archive(t, entry{name: "data.json", size: 1 << 40}), signedOpts, "more than the limit of 8388608 per file"},
		{"gzip bomb", archive(t, entry{name: "data.json", size: int64(len(zeros)), body: zeros}), bundle.ReadOptions{}, "more than the limit of 16777216 per file"},
		{"many files together past the limit", archive(t,
			entry{name: "a.json", size: 6 << 20, body: zeros[:6<<20]},
			entry{name: "b.json", size: 6 << 20, body: zeros[:6<<20]}), bundle.ReadOptions{MaxSize: 10 << 20}, "more than the limit of 10485760 bytes together"},
		{"too many files", archive(t, many...), bundle.ReadOptions{}, "more than the limit of 1000 files"},
		{"a symlink", archive(t, entry{name: "data.json", kind: tar.TypeSymlink}), bundle.ReadOptions{}, `"data.json": not a regular file or directory`},
		{"not gzip", []byte("not a bundle"), bundle.ReadOptions{}, "not a gzip-compressed bundle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bundle.Read(bytes.NewReader(tc.bundle), tc.opts)
			require.Error(t, err)
			assert.ErrorIs(t, err, bundle.ErrInvalid)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	// And through Reload, as a service with a key and a size limit calls it.
	e, err := policyengine.New(context.Background())
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "huge.tar.gz")
	require.NoError(t, os.WriteFile(path, archive(t, entry{name: "data.json", size: 1 << 40}), 0o644))
	err = e.Reload(context.Background(), policyengine.WithBundle(path, signedOpts))
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.Equal(t, policy.Default().Document.Title, e.Document().Title, "the engine keeps its policy")
}

// A caller that must never take an unsigned bundle says so, and one without a key is refused.
func TestSignatureRequired(t *testing.T) {
	t.Parallel()
	unsigned, _ := build(t, policy.Default(), bundle.BuildOptions{})
	_, err := bundle.Read(bytes.NewReader(unsigned), bundle.ReadOptions{RequireSignature: true})
	assert.ErrorIs(t, err, bundle.ErrInvalid)
	assert.ErrorIs(t, err, bundle.ErrUnsigned)

	private, public := opatest.Keys(t, false)
	signed, rev := build(t, policy.Default(), bundle.BuildOptions{SigningKey: private, KeyID: "policyengine"})
	c, err := bundle.Read(bytes.NewReader(signed), bundle.ReadOptions{RequireSignature: true, PublicKey: public, KeyID: "policyengine"})
	require.NoError(t, err)
	assert.Equal(t, rev, c.Revision)
}
