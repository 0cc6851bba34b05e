package output_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"

	"github.com/confect/policyengine"
	"github.com/confect/policyengine/check"
	"github.com/confect/policyengine/finding"
	"github.com/confect/policyengine/output"
	"github.com/confect/policyengine/problem"
)

// Ids, file names, keys and messages reach the human formats escaped: a pull request cannot
// inject GitHub workflow commands into a CI log through them, nor repaint a terminal.
func TestHumanFormatsEscapeControlCharacters(t *testing.T) {
	hostile := []string{"\n::add-mask::secret\n", "\r::error::x", "\x1b[2J\x1b[31m", "nul\x00", "tab\there", "rtl\u202efdp.yaml", "bad\xffutf8", "::warning::start"}
	rep := &check.Report{Summary: check.Summary{Files: 1, Activities: 3, Denied: 1, Errors: 1}}
	for _, h := range hostile {
		rep.Results = append(rep.Results,
			check.Result{File: h + ".yaml", Activity: h, Index: 0, Line: 1,
				Reasons:  []finding.Finding{{Reason: policyengine.Reason{Rule: "r.x", Message: "message " + h, Path: "/" + h, Clause: h}, Line: 2}},
				Warnings: []finding.Finding{{Reason: policyengine.Reason{Rule: "r.y", Message: h, Path: "/k/" + h}, Line: 3}}},
			check.Result{File: h, Activity: h, Index: 1, Errors: []problem.Problem{{Pointer: "/" + h, Message: "unknown key", Line: 4}}},
		)
	}
	for _, name := range []string{"text", "table"} {
		t.Run(name, func(t *testing.T) {
			out := string(format(t, name, rep))
			for _, line := range strings.Split(out, "\n") {
				assert.False(t, strings.HasPrefix(strings.TrimSpace(line), "::"), "a line reads as a workflow command: %q", line)
				for _, r := range line {
					assert.True(t, unicode.IsGraphic(r), "a raw %U in %q", r, line)
				}
			}
			assert.Contains(t, out, `"\n::add-mask::secret\n"`, "escaped, and still legible")
			assert.Contains(t, out, `"\x1b[2J\x1b[31m"`)
			assert.Contains(t, out, `"rtl\u202efdp.yaml"`)
		})
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"checkout":           "checkout",
		"Café Zürich":        "Café Zürich",
		"a b":                "a b",
		"a\nb":               `"a\nb"`,
		"a::b":               `"a::b"`,
		"\x00":               `"\x00"`,
		"\xff":               `"\xff"`,
		"orders/2026.yaml":   "orders/2026.yaml",
		"/recipients/0/name": "/recipients/0/name",
	} {
		assert.Equal(t, want, output.Printable(in), "%q", in)
	}
}
