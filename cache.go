package policyengine

import (
	"crypto/sha256"
	"encoding/json"
	"slices"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// decisionCache keeps decisions by a hash of the revision, the evaluation time where it matters,
// and the canonical activity restricted to the fields the rules read.
type decisionCache struct {
	lru    *lru.Cache[[sha256.Size]byte, Decision]
	fields map[string]bool // the input fields the rules read; nil: all
}

func newDecisionCache(size int, fields map[string]bool) *decisionCache {
	c, err := lru.New[[sha256.Size]byte, Decision](size)
	if err != nil {
		return nil // size <= 0: no cache
	}
	return &decisionCache{lru: c, fields: fields}
}

// key hashes the revision, the evaluation time when the decision depends on it, and the activity
// in canonical form (encoding/json sorts map keys) without the fields no rule reads (the id, the
// description): activities alike in all the rules look at share a decision. ok is false when
// the activity cannot be encoded.
func (c *decisionCache) key(revision string, activity any, now time.Time, timed bool) (k [sha256.Size]byte, ok bool) {
	if m, isMap := activity.(map[string]any); isMap && c.fields != nil {
		read := make(map[string]any, len(m))
		for field, v := range m {
			if c.fields[field] {
				read[field] = v
			}
		}
		activity = read
	}
	canonical, err := json.Marshal(activity)
	if err != nil {
		return k, false
	}
	h := sha256.New()
	h.Write([]byte(revision))
	h.Write([]byte{0})
	if timed {
		h.Write([]byte(now.UTC().Format(time.RFC3339Nano)))
	}
	h.Write([]byte{0})
	h.Write(canonical)
	copy(k[:], h.Sum(nil))
	return k, true
}

func (c *decisionCache) get(k [sha256.Size]byte) (Decision, bool) {
	d, ok := c.lru.Get(k)
	if !ok {
		return Decision{}, false
	}
	// The caller owns what it gets: a copy of the slices.
	d.Reasons = slices.Clone(d.Reasons)
	d.Warnings = slices.Clone(d.Warnings)
	return d, true
}

func (c *decisionCache) put(k [sha256.Size]byte, d Decision) {
	d.Reasons = slices.Clone(d.Reasons)
	d.Warnings = slices.Clone(d.Warnings)
	c.lru.Add(k, d)
}

// timeDependent reports whether the built-in rules' decision on an activity depends on the
// evaluation time: through the subject's clocks (retention.expired) or the date consent was
// given (consent.stale).
func timeDependent(activity any) bool {
	m, ok := activity.(map[string]any)
	if !ok {
		return true
	}
	if s, ok := m["subject"].(map[string]any); ok {
		if _, ok := s["last_activity_at"]; ok {
			return true
		}
		if _, ok := s["last_application_at"]; ok {
			return true
		}
	}
	if c, ok := m["consent"].(map[string]any); ok {
		if _, ok := c["given_at"]; ok {
			return true
		}
	}
	return false
}
