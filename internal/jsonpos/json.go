package jsonpos

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/confect/policyengine/problem"
)

// ParseJSON parses one JSON value. It rejects what RFC 8259 rejects, and duplicate keys,
// invalid UTF-8, nesting deeper than opts.MaxDepth and data after the value.
func ParseJSON(data []byte, opts Options) (*Doc, error) {
	return ParseJSONContext(context.Background(), data, opts)
}

// ParseJSONContext is ParseJSON under a context: parsing stops, with the context's error, soon
// after the context is done.
func ParseJSONContext(ctx context.Context, data []byte, opts Options) (*Doc, error) {
	doc, _, err := parseJSON(ctx, data, opts)
	return doc, err
}

// checkEvery is how many values are parsed between two looks at the context.
const checkEvery = 1024

func parseJSON(ctx context.Context, data []byte, opts Options) (*Doc, *jsonParser, error) {
	p := &jsonParser{ctx: ctx, data: data, line: 1, maxDepth: opts.maxDepth(), maxValues: opts.maxValues(), known: opts.Known}
	if opts.Positions {
		p.positions = make(map[string]position)
	}
	if err := ctx.Err(); err != nil {
		return nil, p, err
	}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.i = 3 // a UTF-8 byte order mark
		p.lineStart = 3
	}
	p.space()
	if p.i == len(data) {
		return nil, p, p.errorf("", "the document is empty")
	}
	p.mark("")
	v, err := p.value("", 0)
	if err != nil {
		if p.ctxErr != nil {
			return nil, p, p.ctxErr
		}
		if !opts.Positions {
			// Errors are rare: parse again recording positions, for an exact pointer.
			opts.Positions = true
			return parseJSON(ctx, data, opts)
		}
		return nil, p, err
	}
	p.space()
	if p.i != len(data) {
		if data[p.i] == 0 {
			return nil, p, p.errorf("", "NUL byte in the document")
		}
		return nil, p, p.errorf("", "unexpected data after the JSON value")
	}
	return &Doc{Value: v, positions: p.positions}, p, nil
}

type jsonParser struct {
	ctx       context.Context
	ctxErr    error // the context's error, once parsing stopped for it
	data      []byte
	i         int
	line      int
	lineStart int
	maxDepth  int
	maxValues int
	values    int
	known     map[string]any // Options.Known
	positions map[string]position
	// colByte and colRunes remember the characters between lineStart and colByte, so that
	// positions on one long line (minified JSON) are counted on, not counted again each time.
	colByte, colRunes int
	// counted is how many bytes were counted for columns, to show it is linear in the input.
	counted int
}

func (p *jsonParser) position() position {
	if p.i < p.lineStart {
		return position{Line: p.line, Column: 1}
	}
	if p.colByte < p.lineStart || p.colByte > p.i {
		p.colByte, p.colRunes = p.lineStart, 0
	}
	p.colRunes += utf8.RuneCount(p.data[p.colByte:p.i])
	p.counted += p.i - p.colByte
	p.colByte = p.i
	return position{Line: p.line, Column: p.colRunes + 1}
}

func (p *jsonParser) errorf(pointer, message string) *problem.Problem {
	return errorAt(p.position(), pointer, message)
}

func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\r':
			p.i++
		case '\n':
			p.i++
			p.line++
			p.lineStart = p.i
		default:
			return
		}
	}
}

func (p *jsonParser) mark(pointer string) {
	if p.positions != nil {
		p.positions[pointer] = p.position()
	}
}

func (p *jsonParser) value(pointer string, depth int) (any, error) {
	p.values++
	if p.values%checkEvery == 0 {
		if err := p.ctx.Err(); err != nil {
			p.ctxErr = err
			return nil, err
		}
	}
	if p.values > p.maxValues {
		return nil, p.errorf(pointer, "the document holds too many values (limit "+strconv.Itoa(p.maxValues)+")")
	}
	if p.i >= len(p.data) {
		return nil, p.errorf(pointer, "unexpected end of JSON")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(pointer, depth+1)
	case c == '[':
		return p.array(pointer, depth+1)
	case c == '"':
		if p.known != nil {
			if v, ok := p.knownString(); ok {
				return v, nil
			}
		}
		return p.string(pointer)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(pointer)
	case c == 't':
		return true, p.literal(pointer, "true")
	case c == 'f':
		return false, p.literal(pointer, "false")
	case c == 'n':
		return nil, p.literal(pointer, "null")
	case c == 0:
		return nil, p.errorf(pointer, "NUL byte in the document")
	default:
		return nil, p.errorf(pointer, "invalid character where a JSON value was expected")
	}
}

func (p *jsonParser) literal(pointer, word string) error {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		return p.errorf(pointer, "invalid literal where a JSON value was expected")
	}
	p.i += len(word)
	return nil
}

func (p *jsonParser) object(pointer string, depth int) (any, error) {
	if depth > p.maxDepth {
		return nil, p.errorf(pointer, "nesting deeper than "+strconv.Itoa(p.maxDepth)+" levels")
	}
	p.i++ // {
	obj := make(map[string]any)
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return obj, nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.errorf(pointer, "expected a string key in the object")
		}
		keyStart := p.position()
		key, err := p.key(pointer)
		if err != nil {
			return nil, err
		}
		var child string
		if p.positions != nil {
			child = AppendPointer(pointer, key)
			p.positions[child] = keyStart
		}
		if _, dup := obj[key]; dup {
			if child == "" {
				child = AppendPointer(pointer, key)
			}
			return nil, errorAt(keyStart, child, "duplicate key")
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errorf(child, "expected ':' after the key")
		}
		p.i++
		p.space()
		if child == "" && p.positions == nil {
			child = pointer // not needed when positions are off; errors name the object
		}
		v, err := p.value(child, depth)
		if err != nil {
			return nil, err
		}
		obj[key] = v
		p.space()
		if p.i >= len(p.data) {
			return nil, p.errorf(pointer, "unexpected end of JSON inside an object")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return obj, nil
		default:
			return nil, p.errorf(pointer, "expected ',' or '}' in the object")
		}
	}
}

func (p *jsonParser) array(pointer string, depth int) (any, error) {
	if depth > p.maxDepth {
		return nil, p.errorf(pointer, "nesting deeper than "+strconv.Itoa(p.maxDepth)+" levels")
	}
	p.i++ // [
	arr := make([]any, 0, 4)
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return arr, nil
	}
	for {
		p.space()
		child := pointer
		if p.positions != nil {
			child = AppendPointer(pointer, strconv.Itoa(len(arr)))
			p.mark(child)
		}
		v, err := p.value(child, depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.space()
		if p.i >= len(p.data) {
			return nil, p.errorf(pointer, "unexpected end of JSON inside an array")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return arr, nil
		default:
			return nil, p.errorf(pointer, "expected ',' or ']' in the array")
		}
	}
}

// knownString reads a string without escapes that is one of Options.Known, if the next one is:
// it returns the known value, which costs no allocation.
func (p *jsonParser) knownString() (any, bool) {
	end := bytes.IndexByte(p.data[p.i+1:], '"')
	if end < 0 {
		return nil, false
	}
	raw := p.data[p.i+1 : p.i+1+end]
	if bytes.IndexByte(raw, '\\') >= 0 {
		return nil, false
	}
	v, ok := p.known[string(raw)]
	if ok {
		p.i += end + 2
	}
	return v, ok
}

// key reads an object's key: a known one without allocating.
func (p *jsonParser) key(pointer string) (string, error) {
	if p.known != nil {
		if v, ok := p.knownString(); ok {
			return v.(string), nil
		}
	}
	return p.stringValue(pointer)
}

func (p *jsonParser) string(pointer string) (any, error) {
	s, err := p.stringValue(pointer)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (p *jsonParser) stringValue(pointer string) (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes, all ASCII printable or valid UTF-8.
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			s := p.data[start:p.i]
			p.i++
			return string(s), nil
		case c == '\\':
			return p.escapedString(pointer, start)
		case c < 0x20:
			if c == 0 {
				return "", p.errorf(pointer, "NUL byte in the document")
			}
			return "", p.errorf(pointer, "control character in a string (escape it)")
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf(pointer, "invalid UTF-8 in a string")
			}
			p.i += size
		}
	}
	return "", p.errorf(pointer, "unterminated string")
}

func (p *jsonParser) escapedString(pointer string, start int) (string, error) {
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", p.errorf(pointer, "unterminated string")
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errorf(pointer, "invalid \\u escape in a string")
				}
				if r == 0 {
					return "", p.errorf(pointer, NULMessage)
				}
				if utf16.IsSurrogate(r) {
					// A lone surrogate has no UTF-8 form: it reads as U+FFFD, as encoding/json
					// (and so OPA) reads it, and the escape after it stands on its own.
					r2 := utf8.RuneError
					if p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
						next := p.i
						p.i += 2
						low, ok := p.hex4()
						if !ok {
							return "", p.errorf(pointer, "invalid \\u escape in a string")
						}
						if r2 = utf16.DecodeRune(r, low); r2 == utf8.RuneError {
							p.i = next
						}
					}
					r = r2
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf(pointer, "invalid escape in a string")
			}
		case c < 0x20:
			if c == 0 {
				return "", p.errorf(pointer, "NUL byte in the document")
			}
			return "", p.errorf(pointer, "control character in a string (escape it)")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf(pointer, "invalid UTF-8 in a string")
			}
			buf = append(buf, p.data[p.i:p.i+size]...)
			p.i += size
		}
	}
	return "", p.errorf(pointer, "unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

func (p *jsonParser) number(pointer string) (any, error) {
	start := p.i
	d := p.data
	if p.i < len(d) && d[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(d) && d[p.i] == '0':
		p.i++
	case p.i < len(d) && d[p.i] >= '1' && d[p.i] <= '9':
		for p.i < len(d) && d[p.i] >= '0' && d[p.i] <= '9' {
			p.i++
		}
	default:
		return nil, p.errorf(pointer, "invalid number")
	}
	if p.i < len(d) && d[p.i] == '.' {
		p.i++
		if p.i >= len(d) || d[p.i] < '0' || d[p.i] > '9' {
			return nil, p.errorf(pointer, "invalid number")
		}
		for p.i < len(d) && d[p.i] >= '0' && d[p.i] <= '9' {
			p.i++
		}
	}
	if p.i < len(d) && (d[p.i] == 'e' || d[p.i] == 'E') {
		p.i++
		if p.i < len(d) && (d[p.i] == '+' || d[p.i] == '-') {
			p.i++
		}
		if p.i >= len(d) || d[p.i] < '0' || d[p.i] > '9' {
			return nil, p.errorf(pointer, "invalid number")
		}
		for p.i < len(d) && d[p.i] >= '0' && d[p.i] <= '9' {
			p.i++
		}
	}
	if p.i-start > 100 {
		return nil, p.errorf(pointer, "number too long")
	}
	return json.Number(d[start:p.i]), nil
}
