# METADATA
# title: The decision on one processing activity
# description: >-
#   Collects the reasons of every rule package under data.policyengine.rules (the built-in
#   rules and any a policy adds) and allows the activity only when none denies and the input is
#   well-formed. This is the entrypoint the library, the CLI and OPA servers query.
# entrypoint: true
package policyengine

import data.policyengine.validation

# The decision: allow, the reasons it was denied, warnings that never deny, and structural
# problems with the input.
decision := {
	"allow": allow,
	"reasons": reasons,
	"warnings": warnings,
	"errors": errors,
}

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
findings := {"deny": _denials, "warn": _warnings}

_denials := {r | some r in data.policyengine.rules[_].deny}

_warnings := {r | some r in data.policyengine.rules[_].warn}

# Every reason to deny, sorted by rule id and then path.
reasons := _sorted(_denials)

# Every warning, sorted the same way.
warnings := _sorted(_warnings)

# Sorting reads the keys with defaults: a reason that lacks one is kept, not dropped.
_sorted(set) := [t[2] | some t in sort([[object.get(r, "rule", ""), object.get(r, "path", ""), r] | some r in set])]
