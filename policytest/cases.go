// Package policytest runs declarative test cases against a policy: YAML files in which each case
// is a processing activity (written inline, or taken from a manifest), the decision it must get,
// and the rules that must and must not fire. The same cases run from `policyengine test` and,
// with Run, from `go test` in any Go service.
//
// A case file:
//
//	# Retention: "usually a maximum of 6 months after the last application date"
//	now: "2026-11-28T00:00:00Z"        # the evaluation time of every case (optional)
//	cases:
//	  - name: Recruitment data kept six months after the last application is allowed
//	    activity:
//	      id: applications
//	      data_categories: [name, cv]
//	      purposes: [recruitment.applications]
//	      legal_basis: contract
//	      retention: {period: P6M, from: last_application_date}
//	    expect:
//	      allow: true
//	      fires: [retention.at_limit]            # rules (or warnings) that must fire
//	      not_fires: [retention.exceeds_limit]   # rules that must not
//	      valid_until: "2027-05-28T00:00:00Z"    # when the decision changes (optional)
//	  - name: A talent pool kept a year is denied
//	    manifest: ../../examples/manifests/recruitment.yaml#talent-pool
//	    expect:
//	      allow: false
//	      fires: ["retention.exceeds_limit at /retention/period"]
//
// A case's activity is inline (activity) or an activity of a manifest (manifest: path#id, the
// path relative to the case file). expect.allow is required; fires and not_fires entries are a
// rule id (a rule that denies, or one that warns), or a rule id and the JSON pointer it must or
// must not fire at ("rule at /path"). A rule id the policy does not have is an error in the case
// file, not a silent pass. A case's now overrides the file's; without either, the engine's clock
// decides. Every case is decided through each of the engine's entry points (the JSON document,
// the decoded document, the typed Activity, and the declaration decided for the person it
// holds), and must be decided alike by all of them.
package policytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/manifest"
	"github.com/confect/policyengine/problem"
)

// ErrInvalidCase is wrapped by every error about a case file that cannot be run.
var ErrInvalidCase = errors.New("invalid test case")

// Case is one test case.
type Case struct {
	// Name says what the case shows, in the policy's words.
	Name string
	// File and Line locate the case.
	File string
	Line int
	// Activity is the activity to decide, as JSON.
	Activity []byte
	// Source says where the activity comes from: "inline", or the manifest path and id. A
	// case's person ({consent, subject}) is added to it: the declaration decided for that
	// person.
	Source string
	// Now is the evaluation time; zero means the engine's clock.
	Now time.Time
	// Expect is what the decision must be.
	Expect Expect
}

// Expect is what a case's decision must be.
type Expect struct {
	// Allow is the decision.
	Allow bool `json:"allow"`
	// Fires are findings (reasons or warnings) that must be made: a rule id, and a path if
	// given.
	Fires []Expectation `json:"fires,omitempty"`
	// NotFires are findings that must not be made: a rule id (no finding of it at all), and a
	// path if given (none at that path).
	NotFires []Expectation `json:"not_fires,omitempty"`
	// ValidUntil, when set, is the decision's valid_until: the instant the clock changes it.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Expectation is a finding a case expects (Fires) or rules out (NotFires): a rule, and
// optionally the JSON pointer it fires at.
type Expectation struct {
	// Rule is the rule's id.
	Rule string `json:"rule"`
	// Path is the JSON pointer of the finding; empty matches any.
	Path string `json:"path,omitempty"`
	// Line is where the case file names the expectation (0 for a case built in Go).
	Line int `json:"-"`
}

// matches reports whether a reason or warning is the finding expected.
func (f Expectation) matches(r policyengine.Reason) bool {
	return r.Rule == f.Rule && (f.Path == "" || r.Path == f.Path)
}

// String renders the expectation as a case file writes it.
func (f Expectation) String() string {
	if f.Path == "" {
		return f.Rule
	}
	return f.Rule + " at " + f.Path
}

// caseError is an ErrInvalidCase at a place in a file.
func caseError(file string, line int, format string, a ...any) error {
	return fmt.Errorf("%w: %w", ErrInvalidCase, &problem.Problem{File: file, Line: line, Message: fmt.Sprintf(format, a...)})
}

// Load reads the cases of a file, or of every .yaml and .yml file under a directory (sorted;
// hidden directories skipped). A directory without case files is an error.
func Load(path string) ([]*Case, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCase, err)
	}
	if !info.IsDir() {
		return LoadFile(path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != path && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")):
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCase, err)
	}
	if len(files) == 0 {
		return nil, caseError(path, 0, "no case files (.yaml, .yml) in this directory")
	}
	sort.Strings(files)
	var cases []*Case
	for _, f := range files {
		cs, err := LoadFile(f)
		if err != nil {
			return nil, err
		}
		cases = append(cases, cs...)
	}
	return cases, nil
}

// LoadFile reads the cases of one file.
func LoadFile(file string) ([]*Case, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCase, err)
	}
	docs, err := jsonpos.ParseYAML(src, jsonpos.Options{Positions: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCase, problem.In(file, err))
	}
	if len(docs) != 1 {
		return nil, caseError(file, 0, "expected one YAML document, found %d", len(docs))
	}
	doc := docs[0]
	at := func(pointer string) int { return doc.Locate(pointer).Line }
	top, ok := doc.Value.(map[string]any)
	if !ok {
		return nil, caseError(file, 1, "expected {now, cases}")
	}
	if err := onlyKeys(top, "", at, file, "now", "cases"); err != nil {
		return nil, err
	}
	var fileNow time.Time
	if s, ok := top["now"]; ok {
		if fileNow, err = parseTime(s); err != nil {
			return nil, caseError(file, at("/now"), "now: %v", err)
		}
	}
	list, ok := top["cases"].([]any)
	if !ok || len(list) == 0 {
		return nil, caseError(file, at("/cases"), "expected a non-empty list of cases")
	}
	var cases []*Case
	names := map[string]int{}
	for i, item := range list {
		ptr := fmt.Sprintf("/cases/%d", i)
		c, err := readCase(file, ptr, item, at)
		if err != nil {
			return nil, err
		}
		if c.Now.IsZero() {
			c.Now = fileNow
		}
		if prev, dup := names[c.Name]; dup {
			return nil, caseError(file, c.Line, "case %q is already at line %d", c.Name, prev)
		}
		names[c.Name] = c.Line
		cases = append(cases, c)
	}
	return cases, nil
}

func readCase(file, ptr string, item any, at func(string) int) (*Case, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return nil, caseError(file, at(ptr), "expected a case: {name, activity or manifest, expect}")
	}
	if err := onlyKeys(m, ptr, at, file, "name", "now", "activity", "manifest", "person", "expect"); err != nil {
		return nil, err
	}
	c := &Case{File: file, Line: at(ptr)}
	c.Name, _ = m["name"].(string)
	if strings.TrimSpace(c.Name) == "" {
		return nil, caseError(file, at(ptr), "a case needs a name")
	}
	if s, ok := m["now"]; ok {
		t, err := parseTime(s)
		if err != nil {
			return nil, caseError(file, at(ptr+"/now"), "now: %v", err)
		}
		c.Now = t
	}
	activity, inline := m["activity"]
	ref, fromManifest := m["manifest"].(string)
	switch {
	case inline && fromManifest:
		return nil, caseError(file, at(ptr), "case %q: give an activity or a manifest, not both", c.Name)
	case inline:
		js, err := json.Marshal(activity)
		if err != nil {
			return nil, caseError(file, at(ptr+"/activity"), "case %q: the activity cannot be written as JSON", c.Name)
		}
		c.Activity, c.Source = js, "inline"
	case fromManifest:
		js, err := fromManifestRef(file, ref)
		if err != nil {
			return nil, caseError(file, at(ptr+"/manifest"), "case %q: %v", c.Name, err)
		}
		c.Activity, c.Source = js, ref
	default:
		return nil, caseError(file, at(ptr), "case %q: give an activity or a manifest", c.Name)
	}
	if person, ok := m["person"]; ok {
		js, err := withPerson(c.Activity, person)
		if err != nil {
			return nil, caseError(file, at(ptr+"/person"), "case %q: %v", c.Name, err)
		}
		c.Activity = js
	}
	exp, ok := m["expect"].(map[string]any)
	if !ok {
		return nil, caseError(file, at(ptr), "case %q: expect {allow, fires, not_fires} is required", c.Name)
	}
	eptr := ptr + "/expect"
	if err := onlyKeys(exp, eptr, at, file, "allow", "fires", "not_fires", "valid_until"); err != nil {
		return nil, err
	}
	allow, ok := exp["allow"].(bool)
	if !ok {
		return nil, caseError(file, at(eptr), "case %q: expect.allow must be true or false", c.Name)
	}
	c.Expect.Allow = allow
	var err error
	if c.Expect.Fires, err = expectations(file, c.Name, eptr+"/fires", exp["fires"], at); err != nil {
		return nil, err
	}
	if c.Expect.NotFires, err = expectations(file, c.Name, eptr+"/not_fires", exp["not_fires"], at); err != nil {
		return nil, err
	}
	if s, ok := exp["valid_until"]; ok {
		if c.Expect.ValidUntil, err = parseTime(s); err != nil {
			return nil, caseError(file, at(eptr+"/valid_until"), "case %q: valid_until: %v", c.Name, err)
		}
	}
	return c, nil
}

// withPerson adds a person's state ({consent, subject}) to a declaration: the activity a service
// decides for that person.
func withPerson(activity []byte, person any) ([]byte, error) {
	p, ok := person.(map[string]any)
	if !ok {
		return nil, errors.New("person: expected {consent, subject}")
	}
	var a map[string]any
	if err := json.Unmarshal(activity, &a); err != nil {
		return nil, errors.New("person: the activity is not an object")
	}
	for k, v := range p {
		if k != "consent" && k != "subject" {
			return nil, fmt.Errorf("person: unknown key %q: only consent and subject describe a person", k)
		}
		if _, dup := a[k]; dup {
			return nil, fmt.Errorf("person: the activity already has a %s", k)
		}
		a[k] = v
	}
	return json.Marshal(a)
}

// expectations reads a list of expected findings (fires or not_fires): each "rule" or "rule at
// /path".
func expectations(file, name, ptr string, v any, at func(string) int) ([]Expectation, error) {
	key := ptr[strings.LastIndex(ptr, "/")+1:]
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, caseError(file, at(ptr), `case %q: %s: expected a list of rule ids (each "rule" or "rule at /path")`, name, key)
	}
	out := make([]Expectation, len(list))
	for i, x := range list {
		item := fmt.Sprintf("%s/%d", ptr, i)
		s, _ := x.(string)
		rule, path, _ := strings.Cut(s, " at ")
		rule, path = strings.TrimSpace(rule), strings.TrimSpace(path)
		if rule == "" || strings.ContainsAny(rule, " \t") || (path != "" && !strings.HasPrefix(path, "/")) {
			return nil, caseError(file, at(item), `case %q: %s: expected a rule id, or "rule at /path"`, name, key)
		}
		out[i] = Expectation{Rule: rule, Path: path, Line: at(item)}
	}
	return out, nil
}

// fromManifestRef reads the activity a manifest reference (path#id, relative to the case
// file) names.
func fromManifestRef(caseFile, ref string) ([]byte, error) {
	path, id, ok := strings.Cut(ref, "#")
	if !ok || id == "" {
		return nil, fmt.Errorf("manifest: expected path#activity-id")
	}
	m, err := manifest.ReadFile(filepath.Join(filepath.Dir(caseFile), filepath.FromSlash(path)), manifest.Options{})
	if err != nil {
		return nil, err
	}
	for _, e := range m.Entries {
		if e.ID == id {
			return e.JSON, nil
		}
	}
	return nil, fmt.Errorf("manifest %s has no activity %q", path, id)
}

func onlyKeys(m map[string]any, ptr string, at func(string) int, file string, allowed ...string) error {
	var unknown []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return caseError(file, at(ptr+"/"+unknown[0]), "unknown key %q (expected %s)", unknown[0], strings.Join(allowed, ", "))
}

func parseTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errors.New("expected an RFC 3339 time such as 2026-11-28T00:00:00Z")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("expected an RFC 3339 time such as 2026-11-28T00:00:00Z")
	}
	return t, nil
}
