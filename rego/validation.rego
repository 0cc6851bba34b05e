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
errors := [e | some t in sort([[e.path, e] | some e in _problems]); e := t[1]]

_problems contains {"path": "", "message": "expected an object (a processing activity)"} if {
	not is_object(input)
}

_problems contains {"path": "/id", "message": "expected a non-empty string"} if {
	is_object(input)
	not _nonempty_string(input.id)
}

_problems contains {"path": sprintf("/%s", [field]), "message": "expected a non-empty array of strings"} if {
	is_object(input)
	some field in ["data_categories", "purposes"]
	not _nonempty_strings(input[field])
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

_problems contains {"path": path, "message": "expected an RFC 3339 date-time such as 2026-05-01T09:30:00Z"} if {
	some path, value in _timestamps
	not _timestamp(value)
}

_durations["/retention/period"] := input.retention.period

_durations["/retention/agreed_extension/period"] := input.retention.agreed_extension.period

_timestamps[sprintf("/subject/%s", [field])] := input.subject[field] if {
	some field in ["last_activity_at", "last_application_at"]
}

_timestamps[sprintf("/consent/%s", [field])] := input.consent[field] if {
	some field in ["given_at", "withdrawn_at"]
}

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
	time.parse_rfc3339_ns(value)
}
