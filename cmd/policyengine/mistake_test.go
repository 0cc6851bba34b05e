package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The classic mistake is loud: marketing email on legitimate interest, as a manifest or as a
// Fides declaration, is allowed with its condition but warned about at its basis, so that
// --fail-on-warn blocks it.
func TestMarketingEmailOnLegitimateInterestIsLoud(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	manifest := write(t, dir, "newsletter.yaml", `id: newsletter-imported-contacts
data_subjects: [lead]
data_categories: [name, email]
purposes: [marketing.materials]
legal_basis: legitimate_interest
channel: {type: email, content: marketing}
retention: {period: P12M, from: last_activity}
recipients: []
`)
	fidesFile := write(t, dir, "fides/systems.yml", `system:
  - fides_key: mailer
    name: Mailer
    system_type: Service
    privacy_declarations:
      - name: newsletter
        data_use: marketing.communications.email
        data_categories: [user.contact.email]
        data_subjects: [customer]
        legal_basis_for_processing: Legitimate interests
        retention_period: "365"
`)
	for name, path := range map[string]string{"a manifest": manifest, "a Fides declaration": fidesFile} {
		code, stdout, stderr := runCLI(t, "check", "--now", now, path)
		assert.Equal(t, 0, code, "%s: allowed, with its condition: %s%s", name, stdout, stderr)
		assert.Regexp(t, `(?m)^  allow  `, stdout, name)
		assert.Regexp(t, `(?m)^\s+\d+:\d+\s+warning marketing\.consent_not_collected  marketing by email needs the person's consent, but the declaration rests on legitimate_interest and does not collect it`, stdout, name)
		assert.Contains(t, stdout, "if marketing.email_without_consent", name)

		code, stdout, _ = runCLI(t, "check", "--now", now, "--fail-on-warn", path)
		assert.Equal(t, 1, code, "%s: --fail-on-warn blocks it", name)
		assert.Contains(t, stdout, "FAILED: 1 warning fails the run", name)

		code, stdout, _ = runCLI(t, "check", "--now", now, "-o", "github", path)
		assert.Equal(t, 0, code)
		assert.Regexp(t, `(?m)^::warning file=[^,]+,line=\d+,col=\d+,title=marketing\.consent_not_collected::`, stdout, name)
	}
}
