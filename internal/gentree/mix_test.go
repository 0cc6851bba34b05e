package gentree_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/confect/policyengine/internal/gentree"
	"github.com/confect/policyengine/schema"
)

// The mix holds every field of the person's state the schema describes, set and unset, and
// every consent status; the same seed gives the same people.
func TestPeopleCoverEveryPersonField(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	people, err := gentree.People(300, 1, []string{"marketing.materials", "purchase.orders"}, now)
	require.NoError(t, err)
	again, err := gentree.People(300, 1, []string{"marketing.materials", "purchase.orders"}, now)
	require.NoError(t, err)
	assert.Equal(t, people, again)

	var s struct {
		Properties map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(schema.ActivitySchema(), &s))
	seen := map[string]int{}
	without := map[string]int{}
	for _, p := range people {
		for _, object := range []string{"consent", "subject"} {
			o, ok := p[object].(map[string]any)
			if !ok {
				without[object]++
				continue
			}
			for field := range s.Properties[object].Properties {
				if v, ok := o[field]; ok {
					seen[object+"."+field]++
					if field == "status" {
						seen["status "+v.(string)]++
					}
				} else {
					without[object+"."+field]++
				}
			}
		}
	}
	for _, object := range []string{"consent", "subject"} {
		assert.Positive(t, without[object], "people without %s", object)
		for field, p := range s.Properties[object].Properties {
			assert.Positive(t, seen[object+"."+field], "%s.%s set", object, field)
			if field != "status" {
				assert.Positive(t, without[object+"."+field], "%s.%s unset", object, field)
			}
			for _, v := range p.Enum {
				assert.Positive(t, seen["status "+v], "status %s", v)
			}
		}
	}
}
