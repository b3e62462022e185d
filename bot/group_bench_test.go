package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// BenchmarkGroupOf200Stores seeds a group's database — 200 registered
// stores, 10,000 staff and 1,000,000 leads spread over them, in SQLite —
// once, then measures:
//
//   - MorningPush: building and queueing every store's morning messages
//     (the Run of each of the 200 per-store MorningPush jobs, one after
//     another, as if every store's 08:30 were the same instant), with the
//     peak heap while they run; the floor is one indexed SQL query that
//     only counts the due leads per owner over the whole group, run in the
//     same benchmark.
//   - FollowUp: /fu end to end — emulator, poller, handler, SQLite, outbox,
//     sender, emulator — one command at a time from different consultants,
//     reporting p50 and p99. Telegram's send limits are lifted: they would
//     measure Telegram's pace, not the bot's.
func BenchmarkGroupOf200Stores(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a million leads")
	}
	const stores, staff, leads = 200, 10_000, 1_000_000
	ctx := context.Background()
	db, err := storage.Open(storage.Config{Path: filepath.Join(b.TempDir(), "group.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	info := storagetest.SeedGroup(b, db, stores, staff, leads, testStart)
	b.Logf("seeded %d stores, %d staff, %d leads in %s; %d overdue, %d due today", stores, staff, leads,
		time.Since(start).Round(time.Second), info.Overdue, info.DueToday)

	h := newHarnessWith(b, harnessOptions{db: db})
	db.Now = h.clock

	b.Run("MorningPush", func(b *testing.B) {
		// One job per store, as cmd/dealerbot wires them.
		var push []*jobs.MorningPush
		for _, st := range db.Stores.All() {
			push = append(push, &jobs.MorningPush{Store: db, Bot: h.bot, Shop: st})
		}
		if len(push) != stores {
			b.Fatalf("%d morning jobs for %d stores", len(push), stores)
		}
		h.stop() // the sender would start delivering 10,000 messages meanwhile
		for i := 0; b.Loop(); i++ {
			// A new day each time: each run queues a full set of messages.
			at := time.Date(2026, 11, 27, 8, 30, 0, 0, info.Calendar.Location).AddDate(0, 0, i)
			before, _ := db.OutboxStats(ctx)
			peak := trackHeap()
			t0 := time.Now()
			for _, job := range push {
				if err := job.Run(ctx, at); err != nil {
					b.Fatal(err)
				}
			}
			took := time.Since(t0)
			after, _ := db.OutboxStats(ctx)
			mb := peak()
			floorStart := time.Now()
			due, err := db.QueryCount(ctx, `SELECT owner_id, COUNT(*) FROM leads WHERE next_due_at < ? GROUP BY owner_id`, at.AddDate(0, 0, 1))
			if err != nil || due == 0 {
				b.Fatalf("floor query: %d, %v", due, err)
			}
			floor := time.Since(floorStart)
			b.ReportMetric(took.Seconds(), "s/run")
			b.ReportMetric(mb, "MB-peak-heap")
			b.ReportMetric(float64(floor.Milliseconds()), "ms-floor-query")
			b.ReportMetric(float64(took)/float64(floor), "x-floor")
			b.ReportMetric(float64(after.Pending-before.Pending), "messages")
		}
		st, _ := db.OutboxStats(ctx)
		b.Logf("outbox holds %d morning messages", st.Pending)
		h.start()
	})

	b.Run("FollowUp", func(b *testing.B) {
		// Enough consultants with a due lead each, one command per chat.
		consultants, err := db.StaffWithRole(ctx, 1, domain.RoleConsultant)
		if err != nil {
			b.Fatal(err)
		}
		h.stop()
		h.opts.limits = bot.Limits{GlobalPerSecond: 1 << 20, PerChatPerSecond: 1 << 20, GroupPerMinute: 1 << 20}
		h.start()
		h.waitOutboxEmpty(10 * time.Minute) // the morning messages above
		// Each op is 200 follow-ups, so the percentiles rest on enough samples.
		var lat []time.Duration
		n := 0
		for b.Loop() {
			for range 200 {
				c := consultants[n%len(consultants)]
				n++
				due, err := db.DueLeads(ctx, c.ID, info.TomorrowStart, 1)
				if err != nil {
					b.Fatal(err)
				}
				if len(due) == 0 {
					continue
				}
				u := h.emu.User(c.TelegramID, c.Name, "", "zh")
				t0 := time.Now()
				id := h.emu.SendText(u, fmt.Sprintf("/fu %d 电话沟通，约周末到店", due[0].ID))
				if err := h.bot.WaitHandled(ctx, int64(id)); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
		}
		b.ReportMetric(float64(len(lat)), "follow-ups")
		if len(lat) == 0 {
			b.Fatal("no follow-up logged")
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
	})
}

// trackHeap samples the heap in use until the returned function is called,
// which returns the peak in MB.
func trackHeap() func() float64 {
	var mu sync.Mutex
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	go func() {
		defer close(done)
		for {
			sample()
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		sample()
		return float64(peak) / (1 << 20)
	}
}
