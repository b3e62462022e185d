package storage_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// arriveCars imports cars from..to-1 and marks them arrived: on the lot,
// expected by a stocktake.
func arriveCars(t *testing.T, db *storage.DB, keeper int64, from, to int) {
	t.Helper()
	mustImport(t, db, keeper, storagetest.DispatchSheet(from, to))
	for i := from; i < to; i++ {
		c, err := db.VehicleCard(ctx, keeper, storagetest.VIN(i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveVehicle(ctx, keeper, c.Vehicle.ID, domain.VehicleMove{To: domain.VehicleArrived}); err != nil {
			t.Fatal(err)
		}
	}
}

// exceptionList writes exceptions as "kind:last6" in order.
func exceptionList(ex []domain.StocktakeException) string {
	var out []string
	for _, e := range ex {
		out = append(out, fmt.Sprintf("%s:%s", e.Kind, e.VIN[11:]))
	}
	return strings.Join(out, " ")
}

func TestR3_3_StocktakeOpenConfirmCloseClear(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		manager := MustCreateStaff(t, db, "经理", domain.RoleManager)
		seller := MustCreateStaff(t, db, "顾问", domain.RoleConsultant)
		arriveCars(t, db, keeper.ID, 0, 4)
		ok, _ := domain.PDIChecks(db.Stores.Default().Rules.Vehicles.PDIItems, "ok", "", "")
		if _, err := db.RecordPDI(ctx, keeper.ID, storagetest.VIN(0), ok, domain.PDIConfirm{EngineNo: "E0", CertificateNo: "C0"}); err != nil {
			t.Fatal(err)
		}
		mustImport(t, db, keeper.ID, storagetest.DispatchSheet(5, 6)) // in transit: not expected on the lot
		v := func(i int) string { return storagetest.VIN(i)[11:] }

		_, err := db.ConfirmSeen(ctx, seller.ID, v(0))
		AssertError(t, err, domain.ENOTFOUND, "err.stocktake_none")
		_, err = db.OpenStocktake(ctx, seller.ID)
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		opened, err := db.OpenStocktake(ctx, manager.ID)
		if err != nil || opened.Count != (domain.StocktakeCount{Ledger: 4}) {
			t.Fatalf("open: %+v %v", opened, err)
		}
		_, err = db.OpenStocktake(ctx, manager.ID)
		AssertError(t, err, domain.ECONFLICT, "err.stocktake_open")

		steps := []struct {
			by    int64
			ref   string
			again bool
			want  domain.StocktakeCount
		}{
			{seller.ID, v(0), false, domain.StocktakeCount{Seen: 1, Ledger: 4}},
			{keeper.ID, storagetest.VIN(0), true, domain.StocktakeCount{Seen: 1, Ledger: 4}}, // twice counts once
			{keeper.ID, strings.ToLower(storagetest.VIN(1)), false, domain.StocktakeCount{Seen: 2, Ledger: 4}},
			{seller.ID, storagetest.VIN(5), false, domain.StocktakeCount{Seen: 2, Ledger: 4, Unexpected: 1}}, // in transit
			{seller.ID, storagetest.VIN(100), false, domain.StocktakeCount{Seen: 2, Ledger: 4, Unexpected: 2}},
		}
		for _, s := range steps {
			got, err := db.ConfirmSeen(ctx, s.by, s.ref)
			if err != nil || got.Again != s.again || got.Count != s.want {
				t.Fatalf("seen %s: %+v %v; want again %v, %+v", s.ref, got, err, s.again, s.want)
			}
		}
		_, err = db.ConfirmSeen(ctx, seller.ID, v(200))
		AssertError(t, err, domain.ENOTFOUND, "err.vin_suffix_unknown")
		_, err = db.ConfirmSeen(ctx, seller.ID, storagetest.WrongVIN(7))
		AssertError(t, err, domain.EINVALID, "err.vin_check")

		_, err = db.CloseStocktake(ctx, keeper.ID)
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		res, err := db.CloseStocktake(ctx, manager.ID)
		if err != nil {
			t.Fatal(err)
		}
		odd := []string{storagetest.VIN(5), storagetest.VIN(100)}
		sort.Strings(odd) // by full VIN
		want := fmt.Sprintf("missing:%s missing:%s unexpected:%s unexpected:%s", v(2), v(3), odd[0][11:], odd[1][11:])
		if got := exceptionList(res.Exceptions); got != want || res.Count != (domain.StocktakeCount{Seen: 2, Ledger: 4, Unexpected: 2}) {
			t.Fatalf("exceptions %s, count %+v; want %s", got, res.Count, want)
		}
		lines := map[int]domain.StocktakeLine{}
		for _, l := range res.Lines {
			for _, i := range []int{0, 1, 2, 3, 5, 100} {
				if l.VIN == storagetest.VIN(i) {
					lines[i] = l
				}
			}
		}
		if len(res.Lines) != 6 || len(lines) != 6 || lines[0].SeenBy != "顾问" || !lines[0].Expected || lines[2].SeenBy != "" || !lines[2].Expected ||
			lines[5].Expected || lines[5].State != domain.VehicleInTransit || lines[100].State != "" || lines[100].SeenBy != "顾问" {
			t.Fatalf("lines %+v", res.Lines)
		}
		_, err = db.ConfirmSeen(ctx, seller.ID, v(2))
		AssertError(t, err, domain.ENOTFOUND, "err.stocktake_none")

		t.Run("ClearByManagerOnly", func(t *testing.T) {
			first := res.Exceptions[0].ID
			_, err := db.ClearException(ctx, keeper.ID, first, "在维修站")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.ClearException(ctx, manager.ID, first, "  ")
			AssertError(t, err, domain.EINVALID, "err.stocktake_reason")
			_, err = db.ClearException(ctx, manager.ID, first+1000, "x")
			AssertError(t, err, domain.ENOTFOUND, "err.stocktake_exception_unknown")
			for i, e := range res.Exceptions {
				out, err := db.ClearException(ctx, manager.ID, e.ID, fmt.Sprintf("原因%d", i))
				if err != nil || out.Remaining != len(res.Exceptions)-i-1 || (out.Result != nil) != (out.Remaining == 0) {
					t.Fatalf("clear %d: %+v %v", e.ID, out, err)
				}
				if out.Result != nil && (out.Result.Uncleared() != 0 || out.Result.Exceptions[3].Reason != "原因3" || out.Result.Names[manager.ID] != "经理") {
					t.Fatalf("final %+v", out.Result)
				}
			}
			_, err = db.ClearException(ctx, manager.ID, first, "again")
			AssertError(t, err, domain.ECONFLICT, "err.stocktake_cleared")
			last, err := db.LastStocktake(ctx, manager.ID)
			if err != nil || last.Stocktake.ID != res.Stocktake.ID || last.Uncleared() != 0 || last.Count != res.Count {
				t.Fatalf("last %+v %v", last, err)
			}
		})
		t.Run("NextMonth", func(t *testing.T) {
			again, err := db.OpenStocktake(ctx, manager.ID)
			if err != nil || again.Stocktake.ID == res.Stocktake.ID || again.Count.Seen != 0 {
				t.Fatalf("reopen %+v %v", again, err)
			}
		})
	})
}

// TestR3_3_ConcurrentConfirmationsAllCount confirms every car from eight
// phones at once, each car by two of them: every car counts once, and the
// running counts the new confirmations answer are 1…n, each once.
func TestR3_3_ConcurrentConfirmationsAllCount(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		manager := MustCreateStaff(t, db, "经理", domain.RoleManager)
		const cars, phones = 24, 8
		arriveCars(t, db, keeper.ID, 0, cars)
		var staff []int64
		for i := range phones {
			staff = append(staff, MustCreateStaff(t, db, fmt.Sprintf("顾问%d", i), domain.RoleConsultant).ID)
		}
		if _, err := db.OpenStocktake(ctx, manager.ID); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var counts []int
		var wg sync.WaitGroup
		errs := make(chan error, cars*2)
		for p := range phones {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := p; i < cars*2; i += phones {
					got, err := db.ConfirmSeen(ctx, staff[p], storagetest.VIN(i % cars)[11:])
					if err != nil {
						errs <- err
						return
					}
					if !got.Again {
						mu.Lock()
						counts = append(counts, got.Count.Seen)
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		sort.Ints(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("running counts %v: want 1…%d each once", counts, cars)
			}
		}
		res, err := db.CloseStocktake(ctx, manager.ID)
		if err != nil || len(counts) != cars || res.Count != (domain.StocktakeCount{Seen: cars, Ledger: cars}) || len(res.Exceptions) != 0 {
			t.Fatalf("closed %+v %v after %d new confirmations", res.Count, err, len(counts))
		}
	})
}

func TestStores_R3_3_AnotherStoresStocktakeInvisible(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		keeper := MustCreateStaff(t, db, "库管", domain.RoleStockKeeper)
		manager := MustCreateStaff(t, db, "经理", domain.RoleManager)
		arriveCars(t, db, keeper.ID, 0, 2)
		b := storagetest.AddStore(t, db, "b", "Asia/Shanghai")
		bManager := &domain.Staff{StoreID: b.ID, Name: "B经理", Roles: domain.Roles{domain.RoleManager}}
		if err := db.CreateStaff(ctx, bManager); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenStocktake(ctx, manager.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.ConfirmSeen(ctx, bManager.ID, storagetest.VIN(0))
		AssertError(t, err, domain.ENOTFOUND, "err.stocktake_none")
		_, err = db.CloseStocktake(ctx, bManager.ID)
		AssertError(t, err, domain.ENOTFOUND, "err.stocktake_none")
		_, err = db.LastStocktake(ctx, bManager.ID)
		AssertError(t, err, domain.ENOTFOUND, "err.stocktake_none_closed")

		// Store b counts its own lot: store a's car is not in its ledger.
		opened, err := db.OpenStocktake(ctx, bManager.ID)
		if err != nil || opened.Count.Ledger != 0 {
			t.Fatalf("b opens: %+v %v", opened, err)
		}
		_, err = db.ConfirmSeen(ctx, bManager.ID, storagetest.VIN(0)[11:])
		AssertError(t, err, domain.ENOTFOUND, "err.vin_suffix_unknown")
		seen, err := db.ConfirmSeen(ctx, bManager.ID, storagetest.VIN(0))
		if err != nil || seen.Vehicle != nil || seen.Count != (domain.StocktakeCount{Unexpected: 1}) {
			t.Fatalf("b sees a's car: %+v %v", seen, err)
		}
		if got, err := db.ConfirmSeen(ctx, manager.ID, storagetest.VIN(0)); err != nil || got.Again || got.Count.Seen != 1 {
			t.Fatalf("a sees its car: %+v %v", got, err)
		}
		aRes, err := db.CloseStocktake(ctx, manager.ID)
		if err != nil || exceptionList(aRes.Exceptions) != "missing:"+storagetest.VIN(1)[11:] {
			t.Fatalf("a closes: %+v %v", aRes, err)
		}
		_, err = db.ClearException(ctx, bManager.ID, aRes.Exceptions[0].ID, "不是我们的")
		AssertError(t, err, domain.ENOTFOUND, "err.stocktake_exception_unknown")
		bRes, err := db.CloseStocktake(ctx, bManager.ID)
		if err != nil || exceptionList(bRes.Exceptions) != "unexpected:"+storagetest.VIN(0)[11:] || bRes.Lines[0].Model != "" {
			t.Fatalf("b closes: %+v %v", bRes, err)
		}
	})
}
