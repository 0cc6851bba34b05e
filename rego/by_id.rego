# A decision by declaration id. An OPA server fed by `policyengine bundle build --declarations`
# is asked {"declaration": id, "consent": ..., "subject": ...} and decides that declaration for
# that person. The bundle holds each declaration, validated when the bundle was built, and its
# residual: what the rules leave of it once everything but the person's state is known, worked
# out by partial evaluation, made of pieces (one per way a finding can arise) that declarations
# share. Only the person's state is validated here, and only the residual is evaluated, on the
# person's state as the request carries it.
package policyengine

import data.policyengine.lib
import data.policyengine.validation

# An input that asks by declaration id.
_by_declaration if {
	is_object(input)
	"declaration" in object.keys(input)
}

# The declaration the bundle holds under the id.
_declared := data.policyengine_declarations.activities[input.declaration]

# The person's state.
_state := object.filter(input, {"consent", "subject"})

# What is wrong with a request by declaration id.
_declaration_errors contains {"path": "/declaration", "message": "no declaration of this id is known"} if {
	not _residual_revision
	not _declared
}

_declaration_errors contains {"path": sprintf("/%s", [key]), "message": "only consent and subject go with a declaration"} if {
	some key in object.keys(input)
	not key in {"declaration", "consent", "subject"}
}

# The person's state is validated alone, with the errors the same state has in a full
# activity. The declaration was validated when the bundle was built.
_declaration_errors contains e if some e in validation.person_errors(_state)

_declaration_errors contains {"path": "/declaration", "message": "the declaration's residual was worked out under another policy revision than the bundle's: build the bundle again"} if {
	_residual_revision
	not _residual_current
}

# A declaration's residual: "d" and the first 128 bits of the SHA-256 of its id in hex
# (bundle.ResidualKey) name it, so that any id makes a Rego name. For each kind of finding it is
# the union of its pieces' findings, and it says the policy revision it was worked out under: it
# is used only under that revision (data.policyengine_revision, the bundle's). Its pieces read the
# person's state from the request, times in any form RFC 3339 allows (lib.any_timestamp_ns). A
# declaration without a residual is decided in full.
_residual_key := concat("", ["d", substring(crypto.sha256(input.declaration), 0, 32)])

_residual_revision := data.policyengine_declarations.residuals[_residual_key].revision

_residual_current if _residual_revision == data.policyengine_revision

# The decision by id: the residual's findings.
_by_id := _verdict(
	data.policyengine_declarations.residuals[_residual_key].deny,
	data.policyengine_declarations.residuals[_residual_key].warn,
	{t | some t in data.policyengine_declarations.residuals[_residual_key].changes_at; t > lib.now_ns},
	[],
) if {
	_residual_current
}

# Without a residual: the rules on the declaration with the person's state, its times in the
# form the rules read.
_by_id := d if {
	not _residual_revision
	activity := lib.canonical_times(object.union(_declared, _state))
	d := _verdict(_denials, _warnings, _changes, []) with input as activity
}
