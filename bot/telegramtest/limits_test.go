package telegramtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestLimits_EmojiCountTwice: every length limit counts as Telegram
// counts, in UTF-16 code units, so an emoji outside the BMP costs two;
// callback data is counted in bytes (an emoji is four).
func TestLimits_EmojiCountTwice(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 1003)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	emoji := func(n int) string { return strings.Repeat("😀", n) }
	m, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "x",
		ReplyMarkup: inlineKB([]models.InlineKeyboardButton{{Text: "ok", CallbackData: "ok"}})})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("answerCallbackQuery", func(t *testing.T) {
		qid, err := emu.PressButton(u, u.ID, m.ID, "ok")
		if err != nil {
			t.Fatal(err)
		}
		answer := func(text string) error {
			_, err := client.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: qid, Text: text})
			return err
		}
		wantAPIError(t, answer(emoji(101)), "Bad Request: MESSAGE_TOO_LONG")
		if err := answer(emoji(100)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("editMessageText", func(t *testing.T) { // after the press: an edit drops the buttons
		edit := func(text string) error {
			_, err := client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: m.ID, Text: text})
			return err
		}
		wantAPIError(t, edit(emoji(2049)), "Bad Request: message is too long")
		if err := edit(emoji(2048)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("sendDocument caption", func(t *testing.T) {
		doc := func(caption string) error {
			_, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Caption: caption,
				Document: &models.InputFileUpload{Filename: "r.csv", Data: bytes.NewReader([]byte("a,b\n"))}})
			return err
		}
		wantAPIError(t, doc(emoji(513)), "Bad Request: message caption is too long")
		if err := doc(emoji(512)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("setMyCommands description", func(t *testing.T) {
		set := func(desc string) error {
			_, err := client.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "show", Description: desc}}})
			return err
		}
		wantAPIError(t, set(emoji(129)), "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
		if err := set(emoji(128)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("callback data in bytes", func(t *testing.T) {
		send := func(data string) error {
			_, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "x",
				ReplyMarkup: inlineKB([]models.InlineKeyboardButton{{Text: "👍 ok", CallbackData: data}})})
			return err
		}
		wantAPIError(t, send(emoji(17)), "Bad Request: BUTTON_DATA_INVALID") // 68 bytes
		if err := send(emoji(16)); err != nil {                              // 64 bytes
			t.Fatal(err)
		}
	})
}
