package residual

import (
	"github.com/confect/policyengine/internal/format"
)

// Limits bound what Decode accepts, as they bound the full parser: a document the full parser
// would refuse for its limits is left to it.
type Limits struct {
	MaxBytes, MaxDepth, MaxValues int
}

// Decode reads a person's state given as JSON ({"consent": {...}, "subject": {...}}) into s in
// one pass, for the common shape of a valid state: the known keys once each, strings of
// printable ASCII without escapes, timestamps as the rules read them, booleans, an integer age.
// It says false for anything else (an escape, a duplicate key, an unknown key, a value the
// schema refuses, a limit reached, a byte order mark): the caller then decodes and validates
// the state with the full parser and the JSON Schema, which give the errors. What it accepts,
// the full path accepts too and reads the same (FuzzDecode holds it to that).
func (l *Layout) Decode(data []byte, s *State, lim Limits) bool {
	if len(data) > lim.MaxBytes || lim.MaxDepth < 3 {
		return false
	}
	d := decoder{data: data, l: l, s: s, maxValues: lim.MaxValues}
	if !d.top() {
		s.has = [len(Objects)]bool{}
		clear(s.vals)
		return false
	}
	return true
}

type decoder struct {
	data      []byte
	i         int
	l         *Layout
	s         *State
	values    int
	maxValues int
}

func (d *decoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and says the next byte is c, consuming it.
func (d *decoder) next(c byte) bool {
	d.space()
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// value counts one value against the limit.
func (d *decoder) value() bool {
	d.values++
	return d.values <= d.maxValues
}

// str reads a string of printable ASCII without escapes and returns its bytes.
func (d *decoder) str() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.data) {
		c := d.data[d.i]
		if c == '"' {
			d.i++
			return d.data[start : d.i-1], true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return nil, false
		}
		d.i++
	}
	return nil, false
}

// members reads the members of an object after its '{', calling member with each key; it says
// false on a syntax it does not take or when member does.
func (d *decoder) members(member func(key []byte) bool) bool {
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.next(':') || !member(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

func (d *decoder) top() bool {
	if !d.value() || !d.next('{') {
		return false
	}
	ok := d.members(func(key []byte) bool {
		for i, name := range Objects {
			if string(key) == name {
				if d.s.has[i] {
					return false // a duplicate key
				}
				d.s.has[i] = true
				return d.object(i)
			}
		}
		return false
	})
	if !ok {
		return false
	}
	d.space()
	return d.i == len(d.data)
}

// object reads consent or subject.
func (d *decoder) object(object int) bool {
	if !d.value() || !d.next('{') {
		return false
	}
	if !d.members(func(key []byte) bool {
		at := d.l.field(object, string(key))
		if at < 0 || d.s.vals[at].defined() {
			return false // unknown or duplicate
		}
		v, ok := d.field(&d.l.fields[at])
		d.s.vals[at] = v
		return ok
	}) {
		return false
	}
	for _, at := range d.l.required[object] {
		if !d.s.vals[at].defined() {
			return false
		}
	}
	return true
}

// field reads the value of one field, as the schema says it must be.
func (d *decoder) field(f *field) (value, bool) {
	if !d.value() {
		return value{}, false
	}
	switch f.kind {
	case enumField:
		b, ok := d.str()
		if !ok {
			return value{}, false
		}
		for _, e := range f.enum {
			if string(b) == e {
				return stringValue(e), true
			}
		}
	case timeField:
		b, ok := d.str()
		if !ok {
			return value{}, false
		}
		s := string(b)
		if format.Timestamp(s) {
			return stringValue(d.l.canonical(s)), true
		}
	case boolField:
		d.space()
		switch {
		case d.word("true"):
			return boolValue(true), true
		case d.word("false"):
			return boolValue(false), true
		}
	case intField:
		d.space()
		n, ok := d.natural()
		if ok && n >= f.min && n <= f.max {
			return intValue(n), true
		}
	case purposesField:
		if !d.next('[') {
			return value{}, false
		}
		l := []string{}
		if d.next(']') {
			return value{k: kStrings, l: l}, true
		}
		for {
			b, ok := d.str()
			if !ok || !d.value() {
				return value{}, false
			}
			p := string(b)
			if !format.Purpose(p) {
				return value{}, false
			}
			l = append(l, p)
			if d.next(']') {
				return value{k: kStrings, l: l}, true
			}
			if !d.next(',') {
				return value{}, false
			}
		}
	}
	return value{}, false
}

// word reads a literal.
func (d *decoder) word(w string) bool {
	if len(d.data)-d.i >= len(w) && string(d.data[d.i:d.i+len(w)]) == w {
		d.i += len(w)
		return true
	}
	return false
}

// natural reads an integer of at most 9 digits, without sign, fraction, exponent or leading
// zero, that ends the number.
func (d *decoder) natural() (int64, bool) {
	start := d.i
	var n int64
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		n = n*10 + int64(d.data[d.i]-'0')
		d.i++
	}
	digits := d.i - start
	if digits == 0 || digits > 9 || (digits > 1 && d.data[start] == '0') {
		return 0, false
	}
	if d.i < len(d.data) {
		switch d.data[d.i] {
		case '.', 'e', 'E', '-', '+':
			return 0, false
		}
	}
	return n, true
}
