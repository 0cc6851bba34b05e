package policyengine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/confect/policyengine/internal/jsonpos"
	"github.com/confect/policyengine/problem"
	"github.com/confect/policyengine/schema"
)

// DecisionLogger receives every decision the engine makes. See WithDecisionLogger.
type DecisionLogger func(context.Context, DecisionLog)

// DecisionLog is one decision as the engine logs it: what an OPA server's decision log records
// for the same activity, masked by the same rules.
type DecisionLog struct {
	// DecisionID identifies the decision (a random UUID).
	DecisionID string `json:"decision_id"`
	// Time is when the decision was made, by the engine's clock.
	Time time.Time `json:"timestamp"`
	// Revision is the policy revision the decision was made under.
	Revision string `json:"revision"`
	// ActivityID is the activity's id, where it has one.
	ActivityID string `json:"activity,omitempty"`
	// Input is the activity, masked unless WithUnmaskedDecisionLogs; nil when it was not
	// well-formed JSON.
	Input map[string]any `json:"input,omitempty"`
	// Allow, Reasons and Warnings are the decision.
	Allow    bool     `json:"allow"`
	Reasons  []Reason `json:"reasons"`
	Warnings []Reason `json:"warnings"`
	// Error says why no decision could be made, if none could.
	Error string `json:"error,omitempty"`
}

// log hands a decision to the logger, masking the input.
func (e *Engine) log(ctx context.Context, st *prepared, input any, d Decision, err error) {
	if e.logger == nil {
		return
	}
	entry := DecisionLog{
		DecisionID: newDecisionID(),
		Time:       e.Now(ctx),
		Revision:   st.revision,
		Allow:      d.Allow,
		Reasons:    slices.Clone(d.Reasons), // the logger's own: what it changes, the caller does not see
		Warnings:   slices.Clone(d.Warnings),
	}
	if err != nil {
		entry.Error = err.Error()
		if e.masking {
			entry.Error = logError(err)
		}
	}
	if obj, ok := input.(map[string]any); ok {
		entry.ActivityID, _ = obj["id"].(string)
		entry.Input = obj
		if e.masking {
			entry.Input = masked(ctx, st, obj)
		}
	}
	e.logger(ctx, entry)
}

// logError renders an error for a decision log: an input problem's pointer spells only the keys
// the activity's format defines and array indices, any other key (a misspelt or unknown one,
// which may be personal data) written as "*".
func logError(err error) string {
	problems := problem.All(err)
	if len(problems) == 0 {
		return err.Error()
	}
	out := make([]*problem.Problem, len(problems))
	for i, p := range problems {
		c := *p
		steps := strings.Split(c.Pointer, "/")
		for j, step := range steps[min(1, len(steps)):] {
			if !schema.ActivityKey(step) && strings.Trim(step, "0123456789") != "" {
				steps[j+1] = "*"
			}
		}
		c.Pointer = strings.Join(steps, "/")
		out[i] = &c
	}
	return fmt.Sprintf("%v: %v", ErrInvalidInput, problem.Join(out...))
}

// masked returns a copy of the activity without what data.system.log.mask names (nil when it
// names the whole input). If the mask cannot be computed, nothing of the activity is logged but
// its id.
func masked(ctx context.Context, st *prepared, activity map[string]any) map[string]any {
	value, err := ast.InterfaceToValue(map[string]any{"input": activity})
	if err == nil {
		var rs rego.ResultSet
		if rs, err = st.mask.Eval(ctx, rego.EvalParsedInput(value)); err == nil && len(rs) == 1 {
			if pointers, ok := rs[0].Expressions[0].Value.([]any); ok {
				out := jsonpos.Clone(activity).(map[string]any)
				for _, p := range pointers {
					s, ok := p.(string)
					switch {
					case ok && strings.HasPrefix(s, "/input/"):
						remove(out, strings.TrimPrefix(s, "/input"))
					case ok && strings.HasPrefix(s, "/result/"):
						// The library's findings for refused input are empty already.
					default:
						return nil // the whole input, or a mask this code does not know: nothing
					}
				}
				return out
			}
		}
	}
	id, _ := activity["id"].(string)
	return map[string]any{"id": id}
}

// remove deletes the value at a mask pointer, read as OPA reads one: steps percent-escaped
// (object members only; array elements are walked into by index).
func remove(doc any, pointer string) {
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, part := range parts {
		if p, err := url.PathUnescape(part); err == nil {
			part = p
		}
		last := i == len(parts)-1
		switch x := doc.(type) {
		case map[string]any:
			if last {
				delete(x, part)
				return
			}
			doc = x[part]
		case []any:
			n := 0
			for _, c := range part {
				if c < '0' || c > '9' {
					return
				}
				n = n*10 + int(c-'0')
			}
			if n >= len(x) || last {
				return
			}
			doc = x[n]
		default:
			return
		}
	}
}

func newDecisionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
