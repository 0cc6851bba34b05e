package policyengine

import (
	"crypto/sha256"
	"encoding/json"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// decisionCache keeps decisions by a hash of the revision and the canonical input restricted to
// the fields the rules read. The evaluation time is not in the key: a decision is served from the
// time it was made until its ValidUntil (forever, for one that does not depend on the clock).
// Decisions change with the clock only one way (a deadline passes, a consent comes due), so the
// decision made at t holds for every time from t until its ValidUntil.
type decisionCache struct {
	lru          *lru.Cache[[sha256.Size]byte, cached]
	fields       map[string]bool // the input fields the rules read; nil: all
	hits, misses atomic.Int64    // what get found, for benchmarks and tests
}

type cached struct {
	decision Decision
	at       time.Time // when it was made
}

func newDecisionCache(size int, fields map[string]bool) *decisionCache {
	c, err := lru.New[[sha256.Size]byte, cached](size)
	if err != nil {
		return nil // size <= 0: no cache
	}
	return &decisionCache{lru: c, fields: fields}
}

// key hashes the revision and the input in canonical form (encoding/json sorts map keys)
// without the fields no rule reads (the id, the description): activities alike in all the rules
// look at share a decision. More parts (a declaration's hash) may follow. ok is false when the
// input cannot be encoded.
func (c *decisionCache) key(revision string, input any, parts ...[]byte) (k [sha256.Size]byte, ok bool) {
	if m, isMap := input.(map[string]any); isMap && c.fields != nil {
		read := make(map[string]any, len(m))
		for field, v := range m {
			if c.fields[field] {
				read[field] = v
			}
		}
		input = read
	}
	canonical, err := json.Marshal(input)
	if err != nil {
		return k, false
	}
	h := sha256.New()
	h.Write([]byte(revision))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write(p)
	}
	h.Write([]byte{0})
	h.Write(canonical)
	copy(k[:], h.Sum(nil))
	return k, true
}

// get returns the decision kept under k if it holds at now.
func (c *decisionCache) get(k [sha256.Size]byte, now time.Time) (Decision, bool) {
	e, ok := c.lru.Get(k)
	if !ok || now.Before(e.at) || (!e.decision.ValidUntil.IsZero() && !now.Before(e.decision.ValidUntil)) {
		c.misses.Add(1)
		return Decision{}, false
	}
	c.hits.Add(1)
	return e.decision.clone(), true // the caller owns what it gets
}

// put keeps a decision made at now.
func (c *decisionCache) put(k [sha256.Size]byte, d Decision, now time.Time) {
	c.lru.Add(k, cached{decision: d.clone(), at: now})
}
