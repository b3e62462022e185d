package delivery_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/domain"
)

// TestPrefetch_OutsideTheTransactionAppliedOnce: a handler that asks for a
// Prefetch has its attempt rolled back, the fetch run with no transaction
// open (on SQLite another writer gets in at once), and the update applied
// again with the result: fetched once, its answer sent once. A handler
// asking twice for the same update gets one fetch, not a loop.
func TestPrefetch_OutsideTheTransactionAppliedOnce(t *testing.T) {
	var h *harness
	var attempts, fetches atomic.Int32
	var writerWaited atomic.Int64
	handler := func(ctx context.Context, upd *models.Update, fx *delivery.Effects) error {
		attempts.Add(1)
		if upd.Message.Text == "again" || fx.Fetched == nil {
			return &delivery.Prefetch{Fetch: func(ctx context.Context) any {
				fetches.Add(1)
				t0 := time.Now()
				if err := h.db.InTx(context.Background(), func(context.Context) error { return nil }); err != nil {
					t.Error(err)
				}
				writerWaited.Store(int64(time.Since(t0)))
				return "bytes of " + upd.Message.Text
			}}
		}
		keys, err := h.rt.Outbox().Enqueue(ctx, domain.OutboxMessage{Key: "pf:" + upd.Message.Text, ChatID: upd.Message.Chat.ID,
			Text: fx.Fetched.(string)}, nil)
		fx.Keys = keys
		return err
	}
	h = newHarness(t, harnessOptions{handler: handler})
	u := h.user("Qian", "zh")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.rt.WaitHandled(ctx, int64(h.emu.SendText(u, "list.xlsx"))); err != nil {
		t.Fatal(err)
	}
	msgs := h.emu.Messages(u.ID)
	if attempts.Load() != 2 || fetches.Load() != 1 || len(msgs) != 1 || msgs[0].Text != "bytes of list.xlsx" {
		t.Fatalf("%d attempts, %d fetches, messages %+v", attempts.Load(), fetches.Load(), msgs)
	}
	if w := time.Duration(writerWaited.Load()); w > time.Second {
		t.Fatalf("a writer waited %s during the fetch: a transaction was open", w)
	}
	attempts.Store(0)
	fetches.Store(0)
	if err := h.rt.WaitHandled(ctx, int64(h.emu.SendText(u, "again"))); err != nil {
		t.Fatal(err)
	}
	if attempts.Load() != 2 || fetches.Load() != 1 {
		t.Fatalf("asking twice: %d attempts, %d fetches; want 2 and 1", attempts.Load(), fetches.Load())
	}
}
