package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/go-telegram/bot/models"
)

type markupKind int

const (
	markupInline markupKind = iota + 1
	markupKeyboard
	markupRemove
	markupForceReply
)

// markup is a validated reply_markup.
type markup struct {
	kind      markupKind
	buttons   [][]Button
	canonical string
	keyboard  [][]string
}

// inlineActions are the optional fields of InlineKeyboardButton; Telegram
// requires one of them (a text-only inline button is rejected).
var inlineActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

const errMarkupJSON = "can't parse reply keyboard markup JSON object"

// parseReplyMarkup validates a reply_markup argument (JSON text). An empty
// argument means no markup. {"inline_keyboard":[]} also means none, which
// is how a bot removes an inline keyboard in an edit.
func parseReplyMarkup(raw string) (*markup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, badRequest(errMarkupJSON)
	}
	switch {
	case present(obj["inline_keyboard"]):
		return parseInlineKeyboard(obj["inline_keyboard"])
	case present(obj["keyboard"]):
		return parseReplyKeyboard(obj["keyboard"])
	case string(bytes.TrimSpace(obj["remove_keyboard"])) == "true":
		return &markup{kind: markupRemove}, nil
	case string(bytes.TrimSpace(obj["force_reply"])) == "true":
		return &markup{kind: markupForceReply}, nil
	}
	return nil, badRequest(errMarkupJSON)
}

func present(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && string(t) != "null"
}

func parseInlineKeyboard(raw json.RawMessage) (*markup, *apiError) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
	}
	mk := &markup{kind: markupInline}
	var canon [][]map[string]json.RawMessage
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		var viewRow []Button
		var canonRow []map[string]json.RawMessage
		for _, braw := range row {
			btn, c, aerr := parseInlineButton(braw)
			if aerr != nil {
				return nil, aerr
			}
			viewRow = append(viewRow, btn)
			canonRow = append(canonRow, c)
		}
		mk.buttons = append(mk.buttons, viewRow)
		canon = append(canon, canonRow)
	}
	if len(canon) == 0 {
		return nil, nil
	}
	// json.Marshal sorts map keys, so equal keyboards give equal strings.
	b, _ := json.Marshal(map[string]any{"inline_keyboard": canon})
	mk.canonical = string(b)
	return mk, nil
}

// parseInlineButton validates one button and returns its view and its
// canonical form (only the fields that carry meaning, compacted).
// Stricter than Telegram: a button with two actions is an error rather than
// silently using the first, because it is always a bug in the bot.
func parseInlineButton(raw json.RawMessage) (Button, map[string]json.RawMessage, *apiError) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Button{}, nil, badRequest("InlineKeyboardButton must be an Object")
	}
	var b Button
	if !present(obj["text"]) {
		return b, nil, badRequest("can't find field \"text\"")
	}
	if err := json.Unmarshal(obj["text"], &b.Text); err != nil {
		return b, nil, badRequest("field \"text\" must be of type String")
	}
	if strings.TrimSpace(b.Text) == "" {
		return b, nil, badRequest("text must be non-empty")
	}
	canon := map[string]json.RawMessage{"text": compact(obj["text"])}
	var used []string
	for _, k := range inlineActions {
		v := obj[k]
		if !actionPresent(k, v) {
			continue
		}
		used = append(used, k)
		canon[k] = compact(v)
	}
	switch len(used) {
	case 0:
		return b, nil, badRequest("text buttons are unallowed in the inline keyboard")
	case 1:
	default:
		return b, nil, badRequest("inline keyboard button must have exactly one of the optional fields, got %s", strings.Join(used, " and "))
	}
	switch used[0] {
	case "callback_data":
		if err := json.Unmarshal(obj["callback_data"], &b.Data); err != nil || len(b.Data) < 1 || len(b.Data) > 64 {
			return b, nil, badRequest("BUTTON_DATA_INVALID")
		}
	case "url":
		if err := json.Unmarshal(obj["url"], &b.URL); err != nil || !validButtonURL(b.URL) {
			return b, nil, badRequest("inline keyboard button URL '%s' is invalid: Wrong HTTP URL", b.URL)
		}
	}
	return b, canon, nil
}

// actionPresent decides whether an optional button field is really used.
// go-telegram/bot always serialises copy_text (a non-pointer struct) as
// {"text":""} and may send pay:false, so those count as absent.
func actionPresent(key string, v json.RawMessage) bool {
	if !present(v) {
		return false
	}
	switch key {
	case "pay":
		return string(bytes.TrimSpace(v)) == "true"
	case "copy_text":
		var ct struct {
			Text string `json:"text"`
		}
		return json.Unmarshal(v, &ct) == nil && ct.Text != ""
	}
	return true
}

// validButtonURL accepts what Telegram accepts for button URLs: http(s)
// links to a real-looking domain (Telegram rejects "localhost" and other
// dot-less hosts), tg:// and ton:// links, and scheme-less "t.me/x" links.
func validButtonURL(raw string) bool {
	if strings.TrimSpace(raw) == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "tg", "ton":
		return true
	case "http", "https":
	case "":
		if u, err = url.Parse("http://" + raw); err != nil {
			return false
		}
	default:
		return false
	}
	host := u.Hostname()
	return strings.Contains(host, ".") && !strings.HasPrefix(host, ".") && !strings.HasSuffix(host, ".")
}

func parseReplyKeyboard(raw json.RawMessage) (*markup, *apiError) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
	}
	mk := &markup{kind: markupKeyboard}
	for _, row := range rows {
		var texts []string
		for _, braw := range row {
			var text string
			if err := json.Unmarshal(braw, &text); err != nil {
				var obj struct {
					Text *string `json:"text"`
				}
				if err := json.Unmarshal(braw, &obj); err != nil || obj.Text == nil {
					return nil, badRequest("KeyboardButton must be a String or an Object")
				}
				text = *obj.Text
			}
			if strings.TrimSpace(text) == "" {
				return nil, badRequest("text must be non-empty")
			}
			texts = append(texts, text)
		}
		if len(texts) > 0 {
			mk.keyboard = append(mk.keyboard, texts)
		}
	}
	if len(mk.keyboard) == 0 {
		return nil, badRequest("keyboard must be non-empty")
	}
	return mk, nil
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// model is the inline keyboard as the Message.reply_markup the bot receives.
func (m *markup) model() *models.InlineKeyboardMarkup {
	var kb models.InlineKeyboardMarkup
	_ = json.Unmarshal([]byte(m.canonical), &kb)
	return &kb
}
