// Package problem holds the one type every part of policyengine uses for "something is wrong at
// this place": a Problem names the file, line and column, the JSON pointer of the value at fault
// and what was expected. Manifests, policy documents, Rego modules, activities, Fides files and
// the command line all report their problems as Problems.
//
// Several problems travel as one error made by Join, which unwraps to them the way errors.Join
// does (Unwrap() []error), so errors.As finds a *Problem in any error that holds one, and All
// lists every one. A Problem's message never quotes the value at fault.
package problem

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind says what sort of problem it is, for callers that treat them differently.
type Kind string

// The kinds of problem. A problem of no particular kind has the empty Kind.
const (
	// Syntax: the file or text does not parse, or breaks a limit of the reader.
	Syntax Kind = "syntax"
	// Schema: a value does not have the form its format requires.
	Schema Kind = "schema"
	// Reference: a value names what is not defined where it should be.
	Reference Kind = "reference"
	// Read: a file cannot be found, read or walked.
	Read Kind = "read"
	// Rego: a Rego module does not compile or breaks a rule of the policy's layout.
	Rego Kind = "rego"
)

// Position is a place in a file: its name, and the line and column there, counting from 1 (in
// characters). Every Locate of policyengine's packages returns one. File is "" where the file
// is understood (the document the caller parsed); the zero Position is a place unknown.
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// String renders the position as "file:line:column", or "line:column" when File is "".
func (p Position) String() string {
	s := strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
	if p.File != "" {
		return p.File + ":" + s
	}
	return s
}

// Problem is one problem at a place. Every field but Message is optional.
type Problem struct {
	// File is the file the problem stands in ("" when it is not in a file, or the caller's
	// file is understood).
	File string `json:"file,omitempty"`
	// Line and Column locate it in File, counting from 1 (0 when unknown).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Pointer is the JSON pointer (RFC 6901) of the value at fault, "" for the whole document.
	Pointer string `json:"path"`
	// Message says what is wrong and what was expected.
	Message string `json:"message"`
	// Kind says what sort of problem it is.
	Kind Kind `json:"kind,omitempty"`
}

// Error renders the problem as "file:line:column: pointer: message", leaving out what is
// unknown; without a file, the place reads "line L, column C".
func (p *Problem) Error() string {
	var b strings.Builder
	switch {
	case p.File != "":
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
			if p.Column > 0 {
				fmt.Fprintf(&b, ":%d", p.Column)
			}
		}
		b.WriteString(": ")
	case p.Line > 0 && p.Column > 0:
		fmt.Fprintf(&b, "line %d, column %d: ", p.Line, p.Column)
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Pointer != "" {
		b.WriteString(p.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// In returns the file the problem stands in: its own File, or file (the caller's, that of the
// activity or result it belongs to) when it names none.
func (p *Problem) In(file string) string {
	if p.File != "" {
		return p.File
	}
	return file
}

// List is several problems as one error, in order. Join makes one.
type List []*Problem

// Error renders the problems one per line.
func (l List) Error() string {
	parts := make([]string, len(l))
	for i, p := range l {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap returns the problems, so errors.As and errors.Is see each of them.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, p := range l {
		out[i] = p
	}
	return out
}

// Join returns one error holding the problems in order: nil for none, the problem itself for
// one, a List for more.
func Join(problems ...*Problem) error {
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return problems[0]
	}
	return List(problems)
}

// All returns every problem err holds, however deeply wrapped (by fmt.Errorf's %w, errors.Join
// or a List), in order; nil when it holds none.
func All(err error) []*Problem {
	var out []*Problem
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *Problem:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		default:
			walk(errors.Unwrap(err))
		}
	}
	walk(err)
	return out
}

// Of returns the problems err holds, each placed in file when it names no file of its own
// (copies: err's problems are not changed); when err holds none, one problem in file whose
// message is err's. Nil for a nil err. A caller that reports every error as a located problem
// uses it.
func Of(err error, file string) []*Problem {
	if err == nil {
		return nil
	}
	ps := All(err)
	if len(ps) == 0 {
		return []*Problem{{File: file, Message: err.Error()}}
	}
	out := make([]*Problem, len(ps))
	for i, p := range ps {
		c := *p
		if c.File == "" {
			c.File = file
		}
		out[i] = &c
	}
	return out
}

// In returns err as problems placed in file, as Of does, joined into one error; nil for nil.
func In(file string, err error) error { return Join(Of(err, file)...) }
