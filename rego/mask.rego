# METADATA
# title: What decision logs keep
# description: >-
#   OPA applies data.system.log.mask to every decision log event before it is written (the
#   default decision_logs.mask_decision); the library applies the same rules to the decisions it
#   hands a logger. The event's input is the activity. A log keeps only what an allow-list names:
#   what kind of processing was decided, not about whom. Everything else is left out, whatever it
#   is called, for valid and refused input alike: the state of the person (subject), their
#   consent record, free text (description, customer_dpa), references that identify a case (court
#   orders, agreed extensions), and any key the activity's format does not define.
package system.log

# What a log may keep, field by field: true keeps a value that is neither an object nor an array
# (an object or array there keeps none of its content); an object keeps those of its fields; an
# array of one element keeps, of every element, what that element keeps.
kept := {
	"id": true,
	"role": true,
	"data_subjects": [true],
	"data_categories": [true],
	"sources": [true],
	"purposes": [true],
	"legal_basis": true,
	"profiling": true,
	"channel": {"type": true, "content": true, "opt_out_instructions": true},
	"retention": {"period": true, "from": true, "agreed_extension": {"period": true}},
	"recipients": [{
		"name": true,
		"type": true,
		"country": true,
		"dpa": true,
		"transfer_safeguard": true,
		"dpf_certified": true,
		"legal_basis": true,
		"court_order": {"jurisdiction": true, "international_agreement": true},
	}],
}

# JSON pointers into the decision log event to remove: the outermost value at each place the
# allow-list does not keep. A place inside an array is removed with the array's field, since
# removing one element renumbers the rest. A key a pointer cannot spell plainly takes the whole
# input with it.
mask contains "/input" if not is_object(input.input)

mask contains "/input" if {
	some path in _left_out
	some step in path
	not _plain(step)
}

mask contains pointer if {
	some path in _left_out
	every step in path {
		_plain(step)
	}
	pointer := concat("/", array.concat(["", "input"], [_token(step) | some step in path]))
}

# A refused activity's findings are not a decision, and may quote the malformed values they
# found (a list where a category name goes): a server logs none of them. (The library makes no
# findings for refused input.)
mask contains "/result/reasons" if count(input.result.errors) > 0

mask contains "/result/warnings" if count(input.result.errors) > 0

# The outermost places the allow-list does not keep, each cut back to its last object key.
_left_out contains _to_last_key(path) if {
	is_object(input.input)
	walk(input.input, [path, _])
	count(path) > 0
	not _keeps(path)
	_keeps(array.slice(path, 0, count(path) - 1))
}

# A value where the allow-list holds an object or array keeps nothing unless it is one.
_left_out contains _to_last_key(path) if {
	is_object(input.input)
	walk(input.input, [path, value])
	count(path) > 0
	not _scalar(_kept_at(path))
	_scalar(value)
}

_kept_at(path) := object.get(kept, [_in_kept(step) | some step in path], null)

_keeps(path) if _kept_at(path) != null

_scalar(value) if {
	not is_object(value)
	not is_array(value)
}

# An element of an array is kept as the allow-list's one element is.
_in_kept(step) := 0 if is_number(step)

_in_kept(step) := step if is_string(step)

_to_last_key(path) := array.slice(path, 0, last + 1) if {
	last := max([i | some i, step in path; is_string(step)])
}

_token(step) := format_int(step, 10) if is_number(step)

_token(step) := step if is_string(step)

_plain(step) if is_number(step)

_plain(step) if {
	is_string(step)
	regex.match(`^[A-Za-z0-9_.-]+$`, step)
}
