package bot

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxMessageLen is Telegram's limit on a message's text.
const maxMessageLen = 4096

// splitText cuts text into parts of at most max characters, at line
// boundaries where it can (a single longer line is cut at max). Catalogue
// texts never open an HTML tag on one line and close it on another, so
// a cut at a line boundary keeps each part valid HTML.
func splitText(text string, max int) []string {
	if utf8.RuneCountInString(text) <= max {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, strings.TrimRight(cur.String(), "\n"))
			cur.Reset()
			curLen = 0
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		n := utf8.RuneCountInString(line)
		if curLen+n > max {
			flush()
		}
		for n > max { // one line longer than a message
			r := []rune(line)
			cut := safeCut(r, max)
			parts = append(parts, string(r[:cut]))
			line = string(r[cut:])
			n -= cut
		}
		cur.WriteString(line)
		curLen += n
	}
	flush()
	return parts
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// stripTags turns a catalogue HTML text into plain text, for places that
// take no markup (button-press answers, the command menu).
func stripTags(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, "")) }

// safeCut returns where to cut r at most max runes in without splitting an
// HTML entity (&amp;) or a tag: before the last '&' or '<' whose end falls
// beyond the cut.
func safeCut(r []rune, max int) int {
	cut := max
	for i := cut - 1; i >= 0 && i >= cut-16; i-- { // entities are short
		if r[i] == ';' {
			break
		}
		if r[i] == '&' {
			cut = i
			break
		}
	}
	for i := cut - 1; i >= 0 && i >= cut-256; i-- {
		if r[i] == '>' {
			break
		}
		if r[i] == '<' {
			cut = i
			break
		}
	}
	if cut == 0 {
		return max
	}
	return cut
}
