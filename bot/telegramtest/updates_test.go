package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func getUpdates(t *testing.T, s *Server, args map[string]string) []models.Update {
	t.Helper()
	status, r := post(t, s, "getUpdates", args)
	if status != http.StatusOK {
		t.Fatalf("getUpdates: %d %s", status, r.Description)
	}
	var ups []models.Update
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func ids(ups []models.Update) []int64 {
	var out []int64
	for _, u := range ups {
		out = append(out, u.ID)
	}
	return out
}

func TestGetUpdatesOffsetSemantics(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(7, "Anna", "anna", "ru")
	id1 := emu.SendText(u, "/start")
	id2 := emu.SendText(u, "hello")
	id3 := emu.SendText(u, "bye")
	if id2 != id1+1 || id3 != id2+1 {
		t.Fatalf("update ids must grow by one: %d %d %d", id1, id2, id3)
	}

	ups := getUpdates(t, emu, nil)
	if len(ups) != 3 || ups[0].Message.Text != "/start" {
		t.Fatalf("got %v", ids(ups))
	}
	// Delivery without a higher offset does not confirm.
	if got := len(getUpdates(t, emu, nil)); got != 3 || emu.Pending() != 3 {
		t.Fatalf("redelivery: %d, pending %d", got, emu.Pending())
	}
	if got := ids(getUpdates(t, emu, map[string]string{"limit": "1"})); len(got) != 1 || got[0] != int64(id1) {
		t.Fatalf("limit 1: %v", got)
	}
	if got := ids(getUpdates(t, emu, map[string]string{"offset": strconv.Itoa(id2)})); len(got) != 2 || got[0] != int64(id2) {
		t.Fatalf("offset id2: %v", got)
	}
	// Confirmed updates are gone forever, even with a lower offset.
	if got := ids(getUpdates(t, emu, map[string]string{"offset": "1"})); len(got) != 2 {
		t.Fatalf("after confirm: %v", got)
	}
	id4 := emu.SendText(u, "more")
	if got := ids(getUpdates(t, emu, map[string]string{"offset": "-1"})); len(got) != 1 || got[0] != int64(id4) {
		t.Fatalf("offset -1: %v", got)
	}
	if emu.Pending() != 1 {
		t.Fatalf("negative offset must forget older updates, pending %d", emu.Pending())
	}
	getUpdates(t, emu, map[string]string{"offset": strconv.Itoa(id4 + 1)})
	if emu.Pending() != 0 {
		t.Fatalf("pending %d", emu.Pending())
	}
}

func TestSendTextCommandEntity(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(8, "Oleg", "oleg", "ru")
	emu.SendText(u, "/start@dealer_test_bot ref_42")
	emu.SendText(u, "just text")
	ups := getUpdates(t, emu, nil)
	m := ups[0].Message
	if m.From.ID != u.ID || m.Chat.ID != u.ID || m.Chat.Type != models.ChatTypePrivate || m.Date == 0 || m.ID == 0 {
		t.Fatalf("bad message %+v", m)
	}
	if len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Offset != 0 || m.Entities[0].Length != len("/start@dealer_test_bot") {
		t.Fatalf("entities %+v", m.Entities)
	}
	if ups[1].Message.Entities != nil || ups[1].Message.ID != m.ID+1 {
		t.Fatalf("second message %+v", ups[1].Message)
	}
}

func TestGetUpdatesAllowedUpdatesFilter(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(9, "Ira", "", "")
	emu.SendText(u, "text")
	emu.SendUpdate(models.Update{EditedMessage: &models.Message{ID: 1, Chat: models.Chat{ID: 9, Type: models.ChatTypePrivate}, Text: "edited"}})
	emu.SendUpdate(models.Update{ChatMember: &models.ChatMemberUpdated{
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &models.User{ID: 9}}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &models.User{ID: 9}}},
	}})
	// chat_member is not delivered by default.
	if got := getUpdates(t, emu, nil); len(got) != 2 || got[1].EditedMessage == nil {
		t.Fatalf("default filter: %v", ids(got))
	}
	got := getUpdates(t, emu, map[string]string{"allowed_updates": `["message"]`})
	if len(got) != 1 || got[0].Message == nil {
		t.Fatalf("message only: %v", ids(got))
	}
	// The setting persists across calls, like on Telegram.
	emu.SendUpdate(models.Update{EditedMessage: &models.Message{ID: 1, Chat: models.Chat{ID: 9, Type: models.ChatTypePrivate}, Text: "again"}})
	if got := getUpdates(t, emu, nil); len(got) != 1 {
		t.Fatalf("persisted filter: %v", ids(got))
	}
}

func TestGetUpdatesLongPollWakesUp(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(10, "Max", "", "")
	type result struct {
		status int
		r      rawReply
		err    error
	}
	done := make(chan result, 1)
	go func() {
		status, r, err := postRaw(emu, "getUpdates", map[string]string{"timeout": "10"})
		done <- result{status, r, err}
	}()
	waitParked(t, emu)
	start := time.Now()
	emu.SendText(u, "wake up")
	select {
	case res := <-done:
		var ups []models.Update
		_ = json.Unmarshal(res.r.Result, &ups)
		if res.err != nil || res.status != http.StatusOK || len(ups) != 1 || ups[0].Message.Text != "wake up" {
			t.Fatalf("long poll: %+v", res)
		}
		if time.Since(start) > time.Second {
			t.Fatalf("long poll did not return promptly")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("long poll did not wake up")
	}
	// An empty long poll returns [] after its timeout.
	start = time.Now()
	if ups := getUpdates(t, emu, map[string]string{"timeout": "1", "offset": "1000"}); len(ups) != 0 {
		t.Fatalf("got %v", ids(ups))
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 3*time.Second {
		t.Fatalf("timeout=1 took %v", d)
	}
}

func TestConcurrentGetUpdatesConflict(t *testing.T) {
	emu := newEmu(t, Options{})
	first := make(chan rawReply, 1)
	go func() {
		_, r, _ := postRaw(emu, "getUpdates", map[string]string{"timeout": "10"})
		first <- r
	}()
	waitParked(t, emu)
	status, r := post(t, emu, "getUpdates", map[string]string{"timeout": "0"})
	if status != http.StatusOK {
		t.Fatalf("second poll: %d %s", status, r.Description)
	}
	select {
	case r := <-first:
		want := "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
		if r.OK || r.ErrorCode != http.StatusConflict || r.Description != want {
			t.Fatalf("first poll got %+v", r)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("first poll was not terminated")
	}
}

func TestRealClientPollingAndConflict(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(11, "Pavel", "pavel", "ru")
	got := make(chan string, 4)
	errs := make(chan error, 16)
	startBot(t, emu,
		bot.WithNotAsyncHandlers(), // keep delivery order observable
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, up *models.Update) {
			if up.Message != nil {
				got <- up.Message.Text
			}
		}),
		bot.WithErrorsHandler(func(err error) {
			select {
			case errs <- err:
			default:
			}
		}))
	emu.SendText(u, "one")
	emu.SendText(u, "two")
	for _, want := range []string{"one", "two"} {
		select {
		case text := <-got:
			if text != want {
				t.Fatalf("got %q want %q", text, want)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("bot did not receive %q", want)
		}
	}
	if err := emu.WaitIdle(ctxTimeout(t), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// A second instance polling makes the running bot's request fail with
	// 409, which the client reports as bot.ErrorConflict.
	waitParked(t, emu)
	if status, r := post(t, emu, "getUpdates", map[string]string{"timeout": "0"}); status != http.StatusOK {
		t.Fatalf("competing poll: %+v", r)
	}
	select {
	case err := <-errs:
		wantIs(t, err, bot.ErrorConflict)
	case <-time.After(3 * time.Second):
		t.Fatal("running bot saw no conflict")
	}
	// The bot recovers and keeps receiving updates.
	emu.SendText(u, "three")
	select {
	case text := <-got:
		if text != "three" {
			t.Fatalf("got %q", text)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("bot did not recover after conflict")
	}
}
