package problem_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/problem"
)

func TestError(t *testing.T) {
	for _, tc := range []struct {
		p    problem.Problem
		want string
	}{
		{problem.Problem{File: "f.yaml", Line: 3, Column: 4, Pointer: "/a", Message: "bad"}, "f.yaml:3:4: /a: bad"},
		{problem.Problem{File: "f.yaml", Line: 3, Pointer: "/a", Message: "bad"}, "f.yaml:3: /a: bad"},
		{problem.Problem{File: "f.yaml", Message: "bad"}, "f.yaml: bad"},
		{problem.Problem{File: "f.yaml", Column: 5, Message: "bad"}, "f.yaml: bad"},
		{problem.Problem{Line: 3, Column: 4, Pointer: "/a/b", Message: "bad"}, "line 3, column 4: /a/b: bad"},
		{problem.Problem{Line: 3, Message: "bad"}, "line 3: bad"},
		{problem.Problem{Pointer: "/a", Message: "bad"}, "/a: bad"},
		{problem.Problem{Message: "bad"}, "bad"},
	} {
		assert.Equal(t, tc.want, tc.p.Error())
	}
}

func TestJoinAndAll(t *testing.T) {
	assert.NoError(t, problem.Join())
	assert.Nil(t, problem.All(nil))
	assert.Nil(t, problem.All(errors.New("other")))

	a := &problem.Problem{Pointer: "/a", Message: "one"}
	b := &problem.Problem{Pointer: "/b", Message: "two"}
	assert.Same(t, a, problem.Join(a), "one problem is itself")

	err := problem.Join(a, b)
	assert.EqualError(t, err, "/a: one\n/b: two", "one per line")
	assert.Equal(t, []*problem.Problem{a, b}, problem.All(err))

	// However deeply wrapped, by %w, errors.Join or a List within a List.
	nested := fmt.Errorf("outer: %w", errors.Join(errors.New("plain"), fmt.Errorf("inner: %w", errors.Join(problem.Join(a, b), a))))
	assert.Equal(t, []*problem.Problem{a, b, a}, problem.All(nested))
	var got *problem.Problem
	require.ErrorAs(t, nested, &got)
	assert.Same(t, a, got, "errors.As finds the first")
}

func TestOfAndIn(t *testing.T) {
	assert.Nil(t, problem.Of(nil, "f"))
	assert.NoError(t, problem.In("f", nil))

	plain := problem.Of(errors.New("cannot read"), "f.yaml")
	assert.Equal(t, []*problem.Problem{{File: "f.yaml", Message: "cannot read"}}, plain)

	own := &problem.Problem{File: "other.yaml", Line: 2, Message: "x"}
	none := &problem.Problem{Line: 5, Pointer: "/p", Message: "y", Kind: problem.Syntax}
	got := problem.All(problem.In("f.yaml", problem.Join(own, none)))
	assert.Equal(t, []*problem.Problem{own, {File: "f.yaml", Line: 5, Pointer: "/p", Message: "y", Kind: problem.Syntax}}, got)
	assert.Empty(t, none.File, "the original is not changed")

	assert.Equal(t, "other.yaml", own.In("f.yaml"))
	assert.Equal(t, "f.yaml", none.In("f.yaml"))
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(&problem.Problem{Pointer: "/a", Message: "m"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"path": "/a", "message": "m"}`, string(b), "the path is always there, the rest when known")
	b, err = json.Marshal(&problem.Problem{File: "f", Line: 1, Column: 2, Message: "m", Kind: problem.Schema})
	require.NoError(t, err)
	assert.JSONEq(t, `{"file": "f", "line": 1, "column": 2, "path": "", "message": "m", "kind": "schema"}`, string(b))
}

func TestPositionString(t *testing.T) {
	assert.Equal(t, "12:7", problem.Position{Line: 12, Column: 7}.String())
	assert.Equal(t, "f.yaml:12:7", problem.Position{File: "f.yaml", Line: 12, Column: 7}.String())
}
