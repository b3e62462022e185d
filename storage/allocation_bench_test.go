package storage_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// The allocation benchmark's car specs: 12 models × 3 trims × 5 colours.
var (
	allocModels  = []string{"轩逸", "天籁", "奇骏", "逍客", "楼兰", "劲客", "骐达", "途达", "帕拉丁", "纳瓦拉", "艾睿雅", "阳光"}
	allocTrims   = []string{"舒适版", "豪华版", "旗舰版"}
	allocColours = []string{"白", "黑", "银", "红", "蓝"}
)

// allocSpec is the model, trim and colour of seed row i.
func allocSpec(i int) (string, string, string) {
	return allocModels[i%len(allocModels)], allocTrims[i/7%len(allocTrims)], allocColours[i/3%len(allocColours)]
}

// BenchmarkR4_3_AllocateArrival measures allocating an arriving car (R4.3)
// with 10,000 open orders and 50,000 cars in one store (the worst case: a
// group's orders and cars all in the store of the car): each iteration
// records a passed inspection (RecordPDI), which puts the car in stock and,
// in the same transaction, allocates it to the first order in line for
// its model, trim and colour — the head found by one seek of
// orders_waiting, the decision domain.AllocateArrival's. Against the
// floor, measured in the same run: the bare indexed query that finds the
// oldest matching order. Both report p50 and p99 per call. SQLite, and
// PostgreSQL too when DEALERBOT_TEST_POSTGRES_DSN is set.
//
//	go test ./storage/ -run XXX -bench R4_3_AllocateArrival -benchtime 1000x -count 1
func BenchmarkR4_3_AllocateArrival(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 10,000 orders and 50,000 cars")
	}
	drivers := []string{storage.DriverSQLite}
	if os.Getenv(storagetest.PostgresDSNEnv) != "" {
		drivers = append(drivers, storage.DriverPostgres)
	}
	for _, driver := range drivers {
		b.Run(driver, func(b *testing.B) { benchAllocate(b, storagetest.OpenDriver(b, driver)) })
	}
}

// allocPool is how many arrived cars wait for their inspection: the most
// iterations a run may make.
const allocPool = 5_000

// poolSpec is the spec of the pool's car k: that of a distinct waiting
// order (i % 10 in 1..8), so that every arrival finds an order in line.
func poolSpec(k int) (string, string, string) {
	return allocSpec(10*(k%1000) + 1 + (k/1000)%8)
}

func benchAllocate(b *testing.B, db *storage.DB) {
	const orders, cars = 10_000, 50_000
	start := time.Now()
	info := storagetest.SeedGroup(b, db, 1, 20, orders, now)
	store := info.Stores[0]
	clock := now
	db.Now = func() time.Time { return clock }
	keeper := &domain.Staff{StoreID: store.ID, Name: "库管员", Roles: domain.Roles{domain.RoleStockKeeper}}
	if err := db.CreateStaff(ctx, keeper); err != nil {
		b.Fatal(err)
	}
	// Cars: 45,000 over 200 days, 80 % in stock, 10 % in transit, 10 % sold
	// (each held by a confirmed order); then the pool, arrived today,
	// awaiting inspection.
	var sql strings.Builder
	flush := func() {
		if sql.Len() == 0 {
			return
		}
		if err := db.ExecRaw(ctx, strings.TrimSuffix(sql.String(), ",")); err != nil {
			b.Fatal(err)
		}
		sql.Reset()
	}
	for i := 0; i < cars; i++ {
		if sql.Len() == 0 {
			sql.WriteString("INSERT INTO vehicles (store_id, vin, model, trim, colour, engine_no, certificate_no, state, arrived_at, in_stock_at, created_by, created_at, updated_at) VALUES ")
		}
		m, t, c := allocSpec(i)
		state, arrived := "in_stock", now.Add(-time.Duration(cars-i)*6*time.Minute)
		switch {
		case i >= cars-allocPool:
			m, t, c = poolSpec(i - (cars - allocPool))
			state, arrived = "arrived", now
		case i%10 == 8:
			state = "in_transit"
		case i%10 == 9:
			state = "sold"
		}
		at := storage.TimeLiteral(arrived)
		arrivedAt := at
		if state == "in_transit" {
			arrivedAt = "NULL"
		}
		fmt.Fprintf(&sql, "(%d, '%s', '%s', '%s', '%s', 'E%d', 'C%d', '%s', %s, %s, %d, %s, %s),", store.ID, storagetest.VIN(i), m, t, c,
			i, i, state, arrivedAt, arrivedAt, keeper.ID, at, at)
		if i%1000 == 999 {
			flush()
		}
	}
	flush()
	// Orders: one per seeded lead, a minute apart; 10 % waiting for their
	// discount's approval, 10 % holding a sold car, the rest in line.
	for i := 1; i <= orders; i++ {
		if sql.Len() == 0 {
			sql.WriteString("INSERT INTO orders (store_id, lead_id, consultant_id, model, trim, colour, list_price_fen, agreed_price_fen, deposit_fen, payment, state, vehicle_id, created_at, updated_at) VALUES ")
		}
		m, t, c := allocSpec(i)
		state, car := "confirmed", "0"
		switch i % 10 {
		case 0:
			state = "pending_approval"
		case 9:
			car = fmt.Sprintf("(SELECT id FROM vehicles WHERE vin = '%s')", storagetest.VIN(i))
		}
		at := storage.TimeLiteral(now.Add(-time.Duration(orders-i) * time.Minute))
		fmt.Fprintf(&sql, "(%d, %d, (SELECT owner_id FROM leads WHERE id = %d), '%s', '%s', '%s', 12800000, 12700000, 500000, 'cash', '%s', %s, %s, %s),",
			store.ID, i, i, m, t, c, state, car, at, at)
		if i%500 == 0 {
			flush()
		}
	}
	flush()
	if err := db.ExecRaw(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d orders and %d cars in %s", orders, cars, time.Since(start).Round(time.Millisecond))
	ok, _ := domain.PDIChecks(store.Rules.Vehicles.PDIItems, "ok", "", "")
	var allocMS, floorMS []float64

	b.Run("floor", func(b *testing.B) {
		i := 0
		for b.Loop() {
			m, t, c := poolSpec(i % allocPool)
			t0 := time.Now()
			n, err := db.QueryCount(ctx, "SELECT id FROM orders WHERE store_id = ? AND model = ? AND trim = ? AND colour = ? "+
				"AND state = 'confirmed' AND vehicle_id = 0 ORDER BY created_at, id LIMIT 1", store.ID, m, t, c)
			floorMS = append(floorMS, msSince(t0))
			if err != nil || n <= 0 { // the id of the head of the line
				b.Fatalf("head of line for %s %s %s: id %d, %v", m, t, c, n, err)
			}
			i++
		}
		reportPercentiles(b, floorMS)
	})
	b.Run("allocate", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if i == allocPool {
				b.Fatalf("more than %d iterations: run with -benchtime %dx or fewer", allocPool, allocPool)
			}
			v := cars - allocPool + i
			clock = clock.Add(time.Second)
			t0 := time.Now()
			p, err := db.RecordPDI(ctx, keeper.ID, storagetest.VIN(v), ok,
				domain.PDIConfirm{EngineNo: fmt.Sprintf("E%d", v), CertificateNo: fmt.Sprintf("C%d", v)})
			allocMS = append(allocMS, msSince(t0))
			if err != nil || p.Allocated == nil {
				b.Fatalf("car %d: %+v, %v", v, p, err)
			}
			i++
		}
		reportPercentiles(b, allocMS)
	})
	if len(allocMS) > 0 && len(floorMS) > 0 {
		b.Logf("allocate p50 %.2f ms p99 %.2f ms; floor p50 %.3f ms p99 %.3f ms", percentile(allocMS, 50), percentile(allocMS, 99),
			percentile(floorMS, 50), percentile(floorMS, 99))
	}
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// percentile is the p-th percentile of ms (nearest rank).
func percentile(ms []float64, p int) float64 {
	s := slices.Clone(ms)
	slices.Sort(s)
	k := (len(s)*p + 99) / 100
	return s[max(k-1, 0)]
}

// reportPercentiles reports p50 and p99 of ms, in milliseconds.
func reportPercentiles(b *testing.B, ms []float64) {
	b.ReportMetric(percentile(ms, 50), "p50-ms")
	b.ReportMetric(percentile(ms, 99), "p99-ms")
}
