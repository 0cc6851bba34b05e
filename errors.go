package policyengine

import (
	"errors"

	"github.com/confect/policyengine/policy"
)

var (
	// ErrInvalidInput is wrapped by the error for an activity that is not well-formed: not
	// JSON, or failing the activity schema. schema.Problems lists each problem with its
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
