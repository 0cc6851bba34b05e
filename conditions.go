package policyengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/confect/policyengine/internal/partial"
	"github.com/confect/policyengine/schema"
)

// EvaluateDeclaration decides a declaration alone (an activity with neither consent nor
// subject), as a CI gate does. Declaration rules deny as in Evaluate. A person rule that would
// deny for some person does not deny: it becomes a Condition the service must meet at run time,
// and the declaration is allowed with its conditions listed. A person rule that denies even the
// most favourable person (consent given, nothing opted out or requested) denies.
//
// The person rules are found by deciding the declaration for the most exposed person the
// activity schema allows (no consent; every opt-out, objection and request made; every clock at
// its earliest), and those that deny for the most favourable one (consent given, nothing known
// of them) the same way, when the policy's own modules hold person rules: the built-in ones
// never deny that person.
func (e *Engine) EvaluateDeclaration(ctx context.Context, doc map[string]any) (Decision, error) {
	if err := e.ready(); err != nil {
		return Decision{Reasons: []Reason{}, Warnings: []Reason{}}, err
	}
	st := e.state.Load()
	d, err := e.evaluateDeclaration(ctx, st, doc)
	e.log(ctx, st, doc, d, err)
	return d, err
}

func (e *Engine) evaluateDeclaration(ctx context.Context, st *prepared, doc map[string]any) (Decision, error) {
	denied := deniedDecision(st)
	// The evaluation for the most exposed person validates the declaration with it.
	if err := noPersonState(doc); err != nil {
		return denied, err
	}
	m := doc
	exposed := make(map[string]any, len(m)+1)
	maps.Copy(exposed, m)
	exposed["subject"] = st.exposed
	var worst Decision
	var favourable []Reason // with st.packages: what favourableDenials finds
	var err error
	if st.packages != nil {
		worst, favourable, err = e.decideDeclaration(ctx, st, exposed)
	} else {
		worst, err = e.evaluate(ctx, st, exposed, checkStrings)
	}
	if err != nil {
		return denied, err
	}
	out := Decision{Reasons: []Reason{}, Warnings: []Reason{}, Revision: st.revision, ValidUntil: worst.ValidUntil}
	for _, r := range worst.Warnings {
		if _, person := st.person[r.Rule]; !person {
			out.Warnings = append(out.Warnings, r)
		}
	}
	var personal []Reason
	for _, r := range worst.Reasons {
		if _, person := st.person[r.Rule]; person {
			personal = append(personal, r)
		} else {
			out.Reasons = append(out.Reasons, r)
		}
	}
	if st.customPerson {
		// A policy's own person rules may test the person's state any way: ask partial
		// evaluation, which knows for each whether some person passes and some fails.
		always, conds, err := e.partialConditions(ctx, st, m)
		if err != nil {
			return denied, err
		}
		out.Reasons = append(out.Reasons, always...)
		sortReasons(out.Reasons)
		out.Conditions = conds
	} else {
		// A person rule that also judges the declaration alone may deny every person: what it
		// finds for the most favourable person (consent given, nothing known of them) denies;
		// the rest are conditions. The built-in rules that do not say so never deny that person
		// (TestProbeConditionsArePartialEvaluations holds them to partial evaluation).
		var always []Reason
		if slices.ContainsFunc(personal, func(r Reason) bool { return st.person[r.Rule].AlsoDeclaration }) {
			if st.packages != nil {
				always = favourable
			} else if always, err = e.favourableDenials(ctx, st, m); err != nil {
				return denied, err
			}
		}
		out.Reasons = append(out.Reasons, always...)
		sortReasons(out.Reasons)
		out.Conditions = conditions(st, slices.DeleteFunc(personal, func(r Reason) bool {
			return slices.ContainsFunc(always, func(a Reason) bool { return a.Rule == r.Rule && a.Path == r.Path })
		}))
	}
	if len(out.Conditions) == 0 {
		out.Conditions = nil
	}
	sort.Slice(out.Conditions, func(i, j int) bool { return out.Conditions[i].Rule < out.Conditions[j].Rule })
	out.Allow = len(out.Reasons) == 0
	return out, nil
}

// favourableDenials are the reasons of the person rules that also judge the declaration alone
// to deny it for the most favourable person: consent given, nothing known of them. Those deny
// every person.
func (e *Engine) favourableDenials(ctx context.Context, st *prepared, m map[string]any) ([]Reason, error) {
	best, err := e.evaluate(ctx, st, favourableInput(m), checkStrings)
	if err != nil {
		return nil, err
	}
	return alsoDeclaration(st, best.Reasons), nil
}

// favourableInput is the declaration m with the most favourable person: consent given, nothing
// known of them.
func favourableInput(m map[string]any) map[string]any {
	favourable := maps.Clone(m)
	favourable["consent"] = map[string]any{"status": "given"}
	favourable["subject"] = map[string]any{}
	return favourable
}

// alsoDeclaration keeps the reasons of the person rules that also judge the declaration alone.
func alsoDeclaration(st *prepared, reasons []Reason) []Reason {
	var out []Reason
	for _, r := range reasons {
		if st.person[r.Rule].AlsoDeclaration {
			out = append(out, r)
		}
	}
	return out
}

// conditions makes the conditions of person rules' reasons: one per rule, at the first field that
// makes it apply (what a person must meet does not multiply with the purposes that need it), a
// field of the declaration rather than of the person's state.
func conditions(st *prepared, reasons []Reason) []Condition {
	var out []Condition
	seen := map[string]bool{}
	for _, r := range reasons {
		rule := st.person[r.Rule]
		if seen[r.Rule] {
			continue
		}
		seen[r.Rule] = true
		path := r.Path
		if path == "" || inPersonState(path) { // "": it depends on the person
			path = rule.DeclaredAt
		}
		out = append(out, Condition{Rule: r.Rule, Message: rule.Title, Clause: r.Clause, ClauseID: r.ClauseID, Path: path, Requires: rule.Requires})
	}
	return out
}

// partialConditions reads a declaration's conditions off the partial evaluation of its reasons
// to deny with the person's state unknown: a person rule's reason that still tests the person's
// state is a condition (some person passes, some fails); one that tests nothing of the person
// denies every person.
func (e *Engine) partialConditions(ctx context.Context, st *prepared, m map[string]any) (always []Reason, conds []Condition, err error) {
	pq, err := st.partialEval(ctx, 0, m) // partial.Kinds[0]: deny
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	var personal []Reason
	alwaysSeen := map[[2]string]bool{}
	for _, body := range pq.Queries {
		r, ok := residualReason(body)
		if !ok {
			return nil, nil, fmt.Errorf("%w: a reason that partial evaluation left cannot be read", ErrEvaluation)
		}
		if _, person := st.person[r.Rule]; !person {
			continue // a declaration rule: decided by the evaluation above
		}
		if readsPersonState(body) {
			personal = append(personal, r)
		} else if !alwaysSeen[[2]string{r.Rule, r.Path}] {
			alwaysSeen[[2]string{r.Rule, r.Path}] = true
			always = append(always, r)
		}
	}
	sortReasons(personal)
	return always, conditions(st, personal), nil
}

// residualReason reads the reason a residual query builds: the object with a rule id. A part
// that depends on the person (the path, the message) is left empty.
func residualReason(body ast.Body) (Reason, bool) {
	var r Reason
	ast.WalkTerms(body, func(t *ast.Term) bool {
		obj, ok := t.Value.(ast.Object)
		if !ok || r.Rule != "" {
			return r.Rule != ""
		}
		if id := stringAt(obj, "rule"); id != "" {
			r = Reason{Rule: id, Message: stringAt(obj, "message"), Clause: stringAt(obj, "clause"), ClauseID: stringAt(obj, "clause_id"), Path: stringAt(obj, "path")}
			return true
		}
		return false
	})
	return r, r.Rule != ""
}

// readsPersonState says a residual query still reads the person's state: the input, or a
// support rule partial evaluation wrote (which reads it).
func readsPersonState(body ast.Body) bool {
	found := false
	ast.WalkRefs(body, func(ref ast.Ref) bool {
		if ref[0].Equal(ast.InputRootDocument) || strings.HasPrefix(ref.String(), "data."+partial.Namespace) {
			found = true
		}
		return found
	})
	return found
}

// inPersonState says a JSON pointer points into the person's state.
func inPersonState(pointer string) bool {
	for _, k := range personKeys {
		if pointer == "/"+k || strings.HasPrefix(pointer, "/"+k+"/") {
			return true
		}
	}
	return false
}

// exposedSubject is the most exposed person the activity schema allows: every boolean of the
// subject true (every opt-out, objection and request made), every time at the Unix epoch (long
// past every deadline and limit the rules measure from it), every number at its minimum. It is derived from the schema, so a
// field added there is covered here.
func exposedSubject() (map[string]any, error) {
	var s struct {
		Properties struct {
			Subject struct {
				Properties map[string]struct {
					Type    string   `json:"type"`
					Minimum *float64 `json:"minimum"`
				} `json:"properties"`
			} `json:"subject"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema.ActivitySchema(), &s); err != nil {
		return nil, fmt.Errorf("%w: the activity schema: %w", ErrInvalidPolicy, err)
	}
	out := map[string]any{}
	for name, p := range s.Properties.Subject.Properties {
		switch {
		case p.Type == "boolean":
			out[name] = true
		case schema.ActivityTime("subject", name):
			out[name] = "1970-01-01T00:00:00Z"
		case p.Type == "integer":
			minimum := 0.0
			if p.Minimum != nil {
				minimum = *p.Minimum
			}
			out[name] = json.Number(fmt.Sprint(int64(minimum)))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("policyengine: the activity schema describes no subject")
	}
	return out, nil
}
