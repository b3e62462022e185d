package bot

import (
	"html"
	"regexp"

	"github.com/dealerbot/dealerbot/bot/delivery"
)

// Telegram's limits, as the delivery counts them (UTF-16 code units).
const (
	maxMessageLen  = delivery.MaxMessageLen
	maxCallbackLen = delivery.MaxCallbackAnswerLen
)

// clip shortens s to at most n UTF-16 units, marking the cut.
func clip(s string, n int) string { return delivery.Clip(s, n) }

// splitText cuts text into parts of at most max UTF-16 units.
func splitText(text string, max int) []string { return delivery.SplitText(text, max) }

var tagRE = regexp.MustCompile(`<[^>]*>`)

// stripTags turns a catalogue HTML text into plain text, for places that
// take no markup (button-press answers, the command menu).
func stripTags(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, "")) }
