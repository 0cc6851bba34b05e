package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Small words: an unknown key gets the key meant, a recipient with no safeguard has "no transfer
// safeguard", and one of anything is singular.
func TestSmallWords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	typo := write(t, dir, "typo.yaml", `id: checkout
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contract
retention: {period: P5Y, from: end_of_contract}
recipents: []
`)
	code, stdout, _ := runCLI(t, "check", "--now", now, typo)
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, `6:1    /recipents: unknown key: not part of the format (did you mean "recipients"?)`)

	nested := write(t, dir, "nested.yaml", `id: checkout
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contract
retention: {period: P5Y, from: end_of_contract, form: collection}
`)
	code, stdout, _ = runCLI(t, "check", "--now", now, nested)
	assert.Equal(t, 2, code)
	assert.Contains(t, stdout, `/retention/form: unknown key: not part of the format (did you mean "from"?)`)

	unsafe := write(t, dir, "unsafe.yaml", `id: checkout
data_categories: [name]
purposes: [purchase.orders]
legal_basis: contract
retention: {period: P5Y, from: end_of_contract}
recipients:
  - {name: PayFlow Inc., type: subprocessor, country: US, dpa: true}
`)
	code, stdout, _ = runCLI(t, "check", "--now", now, unsafe)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "the recipient is in US, outside the EU/EEA, and has no transfer safeguard; the policy accepts scc")
	assert.NotContains(t, stdout, "safeguard is none")

	ok := write(t, dir, "one/ok.json", allowed)
	code, stdout, _ = runCLI(t, "diff", "--now", now, ok)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "1 activity: 0 newly denied")
	code, stdout, _ = runCLI(t, "ropa", "--now", now, ok)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "1 declaration: 1 allowed, 0 denied")
	code, stdout, _ = runCLI(t, "check", "--now", now, ok)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "1 activity in 1 file: 1 allowed")
}
