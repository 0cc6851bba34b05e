package residual

import (
	"fmt"
)

// Eval evaluates the compiled residual for a person's state at now (nanoseconds since 1970, the
// clock time.now_ns returns) and calls found with what it finds: the reasons and the warnings,
// each once, in no particular order (the slices are Eval's: found copies what it keeps), and
// the earliest changes_at instant after now (as Earliest folds them; 0 when there is none). An
// error (a builtin's, a conflict, a value of an unexpected form, even a panic) means the caller
// must decide on OPA instead; found is then not called.
func (p *Program) Eval(s *State, now int64, found func(deny, warn []Reason, validUntil int64)) (err error) {
	f := p.frames.Get().(*frame)
	f.st, f.now = s, now
	f.gen++ // the memos of the frame's earlier evaluations are stale; its locals are bound before read
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errUnexpected, r)
		}
		f.st, f.built, f.nums, f.arrays = nil, 0, f.nums[:0], f.arrays[:0]
		f.deny, f.warn = f.deny[:0], f.warn[:0]
		p.frames.Put(f)
	}()
	for i, qs := range [2][]query{p.deny, p.warn} {
		for _, q := range qs {
			v, err := q.run(f)
			if err != nil {
				return err
			}
			if !v.defined() {
				continue
			}
			if v.k != kReason || v.x.(*Reason).Rule == "" {
				return errUnexpected
			}
			r := *v.x.(*Reason)
			if i == 0 {
				f.deny = appendOnce(f.deny, r)
			} else {
				f.warn = appendOnce(f.warn, r)
			}
		}
	}
	var until int64
	for _, q := range p.changes {
		v, err := q.run(f)
		if err != nil {
			return err
		}
		if !v.defined() {
			continue
		}
		if v.k != kInt {
			return errUnexpected
		}
		until = Earliest(until, v.n, now)
	}
	found(f.deny, f.warn, until)
	return nil
}

// run evaluates a query: its finding, or undefined when its body fails.
func (q query) run(f *frame) (value, error) {
	ok, err := q.body(f)
	if !ok || err != nil {
		return value{}, err
	}
	return f.locals[q.out], nil
}

// appendOnce adds a reason to a set of them.
func appendOnce(rs []Reason, r Reason) []Reason {
	for _, x := range rs {
		if x == r {
			return rs
		}
	}
	return append(rs, r)
}
