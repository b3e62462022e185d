package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestRoutingAuthAndEncodings(t *testing.T) {
	emu := newEmu(t, Options{Token: "42:SECRET", BotUsername: "cars_bot"})
	me, err := newClient(t, emu).GetMe(ctxTimeout(t))
	if err != nil || me.ID != 42 || !me.IsBot || me.Username != "cars_bot" || !me.CanJoinGroups {
		t.Fatalf("getMe: %+v %v", me, err)
	}

	resp, err := http.Post(emu.URL()+"/botWRONG:TOKEN/getMe", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, r := decodeReply(t, resp); status != 401 || r.Description != "Unauthorized" {
		t.Fatalf("wrong token: %d %+v", status, r)
	}
	if status, r := post(t, emu, "sendSticker", nil); status != 404 || r.Description != "Not Found" {
		t.Fatalf("unknown method: %d %+v", status, r)
	}
	if status, _ := post(t, emu, "GETME", nil); status != 200 {
		t.Fatalf("method names are case-insensitive, got %d", status)
	}

	u := chatWith(emu, 5)
	// GET with query parameters.
	resp, err = http.Get(emu.URL() + "/bot" + emu.Token() + "/sendMessage?chat_id=5&text=via+query")
	if err != nil {
		t.Fatal(err)
	}
	if status, r := decodeReply(t, resp); status != 200 {
		t.Fatalf("GET: %+v", r)
	}
	// JSON body with a nested object, not a JSON string.
	body := `{"chat_id":5,"text":"via json","reply_markup":{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}}`
	resp, err = http.Post(emu.URL()+"/bot"+emu.Token()+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if status, r := decodeReply(t, resp); status != 200 {
		t.Fatalf("JSON: %+v", r)
	}
	msgs := emu.Messages(u.ID)
	if len(msgs) != 2 || msgs[0].Text != "via query" || msgs[1].Buttons[0][0].Data != "go" {
		t.Fatalf("messages %+v", msgs)
	}
	if emu.Calls("sendmessage") != 2 || emu.Calls("getMe") != 3 {
		t.Fatalf("calls: send %d getMe %d", emu.Calls("sendMessage"), emu.Calls("getMe"))
	}
}

func TestChatRules(t *testing.T) {
	emu := newEmu(t, Options{})
	client := newClient(t, emu)
	send := func(chatID any) error {
		_, err := client.SendMessage(ctxTimeout(t), &bot.SendMessageParams{ChatID: chatID, Text: "hi"})
		return err
	}
	wantAPIError(t, send(int64(404)), "Bad Request: chat not found")
	wantAPIError(t, send("@nobody"), "Bad Request: chat not found")

	u := emu.User(20, "Vera", "vera", "ru")
	err := send(u.ID)
	wantAPIError(t, err, "Forbidden: bot can't initiate conversation with a user")
	wantIs(t, err, bot.ErrorForbidden)
	// Users are never addressable by @username.
	wantAPIError(t, send("@vera"), "Bad Request: chat not found")

	emu.SendText(u, "/start")
	if err := send(u.ID); err != nil {
		t.Fatal(err)
	}
	before := emu.Pending()
	emu.Block(u.ID)
	wantAPIError(t, send(u.ID), "Forbidden: bot was blocked by the user")
	if emu.Pending() != before+1 {
		t.Fatal("Block must queue a my_chat_member update")
	}
	emu.Unblock(u.ID)
	if err := send(u.ID); err != nil {
		t.Fatal(err)
	}

	g := emu.NewGroup(-1001234567890, "Sales team")
	if g.Type != models.ChatTypeSupergroup {
		t.Fatalf("type %s", g.Type)
	}
	emu.SetChatUsername(g.ID, "sales_team")
	if err := send("@sales_team"); err != nil {
		t.Fatal(err)
	}
	emu.Block(g.ID)
	wantAPIError(t, send(g.ID), "Forbidden: bot was kicked from the group chat")
	if len(emu.Messages(g.ID)) != 1 || len(emu.Messages(u.ID)) != 2 {
		t.Fatal("failed sends must not be stored")
	}
}

func TestEditMessage(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 30)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	kb := inlineKB([]models.InlineKeyboardButton{{Text: "Book", CallbackData: "book:1"}})
	sent, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "<b>Camry</b>", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if sent.ReplyMarkup == nil || sent.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "book:1" || sent.From.ID != emu.Bot().ID {
		t.Fatalf("sent %+v", sent)
	}
	edit := func(text string, mode models.ParseMode, markup models.ReplyMarkup) (*models.Message, error) {
		return client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: sent.ID, Text: text, ParseMode: mode, ReplyMarkup: markup})
	}
	const notModified = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	// Same content written differently is still "not modified".
	_, err = edit("<strong>Camry</strong>", models.ParseModeHTML, kb)
	wantAPIError(t, err, notModified)

	edited, err := edit("<b>Camry</b> — booked", models.ParseModeHTML, kb)
	if err != nil || edited.Text != "Camry — booked" || edited.EditDate == 0 {
		t.Fatalf("edit: %+v %v", edited, err)
	}
	// Omitting reply_markup removes the keyboard, which counts as a change.
	if _, err := edit("<b>Camry</b> — booked", models.ParseModeHTML, nil); err != nil {
		t.Fatal(err)
	}
	m, _ := emu.Message(u.ID, sent.ID)
	if m.EditCount != 2 || m.Buttons != nil || m.Plain != "Camry — booked" {
		t.Fatalf("stored %+v", m)
	}
	_, err = client.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: u.ID, MessageID: sent.ID})
	wantAPIError(t, err, notModified)
	if _, err = client.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: u.ID, MessageID: sent.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	_, err = client.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: u.ID, MessageID: sent.ID, ReplyMarkup: kb})
	wantAPIError(t, err, notModified)
	_, err = client.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: u.ID, MessageID: sent.ID,
		ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "x"}}}}})
	wantAPIError(t, err, "Bad Request: inline keyboard expected")

	_, err = client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: 999, Text: "x"})
	wantAPIError(t, err, "Bad Request: message to edit not found")
	emu.SendText(u, "user text")
	userMsgID := sent.ID + 1
	_, err = client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: userMsgID, Text: "x"})
	wantAPIError(t, err, "Bad Request: message can't be edited")
	_, err = edit("<b>broken", models.ParseModeHTML, nil)
	wantAPIError(t, err, `Can't find end tag corresponding to start tag "b"`)
	_, err = client.EditMessageText(ctx, &bot.EditMessageTextParams{InlineMessageID: "abc", Text: "x"})
	wantAPIError(t, err, "Bad Request: MESSAGE_ID_INVALID")
}

func TestDeleteMessage(t *testing.T) {
	clock := newClock()
	emu := newEmu(t, Options{Now: clock.Now})
	u := chatWith(emu, 31)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	a, _ := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "a"})
	b, _ := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "b"})
	ok, err := client.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: u.ID, MessageID: a.ID})
	if err != nil || !ok {
		t.Fatal(err)
	}
	_, err = client.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: u.ID, MessageID: a.ID})
	wantAPIError(t, err, "Bad Request: message to delete not found")
	if msgs := emu.Messages(u.ID); len(msgs) != 1 || msgs[0].ID != b.ID {
		t.Fatalf("messages %+v", msgs)
	}
	_, err = client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: a.ID, Text: "x"})
	wantAPIError(t, err, "Bad Request: message to edit not found")
	clock.Advance(48*time.Hour + time.Second)
	_, err = client.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: u.ID, MessageID: b.ID})
	wantAPIError(t, err, "Bad Request: message can't be deleted for everyone")
}

func TestReplyParameters(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(32, "Lev", "", "")
	emu.SendText(u, "question")
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	m, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "answer", ReplyParameters: &models.ReplyParameters{MessageID: 1}})
	if err != nil || m.ReplyToMessage == nil || m.ReplyToMessage.Text != "question" {
		t.Fatalf("reply: %+v %v", m, err)
	}
	_, err = client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 77}})
	wantAPIError(t, err, "Bad Request: message to be replied not found")
	m, err = client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "x",
		ReplyParameters: &models.ReplyParameters{MessageID: 77, AllowSendingWithoutReply: true}})
	if err != nil || m.ReplyToMessage != nil {
		t.Fatalf("without reply: %+v %v", m, err)
	}
	status, r := post(t, emu, "sendMessage", map[string]string{"chat_id": "32", "text": "legacy", "reply_to_message_id": "1"})
	if status != 200 || !bytes.Contains(r.Result, []byte(`"reply_to_message"`)) {
		t.Fatalf("legacy reply: %s", r.Result)
	}
}

func TestSendUpdateRegistersMessage(t *testing.T) {
	emu := newEmu(t, Options{})
	g := emu.NewGroup(-500, "Managers")
	u := emu.User(33, "Gleb", "gleb", "")
	id := emu.SendUpdate(models.Update{Message: &models.Message{
		From: &models.User{ID: u.ID, FirstName: "Gleb"}, Chat: g,
		NewChatMembers: []models.User{{ID: u.ID, FirstName: "Gleb"}},
	}})
	emu.SendTextInGroup(u, g.ID, "/help@dealer_test_bot")
	ups := getUpdates(t, emu, nil)
	if len(ups) != 2 || ups[0].ID != int64(id) || ups[0].Message.ID != 1 || ups[0].Message.Date == 0 || ups[1].Message.ID != 2 {
		t.Fatalf("updates %+v", ups)
	}
	status, r := post(t, emu, "sendMessage", map[string]string{"chat_id": strconv.FormatInt(g.ID, 10), "text": "welcome",
		"reply_parameters": `{"message_id":1}`})
	if status != 200 {
		t.Fatalf("reply in group: %s", r.Description)
	}
	var m models.Message
	_ = json.Unmarshal(r.Result, &m)
	if m.ID != 3 || m.Chat.Type != models.ChatTypeGroup {
		t.Fatalf("message %+v", m)
	}
}
