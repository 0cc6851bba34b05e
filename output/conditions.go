package output

import (
	"fmt"
	"strings"

	"github.com/confect/policyengine/check"
)

// The rights every person has (the rules whose METADATA says every_person: erasure,
// restriction) are conditions of nearly every declaration. The formats a person reads say them
// once for the run and list under each declaration only what is specific to it; with
// Options.AllConditions they list every condition under its declaration. JSON keeps every one.

// conditions are the conditions a format lists under a result: every one with all, else those
// that are not a right every person has.
func conditions(res *check.Result, all bool) []check.Condition {
	if all {
		return res.Conditions
	}
	var out []check.Condition
	for _, c := range res.Conditions {
		if !c.EveryPerson {
			out = append(out, c)
		}
	}
	return out
}

// right is a right every person has, and how many declarations of a report it is a condition of.
type right struct {
	check.Condition
	declarations int
}

// rights are the rights every person has among a report's conditions, one per rule in the order
// first met, each with the number of declarations it is a condition of; none with all (every
// condition is then listed under its declaration).
func rights(r *check.Report, all bool) []right {
	t := rightsTally{all: all}
	for i := range r.Results {
		t.add(&r.Results[i])
	}
	return t.rights
}

// rightsTally gathers rights as results come, for a format that writes them one at a time.
type rightsTally struct {
	all    bool
	at     map[string]int
	rights []right
}

// listed are the conditions a streaming format lists under res: every one with all, else those
// that are not rights (the tally says those once).
func (t *rightsTally) listed(res *check.Result) []check.Condition { return conditions(res, t.all) }

// add counts the rights among one result's conditions, each once.
func (t *rightsTally) add(res *check.Result) {
	if t.all {
		return
	}
	var seen map[string]bool
	for _, c := range res.Conditions {
		if !c.EveryPerson || seen[c.Rule] {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[c.Rule] = true
		i, ok := t.at[c.Rule]
		if !ok {
			if t.at == nil {
				t.at = map[string]int{}
			}
			i = len(t.rights)
			t.at[c.Rule] = i
			t.rights = append(t.rights, right{Condition: c})
		}
		t.rights[i].declarations++
	}
}

// rightsHeading introduces the rights every person has, said once for a run.
const rightsHeading = "The rights every person has, conditions of the declarations above at run time (--all-conditions lists them under each):"

// requirement says one condition as a clause of a sentence: what it requires, its rule, field
// and clause.
func requirement(c check.Condition) string {
	return fmt.Sprintf("requires %s (%s at %s; policy: %s)", Printable(c.Requires), Printable(c.Rule), Printable(pathOrRoot(c.Path)), Printable(c.Clause))
}

// requirements says a declaration's conditions in one sentence.
func requirements(cs []check.Condition) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = requirement(c)
	}
	return "at run time, " + strings.Join(parts, "; ")
}
