package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNearest(t *testing.T) {
	categories := []string{"name", "postal_address", "phone", "email", "login_id", "username", "ip_address", "device"}
	for word, want := range map[string][]string{
		"emial":      {"email"},
		"address":    {"postal_address", "ip_address"},
		"phnoe":      {"phone"},
		"user_name":  {"username"},
		"ipaddress":  {"ip_address"},
		"login":      {"login_id"},
		"devices":    {"device"},
		"nmae":       {"name"},
		"salary":     nil,
		"email":      nil, // a term is no near miss
		"mail":       {"email"},
		"x":          nil,
		"birth_date": nil,
	} {
		assert.Equal(t, want, Nearest(word, categories), word)
	}
	assert.Equal(t, ` (did you mean "postal_address" or "ip_address"?)`, DidYouMean("address", categories))
	assert.Equal(t, ` (did you mean "retention.exceeds_limit"?)`, DidYouMean("retention.exceed_limit", []string{"retention.missing", "retention.exceeds_limit", "retention.expired"}))
	assert.Empty(t, DidYouMean("nothing.like_it", []string{"retention.missing"}))
}
