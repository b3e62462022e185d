package telegramtest

import (
	"html"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestParseHTMLAcceptedAndRejected(t *testing.T) {
	const prefix = "Bad Request: can't parse entities: "
	cases := []struct {
		name, in  string
		plain     string // when accepted
		errSubstr string // when rejected
	}{
		{name: "bold", in: "<b>Camry</b> 2020", plain: "Camry 2020"},
		{name: "all simple tags", in: "<strong>a</strong><i>b</i><em>c</em><u>d</u><ins>e</ins><s>f</s><strike>g</strike><del>h</del>", plain: "abcdefgh"},
		{name: "escaped user text", in: html.EscapeString(`<script> & "x" 'y'`), plain: `<script> & "x" 'y'`},
		{name: "named entities", in: "a &lt; b &gt; c &amp; d &quot;e&quot;", plain: `a < b > c & d "e"`},
		{name: "numeric entities", in: "&#39;&#x1F600;&#65;", plain: "'😀A"},
		{name: "bare greater-than is fine", in: "5 > 3", plain: "5 > 3"},
		{name: "link with escaped ampersand", in: `<a href="https://dealer.example/?a=1&amp;b=2">site</a>`, plain: "site"},
		{name: "spoiler span", in: `<span class="tg-spoiler">secret</span><tg-spoiler>x</tg-spoiler>`, plain: "secretx"},
		{name: "pre code language", in: `<pre><code class="language-go">x := 1</code></pre>`, plain: "x := 1"},
		{name: "blockquote expandable", in: `<blockquote expandable>long</blockquote>`, plain: "long"},
		{name: "custom emoji", in: `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, plain: "👍"},
		{name: "uppercase tag", in: "<B>x</B>", plain: "x"},
		{name: "anonymous end tag", in: "<b>x</>", plain: "x"},
		{name: "nested", in: "<b>a<i>b</i></b>", plain: "ab"},

		{name: "raw less-than", in: "price < 100", errSubstr: prefix + `Unsupported start tag "" at byte offset 6`},
		{name: "raw less-than digit", in: "a <5 b", errSubstr: prefix + `Unsupported start tag "5" at byte offset 2`},
		{name: "raw less-than at end", in: "a <5", errSubstr: prefix + "Unclosed start tag at byte offset 2"},
		{name: "bare ampersand", in: "AT&T", errSubstr: prefix + `Character "&" at byte offset 2`},
		{name: "ampersand space", in: "a & b", errSubstr: prefix + `Character "&" at byte offset 2`},
		{name: "unknown named entity", in: "&nbsp;", errSubstr: prefix + `Character "&" at byte offset 0`},
		{name: "entity without semicolon", in: "&amp x", errSubstr: prefix + `Character "&" at byte offset 0`},
		{name: "bare ampersand in href", in: `<a href="https://x.example/?a=1&b=2">x</a>`, errSubstr: prefix + `Character "&"`},
		{name: "unknown tag", in: "<foo>x</foo>", errSubstr: prefix + `Unsupported start tag "foo" at byte offset 0`},
		{name: "br", in: "a<br>b", errSubstr: prefix + `Unsupported start tag "br" at byte offset 1`},
		{name: "unclosed tag", in: "<b>bold", errSubstr: prefix + `Can't find end tag corresponding to start tag "b"`},
		{name: "mismatched end tag", in: "<b><i>x</b></i>", errSubstr: prefix + `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{name: "unexpected end tag", in: "x</b>", errSubstr: prefix + "Unexpected end tag at byte offset 1"},
		{name: "span without class", in: "<span>x</span>", errSubstr: prefix + `Tag "span" must have class "tg-spoiler"`},
		{name: "unquoted url", in: "<a href=https://x.example>x</a>", errSubstr: prefix + "Unexpected end of name token at byte offset 8"},
		{name: "attribute without value", in: "<b bold>x</b>", errSubstr: prefix + `Expected equal sign in declaration of an attribute of the tag "b"`},
		{name: "unclosed end tag", in: "<b>x</b", errSubstr: prefix + "Unclosed end tag at byte offset 4"},
		{name: "bad emoji id", in: `<tg-emoji emoji-id="x">y</tg-emoji>`, errSubstr: prefix + "Invalid custom emoji identifier specified"},
	}
	emu := newEmu(t, Options{})
	u := chatWith(emu, 1001)
	client := newClient(t, emu)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := client.SendMessage(ctxTimeout(t), &bot.SendMessageParams{ChatID: u.ID, Text: tc.in, ParseMode: models.ParseModeHTML})
			if tc.errSubstr != "" {
				wantAPIError(t, err, tc.errSubstr)
				wantIs(t, err, bot.ErrorBadRequest)
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if msg.Text != tc.plain {
				t.Fatalf("wire text %q, want %q", msg.Text, tc.plain)
			}
			stored, _ := emu.LastMessage(u.ID)
			if stored.Text != tc.in || stored.Plain != tc.plain {
				t.Fatalf("stored raw %q plain %q", stored.Text, stored.Plain)
			}
		})
	}
	// Rejected sends must not have been stored.
	for _, m := range emu.Messages(u.ID) {
		for _, tc := range cases {
			if tc.errSubstr != "" && m.Text == tc.in {
				t.Fatalf("rejected message %q was stored", tc.in)
			}
		}
	}
}

func TestParseHTMLEntitiesUseUTF16Offsets(t *testing.T) {
	plain, ents, err := parseHTML(`😀 <b>Тойота</b> <a href="https://t.me/x">link</a> <pre><code class="language-go">go</code></pre>`)
	if err != nil {
		t.Fatal(err)
	}
	if plain != "😀 Тойота link go" {
		t.Fatalf("plain %q", plain)
	}
	want := []models.MessageEntity{
		{Type: models.MessageEntityTypeBold, Offset: 3, Length: 6},
		{Type: models.MessageEntityTypeTextLink, Offset: 10, Length: 4, URL: "https://t.me/x"},
		{Type: models.MessageEntityTypePre, Offset: 15, Length: 2, Language: "go"},
	}
	if len(ents) != len(want) {
		t.Fatalf("entities %+v", ents)
	}
	for i := range want {
		if ents[i] != want[i] {
			t.Fatalf("entity %d = %+v, want %+v", i, ents[i], want[i])
		}
	}
}

func TestTextLimitsAndEmptiness(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 1002)
	client := newClient(t, emu)
	send := func(text string, mode models.ParseMode) error {
		_, err := client.SendMessage(ctxTimeout(t), &bot.SendMessageParams{ChatID: u.ID, Text: text, ParseMode: mode})
		return err
	}
	ok := []struct {
		name, text string
		mode       models.ParseMode
	}{
		{"4096 ascii", strings.Repeat("a", 4096), ""},
		{"tags do not count", "<b>" + strings.Repeat("a", 4096) + "</b>", models.ParseModeHTML},
		{"entity counts once", strings.Repeat("&lt;", 4096), models.ParseModeHTML},
		{"2048 astral emoji", strings.Repeat("😀", 2048), ""},
		{"4096 cyrillic", strings.Repeat("я", 4096), ""},
		{"surrounding space trimmed", "  " + strings.Repeat("a", 4096) + "\n\n", ""},
	}
	for _, tc := range ok {
		if err := send(tc.text, tc.mode); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	tooLong := []struct {
		name, text string
		mode       models.ParseMode
	}{
		{"4097 ascii", strings.Repeat("a", 4097), ""},
		{"4097 after entities", strings.Repeat("&amp;", 4097), models.ParseModeHTML},
		{"2049 astral emoji (UTF-16)", strings.Repeat("😀", 2049), ""},
	}
	for _, tc := range tooLong {
		wantAPIError(t, send(tc.text, tc.mode), "Bad Request: message is too long")
	}
	for _, empty := range []string{"", "   \n", "<b> </b>"} {
		wantAPIError(t, send(empty, models.ParseModeHTML), "Bad Request: message text is empty")
	}
	wantAPIError(t, send("x", "HTML5"), "Bad Request: unsupported parse_mode")
	if err := send("*bold* _it_", models.ParseModeMarkdown); err != nil {
		t.Errorf("MarkdownV2 must be accepted: %v", err)
	}
	if got, want := len(emu.Messages(u.ID)), len(ok)+1; got != want {
		t.Fatalf("stored %d messages, want %d", got, want)
	}
}

func TestInlineKeyboardValidation(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 40)
	client := newClient(t, emu)
	send := func(markup models.ReplyMarkup) error {
		_, err := client.SendMessage(ctxTimeout(t), &bot.SendMessageParams{ChatID: u.ID, Text: "pick", ReplyMarkup: markup})
		return err
	}
	btn := func(b models.InlineKeyboardButton) models.ReplyMarkup {
		return inlineKB([]models.InlineKeyboardButton{b})
	}
	accepted := []models.ReplyMarkup{
		btn(models.InlineKeyboardButton{Text: "64 bytes", CallbackData: strings.Repeat("x", 64)}),
		btn(models.InlineKeyboardButton{Text: "32 cyrillic = 64 bytes", CallbackData: strings.Repeat("я", 32)}),
		btn(models.InlineKeyboardButton{Text: "site", URL: "https://dealer.example/cars?id=1"}),
		btn(models.InlineKeyboardButton{Text: "deep link", URL: "t.me/dealer_test_bot?start=x"}),
		btn(models.InlineKeyboardButton{Text: "copy", CopyText: models.CopyTextButton{Text: "VIN123"}}),
		&models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "Share phone", RequestContact: true}}}, ResizeKeyboard: true},
		&models.ReplyKeyboardRemove{RemoveKeyboard: true},
		&models.ForceReply{ForceReply: true},
	}
	for i, mk := range accepted {
		if err := send(mk); err != nil {
			t.Errorf("accepted[%d]: %v", i, err)
		}
	}
	rejected := []struct {
		mk   models.ReplyMarkup
		want string
	}{
		{btn(models.InlineKeyboardButton{Text: "65 bytes", CallbackData: strings.Repeat("x", 65)}), "Bad Request: BUTTON_DATA_INVALID"},
		{btn(models.InlineKeyboardButton{Text: "33 cyrillic", CallbackData: strings.Repeat("я", 33)}), "Bad Request: BUTTON_DATA_INVALID"},
		{btn(models.InlineKeyboardButton{Text: "text only"}), "Bad Request: text buttons are unallowed in the inline keyboard"},
		{btn(models.InlineKeyboardButton{Text: "", CallbackData: "x"}), "Bad Request: text must be non-empty"},
		{btn(models.InlineKeyboardButton{Text: "two", CallbackData: "x", URL: "https://a.example"}), "exactly one of the optional fields"},
		{btn(models.InlineKeyboardButton{Text: "local", URL: "http://localhost:8080/"}), "Bad Request: inline keyboard button URL 'http://localhost:8080/' is invalid"},
		{btn(models.InlineKeyboardButton{Text: "ftp", URL: "ftp://files.example/x"}), "is invalid: Wrong HTTP URL"},
	}
	for i, tc := range rejected {
		wantAPIError(t, send(tc.mk), tc.want)
		_ = i
	}
	msgs := emu.Messages(u.ID)
	if len(msgs) != len(accepted) {
		t.Fatalf("stored %d, want %d", len(msgs), len(accepted))
	}
	if msgs[0].Buttons[0][0] != (Button{Text: "64 bytes", Data: strings.Repeat("x", 64)}) {
		t.Fatalf("button %+v", msgs[0].Buttons)
	}
	if msgs[2].Buttons[0][0].URL != "https://dealer.example/cars?id=1" {
		t.Fatalf("url button %+v", msgs[2].Buttons)
	}
	if k := msgs[5]; k.Keyboard[0][0] != "Share phone" || k.Buttons != nil {
		t.Fatalf("reply keyboard %+v", k)
	}
	if !msgs[6].RemoveKeyboard || !msgs[7].ForceReply {
		t.Fatal("remove/force reply not recorded")
	}
}

func TestMalformedReplyMarkup(t *testing.T) {
	emu := newEmu(t, Options{})
	chatWith(emu, 41)
	for _, raw := range []string{`{"inline_keyboard":`, `[1,2]`, `{"foo":1}`, `{"remove_keyboard":false}`} {
		status, r := post(t, emu, "sendMessage", map[string]string{"chat_id": "41", "text": "x", "reply_markup": raw})
		if status != 400 || r.Description != "Bad Request: can't parse reply keyboard markup JSON object" {
			t.Errorf("%s: %d %q", raw, status, r.Description)
		}
	}
	status, r := post(t, emu, "sendMessage", map[string]string{"chat_id": "41", "text": "x", "reply_markup": `{"inline_keyboard":[{"text":"a"}]}`})
	if status != 400 || !strings.Contains(r.Description, "Array of Arrays") {
		t.Errorf("not nested: %d %q", status, r.Description)
	}
	// An empty inline keyboard is no keyboard at all.
	status, _ = post(t, emu, "sendMessage", map[string]string{"chat_id": "41", "text": "x", "reply_markup": `{"inline_keyboard":[]}`})
	if m, _ := emu.LastMessage(41); status != 200 || m.Buttons != nil {
		t.Fatalf("empty keyboard: %d %+v", status, m)
	}
}
