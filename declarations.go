package policyengine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/confect/policyengine/manifest"
)

// ErrUnknownDeclaration is wrapped by the error for a decision asked of a declaration id that
// is not loaded: it denies.
var ErrUnknownDeclaration = errors.New("no declaration of this id")

// Declarations are a service's declarations by id, loaded from the same manifest files CI
// checks. They are safe for concurrent use.
type Declarations struct {
	engine *Engine
	byID   map[string]*Declaration
	ids    []string
}

// LoadDeclarations reads every manifest file (.json, .yaml, .yml) of fsys (an embedded
// directory, or os.DirFS) and prepares each declaration in them, by id. Activities that carry a
// person's state (consent or subject) are fixtures of one person, not declarations, and are
// left out. A manifest that cannot be read, an invalid declaration and an id declared twice are
// errors, naming the file and line.
func (e *Engine) LoadDeclarations(ctx context.Context, fsys fs.FS) (*Declarations, error) {
	if err := e.ready(); err != nil {
		return nil, err
	}
	manifests, err := manifest.ReadFS(fsys, manifest.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	s := &Declarations{engine: e, byID: map[string]*Declaration{}}
	where := map[string]string{}
	for _, m := range manifests {
		for _, entry := range m.Entries {
			if entry.Err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidInput, entry.Err)
			}
			if !entry.IsDeclaration() {
				continue
			}
			at := fmt.Sprintf("%s:%d", m.File, entry.Line)
			if prev, dup := where[entry.ID]; dup {
				return nil, fmt.Errorf("%w: %s: the declaration's id is already declared at %s", ErrInvalidInput, at, prev)
			}
			d, err := e.DeclareDocument(ctx, entry.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			where[entry.ID] = at
			s.byID[entry.ID] = d
			s.ids = append(s.ids, entry.ID)
		}
	}
	sort.Strings(s.ids)
	return s, nil
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
		return s.unknown()
	}
	return d.Decide(ctx, p)
}

// DecideJSON decides the declaration of an id for the person's state given as JSON, as
// Declaration.DecideJSON. An unknown id is an error, and the decision denies.
func (s *Declarations) DecideJSON(ctx context.Context, id string, state []byte) (Decision, error) {
	d, ok := s.byID[id]
	if !ok {
		return s.unknown()
	}
	return d.DecideJSON(ctx, state)
}

// unknown is the decision on an id that is not loaded: it denies.
func (s *Declarations) unknown() (Decision, error) {
	return deniedDecision(s.engine.state.Load()), fmt.Errorf("%w: %w", ErrInvalidInput, ErrUnknownDeclaration)
}
