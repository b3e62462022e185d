package telegramtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestWaitHelpers(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 90)
	client := newClient(t, emu)

	// WaitMessage wakes on the send instead of polling.
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = client.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: u.ID, Text: "first"})
	}()
	m, err := emu.WaitMessage(ctxTimeout(t), u.ID, nil)
	if err != nil || m.Plain != "first" {
		t.Fatalf("WaitMessage: %+v %v", m, err)
	}
	// An existing match returns at once; WaitMessageAfter skips it.
	if again, err := emu.WaitMessage(ctxTimeout(t), u.ID, nil); err != nil || again.ID != m.ID {
		t.Fatalf("existing: %+v %v", again, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = emu.WaitMessageAfter(ctx, u.ID, m.ID, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `#1 "first"`) {
		t.Fatalf("timeout error must list messages: %v", err)
	}

	// WaitIdle fails while updates are unconsumed, succeeds once confirmed.
	emu.SendText(u, "nobody polls")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := emu.WaitIdle(ctx2, time.Millisecond); err == nil || !strings.Contains(err.Error(), "pending updates: 1") {
		t.Fatalf("WaitIdle with pending update: %v", err)
	}
	getUpdates(t, emu, map[string]string{"offset": "100"})
	if err := emu.WaitIdle(ctxTimeout(t), 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	if _, ok := emu.Message(u.ID, 12345); ok {
		t.Fatal("Message found a non-existent message")
	}
	if _, ok := emu.LastMessage(-1); ok {
		t.Fatal("LastMessage on unknown chat")
	}
	// Returned messages are copies.
	msgs := emu.Messages(u.ID)
	msgs[0].Text = "changed"
	if emu.Messages(u.ID)[0].Text != "first" {
		t.Fatal("Messages leaked internal state")
	}
}

func TestCloseUnblocksEverything(t *testing.T) {
	emu := New(Options{})
	u := emu.User(91, "Tim", "", "")
	// A bot that is still running when the emulator closes.
	b, err := bot.New(emu.Token(), bot.WithServerURL(emu.URL()), bot.WithErrorsHandler(func(error) {}),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Start(ctx)
	waitParked(t, emu)
	waitErr := make(chan error, 1)
	go func() {
		_, err := emu.WaitMessage(context.Background(), u.ID, nil)
		waitErr <- err
	}()
	start := time.Now()
	emu.Close()
	emu.Close() // idempotent
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	select {
	case err := <-waitErr:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("waiter got %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("waiter not released by Close")
	}
}

func TestFailRejectsUnknownMethod(t *testing.T) {
	emu := newEmu(t, Options{})
	defer func() {
		if recover() == nil {
			t.Fatal("Fail with a typo must panic")
		}
	}()
	emu.Fail("sendMesage", 1, Fault{Kind: FaultServerError})
}

func TestChatActionAndDeleteWebhook(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 92)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	if ok, err := client.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: u.ID, Action: models.ChatActionTyping}); err != nil || !ok {
		t.Fatal(err)
	}
	_, err := client.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: u.ID, Action: "dancing"})
	wantAPIError(t, err, "Bad Request: wrong parameter action in request")
	if ok, err := client.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil || !ok {
		t.Fatal(err)
	}
	if len(emu.Messages(u.ID)) != 0 {
		t.Fatal("chat action stored a message")
	}
}
