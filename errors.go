package policyengine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/confect/policyengine/policy"
)

var (
	// ErrInvalidInput is wrapped by the error for an activity that is not well-formed: not
	// JSON, or failing the activity schema. problem.All lists each problem with its
	// JSON pointer. The decision that comes with it denies.
	ErrInvalidInput = errors.New("invalid input")

	// ErrEvaluation is wrapped by the error for a decision the engine could not make: the
	// context was cancelled or expired, a rule failed, the policy returned no decision or one
	// of the wrong shape. The decision that comes with it denies.
	ErrEvaluation = errors.New("evaluation failed")

	// ErrInvalidPolicy is wrapped by the error for a policy that cannot be used; it is
	// policy.ErrInvalid, so either matches with errors.Is.
	ErrInvalidPolicy = policy.ErrInvalid
)

// evaluationError wraps an error of the rules' evaluation in ErrEvaluation. A builtin's error
// may quote the value it failed on (a timestamp of the person's, say): unless its message holds
// no quote and no digit ("div: divide by zero"), it is told by the builtin's name and the rule's
// place alone. Errors reach logs and callers, and never quote input values.
func evaluationError(err error) error {
	var te *topdown.Error
	if errors.As(err, &te) && te.Code == topdown.BuiltinErr && strings.ContainsAny(te.Message, "\"'`0123456789") {
		name, _, _ := strings.Cut(te.Message, ":")
		if _, ok := ast.BuiltinMap[name]; !ok {
			name = "a builtin"
		}
		err = &topdown.Error{Code: te.Code, Location: te.Location,
			Message: name + " failed on a value of the input (not quoted here)"}
	}
	return fmt.Errorf("%w: %w", ErrEvaluation, err)
}
