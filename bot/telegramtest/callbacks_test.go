package telegramtest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestButtonFlowWithRealBot is the end-to-end shape feature tests will
// have: user writes, bot answers with a keyboard, user presses, bot answers
// the query and edits the message.
func TestButtonFlowWithRealBot(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(50, "Dina", "dina", "ru")
	startBot(t, emu,
		bot.WithMessageTextHandler("/start", bot.MatchTypeExact, func(ctx context.Context, b *bot.Bot, up *models.Update) {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID: up.Message.Chat.ID, Text: "Choose a <b>car</b>:", ParseMode: models.ParseModeHTML,
				ReplyMarkup: inlineKB([]models.InlineKeyboardButton{
					{Text: "Camry", CallbackData: "car:camry"}, {Text: "RAV4", CallbackData: "car:rav4"},
				}),
			})
		}),
		bot.WithCallbackQueryDataHandler("car:", bot.MatchTypePrefix, func(ctx context.Context, b *bot.Bot, up *models.Update) {
			q := up.CallbackQuery
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: "Booked " + q.Data})
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: q.Message.Message.Chat.ID, MessageID: q.Message.Message.ID, Text: "You chose " + strings.TrimPrefix(q.Data, "car:"),
			})
		}),
	)
	ctx := ctxTimeout(t)
	emu.SendText(u, "/start")
	menu, err := emu.WaitMessage(ctx, u.ID, func(m Message) bool { return len(m.Buttons) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if menu.Plain != "Choose a car:" || menu.Buttons[0][1].Text != "RAV4" {
		t.Fatalf("menu %+v", menu)
	}
	if _, err := emu.PressButton(u, u.ID, menu.ID, "car:lada"); err == nil || !strings.Contains(err.Error(), `"car:camry"`) {
		t.Fatalf("pressing a missing button must fail and list buttons, got %v", err)
	}
	if _, err := emu.PressButton(u, u.ID, menu.ID+100, "car:rav4"); err == nil {
		t.Fatal("pressing on a missing message must fail")
	}
	qid, err := emu.PressButton(u, u.ID, menu.ID, "car:rav4")
	if err != nil {
		t.Fatal(err)
	}
	ans, err := emu.WaitCallbackAnswer(ctx, qid)
	if err != nil || ans.Text != "Booked car:rav4" || ans.ShowAlert {
		t.Fatalf("answer %+v %v", ans, err)
	}
	edited, err := emu.WaitMessage(ctx, u.ID, func(m Message) bool { return m.ID == menu.ID && m.EditCount > 0 })
	if err != nil || edited.Plain != "You chose rav4" || edited.Buttons != nil {
		t.Fatalf("edited %+v %v", edited, err)
	}
	// The keyboard is gone now, so the button can no longer be pressed.
	if _, err := emu.PressButton(u, u.ID, menu.ID, "car:rav4"); err == nil {
		t.Fatal("button no longer shown")
	}
}

func TestAnswerCallbackQueryValidity(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 51)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	m, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "x",
		ReplyMarkup: inlineKB([]models.InlineKeyboardButton{{Text: "ok", CallbackData: "ok"}})})
	if err != nil {
		t.Fatal(err)
	}
	qid, err := emu.PressButton(u, u.ID, m.ID, "ok")
	if err != nil {
		t.Fatal(err)
	}
	ups := getUpdates(t, emu, nil)
	q := ups[len(ups)-1].CallbackQuery
	if q == nil || q.ID != qid || q.Data != "ok" || q.Message.Message == nil || q.Message.Message.ID != m.ID || q.From.ID != u.ID {
		t.Fatalf("callback update %+v", q)
	}
	answer := func(id, text string) error {
		_, err := client.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text, ShowAlert: true})
		return err
	}
	const invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
	wantAPIError(t, answer("12345", ""), invalid)
	wantAPIError(t, answer(qid, strings.Repeat("a", 201)), "Bad Request: MESSAGE_TOO_LONG")
	if _, ok := emu.CallbackAnswer(qid); ok {
		t.Fatal("rejected answer recorded")
	}
	if err := answer(qid, strings.Repeat("a", 200)); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, answer(qid, "again"), invalid)
	if ans, ok := emu.CallbackAnswer(qid); !ok || !ans.ShowAlert || len(ans.Text) != 200 {
		t.Fatalf("answer %+v", ans)
	}

	// Forged press on a message that does not exist: InaccessibleMessage.
	forged := emu.PressRaw(u, u.ID, 999, "admin:delete_all")
	ups = getUpdates(t, emu, nil)
	q = ups[len(ups)-1].CallbackQuery
	if q.ID != forged || q.Message.InaccessibleMessage == nil || q.Message.InaccessibleMessage.MessageID != 999 {
		t.Fatalf("forged %+v", q)
	}
	_, err = client.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: forged, URL: "https://evil.example"})
	wantAPIError(t, err, "Bad Request: URL_INVALID")
}

func TestObserverSeesEverythingInOrder(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 52)
	var mu sync.Mutex
	var kinds []string
	emu.OnBotMessage(func(ev Event) {
		// Calling back into the server from an observer must not deadlock.
		_ = emu.Messages(ev.ChatID)
		mu.Lock()
		defer mu.Unlock()
		kinds = append(kinds, string(ev.Kind)+":"+ev.Message.Plain)
	})
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	m, _ := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "one",
		ReplyMarkup: inlineKB([]models.InlineKeyboardButton{{Text: "b", CallbackData: "b"}})})
	_, _ = client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: m.ID, Text: "two"})
	_, _ = client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: ""}) // rejected: no event
	qid := emu.PressRaw(u, u.ID, m.ID, "b")
	_, _ = client.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: qid})
	_, _ = client.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: u.ID, MessageID: m.ID})
	mu.Lock()
	defer mu.Unlock()
	want := "sent:one edited:two callback_answered: deleted:two"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}
