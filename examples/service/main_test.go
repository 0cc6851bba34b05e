package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mailer sends to the person who consented and to no one else, each for the policy's reason.
func TestMailer(t *testing.T) {
	ctx := context.Background()
	m, err := newMailer(ctx)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(ctx, m, &out))
	assert.Equal(t, `customer-1001: sent
customer-1002: not sent: the legal basis is consent, but consent is withdrawn (consent.not_given)
customer-1003: not sent: the message is marketing, and the person opted out of marketing (marketing.opted_out)
customer-1004: not sent: the policy's marketing limit (P24M from last_activity) has passed for this person: the data should already be deleted (retention.expired)
`, out.String())
}
