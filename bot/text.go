package bot

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf16"
)

// Telegram's limits, counted as Telegram counts them: in UTF-16 code
// units (telegramLen), except callback data (bytes).
const (
	maxMessageLen  = 4096 // a message's text
	maxCaptionLen  = 1024 // a document's caption
	maxCallbackLen = 200  // the text of a button-press answer
)

// telegramLen is the length Telegram checks its limits against: UTF-16
// code units, so an emoji outside the BMP (👍) counts two. Counted on the
// raw HTML it is never less than Telegram's count of the parsed text.
func telegramLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// runesWithin returns how many of r's first runes fit in max UTF-16 units.
func runesWithin(r []rune, max int) int {
	n := 0
	for i, c := range r {
		if n += utf16.RuneLen(c); n > max {
			return i
		}
	}
	return len(r)
}

// clip shortens s to at most n UTF-16 units (as Telegram counts), marking
// the cut.
func clip(s string, n int) string {
	if telegramLen(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:runesWithin(r, n-1)]) + "…"
}

// splitText cuts text into parts of at most max UTF-16 units, at line
// boundaries where it can (a single longer line is cut at max). Catalogue
// texts never open an HTML tag on one line and close it on another, so
// a cut at a line boundary keeps each part valid HTML.
func splitText(text string, max int) []string {
	if telegramLen(text) <= max {
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
		n := telegramLen(line)
		if curLen+n > max {
			flush()
		}
		for n > max { // one line longer than a message
			r := []rune(line)
			cut := safeCut(r, runesWithin(r, max))
			parts = append(parts, string(r[:cut]))
			line = string(r[cut:])
			n = telegramLen(line)
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
