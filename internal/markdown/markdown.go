// Package markdown reads the project's Markdown pages as GitHub renders them, for the tools and
// tests that hold the documentation to the code: the headings and the anchors GitHub gives them,
// the links, and the fenced code blocks. It reads what the project writes (ATX headings, inline
// links, ``` fences), not all of CommonMark.
package markdown

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Block is a fenced code block.
type Block struct {
	// Lang is the info string's first word ("go", "sh", ""), lower case.
	Lang string
	// Line is the line of the opening fence, from 1.
	Line int
	// Text is the block's content, each line ending in a newline.
	Text string
}

// Blocks returns the fenced code blocks of a page, in order. A fence left open runs to the end.
func Blocks(src string) []Block {
	var out []Block
	var cur *Block
	var fence string
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			if f := fenceOf(trimmed); f != "" {
				fence = f
				info := strings.Fields(strings.TrimPrefix(trimmed, f))
				cur = &Block{Line: i + 1}
				if len(info) > 0 {
					cur.Lang = strings.ToLower(info[0])
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])) == "" {
			out = append(out, *cur)
			cur = nil
			continue
		}
		cur.Text += line + "\n"
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// fenceOf returns the fence a line opens (three or more backticks or tildes), or "".
func fenceOf(line string) string {
	for _, c := range "`~" {
		n := 0
		for n < len(line) && rune(line[n]) == c {
			n++
		}
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// Prose returns a page with its code blocks blanked (their lines kept, so line numbers hold) and
// its inline code spans removed: what is left is what GitHub renders as text, links and headings.
func Prose(src string) string {
	lines := strings.Split(blankBlocks(src), "\n")
	for i, line := range lines {
		lines[i] = codeSpan.ReplaceAllString(line, "")
	}
	return strings.Join(lines, "\n")
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// Headings returns the anchors of a page's headings, as GitHub makes them: the heading's text
// slugged, and a second heading of the same slug numbered (-1, -2, ...).
func Headings(src string) []string {
	var out []string
	seen := map[string]int{}
	for _, line := range strings.Split(blankBlocks(src), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimLeft(line, "#")
		if len(line)-len(text) > 6 || (text != "" && text[0] != ' ') {
			continue
		}
		slug := Slug(text)
		if n, ok := seen[slug]; ok {
			seen[slug] = n + 1
			slug += "-" + strconv.Itoa(n+1)
		} else {
			seen[slug] = 0
		}
		out = append(out, slug)
	}
	return out
}

// blankBlocks blanks the lines of code blocks, keeping inline code (a heading's text keeps it).
func blankBlocks(src string) string {
	lines := strings.Split(src, "\n")
	inBlock, fence := false, ""
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case !inBlock && fenceOf(trimmed) != "":
			inBlock, fence = true, fenceOf(trimmed)
			lines[i] = ""
		case inBlock:
			if strings.HasPrefix(trimmed, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])) == "" {
				inBlock = false
			}
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// Slug is the anchor GitHub gives a heading's text: lower case, markup and punctuation dropped
// (letters, digits, '-' and '_' stay), spaces made '-'.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Link is a link or image of a page's prose.
type Link struct {
	// Target is the link's destination as written: a URL, a path, a path#anchor or #anchor.
	Target string
	// Line is the line it is on, from 1.
	Line int
}

// Links returns the inline links and images of a page's prose (not those in code).
func Links(src string) []Link {
	var out []Link
	for i, line := range strings.Split(Prose(src), "\n") {
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			out = append(out, Link{Target: m[1], Line: i + 1})
		}
	}
	return out
}

var inlineLink = regexp.MustCompile(`\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)`)

// Relative reports whether a link's target is within the repository: no scheme (https:,
// mailto:), not protocol-relative.
func Relative(target string) bool {
	if strings.HasPrefix(target, "//") {
		return false
	}
	scheme, _, ok := strings.Cut(target, ":")
	return !ok || strings.ContainsAny(scheme, "/#.")
}
