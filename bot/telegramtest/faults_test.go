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

func TestFaultInjection(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 60)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	send := func() error {
		_, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "hello"})
		return err
	}

	emu.Fail("sendMessage", 2, Fault{Kind: FaultTooManyRequests, RetryAfter: 3})
	for i := 0; i < 2; i++ {
		err := send()
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 3 || !strings.Contains(tooMany.Message, "Too Many Requests: retry after 3") {
			t.Fatalf("call %d: want 429 retry_after 3, got %v", i, err)
		}
	}
	if err := send(); err != nil {
		t.Fatalf("third call must pass: %v", err)
	}
	if emu.RateLimited() != 2 {
		t.Fatalf("429 counter %d", emu.RateLimited())
	}

	emu.Fail("SENDMESSAGE", 1, Fault{Kind: FaultServerError})
	if err := send(); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Fatalf("500: %v", err)
	}
	emu.Fail("sendMessage", 1, Fault{Kind: FaultDrop})
	if err := send(); err == nil || !strings.Contains(err.Error(), "error do request") {
		t.Fatalf("drop: %v", err)
	}
	emu.Fail("sendMessage", 1, Fault{Kind: FaultBadGateway})
	if err := send(); err == nil || !strings.Contains(err.Error(), "error decode response body") {
		t.Fatalf("502: %v", err)
	}
	emu.Fail("sendMessage", 1, Fault{Kind: FaultBadRequest})
	if err := send(); !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "Bad Request: message is too long") {
		t.Fatalf("400: %v", err)
	}
	emu.Fail("sendMessage", 1, Fault{Kind: FaultBadRequest, Description: "chat not found"})
	wantAPIError(t, send(), "Bad Request: chat not found")
	// Only the one successful call left a trace.
	if n := len(emu.Messages(u.ID)); n != 1 || emu.Calls("sendMessage") != 1 || len(emu.Sent()) != 1 {
		t.Fatalf("failed calls had effects: %d messages, %d calls", n, emu.Calls("sendMessage"))
	}
	// Faults are per method.
	emu.Fail("deleteMessage", 1, Fault{Kind: FaultServerError})
	if err := send(); err != nil {
		t.Fatal(err)
	}
	emu.ClearFaults()
}

func TestGetUpdatesFaultConfirmsNothing(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(61, "Kira", "", "")
	id := emu.SendText(u, "hi")
	emu.Fail("getUpdates", 1, Fault{Kind: FaultServerError})
	if status, _ := post(t, emu, "getUpdates", map[string]string{"offset": "1000"}); status != 500 {
		t.Fatalf("status %d", status)
	}
	if emu.Pending() != 1 {
		t.Fatal("a failed getUpdates must not confirm updates")
	}
	if ups := getUpdates(t, emu, nil); len(ups) != 1 || ups[0].ID != int64(id) {
		t.Fatalf("got %v", ids(ups))
	}
}

// TestBotSurvivesPollingFaults checks the real polling loop against a
// dropped connection and a 429 on getUpdates: it must keep receiving.
func TestBotSurvivesPollingFaults(t *testing.T) {
	emu := newEmu(t, Options{})
	u := emu.User(62, "Roma", "", "")
	emu.Fail("getUpdates", 1, Fault{Kind: FaultDrop})
	emu.Fail("getUpdates", 1, Fault{Kind: FaultTooManyRequests, RetryAfter: 1})
	startBot(t, emu, bot.WithMessageTextHandler("", bot.MatchTypePrefix, func(ctx context.Context, b *bot.Bot, up *models.Update) {
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: up.Message.Chat.ID, Text: "echo: " + up.Message.Text})
	}))
	emu.SendText(u, "ping")
	ctx := ctxTimeout(t)
	start := time.Now()
	if _, err := emu.WaitMessage(ctx, u.ID, func(m Message) bool { return m.Plain == "echo: ping" }); err != nil {
		t.Fatal(err)
	}
	if emu.Calls("getUpdates") == 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("recovery took %v", time.Since(start))
	}
}

func TestEnforcedRateLimits(t *testing.T) {
	clock := newClock()
	emu := newEmu(t, Options{Now: clock.Now, EnforceLimits: true})
	u := chatWith(emu, 63)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	send := func(chat int64) error {
		_, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		return err
	}
	if err := send(u.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(999 * time.Millisecond)
	var tooMany *bot.TooManyRequestsError
	if err := send(u.ID); !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("second send within 1s: %v", err)
	}
	clock.Advance(time.Millisecond) // exactly one second after the first
	if err := send(u.ID); err != nil {
		t.Fatalf("send after 1s: %v", err)
	}

	// Global: 30 per second across chats.
	clock.Advance(10 * time.Second)
	for i := int64(0); i < 31; i++ {
		chatWith(emu, 1000+i)
	}
	for i := int64(0); i < 30; i++ {
		if err := send(1000 + i); err != nil {
			t.Fatalf("global send %d: %v", i, err)
		}
	}
	if err := send(1030); !errors.As(err, &tooMany) {
		t.Fatalf("31st send in a second: %v", err)
	}

	// Groups: 20 per minute, retry_after counts down to the oldest send.
	clock.Advance(10 * time.Second)
	g := emu.NewGroup(-700, "Showroom")
	for i := 0; i < 20; i++ {
		if err := send(g.ID); err != nil {
			t.Fatalf("group send %d: %v", i, err)
		}
		clock.Advance(time.Second)
	}
	if err := send(g.ID); !errors.As(err, &tooMany) || tooMany.RetryAfter != 40 {
		t.Fatalf("21st group send in a minute: %v", err)
	}
	clock.Advance(40 * time.Second)
	if err := send(g.ID); err != nil {
		t.Fatalf("after retry_after: %v", err)
	}
	if emu.RateLimited() != 3 {
		t.Fatalf("429 counter %d", emu.RateLimited())
	}
	sent := emu.Sent()
	if len(sent) != 2+30+21 || sent[0].Method != "sendMessage" || sent[0].ChatID != u.ID || !sent[1].At.Equal(sent[0].At.Add(time.Second)) {
		t.Fatalf("sent log %+v", sent[:2])
	}
}

// TestFaultSlowAnswer: the message is sent, but its answer comes after the
// client's deadline, which sees only a timeout.
func TestFaultSlowAnswer(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 62)
	client := newClient(t, emu)
	emu.Fail("sendMessage", 1, Fault{Kind: FaultSlowAnswer, Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "slow"})
	if err == nil {
		t.Fatal("a late answer reached a client that gave up")
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("the emulator held the answer %s after the client gave up", waited)
	}
	if msgs := emu.Messages(u.ID); len(msgs) != 1 || msgs[0].Text != "slow" {
		t.Fatalf("the slow call must take effect: %+v", msgs)
	}
	// Within its delay the answer arrives.
	emu.Fail("sendMessage", 1, Fault{Kind: FaultSlowAnswer, Delay: 50 * time.Millisecond})
	if _, err := client.SendMessage(ctxTimeout(t), &bot.SendMessageParams{ChatID: u.ID, Text: "late"}); err != nil {
		t.Fatal(err)
	}
}

// TestEnforcedRateLimits_PaidBroadcast: with allow_paid_broadcast the bot
// may send up to 1,000 a second; without it, the 31st in a second is
// refused even while paid ones go through.
func TestEnforcedRateLimits_PaidBroadcast(t *testing.T) {
	clock := newClock()
	emu := newEmu(t, Options{Now: clock.Now, EnforceLimits: true})
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	for i := int64(0); i < 1002; i++ {
		chatWith(emu, 5000+i)
	}
	send := func(chat int64, paid bool) error {
		_, err := client.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x", AllowPaidBroadcast: paid})
		return err
	}
	var tooMany *bot.TooManyRequestsError
	for i := int64(0); i < 30; i++ {
		if err := send(5000+i, false); err != nil {
			t.Fatalf("free send %d: %v", i, err)
		}
	}
	if err := send(5030, false); !errors.As(err, &tooMany) {
		t.Fatalf("31st free send in a second: %v", err)
	}
	for i := int64(30); i < 1000; i++ {
		if err := send(5000+i, true); err != nil {
			t.Fatalf("paid send %d: %v", i, err)
		}
	}
	if err := send(6000, true); !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("1001st send in a second: %v", err)
	}
	clock.Advance(time.Second)
	if err := send(6000, true); err != nil {
		t.Fatalf("a second later: %v", err)
	}
	paid := 0
	for _, r := range emu.Sent() {
		if r.Paid {
			paid++
		}
	}
	if paid != 971 || emu.RateLimited() != 2 {
		t.Fatalf("paid %d, 429s %d", paid, emu.RateLimited())
	}
}
