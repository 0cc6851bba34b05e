package markdown_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/confect/policyengine/internal/markdown"
)

// Anchors are GitHub's: markup and punctuation dropped, a second heading of the same text
// numbered; headings inside code blocks are no headings.
func TestHeadings(t *testing.T) {
	page := "# The rule catalogue\n\n## `category.sensitive`\n\n## Stock OPA's checks, outside this repository\n\n" +
		"```sh\n# a comment, not a heading\n```\n\n## Rules\n\n### Rules\n\n#nospace\n"
	assert.Equal(t, []string{"the-rule-catalogue", "categorysensitive", "stock-opas-checks-outside-this-repository", "rules", "rules-1"},
		markdown.Headings(page))
}

// Links are those of the prose: none in a code block or a code span; relative ones are the
// repository's.
func TestLinks(t *testing.T) {
	page := "See [ci](docs/ci.md#manifests) and ![a picture](docs/report.png \"title\").\n" +
		"`[not](a-link.md)` and [away](https://example.com).\n\n```md\n[nor](this.md)\n```\n"
	var targets []string
	for _, l := range markdown.Links(page) {
		targets = append(targets, l.Target)
	}
	assert.Equal(t, []string{"docs/ci.md#manifests", "docs/report.png", "https://example.com"}, targets)
	assert.True(t, markdown.Relative("docs/ci.md#manifests"))
	assert.True(t, markdown.Relative("#contents"))
	assert.False(t, markdown.Relative("https://example.com"))
	assert.False(t, markdown.Relative("mailto:privacy@example.com"))
}

// Code blocks come with their language and the line of their fence.
func TestBlocks(t *testing.T) {
	page := "text\n\n```go\nfunc F() {}\n```\n\n~~~\nplain\n~~~\n"
	assert.Equal(t, []markdown.Block{{Lang: "go", Line: 3, Text: "func F() {}\n"}, {Lang: "", Line: 7, Text: "plain\n"}}, markdown.Blocks(page))
}
