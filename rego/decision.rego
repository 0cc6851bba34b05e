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
# state (by_id.rego); an unknown id is an error, and denies.
# The person's times are put in the form the rules read (lib.canonical_times), as the library
# does before it asks for the findings.
decision := d if {
	not _by_declaration
	d := _decision with input as lib.canonical_times(input)
}

decision := _by_id if {
	_by_declaration
	count(_declaration_errors) == 0
}

decision := {"allow": false, "reasons": [], "warnings": [], "errors": [e | some e in _declaration_errors]} if {
	_by_declaration
	count(_declaration_errors) > 0
}

_decision := _verdict(_denials, _warnings, _changes, errors)

# The decision made of the findings (reasons to deny, warnings, the instants the decision
# changes) and the input's structural problems.
_verdict(denials, warns, changes, errs) := object.union(
	{
		"allow": (count(errs) + count(denials)) == 0,
		"reasons": _sorted(denials),
		"warnings": _sorted(warns),
		"errors": errs,
	},
	_valid_until(changes),
)

# The instants, after the evaluation time, at which some rule would decide the same input
# differently (each rule package's changes_at, in nanoseconds).
_changes := {t | some t in data.policyengine.rules[_].changes_at; t > lib.now_ns}

_valid_until(changes) := {"valid_until": time.format(min(changes))} if count(changes) > 0

_valid_until(changes) := {} if count(changes) == 0

default allow := false

# Allow counts the reasons as the rules produced them, so that a reason of the wrong shape still
# denies.
allow if {
	count(errors) == 0
	count(_denials) == 0
}

# Structural problems with the input. An OPA server validates here, always: no switch turns it
# off, so nothing written through a server's data API can. The library validates every
# activity against its JSON Schema in Go and asks for the findings instead, its own entrypoint.
errors := validation.errors

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
