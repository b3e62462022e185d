package delivery

import (
	"strings"
	"unicode/utf16"
)

// Telegram's limits, counted as Telegram counts them: in UTF-16 code
// units (TelegramLen), except callback data (bytes).
const (
	MaxMessageLen        = 4096 // a message's text
	MaxCaptionLen        = 1024 // a document's caption
	MaxCallbackAnswerLen = 200  // the text of a button-press answer
	MaxCallbackData      = 64   // a button's callback data, in bytes
)

// TelegramLen is the length Telegram checks its limits against: UTF-16
// code units, so an emoji outside the BMP (👍) counts two. Counted on the
// raw HTML it is never less than Telegram's count of the parsed text.
func TelegramLen(s string) int {
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

// Clip shortens s to at most n UTF-16 units (as Telegram counts), marking
// the cut.
func Clip(s string, n int) string {
	if TelegramLen(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:runesWithin(r, n-1)]) + "…"
}

// SplitText cuts text into parts of at most max UTF-16 units, at line
// boundaries where it can (a single longer line is cut at max). Catalogue
// texts never open an HTML tag on one line and close it on another, so
// a cut at a line boundary keeps each part valid HTML.
func SplitText(text string, max int) []string {
	if TelegramLen(text) <= max {
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
		n := TelegramLen(line)
		if curLen+n > max {
			flush()
		}
		for n > max { // one line longer than a message
			r := []rune(line)
			cut := safeCut(r, runesWithin(r, max))
			parts = append(parts, string(r[:cut]))
			line = string(r[cut:])
			n = TelegramLen(line)
		}
		cur.WriteString(line)
		curLen += n
	}
	flush()
	return parts
}

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
