# METADATA
# title: Structural checks on the input
# description: >-
#   The library validates every activity against schema/activity.schema.json before it asks for
#   a decision. A stock OPA server does not, so the decision itself refuses an input whose shape
#   the rules depend on: without these checks a malformed input could slip past a rule and be
#   allowed. Each problem is {path, message}, like the library's validation errors.
package policyengine.validation

import data.policyengine.lib

# The problems found, sorted by path.
errors := _sorted(_problems)

# person_errors are the problems of a person's state alone ({"consent": ..., "subject": ...}:
# what a request by declaration id carries), sorted by path: its times, read in any form RFC 3339
# allows, and the JSON Schema of a person's state (data.policyengine_schema.person: the activity
# schema's consent and subject, whose times it leaves to the first check) where a bundle carries
# it. They are the problems the same state has in a full activity.
person_errors(state) := _sorted(_time_problems(state) | {p | some p in _schema_problems(state, data.policyengine_schema.person)})

_sorted(problems) := [e | some t in sort([[e.path, e] | some e in problems]); e := t[1]]

_problems contains {"path": "", "message": "expected an object (a processing activity)"} if {
	not _input_is_object
}

# False when there is no input at all, as well as when it is not an object.
default _input_is_object := false

_input_is_object if is_object(input)

# Fields are read with object.get so that a missing one is a value the check sees: a reference
# to a missing field inside `not f(...)` would make the whole check undefined, and let the input
# through.
_problems contains {"path": "/id", "message": "expected a non-empty string"} if {
	_input_is_object
	not _nonempty_string(object.get(input, "id", null))
}

_problems contains {"path": sprintf("/%s", [field]), "message": "expected a non-empty array of strings"} if {
	_input_is_object
	some field in ["data_categories", "purposes"]
	not _nonempty_strings(object.get(input, field, null))
}

_problems contains {"path": "/role", "message": "expected one of \"controller\", \"processor\""} if {
	_input_is_object
	role := object.get(input, "role", "controller")
	not role in {"controller", "processor"}
}

_problems contains {"path": sprintf("/recipients/%d/type", [i]), "message": "expected a non-empty string"} if {
	some i, recipient in input.recipients
	is_object(recipient)
	not _nonempty_string(object.get(recipient, "type", null))
}

_problems contains {"path": sprintf("/%s", [field]), "message": "expected an array of strings"} if {
	some field in ["data_subjects", "sources"]
	value := input[field]
	not _strings(value)
}

_problems contains {"path": "/recipients", "message": "expected an array of objects"} if {
	value := input.recipients
	not _objects(value)
}

_problems contains {"path": path, "message": "expected an ISO 8601 duration such as P6M"} if {
	some path, value in _durations
	not lib.duration(value)
}

_problems contains p if some p in _time_problems(input)

# The problems of a document's times, wherever lib.time_field says they are (a path is written
# only for a problem).
_time_problems(doc) := {{"path": sprintf("/%s/%s", [object, field]), "message": "expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"} |
	some object in lib.time_objects
	fields := doc[object]
	is_object(fields)
	some field, value in fields
	lib.time_field(object, field)
	not _timestamp(value)
}

_durations["/retention/period"] := input.retention.period

_durations["/retention/agreed_extension/period"] := input.retention.agreed_extension.period

_nonempty_string(value) if {
	is_string(value)
	trim_space(value) != ""
}

_strings(value) if {
	is_array(value)
	every item in value {
		is_string(item)
	}
}

_nonempty_strings(value) if {
	_strings(value)
	count(value) > 0
}

_objects(value) if {
	is_array(value)
	every item in value {
		is_object(item)
	}
}

_timestamp(value) if {
	is_string(value)
	lib.any_timestamp_ns(value)
}

# An OPA server fed by `policyengine bundle build` has the activity's JSON Schema in its data
# (data.policyengine_schema.activity): there the input is held to the whole schema, unknown keys
# and all, as the library holds it. The library validates in Go before it asks, and leaves the
# schema out of its data.
_problems contains p if some p in _schema_problems(input, data.policyengine_schema.activity)

# The problems a document has against a JSON Schema, at JSON pointers.
_schema_problems(doc, schema) := {{"path": concat("", [_pointer(e.field), _member(e)]), "message": e.desc} |
	[valid, errs] := json.match_schema(doc, schema)
	not valid
	some e in errs
}

_pointer(field) := "" if lower(field) == "(root)"

_pointer(field) := concat("", [sprintf("/%s", [part]) | some part in split(field, ".")]) if lower(field) != "(root)"

# An unknown or missing key is reported on its object: name the key itself, as the library does.
_member_patterns := {
	"additional_property_not_allowed": `^Additional property (.+) is not allowed$`,
	"required": `^(.+) is required$`,
}

default _member(_) := ""

_member(e) := sprintf("/%s", [m[1]]) if {
	[m] := regex.find_all_string_submatch_n(_member_patterns[e.type], e.desc, 1)
}
