package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
)

// waitOutboxEmpty waits until nothing is pending in the outbox.
func (h *harness) waitOutboxEmpty(timeout time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := h.db.OutboxStats(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if st.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("outbox still has %d pending after %s", st.Pending, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// push queues messages the way a job does: in a transaction, with keys.
func (h *harness) push(msgs ...func(ctx context.Context) error) {
	h.t.Helper()
	err := h.db.InTx(context.Background(), func(ctx context.Context) error {
		for _, m := range msgs {
			if err := m(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// TestPoll_TelegramDownForAWhile: getUpdates and sendMessage fail (dropped
// connections, 500, 502, 429) for a stretch; once Telegram is back, every
// command is answered once.
func TestPoll_TelegramDownForAWhile(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{realClock: true})
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.emu.Fail("getUpdates", 3, telegramtest.Fault{Kind: telegramtest.FaultDrop})
	h.emu.Fail("getUpdates", 2, telegramtest.Fault{Kind: telegramtest.FaultBadGateway})
	h.emu.Fail("sendMessage", 2, telegramtest.Fault{Kind: telegramtest.FaultServerError})
	h.emu.Fail("sendMessage", 1, telegramtest.Fault{Kind: telegramtest.FaultTooManyRequests, RetryAfter: 1})
	h.emu.Fail("sendMessage", 1, telegramtest.Fault{Kind: telegramtest.FaultDrop})
	var ids []int
	for _, text := range []string{"/help", "/lang en", "/help"} {
		ids = append(ids, h.emu.SendText(chen, text))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, id := range ids {
		if err := h.bot.WaitHandled(ctx, int64(id)); err != nil {
			t.Fatal(err)
		}
	}
	got := plains(h.emu.Messages(chen.ID)[1:])
	if len(got) != 3 || !strings.Contains(got[0], "您可用的命令") || got[1] != "Language set to English." || !strings.Contains(got[2], "Your commands") {
		t.Fatalf("answers %q", got)
	}
}

// TestOutbox_LongTextSplitAndLongCallbackData: text over 4096 characters
// arrives in parts, in order; a button whose data is over 64 bytes works.
func TestOutbox_LongTextSplitAndLongCallbackData(t *testing.T) {
	var pressed atomic.Value
	h := newHarnessWith(t, harnessOptions{callbacks: []bot.Callback{{Prefix: "t", Handler: func(_ context.Context, r *bot.Request) error {
		pressed.Store(r.Args)
		return nil
	}}}})
	chen := h.enroll("陈顾问", "consultant", "zh")
	var long strings.Builder
	for i := range 300 {
		fmt.Fprintf(&long, "第 %03d 行：跟进提醒 &lt;测试&gt;\n", i)
	}
	payload := strings.Repeat("x", 100)
	markup := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "OK", CallbackData: "t:" + payload}}}}
	h.push(func(ctx context.Context) error { return h.bot.Push(ctx, "long:1", chen.ID, 0, long.String(), markup) })
	h.waitOutboxEmpty(10 * time.Second)

	msgs := h.emu.Messages(chen.ID)[1:] // after the welcome
	if len(msgs) < 2 {
		t.Fatalf("long text arrived as %d message(s)", len(msgs))
	}
	var joined strings.Builder
	for _, m := range msgs {
		joined.WriteString(m.Plain + "\n")
	}
	if !strings.Contains(joined.String(), "第 000 行") || !strings.Contains(joined.String(), "第 299 行") ||
		strings.Index(joined.String(), "第 150 行") > strings.Index(joined.String(), "第 151 行") {
		t.Fatal("parts lost or out of order")
	}
	last := msgs[len(msgs)-1]
	if len(last.Buttons) != 1 || len(last.Buttons[0][0].Data) > 64 {
		t.Fatalf("buttons %+v", last.Buttons)
	}
	qid, err := h.emu.PressButton(chen, chen.ID, last.ID, last.Buttons[0][0].Data)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.emu.WaitCallbackAnswer(ctx, qid); err != nil {
		t.Fatal(err)
	}
	if got, _ := pressed.Load().(string); got != payload {
		t.Fatalf("handler got %q", got)
	}
}

// TestUpdate_ReplayedAfterCrashChangesNothing: Telegram delivers an update
// again (the offset was lost); the bot recognises it and does nothing.
func TestUpdate_ReplayedAfterCrashChangesNothing(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")
	id := h.emu.SendText(admin, "/invite 周新 consultant")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.bot.WaitHandled(ctx, int64(id)); err != nil {
		t.Fatal(err)
	}
	before := len(h.emu.Messages(admin.ID))
	staffBefore, _ := h.db.ListStaff(ctx, true)

	h.stop()
	if err := h.db.SetState(ctx, "telegram.offset", "0"); err != nil { // the offset is lost
		t.Fatal(err)
	}
	if err := h.emu.Replay(id); err != nil {
		t.Fatal(err)
	}
	h.start()
	// A later message proves the replayed one has been through the bot.
	contains(t, h.reply(admin, "/help"), "/invite")
	if n := len(h.emu.Messages(admin.ID)); n != before+1 {
		t.Fatalf("replay answered: %d messages, want %d", n, before+1)
	}
	staffAfter, _ := h.db.ListStaff(ctx, true)
	if len(staffAfter) != len(staffBefore) {
		t.Fatalf("replay changed the staff: %d → %d", len(staffBefore), len(staffAfter))
	}
}

// TestUpdate_SavedButNotAppliedIsAppliedAfterRestart: a crash after the
// poller stored a batch and before the handlers ran loses nothing.
func TestUpdate_SavedButNotAppliedIsAppliedAfterRestart(t *testing.T) {
	h := newHarness(t)
	admin := h.enroll("王经理", "manager,admin", "zh")
	h.stop()
	raw := fmt.Sprintf(`{"update_id":900001,"message":{"message_id":77,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"W"},"text":"/staff","entities":[{"type":"bot_command","offset":0,"length":6}]}}`,
		testStart.Unix(), admin.ID, admin.ID)
	ctx := context.Background()
	if err := h.db.SaveUpdates(ctx, []domain.InboundUpdate{{ID: 900001, ChatID: admin.ID, Raw: []byte(raw)}}, 900002); err != nil {
		t.Fatal(err)
	}
	h.start()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.bot.WaitHandled(wctx, 900001); err != nil {
		t.Fatal(err)
	}
	if got := plains(h.emu.Messages(admin.ID)); !strings.Contains(got[len(got)-1], "员工名单") {
		t.Fatalf("stored update not applied: %v", got)
	}
}

// TestShutdown_HandlersInFlightLoseNothing: SIGTERM while handlers run;
// they finish, and every answer is delivered, now or after the restart.
func TestShutdown_HandlersInFlightLoseNothing(t *testing.T) {
	started := make(chan struct{}, 10)
	slow := bot.Command{Name: "slow", Handler: func(ctx context.Context, r *bot.Request) error {
		started <- struct{}{}
		time.Sleep(300 * time.Millisecond)
		return nil
	}}
	h := newHarness(t, slow)
	var users []telegramtest.User
	for i := range 5 {
		users = append(users, h.enroll(fmt.Sprintf("员工%d", i), "consultant", "zh"))
	}
	before := map[int64]int{}
	for _, u := range users {
		before[u.ID] = len(h.emu.Messages(u.ID))
		h.emu.SendText(u, "/slow")
		h.emu.SendText(u, "/help") // queued behind /slow in the same chat
	}
	<-started
	h.stop() // returns once the handlers in flight have finished
	h.start()
	for _, u := range users {
		// The /help answers may still be in the outbox: they go out now.
		h.say(u, "/lang zh")
	}
	h.waitOutboxEmpty(10 * time.Second)
	for _, u := range users {
		msgs := plains(h.emu.Messages(u.ID)[before[u.ID]:])
		if len(msgs) != 2 || !strings.Contains(msgs[0], "您可用的命令") || !strings.Contains(msgs[1], "中文") {
			t.Errorf("chat %d: answers %q, want /help's then /lang's", u.ID, msgs)
		}
		if got := len(h.emu.Messages(u.ID)) - before[u.ID]; got != 2 {
			t.Errorf("chat %d: %d answers, want /help's and /lang's", u.ID, got)
		}
	}
	st, _ := h.db.OutboxStats(context.Background())
	pending, _ := h.db.PendingUpdates(context.Background())
	if st.Pending != 0 || len(pending) != 0 {
		t.Errorf("left behind: %d messages, %d updates", st.Pending, len(pending))
	}
}

// TestSender_BlockedChatStopsAndSupervisorToldOnce: a consultant blocks the
// bot; their messages are undeliverable, their supervisor hears it once,
// and writing to the bot again unblocks them.
func TestSender_BlockedChatStopsAndSupervisorToldOnce(t *testing.T) {
	h := newHarness(t)
	sup := h.enroll("李主管", "supervisor", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.emu.Block(chen.ID)
	supBefore := len(h.emu.Messages(sup.ID))
	for i := range 3 {
		h.push(func(ctx context.Context) error {
			return h.bot.Push(ctx, fmt.Sprintf("b:%d", i), chen.ID, 0, "提醒", nil)
		})
		h.waitOutboxEmpty(10 * time.Second)
	}
	st, _ := h.db.OutboxStats(context.Background())
	if st.Undeliverable != 3 {
		t.Errorf("undeliverable %d, want 3", st.Undeliverable)
	}
	notes := h.emu.Messages(sup.ID)[supBefore:]
	if len(notes) != 1 || !strings.Contains(notes[0].Plain, "陈顾问") {
		t.Fatalf("supervisor got %v", plains(notes))
	}
	contains(t, h.reply(chen, "/help"), "/lang") // unblocked by writing
	h.push(func(ctx context.Context) error { return h.bot.Push(ctx, "b:after", chen.ID, 0, "又能收到了", nil) })
	h.waitOutboxEmpty(10 * time.Second)
	if m, _ := h.emu.LastMessage(chen.ID); m.Plain != "又能收到了" {
		t.Fatalf("after unblocking got %q", m.Plain)
	}
}

// TestSender_SlowAnswerPastSendTimeoutIsSentAgain: Telegram takes the
// message but answers after delivery.send_timeout; the send gives up at
// the timeout, not when the answer comes, and goes again — so the chat
// shows the message twice, as README's Delivery section says.
func TestSender_SlowAnswerPastSendTimeoutIsSentAgain(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{realClock: true, sendTimeout: 300 * time.Millisecond})
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.waitOutboxEmpty(10 * time.Second)
	before := len(h.emu.Messages(chen.ID))
	h.emu.Fail("sendMessage", 1, telegramtest.Fault{Kind: telegramtest.FaultSlowAnswer, Delay: 20 * time.Second})
	start := time.Now()
	h.push(func(ctx context.Context) error {
		return h.bot.Push(ctx, "slow:1", chen.ID, 0, "慢回答的消息", nil)
	})
	h.waitOutboxEmpty(10 * time.Second)
	// The retry came after the timeout and its backoff (1 s ± 50 %), long
	// before the 20 s answer.
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("delivered after %s: the send waited for the slow answer", took)
	}
	got := plains(h.emu.Messages(chen.ID)[before:])
	if len(got) != 2 || got[0] != "慢回答的消息" || got[1] != "慢回答的消息" {
		t.Fatalf("chat got %q, want the message twice", got)
	}
	if n := h.emu.Calls("sendMessage"); n < 2 {
		t.Fatalf("%d sendMessage calls", n)
	}
}

// TestHealth_ShowsBacklog: a manager sees the outbox and the last update.
func TestHealth_ShowsBacklog(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("王经理", "manager", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	h.emu.Block(chen.ID)
	h.push(func(ctx context.Context) error { return h.bot.Push(ctx, "h:1", chen.ID, 0, "x", nil) })
	h.waitOutboxEmpty(10 * time.Second)
	got := h.reply(mgr, "/health")
	contains(t, got, "运行状态", "待发送消息：0", "无法送达（已屏蔽）：1", "最近收到消息：2026-11-27 09:30")
	contains(t, h.reply(chen, "/health"), "无权")
}

// TestHealth_ShowsReplicasAndLeader: /health lists every replica with its
// last beat (this one marked, a silent one down), who leads the jobs, the
// rate and the backlog in total and per store.
func TestHealth_ShowsReplicasAndLeader(t *testing.T) {
	h := newHarness(t)
	mgr := h.enroll("Wang", "manager", "en")
	contains(t, h.reply(mgr, "/health"), "Leader: nobody holds the scheduler lease", "Replicas (1 live):",
		"(polling), last seen 0 sec ago, this one", "Backlog per store: none",
		"for all replicas together; the backlog is out (the last person has theirs) in: none")
	ctx := context.Background()
	if err := h.db.Heartbeat(ctx, "replica-b", "webhook"); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	now := h.clock()
	if ok, err := h.db.TakeLease(ctx, domain.SchedulerLease, "replica-b", now, now.Add(10*time.Second)); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	got := h.reply(mgr, "/health")
	contains(t, got, "Leader (runs the scheduled jobs): replica-b", "• replica-b (webhook), last seen 1 min ago, down")
}

// outageStore makes InTx fail as if the database were unreachable, while
// down is set.
type outageStore struct {
	*storage.DB
	down atomic.Int32 // transactions still to fail
}

func (s *outageStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.down.Load() > 0 {
		s.down.Add(-1)
		return domain.Errorkf(domain.EUNAVAILABLE, "err.unavailable", nil, "database unreachable (injected)")
	}
	return s.DB.InTx(ctx, fn)
}

// TestDatabase_BriefOutageWaitedOut: the database is out of reach for a
// few attempts; the handler retries and the command applies once.
func TestDatabase_BriefOutageWaitedOut(t *testing.T) {
	var flaky *outageStore
	h := newHarnessWith(t, harnessOptions{handlerTimeout: 10 * time.Second,
		wrap: func(db *storage.DB) bot.Store { flaky = &outageStore{DB: db}; return flaky }})
	admin := h.enroll("王经理", "manager,admin", "zh")
	flaky.down.Store(3)
	contains(t, h.reply(admin, "/invite 周新 consultant"), "周新", "邀请码")
	if flaky.down.Load() != 0 {
		t.Fatal("the outage was not hit")
	}
	if _, err := h.db.StaffByName(context.Background(), 1, "周新"); err != nil {
		t.Fatal(err)
	}
}

// TestDatabase_LongOutageAnswersTryAgain: the database stays out of reach
// past the handler's time; the user is told to try again and nothing is
// half-written.
func TestDatabase_LongOutageAnswersTryAgain(t *testing.T) {
	var flaky *outageStore
	h := newHarnessWith(t, harnessOptions{handlerTimeout: 2 * time.Second,
		wrap: func(db *storage.DB) bot.Store { flaky = &outageStore{DB: db}; return flaky }})
	admin := h.enroll("王经理", "manager,admin", "zh")
	before := len(h.emu.Messages(admin.ID))
	flaky.down.Store(1000)
	h.emu.SendText(admin, "/invite 周新 consultant")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := h.emu.WaitMessageAfter(ctx, admin.ID, h.emu.Messages(admin.ID)[before-1].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Plain != bot.T(domain.LangZH, "err.unavailable") {
		t.Fatalf("answered %q", m.Plain)
	}
	flaky.down.Store(0)
	if _, err := h.db.StaffByName(context.Background(), 1, "周新"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("half-applied: %v", err)
	}
	contains(t, h.reply(admin, "/invite 周新 consultant"), "邀请码") // trying again works
	// Once the database answers, the failed update is closed for good: a
	// restart does not run it behind the user's back.
	h.restart()
	contains(t, h.reply(admin, "/help"), "/invite")
	invites := 0
	for _, m := range h.emu.Messages(admin.ID) {
		if strings.Contains(m.Plain, "邀请码") {
			invites++
		}
	}
	if invites != 1 {
		t.Fatalf("the abandoned /invite ran after the restart: %d invite answers", invites)
	}
}
