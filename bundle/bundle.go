// Package bundle makes a policy an OPA bundle, so that stock OPA servers fed by a bundle service
// decide exactly as the library does, and reads such bundles back, verifying their signature.
//
// A bundle holds the built-in rules (under rego/), the policy's own modules (under policy/),
// the policy document as data (data.privacy_policy), the activity's JSON Schema and that of a
// person's state (data.policyengine_schema, so a server refuses what the library refuses), the
// policy revision (data.policyengine_revision), the declarations servers decide by id with their
// residuals (data.policyengine_declarations, declarations/), and a .manifest whose revision is the
// policy revision the library reports and whose roots are Roots.
package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/confect/policyengine/internal/compiler"
	"github.com/confect/policyengine/policy"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// Roots are the data paths a bundle owns: a server's data API cannot write beneath them, and a
// bundle's rules read nothing outside them (Build refuses a policy whose modules would).
var Roots = []string{"policyengine", compiler.DataRoot, SchemaRoot, RevisionRoot, DeclarationsRoot, "system/log", "system/authz"}

// SchemaRoot is where a bundle puts the activity's JSON Schema: data.policyengine_schema.activity.
const SchemaRoot = "policyengine_schema"

// ErrInvalid is wrapped by every error about a bundle that cannot be used: not a bundle, a
// signature that fails or is missing, content that does not match its revision.
var ErrInvalid = errors.New("invalid bundle")

// BuildOptions say how to build a bundle.
type BuildOptions struct {
	// SigningKey is a PEM private key (RSA or ECDSA) to sign the bundle with; nil leaves it
	// unsigned.
	SigningKey []byte
	// KeyID names the key, as the servers' configuration does (keys.<id>); required to sign.
	KeyID string
	// Algorithm is the JWS algorithm (RS256, ES256, ...); empty, it follows from the key.
	Algorithm string
	// Declarations are the declarations servers decide by id
	// ({"declaration": id, "consent": ..., "subject": ...}), as decoded activities by id. Build
	// holds each to the activity schema, as the library does when it prepares one, and refuses
	// the bundle (ErrDeclaration) when one fails: a server validates only the person's state.
	Declarations map[string]map[string]any
}

// Built says what Build wrote.
type Built struct {
	// Revision is the policy revision: the manifest's, and the one the library reports.
	Revision string
	// Declarations is how many declarations the bundle holds; Residuals, how many of them a
	// server decides from their residual. It decides the others in full, with the same result.
	Declarations, Residuals int
}

// Build makes the bundle of a policy and writes it to w as a .tar.gz.
//
// With declarations, it works out what the rules leave of each once everything but the person's
// state is known (partial evaluation, as the library does when it prepares one), and ships that
// residual as Rego: a server asked by declaration id then evaluates only what reads the person.
func Build(ctx context.Context, w io.Writer, p *policy.Policy, opts BuildOptions) (Built, error) {
	built, err := compiler.Build(p)
	if err != nil {
		return Built{}, err
	}
	decls, err := declare(ctx, p, built.Sources, built.Revision, opts.Declarations)
	if err != nil {
		return Built{}, err
	}
	b := opabundle.Bundle{Data: built.Data}
	// The schemas go as JSON text: json.match_schema keys the schemas it has compiled by their
	// value, and a string is that key as it is read, where an object would be converted whole
	// on every request.
	activity := activitySchema()
	person, err := json.Marshal(personSchema(activity))
	if err != nil {
		return Built{}, fmt.Errorf("bundle: the schema of a person's state: %w", err)
	}
	b.Data[SchemaRoot] = map[string]any{"activity": string(schema.ActivitySchema()), "person": string(person)}
	b.Data[RevisionRoot] = built.Revision
	b.Data[DeclarationsRoot] = decls.data
	roots := append([]string(nil), Roots...)
	regoVersion := ast.RegoV1.Int()
	b.Manifest = opabundle.Manifest{
		Revision:    built.Revision,
		Roots:       &roots,
		RegoVersion: &regoVersion,
		Metadata:    map[string]any{"policy": p.Document.Title, "organisation": p.Document.Organisation},
	}
	modules := map[string]*ast.Module{}
	for name, m := range built.Modules { // the built-in modules under rego/, the policy's own under policy/
		b.Modules = append(b.Modules, opabundle.ModuleFile{URL: "/" + name, Path: "/" + name, Raw: built.Sources[name], Parsed: m})
		modules[name] = m
	}
	for file, m := range decls.modules {
		b.Modules = append(b.Modules, opabundle.ModuleFile{URL: "/" + file, Path: "/" + file, Raw: decls.sources[file], Parsed: m})
		modules[file] = m
	}
	sort.Slice(b.Modules, func(i, j int) bool { return b.Modules[i].Path < b.Modules[j].Path })
	if err := activates(modules); err != nil {
		return Built{}, err
	}
	if opts.SigningKey != nil {
		if opts.KeyID == "" {
			return Built{}, errors.New("bundle: signing needs a key id")
		}
		alg := opts.Algorithm
		if alg == "" {
			if alg, err = algorithmOf(opts.SigningKey); err != nil {
				return Built{}, err
			}
		}
		if err := b.GenerateSignature(opabundle.NewSigningConfig(string(opts.SigningKey), alg, ""), opts.KeyID, false); err != nil {
			return Built{}, fmt.Errorf("bundle: signing: %w", err)
		}
	}
	if err := opabundle.NewWriter(w).DisableFormat(true).Write(b); err != nil {
		return Built{}, fmt.Errorf("bundle: writing: %w", err)
	}
	return Built{Revision: built.Revision, Declarations: len(opts.Declarations), Residuals: decls.residuals}, nil
}

// activates compiles a bundle's modules together, as a server does when it activates the
// bundle, and refuses a module that reads data outside the bundle's roots: there a server's data
// API could write what the rules read (a switch that weakens a decision, a fact of the policy).
func activates(modules map[string]*ast.Module) error {
	c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
	if c.Compile(modules); c.Failed() {
		return fmt.Errorf("bundle: the bundle's modules do not compile together: %w", c.Errors)
	}
	var problems []*problem.Problem
	for _, file := range slices.Sorted(maps.Keys(c.Modules)) {
		ast.WalkRefs(c.Modules[file], func(ref ast.Ref) bool {
			if ref[0].Equal(ast.DefaultRootDocument) && !underRoots(ref) {
				p := &problem.Problem{Kind: problem.Rego, File: file, Message: fmt.Sprintf("reads %v, outside the bundle's roots (%s): a server's data API could write it", ref, strings.Join(Roots, ", "))}
				if loc := ref[0].Location; loc != nil {
					p.Line, p.Column = loc.Row, loc.Col
				}
				problems = append(problems, p)
			}
			return false
		})
	}
	return policy.Invalid(problems)
}

// underRoots says a reference into data lies beneath one of the bundle's roots: its leading
// constant keys begin with a root's path.
func underRoots(ref ast.Ref) bool {
	for _, root := range Roots {
		parts := strings.Split(root, "/")
		if len(ref)-1 < len(parts) {
			continue
		}
		match := true
		for i, part := range parts {
			if s, ok := ref[i+1].Value.(ast.String); !ok || string(s) != part {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func activitySchema() map[string]any {
	var s map[string]any
	if err := json.Unmarshal(schema.ActivitySchema(), &s); err != nil {
		panic("bundle: the embedded activity schema is not JSON: " + err.Error())
	}
	return s
}

// personSchema is the activity schema of a person's state alone, {"consent": ..., "subject":
// ...}: its consent and subject, nothing required, nothing else allowed. A request by
// declaration id is held to it (data.policyengine_schema.person): the schema ties no field of
// the person's state to one of the declaration. Its times are strings, left to the rules'
// own check (validation's, through lib.any_timestamp_ns): OPA's date-time format takes only the
// canonical form, and the request's times are not put in that form first.
func personSchema(activity map[string]any) map[string]any {
	s := maps.Clone(activity)
	delete(s, "$id")
	delete(s, "required")
	s["title"] = "A person's state"
	s["description"] = "The consent record and state of one person, as a request by declaration id carries them."
	properties, _ := activity["properties"].(map[string]any)
	s["properties"] = map[string]any{"consent": properties["consent"], "subject": properties["subject"]}
	defs, _ := activity["$defs"].(map[string]any)
	defs = maps.Clone(defs)
	timestamp, _ := defs["timestamp"].(map[string]any)
	timestamp = maps.Clone(timestamp)
	delete(timestamp, "format")
	defs["timestamp"] = timestamp
	s["$defs"] = defs
	return s
}

// ReadOptions say how to read a bundle.
type ReadOptions struct {
	// PublicKey is the PEM public key to verify the bundle's signature with. With it, a
	// bundle that is unsigned or whose signature fails is refused; without it, a signed bundle is
	// refused ("verification key not provided"), as OPA does.
	PublicKey []byte
	// KeyID names the key the signature must be made with; required with PublicKey.
	KeyID string
	// Algorithm is the JWS algorithm; empty, it follows from the key.
	Algorithm string
	// MaxSize bounds the bundle's uncompressed files together, in bytes, and the compressed
	// bundle too; 0 means DefaultMaxSize.
	MaxSize int64
	// MaxFileSize bounds each uncompressed file, in bytes; 0 means DefaultMaxFileSize (or
	// MaxSize, when that is smaller).
	MaxFileSize int64
	// MaxFiles bounds how many files the bundle holds; 0 means DefaultMaxFiles.
	MaxFiles int
	// RequireSignature refuses a bundle read without a PublicKey: for a caller that must never
	// take an unsigned bundle.
	RequireSignature bool
}

// Defaults for ReadOptions' zero bounds. A bundle of the embedded policy is about 150 KiB in
// some 20 files.
const (
	DefaultMaxSize     = 64 << 20
	DefaultMaxFileSize = 16 << 20
	DefaultMaxFiles    = 1000
)

func (o ReadOptions) bounds() (total, perFile int64, files int) {
	total, perFile, files = o.MaxSize, o.MaxFileSize, o.MaxFiles
	if total <= 0 {
		total = DefaultMaxSize
	}
	if perFile <= 0 {
		perFile = min(DefaultMaxFileSize, total)
	}
	if files <= 0 {
		files = DefaultMaxFiles
	}
	return total, perFile, files
}

// ErrUnsigned is wrapped by the error for a bundle read without a public key when
// ReadOptions.RequireSignature is set.
var ErrUnsigned = errors.New("a signature is required, and no verification key is configured")

// Contents is what a bundle holds, ready for the engine.
type Contents struct {
	// Policy is the policy document (its modules are in Sources).
	Policy *policy.Policy
	// Sources are every module, by path in the bundle.
	Sources map[string][]byte
	// Revision is the manifest's revision, checked against the content.
	Revision string
}

// Read reads a bundle (.tar.gz), verifies it, and checks that its content is the revision its
// manifest names.
//
// What is read is bounded while it is read, before anything is expanded in memory: the
// compressed bundle, each file, all files together, and their number (ReadOptions). A bundle
// that exceeds a bound, or holds anything but regular files and directories, is refused.
func Read(r io.Reader, opts ReadOptions) (*Contents, error) {
	if opts.RequireSignature && opts.PublicKey == nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, ErrUnsigned)
	}
	raw, err := readBounded(r, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	_, perFile, _ := opts.bounds()
	reader := opabundle.NewReader(bytes.NewReader(raw)).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotations(true).
		WithCapabilities(compiler.Capabilities()).
		WithSizeLimitBytes(perFile)
	if opts.PublicKey != nil {
		if opts.KeyID == "" {
			return nil, fmt.Errorf("%w: verifying needs the key id", ErrInvalid)
		}
		alg := opts.Algorithm
		if alg == "" {
			var err error
			if alg, err = algorithmOf(opts.PublicKey); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
			}
		}
		keys := map[string]*opabundle.KeyConfig{opts.KeyID: {Key: string(opts.PublicKey), Algorithm: alg}}
		reader = reader.WithBundleVerificationConfig(opabundle.NewVerificationConfig(keys, opts.KeyID, "", nil))
	}
	b, err := reader.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	sources := make(map[string][]byte, len(b.Modules))
	var residuals []*ast.Module
	for _, m := range b.Modules {
		name := strings.TrimPrefix(path.Clean(m.Path), "/")
		if strings.HasPrefix(name, residualDir) {
			residuals = append(residuals, m.Parsed)
			continue
		}
		sources[name] = m.Raw
	}
	p, err := policy.FromValue("bundle data", map[string]any{compiler.DataRoot: b.Data[compiler.DataRoot]})
	if err != nil {
		return nil, err
	}
	builtin, err := compiler.Embedded(sources)
	if err != nil {
		return nil, err
	}
	built, err := compiler.Compile(p, sources, builtin)
	if err != nil {
		return nil, err
	}
	if built.Revision != b.Manifest.Revision {
		return nil, fmt.Errorf("%w: its content is revision %s, not the %s its manifest names", ErrInvalid, short(built.Revision), short(b.Manifest.Revision))
	}
	if err := sameRevision(b.Data, residuals, built.Revision); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return &Contents{Policy: p, Sources: sources, Revision: built.Revision}, nil
}

// sameRevision checks that the revision a bundle's data names, and the one each declaration's
// residual was worked out under, are the policy's, and that the residuals compile with their
// pieces: a residual decides under the policy it was worked out from, so one from another
// revision, or one missing a piece, would decide a person under another policy.
func sameRevision(data map[string]any, residuals []*ast.Module, rev string) error {
	if named, ok := data[RevisionRoot]; ok && named != rev {
		s, _ := named.(string)
		return fmt.Errorf("its data names policy revision %q, not the %s its content is", short(s), short(rev))
	}
	if len(residuals) == 0 {
		return nil
	}
	modules := map[string]*ast.Module{"lib": anyTimeStub}
	for i, m := range residuals {
		pkg := ""
		if m != nil {
			pkg = m.Package.Path.String()
		}
		if pkg != residualsPackage && pkg != piecesPackage {
			return fmt.Errorf("%s: residuals go in package %s, their pieces in %s", residualDir,
				strings.TrimPrefix(residualsPackage, "data."), strings.TrimPrefix(piecesPackage, "data."))
		}
		modules[strconv.Itoa(i)] = m
		if pkg != residualsPackage {
			continue
		}
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			if len(ref) != 2 || !ref[1].Equal(ast.StringTerm("revision")) {
				continue
			}
			if v, _ := r.Head.Value.Value.(ast.String); string(v) != rev {
				return fmt.Errorf("the residual %v of a declaration was worked out under policy revision %q, not the bundle's %s: build the bundle again", ref[0], short(string(v)), short(rev))
			}
		}
	}
	c := ast.NewCompiler().WithCapabilities(compiler.Capabilities())
	if c.Compile(modules); c.Failed() {
		return fmt.Errorf("the declarations' residuals do not compile with their pieces (build the bundle again): %w", c.Errors)
	}
	return nil
}

// readBounded reads a compressed bundle into memory and walks its archive once, counting, so
// that the bundle handed to OPA's reader is known to hold files within the bounds: a tar header
// that claims a terabyte, or a gzip bomb, is refused after reading at most the bounds.
func readBounded(r io.Reader, opts ReadOptions) ([]byte, error) {
	total, perFile, maxFiles := opts.bounds()
	raw, err := io.ReadAll(io.LimitReader(r, total+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if int64(len(raw)) > total {
		return nil, fmt.Errorf("the compressed bundle is more than the limit of %d bytes", total)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a gzip-compressed bundle: %w", err)
	}
	// The archive's own headers and padding count too, so that no stream of empty entries
	// expands without bound.
	stream := &limited{r: zr, left: total + int64(maxFiles+2)*2048}
	tr := tar.NewReader(stream)
	var sum int64
	for files := 0; ; files++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the archive: %w", err)
		}
		if files >= maxFiles {
			return nil, fmt.Errorf("the bundle holds more than the limit of %d files", maxFiles)
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeDir:
		default:
			return nil, fmt.Errorf("%q: not a regular file or directory", h.Name)
		}
		if h.Size > perFile {
			return nil, fmt.Errorf("%q: %d bytes, more than the limit of %d per file", h.Name, h.Size, perFile)
		}
		if sum += h.Size; sum > total {
			return nil, fmt.Errorf("the bundle's files are more than the limit of %d bytes together", total)
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return nil, fmt.Errorf("%q: %w", h.Name, err)
		}
	}
	return raw, nil
}

// errTooLarge ends a decompressed stream that runs past its bound.
var errTooLarge = errors.New("the decompressed bundle is larger than its limits allow")

// limited reads at most left bytes, then fails with errTooLarge.
type limited struct {
	r    io.Reader
	left int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// algorithmOf picks the JWS algorithm for a PEM key: RS256 for RSA, ES256/384/512 for ECDSA by
// curve size.
func algorithmOf(pemKey []byte) (string, error) {
	block, _ := pem.Decode(pemKey)
	if block == nil {
		return "", errors.New("the key is not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return "", fmt.Errorf("unsupported key type %q", block.Type)
	}
	if err != nil {
		return "", fmt.Errorf("reading the key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey, *rsa.PublicKey:
		return "RS256", nil
	case *ecdsa.PrivateKey:
		return ecAlgorithm(k.Curve.Params().BitSize)
	case *ecdsa.PublicKey:
		return ecAlgorithm(k.Curve.Params().BitSize)
	}
	return "", fmt.Errorf("unsupported key %T: use RSA or ECDSA", key)
}

func ecAlgorithm(bits int) (string, error) {
	switch bits {
	case 256:
		return "ES256", nil
	case 384:
		return "ES384", nil
	case 521:
		return "ES512", nil
	}
	return "", fmt.Errorf("unsupported ECDSA curve of %d bits", bits)
}
