package fides

import (
	"fmt"
	"strconv"
	"strings"
)

// A value held to its fideslang model.

// validation holds a file to the models, reporting what they refuse.
type validation struct {
	report func(at place, message string)
	// skip, when set, names a field of the top-level model not to descend into (the system's
	// privacy declarations, each validated as its own declaration).
	skip string
}

// object validates obj against m.
func (v *validation) object(m *model, obj map[string]any, at place, top bool) {
	for _, name := range m.names {
		s := m.fields[name]
		val, has := obj[name]
		if !has && name == "fides_meta" && m.alias("fidesops_meta") {
			val, has = obj["fidesops_meta"]
		}
		switch {
		case !has:
			if s.required {
				v.report(at, fmt.Sprintf("a %s needs %s (fideslang requires it)", m.name, name))
			}
		case top && name == v.skip:
		default:
			v.value(m, name, s, val, spot{at: at, key: name})
		}
	}
	if m.check != nil {
		m.check(v, obj, at)
	}
}

// spot is the place of a value, made only when it is needed (to report, or to descend): a
// member of the object at at, or (with no key) an element of the list at at.
type spot struct {
	at    place
	key   string
	index int
}

func (s spot) place() place {
	if s.key != "" {
		return s.at.key(s.key)
	}
	return s.at.sub("/" + strconv.Itoa(s.index))
}

// value validates one value against its field's spec.
func (v *validation) value(m *model, name string, s spec, val any, here spot) {
	if val == nil {
		if !s.nullable && s.kind != kAny {
			v.report(here.place(), fmt.Sprintf("%s may not be null: %s", name, expected(s)))
		}
		return
	}
	ok := true
	switch s.kind {
	case kText:
		ok = isText(val, m.numbersAsText)
	case kKey:
		str, isStr := textOf(val, m.numbersAsText)
		ok = isStr && isKey(str)
	case kCollectionKey:
		str, isStr := val.(string)
		parts := strings.Split(str, ".")
		ok = isStr && len(parts) == 2 && isKey(parts[0]) && isKey(parts[1])
	case kBool:
		_, ok = laxBool(val)
	case kInt, kPositiveInt:
		n, isInt := laxInt(val)
		ok = isInt && (s.kind == kInt || n > 0)
	case kDatetime:
		str, isStr := val.(string)
		_, isNum := val.(fmt.Stringer)
		ok = isNum || isStr && datetime.MatchString(str)
	case kURL:
		str, isStr := val.(string)
		ok = isStr && anyURL.MatchString(str)
	case kHTTPURL:
		str, isStr := val.(string)
		ok = isStr && len(str) <= 2083 && httpURL.MatchString(str)
	case kVersion:
		str, isStr := val.(string)
		ok = isStr && (str == "" || version.MatchString(str))
	case kDict:
		_, ok = val.(map[string]any)
	case kEnum:
		str, isStr := val.(string)
		ok = isStr && contains(s.enum, str)
	case kNone:
		ok = false
	case kList:
		list, isList := val.([]any)
		if !isList {
			ok = false
			break
		}
		if len(list) > 0 {
			at := here.place()
			for i, e := range list {
				v.value(m, name, *s.elem, e, spot{at: at, index: i})
			}
		}
	case kModel:
		obj, isObj := val.(map[string]any)
		if !isObj {
			ok = false
			break
		}
		v.object(s.model, obj, here.place(), false)
	}
	if !ok {
		v.report(here.place(), expected(s))
	}
}

// expected says what a spec accepts, for a message.
func expected(s spec) string {
	switch s.kind {
	case kText:
		return "expected text"
	case kKey:
		return "expected a Fides key (letters, digits and _ . < > -)"
	case kCollectionKey:
		return "expected a collection's key: dataset.collection"
	case kBool:
		return "expected true or false"
	case kInt:
		return "expected a whole number"
	case kPositiveInt:
		return "expected a whole number above 0"
	case kDatetime:
		return "expected a date and time (ISO 8601)"
	case kURL:
		return "expected a URL"
	case kHTTPURL:
		return "expected an http or https URL"
	case kVersion:
		return "expected a version such as 2.0.0"
	case kDict:
		return "expected an object"
	case kEnum:
		if s.message != "" {
			return s.message
		}
		return "expected one of " + strings.Join(s.enum, ", ")
	case kNone:
		return "expected nothing here (fideslang leaves it unset)"
	case kList:
		return "expected a list (" + strings.TrimPrefix(expected(*s.elem), "expected ") + " each)"
	case kModel:
		return "expected a " + s.model.name + " (an object)"
	}
	return "unexpected value"
}
