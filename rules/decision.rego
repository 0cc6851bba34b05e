# METADATA
# title: The decision on one processing activity
# description: >-
#   Collects the reasons of every rule package under data.policyengine.rules (the built-in
#   rules and any a policy adds) and allows the activity only when none denies and the input is
#   well-formed. This is the entrypoint the library, the CLI and OPA servers query.
# entrypoint: true
package policyengine

import data.policyengine.lib
import data.policyengine.validation

# The decision: allow, the reasons it was denied, warnings that never deny, structural problems
# with the input, and (when the clock matters) the instant the same input would be decided
# differently. An input that names a declaration ({"declaration": id, "consent": ..., "subject":
# ...}) is decided as the declaration the bundle holds under that id together with the person's
# state; an unknown id is an error, and denies.
# The person's times are put in the form the rules read (lib.canonical_times), as the library
# does before it asks for the findings.
decision := d if {
	not _by_declaration
	d := _decision with input as lib.canonical_times(input)
}

decision := d if {
	_by_declaration
	count(_declaration_errors) == 0
	d := _decision with input as lib.canonical_times(object.union(_declared, object.filter(input, {"consent", "subject"})))
}

decision := {"allow": false, "reasons": [], "warnings": [], "errors": [e | some e in _declaration_errors]} if {
	_by_declaration
	count(_declaration_errors) > 0
}

_decision := object.union(
	{
		"allow": allow,
		"reasons": reasons,
		"warnings": warnings,
		"errors": errors,
	},
	_valid_until,
)

# An input that asks by declaration id.
_by_declaration if {
	is_object(input)
	"declaration" in object.keys(input)
}

_declared := data.policyengine_declarations[input.declaration]

# What is wrong with a request by declaration id.
_declaration_errors contains {"path": "/declaration", "message": "no declaration of this id is known"} if {
	not _declared
}

_declaration_errors contains {"path": sprintf("/%s", [key]), "message": "only consent and subject go with a declaration"} if {
	some key in object.keys(input)
	not key in {"declaration", "consent", "subject"}
}

# The instants, after the evaluation time, at which some rule would decide the same input
# differently (each rule package's changes_at, in nanoseconds).
_changes := {t | some t in data.policyengine.rules[_].changes_at; t > lib.now_ns}

_valid_until := {"valid_until": time.format(min(_changes))} if count(_changes) > 0

_valid_until := {} if count(_changes) == 0

default allow := false

# Allow counts the reasons as the rules produced them, so that a reason of the wrong shape still
# denies.
allow if {
	count(errors) == 0
	count(_denials) == 0
}

# Structural problems with the input. The library validates every activity against its JSON
# Schema in Go before it asks, and says so in its data (policyengine_engine.validated_input);
# an OPA server, fed by a bundle that does not say so, validates here.
errors := validation.errors if not _validated

errors := [] if _validated

_validated if data.policyengine_engine.validated_input == true

# Every finding of every rule package, unsorted: what the decision is made of. The library asks
# for this rather than the decision (it validates in Go and sorts in Go); an OPA server asks for
# the decision.
findings := {"deny": _denials, "warn": _warnings, "changes_at": _changes}

_denials := {r | some r in data.policyengine.rules[_].deny}

_warnings := {r | some r in data.policyengine.rules[_].warn}

# Every reason to deny, sorted by rule id and then path.
reasons := _sorted(_denials)

# Every warning, sorted the same way.
warnings := _sorted(_warnings)

# Sorting reads the keys with defaults: a reason that lacks one is kept, not dropped.
_sorted(set) := [t[2] | some t in sort([[object.get(r, "rule", ""), object.get(r, "path", ""), r] | some r in set])]
