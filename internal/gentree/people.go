package gentree

import "time"

// NewsletterDeclaration is the typical consent-based declaration the per-person benchmarks
// decide: the monthly newsletter.
const NewsletterDeclaration = `{"id": "newsletter-monthly", "data_subjects": ["lead", "customer"],
 "data_categories": ["name", "email"], "sources": ["data_subject"], "purposes": ["marketing.materials"],
 "legal_basis": "consent", "channel": {"type": "email", "content": "marketing"},
 "retention": {"period": "P24M", "from": "last_activity"},
 "recipients": [{"name": "Confect Mail Delivery (EU)", "type": "subprocessor", "country": "IE", "dpa": true}]}`

// PersonStates are n distinct states of newsletter subscribers, each allowed under Confect's
// policy at now: consent given at a different second each, last active some months later.
func PersonStates(n int, now time.Time) [][]byte {
	base := now.Add(-300 * 24 * time.Hour)
	out := make([][]byte, n)
	for i := range out {
		given := base.Add(time.Duration(i) * time.Second).UTC().Format(time.RFC3339)
		active := base.Add(time.Duration(i)*time.Second + 200*24*time.Hour).UTC().Format(time.RFC3339)
		out[i] = []byte(`{"consent": {"status": "given", "given_at": "` + given + `"}, "subject": {"last_activity_at": "` + active + `"}}`)
	}
	return out
}
