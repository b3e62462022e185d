package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// benchModels make a stock of many model, trim and colour groups.
var (
	benchModels  = []string{"轩逸", "天籁", "奇骏", "逍客", "楼兰", "劲客", "骐达", "途达", "帕拉丁", "纳瓦拉", "艾睿雅", "阳光"}
	benchTrims   = []string{"舒适版", "豪华版", "旗舰版"}
	benchColours = []string{"白", "黑", "银", "红", "蓝"}
)

// benchSheet is a dispatch list of n cars from VIN(from).
func benchSheet(from, n int) [][]string {
	rows := [][]string{{"序号", "车架号", "车型", "配置", "颜色", "发动机号", "合格证号", "库位"}}
	for i := from; i < from+n; i++ {
		rows = append(rows, []string{fmt.Sprint(i - from + 1), storagetest.VIN(i), benchModels[i%len(benchModels)],
			benchTrims[i/7%len(benchTrims)], benchColours[i/3%len(benchColours)], fmt.Sprintf("HR16%07d", i), fmt.Sprintf("WAC%09d", i), fmt.Sprintf("A-%03d", i%500)})
	}
	return rows
}

// readXLSX is the floor: excelize reading the file alone.
func readXLSX(b *testing.B, data []byte) [][]string {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	return rows
}

// BenchmarkR3_1_Import2000 imports a 2,000-row dispatch list end to end —
// the document into the emulator, getFile and download, excelize, every row
// checked against the ledger, the preview answered, the tap, the 2,000 cars
// and their events written in one transaction — against the floor,
// excelize reading the same file alone.
func BenchmarkR3_1_Import2000(b *testing.B) {
	const n = 2000
	data := xlsxOf(b, benchSheet(0, n))
	b.Logf("dispatch list: %d rows, %d KB", n, len(data)>>10)
	b.Run("excelize", func(b *testing.B) {
		for b.Loop() {
			if rows := readXLSX(b, data); len(rows) != n+1 {
				b.Fatalf("%d rows", len(rows))
			}
		}
	})
	b.Run("bot", func(b *testing.B) {
		h := newHarnessWith(b, harnessOptions{})
		keeper := h.enroll("库管员", "stock_keeper", "zh")
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			file := xlsxOf(b, benchSheet(100_000+i*n, n)) // new VINs each time
			b.StartTimer()
			msgs := h.sayIn(keeper, keeper.ID, func() int { return h.emu.SendDocument(keeper, "发车清单.xlsx", "", file) })
			if len(msgs) != 1 || len(msgs[0].Buttons) != 1 {
				b.Fatalf("preview %v", plains(msgs))
			}
			got := h.press(keeper, msgs[0].Buttons[0][0].Text)
			if len(got) == 0 || got[len(got)-1].Plain != fmt.Sprintf("已导入 %d 辆车，状态为在途。", n) {
				b.Fatalf("import %v", plains(got))
			}
		}
	})
}

// BenchmarkR3_2_Stock50000 measures /stock with 50,000 cars in the group's
// ledger (SQLite): first spread over 10 stores (5,000 each, the asker's
// among them), then all 50,000 moved into the asker's store, the worst
// case. Each: the service call alone, and end to end through the emulator
// (p50, p99).
func BenchmarkR3_2_Stock50000(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 50,000 cars")
	}
	const cars, stores = 50_000, 10
	ctx := context.Background()
	db, err := storage.Open(storage.Config{Path: filepath.Join(b.TempDir(), "stock.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	h := newHarnessWith(b, harnessOptions{db: db})
	db.Now = h.clock
	keeper := h.enroll("库管员", "stock_keeper", "zh")
	seller := h.enroll("陈顾问", "consultant", "zh")
	s, _ := db.StaffByName(ctx, db.Stores.Default().ID, "库管员")
	keepers := []int64{s.ID}
	for i := 1; i < stores; i++ {
		st := storagetest.AddStore(b, db, fmt.Sprintf("s%d", i), "Asia/Shanghai")
		k := &domain.Staff{StoreID: st.ID, Name: fmt.Sprintf("库管员%d", i), Roles: domain.Roles{domain.RoleStockKeeper}}
		if err := db.CreateStaff(ctx, k); err != nil {
			b.Fatal(err)
		}
		keepers = append(keepers, k.ID)
	}
	start := time.Now()
	per := cars / stores
	for i, k := range keepers {
		p, err := db.PreviewImport(ctx, k, "seed.xlsx", benchSheet(i*per, per))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ImportVehicles(ctx, k, p.ID); err != nil {
			b.Fatal(err)
		}
	}
	// 80 % in stock, 5 % reserved, 5 % arrived, 10 % in transit; arrivals
	// spread over 200 days.
	for k := 0; k < 200; k++ {
		at := h.clock().AddDate(0, 0, -k)
		if err := db.ExecRaw(ctx, "UPDATE vehicles SET arrived_at = ?, state = 'in_stock' WHERE id % 200 = ?", at, k); err != nil {
			b.Fatal(err)
		}
	}
	for _, u := range []string{
		"UPDATE vehicles SET state = 'reserved' WHERE id % 20 = 1",
		"UPDATE vehicles SET state = 'arrived' WHERE id % 20 = 2",
		"UPDATE vehicles SET state = 'in_transit', arrived_at = NULL WHERE id % 20 IN (3, 4)",
		"ANALYZE",
	} {
		if err := db.ExecRaw(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d cars in %d stores in %s", cars, stores, time.Since(start).Round(time.Millisecond))
	h.stop()
	h.opts.limits = bot.Limits{GlobalPerSecond: 1 << 20, PerChatPerSecond: 1 << 20, GroupPerMinute: 1 << 20}
	h.start()

	run := func(b *testing.B, want int) {
		b.Run("service", func(b *testing.B) {
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				model := ""
				if i%3 == 1 {
					model = benchModels[i%len(benchModels)]
				}
				t0 := time.Now()
				r, err := db.Stock(ctx, s.ID, model, 8)
				lat = append(lat, time.Since(t0))
				if err != nil || len(r.Cars) != 8 {
					b.Fatal(r, err)
				}
			}
			reportLatency(b, lat)
		})
		// The floor of the end-to-end figure, in the same run: /help goes
		// through the same emulator, poller, inbox, claim, outbox and sender
		// without touching the ledger.
		b.Run("help", func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := h.bot.WaitHandled(ctx, int64(h.emu.SendText(keeper, "/help"))); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportLatency(b, lat)
		})
		b.Run("bot", func(b *testing.B) {
			var lat []time.Duration
			users := []telegramtestUser{keeper, seller}
			for i := 0; b.Loop(); i++ {
				u := users[i%2]
				arg := ""
				if i%3 == 1 {
					arg = " " + benchModels[i%len(benchModels)]
				}
				t0 := time.Now()
				id := h.emu.SendText(u, "/stock"+arg)
				if err := h.bot.WaitHandled(ctx, int64(id)); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportLatency(b, lat)
			if m := h.say(keeper, "/stock"); len(m) != 1 || len(m[0].Buttons) == 0 || !strings.Contains(m[0].Plain, fmt.Sprintf("库存 %d 辆", want)) {
				b.Fatalf("answer %v", plains(m))
			}
		})
	}
	b.Run("per-store-5000", func(b *testing.B) { run(b, per*85/100) })
	if err := db.ExecRaw(ctx, "UPDATE vehicles SET store_id = ?", s.StoreID); err != nil {
		b.Fatal(err)
	}
	b.Run("one-store-50000", func(b *testing.B) { run(b, cars*85/100) })
}

// reportLatency reports the median and the 99th percentile of lat.
func reportLatency(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}
