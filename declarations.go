package policyengine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/confect/policyengine/internal/suggest"
	"github.com/confect/policyengine/manifest"
)

// ErrUnknownDeclaration is wrapped by the error for a decision asked of a declaration id that
// is not loaded: it denies. The error names the id the caller passed, quoted and escaped, and
// the loaded ids it is a near miss of.
var ErrUnknownDeclaration = errors.New("no declaration of this id")

// Declarations are a service's declarations by id, loaded from the same manifest files CI
// checks. They are safe for concurrent use.
type Declarations struct {
	engine *Engine
	byID   map[string]*Declaration
	ids    []string
}

// LoadDeclarations reads every manifest file (.json, .yaml, .yml) of fsys (an embedded
// directory, or os.DirFS) and prepares each declaration in them, by id, several at once (one per
// CPU). Activities that carry a person's state (consent or subject) are fixtures of one person,
// not declarations, and are left out. A manifest that cannot be read, an invalid declaration and
// an id declared twice are errors, naming the file and line (the first in file order); so is a
// file system that holds no declaration at all (a wrong directory, an embed pattern that matched
// nothing), since every id would then be unknown.
func (e *Engine) LoadDeclarations(ctx context.Context, fsys fs.FS) (*Declarations, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	manifests, err := manifest.ReadFS(fsys, manifest.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	type entry struct {
		id, at string
		doc    map[string]any
	}
	var entries []entry
	where := map[string]string{}
	for _, m := range manifests {
		for _, en := range m.Entries {
			if en.Err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, en.Err)
			}
			if !en.IsDeclaration() {
				continue
			}
			at := fmt.Sprintf("%s:%d", m.File, en.Line)
			if prev, dup := where[en.ID]; dup {
				return nil, fmt.Errorf("%w: %s: the declaration's id is already declared at %s", ErrInvalidInput, at, prev)
			}
			where[en.ID] = at
			entries = append(entries, entry{id: en.ID, at: at, doc: en.Value})
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, noDeclarations(len(manifests)))
	}
	// Prepare them in parallel; on an error the rest stop, and the first error in file order is
	// the one reported.
	prepareCtx, stop := context.WithCancel(ctx)
	defer stop()
	decls := make([]*Declaration, len(entries))
	errs := make([]error, len(entries))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(entries)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(entries); i = int(next.Add(1) - 1) {
				if decls[i], errs[i] = e.DeclareDocument(prepareCtx, entries[i].doc); errs[i] != nil {
					stop()
				}
			}
		})
	}
	wg.Wait()
	s := &Declarations{engine: e, byID: make(map[string]*Declaration, len(entries))}
	for i, en := range entries {
		if err := errs[i]; err != nil {
			if ctx.Err() == nil && errors.Is(err, context.Canceled) {
				continue // stopped by another's error
			}
			return nil, fmt.Errorf("%s: %w", en.at, err)
		}
		if decls[i] == nil {
			continue // never started: another's error stopped the rest
		}
		s.byID[en.id] = decls[i]
		s.ids = append(s.ids, en.id)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	sort.Strings(s.ids)
	return s, nil
}

// noDeclarations says why a file system holds no declaration, from the number of manifest files
// it holds.
func noDeclarations(files int) error {
	switch files {
	case 0:
		return errors.New("no declarations: the file system holds no manifest file (.json, .yaml, .yml); expected the directory of the manifests CI checks")
	case 1:
		return errors.New("no declarations: the one manifest file holds none (an activity with consent or subject is a fixture of one person, not a declaration)")
	}
	return fmt.Errorf("no declarations: the %d manifest files hold none (an activity with consent or subject is a fixture of one person, not a declaration)", files)
}

// Denied decides each declaration alone, as a CI gate does (Declaration.Decision), and returns
// those no person can pass, by id, with that decision: its reasons say why. A service calls it
// at start-up to refuse to start, or to say which of its operations will always be refused.
// The answer holds for the engine's policy and clock at the call; after a Reload, ask again.
// An error (a cancelled context, a decision that could not be made) returns no list.
func (s *Declarations) Denied(ctx context.Context) (map[string]Decision, error) {
	denied := map[string]Decision{}
	for _, id := range s.ids {
		d, err := s.byID[id].Decision(ctx)
		if err != nil {
			return nil, fmt.Errorf("declaration %s: %w", quoteID(id), err)
		}
		if !d.Allow {
			denied[id] = d
		}
	}
	return denied, nil
}

// Documents returns the declarations as decoded activities by id (copies): what a bundle gives
// OPA servers to decide by id.
func (s *Declarations) Documents() map[string]map[string]any {
	out := make(map[string]map[string]any, len(s.byID))
	for id, d := range s.byID {
		out[id] = d.Document()
	}
	return out
}

// Lookup returns the declaration of an id.
func (s *Declarations) Lookup(id string) (*Declaration, bool) {
	d, ok := s.byID[id]
	return d, ok
}

// IDs returns the ids of the declarations, sorted.
func (s *Declarations) IDs() []string { return append([]string(nil), s.ids...) }

// Decide decides the declaration of an id for one person, as Declaration.Decide. An unknown id
// is an error, and the decision denies.
func (s *Declarations) Decide(ctx context.Context, id string, p Person) (Decision, error) {
	d, ok := s.byID[id]
	if !ok {
		return s.unknown(id)
	}
	return d.Decide(ctx, p)
}

// DecideJSON decides the declaration of an id for the person's state given as JSON, as
// Declaration.DecideJSON. An unknown id is an error, and the decision denies.
func (s *Declarations) DecideJSON(ctx context.Context, id string, state []byte) (Decision, error) {
	d, ok := s.byID[id]
	if !ok {
		return s.unknown(id)
	}
	return d.DecideJSON(ctx, state)
}

// unknown is the decision on an id that is not loaded: it denies. The error names the id (ids
// are the service's own names, not personal data), escaped, and the loaded ids it is a near
// miss of.
func (s *Declarations) unknown(id string) (Decision, error) {
	id = shortID(id)
	return deniedDecision(s.engine.state.Load()), fmt.Errorf("%w: %w: %s%s", ErrInvalidInput, ErrUnknownDeclaration, quoteID(id), suggest.DidYouMean(id, s.ids))
}

// maxQuotedID bounds the part of an id an error quotes: the schema's limit on an activity's id.
const maxQuotedID = 200

// shortID is an id cut to what an error quotes, at a character's boundary.
func shortID(id string) string {
	if len(id) <= maxQuotedID {
		return id
	}
	cut := maxQuotedID
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return id[:cut] + "…"
}

// quoteID quotes an id for an error message: Go-quoted, so control characters, quotes and
// invalid UTF-8 are escaped and a message stays one line.
func quoteID(id string) string { return strconv.Quote(id) }
