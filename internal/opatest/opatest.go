// Package opatest runs stock OPA for tests: the opa binary built from this module's own OPA
// version, a server fed by a bundle service, and the keys and tampering the signature tests need.
// It fails a test, never skips it, when OPA cannot be built or started.
package opatest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Binary returns the path of a stock opa built from this module's OPA version by `go tool -n
// opa` (the go command caches it between runs).
func Binary(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "tool", "-n", "opa").CombinedOutput()
	require.NoError(t, err, "building stock opa with `go tool -n opa`: %s", out)
	path := strings.TrimSpace(string(out))
	require.FileExists(t, path)
	return path
}

// Keys makes a PEM private key (RSA, or ECDSA P-256 if ec) and its PEM public key.
func Keys(t testing.TB, ec bool) (private, public []byte) {
	t.Helper()
	var priv, pub any
	if ec {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		priv, pub = k, &k.PublicKey
	} else {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		priv, pub = k, &k.PublicKey
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
}

// Files lists a bundle's files and their content, by name without the leading slash.
func Files(t testing.TB, bundle []byte) map[string][]byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(bundle))
	require.NoError(t, err)
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[strings.TrimPrefix(h.Name, "/")] = data
	}
}

// Repack writes a bundle again with one file changed.
func Repack(t testing.TB, bundle []byte, name string, change func([]byte) []byte) []byte {
	t.Helper()
	files := Files(t, bundle)
	require.Contains(t, files, name)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for n, data := range files {
		if n == name {
			data = change(data)
		}
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "/" + n, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// Tamper changes a fact in a bundle's data after it was built (and signed): the policy would
// now accept transfers with no safeguard at all.
func Tamper(t testing.TB, bundle []byte) []byte {
	t.Helper()
	return Repack(t, bundle, "data.json", func(b []byte) []byte {
		changed := bytes.Replace(b, []byte(`"scc":true`), []byte(`"scc":true,"bcr":true`), 1)
		require.NotEqual(t, b, changed, "nothing to tamper with")
		return changed
	})
}

// FreePort returns a loopback port nothing listens on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// Output collects a process's output while the test reads it.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends to the output.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// String returns the output so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Server is a stock OPA server a test started.
type Server struct {
	// URL is the server's address.
	URL string
	// Output is what the server printed (its logs and decision logs).
	Output *Output
	client *http.Client
}

// Start runs `opa run --server --authorization=basic --config-file config`, as the scale-out
// guide does (the bundle's data.system.authz then refuses writes through the API), with a bundle
// service of its own serving bundle at bundles/policyengine.tar.gz, the environment the
// configuration expects (POLICYENGINE_BUNDLE_SERVICE, POLICYENGINE_BUNDLE_PUBLIC_KEY), and waits
// up to a minute for the bundle to be active. The server stops when the test ends.
func Start(t testing.TB, opa, config string, bundle, publicKey []byte) *Server {
	t.Helper()
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bundles/policyengine.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(bundle)
	}))
	t.Cleanup(service.Close)
	return run(t, opa, []string{"--authorization=basic", "--config-file", config},
		"POLICYENGINE_BUNDLE_SERVICE="+service.URL,
		"POLICYENGINE_BUNDLE_PUBLIC_KEY="+strings.ReplaceAll(strings.TrimSpace(string(publicKey)), "\n", `\n`))
}

// StartFile runs `opa run --server` on a bundle file, unverified and without authorization, and
// waits up to a minute for the bundle to be active. The server stops when the test ends.
func StartFile(t testing.TB, opa, bundlePath string) *Server {
	t.Helper()
	return run(t, opa, []string{"--skip-verify", bundlePath})
}

// run starts `opa run --server` with args and the environment added, and waits for it.
func run(t testing.TB, opa string, args []string, env ...string) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	out := &Output{}
	cmd := exec.CommandContext(ctx, opa, append([]string{"run", "--server", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	require.NoError(t, cmd.Start(), "starting stock opa")
	exited := make(chan struct{}) // closed when the process has exited, with its error in waitErr
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
	})

	s := &Server{URL: "http://" + addr, Output: out, client: &http.Client{Timeout: 10 * time.Second}}
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-exited:
			t.Fatalf("stock opa exited before it was ready (%v):\n%s", waitErr, out.String())
		default:
		}
		if resp, err := s.client.Get(s.URL + "/health?bundles"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("stock opa did not activate the bundle within a minute:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Put writes a JSON document through the server's data API (PUT /v1/data/path), as anyone
// allowed to reach that API may, and returns the status the server answered.
func (s *Server) Put(t testing.TB, path string, doc json.RawMessage) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.URL+"/v1/data/"+path, bytes.NewReader(doc))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// Query posts input to a data path (such as policyengine/decision) and decodes the result into
// out; it fails the test when the server returns no result.
func (s *Server) Query(t testing.TB, path string, input json.RawMessage, out any) {
	t.Helper()
	body, err := json.Marshal(map[string]json.RawMessage{"input": input})
	require.NoError(t, err)
	resp, err := s.client.Post(s.URL+"/v1/data/"+path, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
	var envelope struct {
		Result json.RawMessage `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &envelope), "%s", raw)
	require.NotEmpty(t, envelope.Result, "the server returned no result: %s", raw)
	require.NoError(t, json.Unmarshal(envelope.Result, out))
}
