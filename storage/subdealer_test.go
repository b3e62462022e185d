package storage_test

import (
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// newDealer is a valid contract for the tests.
func newDealer(name string) domain.NewSubDealer {
	return domain.NewSubDealer{Dealer: name, Contact: "李强", Phone: "13800138000", Territory: "昆山",
		StartsOn: "2026-03-01", EndsOn: "2026-04-20", DepositFen: 5000000}
}

func TestR4_6_DepositLapsesAtItsSecond(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		manager := &domain.Staff{Name: "经理", Roles: domain.Roles{domain.RoleManager}, TelegramID: 7001}
		if err := db.CreateStaff(ctx, manager); err != nil {
			t.Fatal(err)
		}
		seller := MustCreateStaff(t, db, "顾问", domain.RoleConsultant)

		_, err := db.AddSubDealer(ctx, seller.ID, newDealer("顺达"))
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		bad := newDealer("顺达")
		bad.DepositFen = 0
		_, err = db.AddSubDealer(ctx, manager.ID, bad)
		AssertError(t, err, domain.EINVALID, "err.dealer_deposit")
		bad = newDealer("顺达")
		bad.EndsOn = "2026-02-01"
		_, err = db.AddSubDealer(ctx, manager.ID, bad)
		AssertError(t, err, domain.EINVALID, "err.dealer_term")

		c, err := db.AddSubDealer(ctx, manager.ID, newDealer("顺达"))
		if err != nil {
			t.Fatal(err)
		}
		paid, err := db.AddSubDealer(ctx, manager.ID, newDealer("通达"))
		if err != nil {
			t.Fatal(err)
		}
		st := db.Stores.Default()
		warn, lapse, _ := domain.DepositDeadline(c.SignedOn, st.Rules.SubDealers.DepositWorkingDays, st.Calendar)
		if !c.DepositWarnAt.Equal(warn) || !c.DepositLapsAt.Equal(lapse) {
			t.Fatalf("deadline %s/%s, want %s/%s", c.DepositWarnAt, c.DepositLapsAt, warn, lapse)
		}
		_, err = db.RecordDealerDeposit(ctx, manager.ID, paid.ID, -100)
		AssertError(t, err, domain.EINVALID, "err.dealer_deposit")
		if _, err := db.RecordDealerDeposit(ctx, manager.ID, paid.ID, 5000000); err != nil {
			t.Fatal(err)
		}
		_, err = db.RecordDealerDeposit(ctx, manager.ID, paid.ID, 5000000)
		AssertError(t, err, domain.ECONFLICT, "err.dealer_deposit_done")

		next := func(want time.Time) {
			t.Helper()
			at, ok, err := db.NextDealerDeposit(ctx)
			if err != nil || ok != !want.IsZero() || ok && !at.Equal(want) {
				t.Fatalf("next = %s %v %v, want %s", at, ok, err, want)
			}
		}
		due := func(at time.Time, want ...domain.SubDealerNoticeKind) {
			t.Helper()
			got, err := db.DealerDepositsDue(ctx, at, 10)
			if err != nil || len(got) != len(want) {
				t.Fatalf("due at %s: %+v %v, want %v", at, got, err, want)
			}
			for i, n := range got {
				if n.Kind != want[i] || n.Contract.ID != c.ID || len(n.Managers) != 1 || n.Managers[0].ID != manager.ID {
					t.Errorf("notice %d: %+v", i, n)
				}
			}
		}
		next(warn)
		due(warn.Add(-time.Second))
		due(warn, domain.NoticeDepositDue)
		due(warn)
		next(lapse)
		due(lapse.Add(-time.Second))
		due(lapse, domain.NoticeDepositLapsed)
		due(lapse)
		next(time.Time{})

		*clock = lapse
		_, err = db.SetDealerTarget(ctx, manager.ID, c.ID, "2026-03", 10)
		AssertError(t, err, domain.ECONFLICT, "err.dealer_not_active")
		_, err = db.RecordDealerDeposit(ctx, manager.ID, c.ID, 5000000)
		AssertError(t, err, domain.ECONFLICT, "err.dealer_not_active")
		_, err = db.SetDealerTarget(ctx, manager.ID, 9999, "2026-03", 10)
		AssertError(t, err, domain.ENOTFOUND, "err.dealer_unknown")

		if _, err := db.SetDealerTarget(ctx, manager.ID, paid.ID, "2026-03", 10); err != nil {
			t.Fatal(err)
		}
		line, err := db.RecordDealerSales(ctx, manager.ID, paid.ID, "2026-03", 7)
		if err != nil || line.Month != (domain.MonthFigures{Month: "2026-03", Target: 10, Sold: 7}) {
			t.Fatalf("sales: %+v %v", line, err)
		}
		list, err := db.SubDealers(ctx, manager.ID, lapse)
		if err != nil || len(list) != 2 || list[0].Contract.ID != paid.ID || list[0].Month.Share() != 70 ||
			list[1].Contract.State != domain.SubDealerLapsed {
			t.Fatalf("list: %+v %v", list, err)
		}
	})
}

func TestR4_6_DailyTargetsExpiryAndPerformance(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		clock := vehicleClock(db)
		*clock = time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
		manager := MustCreateStaff(t, db, "经理", domain.RoleManager)
		n := newDealer("顺达")
		n.StartsOn, n.EndsOn = "2026-01-01", "2026-03-31"
		c, err := db.AddSubDealer(ctx, manager.ID, n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordDealerDeposit(ctx, manager.ID, c.ID, 5000000); err != nil {
			t.Fatal(err)
		}
		store := db.Stores.Default().ID
		kinds := func(at time.Time) []domain.SubDealerNotice {
			t.Helper()
			got, err := db.SubDealerDaily(ctx, store, at)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		// The 5th, no January target: reminded; the 6th: not any more.
		if got := kinds(time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)); len(got) != 1 || got[0].Kind != domain.NoticeTargetDue || got[0].Month != "2026-01" {
			t.Fatalf("5 Jan: %+v", got)
		}
		if got := kinds(time.Date(2026, 1, 6, 1, 0, 0, 0, time.UTC)); len(got) != 0 {
			t.Fatalf("6 Jan: %+v", got)
		}
		for _, m := range []string{"2026-01", "2026-02", "2026-03"} {
			if _, err := db.SetDealerTarget(ctx, manager.ID, c.ID, m, 10); err != nil {
				t.Fatal(err)
			}
		}
		for m, sold := range map[string]int{"2026-01": 8, "2026-02": 9} {
			if _, err := db.RecordDealerSales(ctx, manager.ID, c.ID, m, sold); err != nil {
				t.Fatal(err)
			}
		}
		// 1 March: two months missed running, and the expiry 30 days ahead;
		// each once.
		got := kinds(time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC))
		if len(got) != 2 || got[0].Kind != domain.NoticeExpiry || got[1].Kind != domain.NoticePerformance ||
			got[1].Alert != domain.AlertMissedRunning || len(got[1].Figures) != 2 || got[1].Figures[1] != (domain.MonthFigures{Month: "2026-02", Target: 10, Sold: 9}) {
			t.Fatalf("1 Mar: %+v", got)
		}
		if got := kinds(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)); len(got) != 0 {
			t.Fatalf("2 Mar: %+v", got)
		}
		// After its end the contract expires and takes no target.
		kinds(time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC))
		_, err = db.SetDealerTarget(ctx, manager.ID, c.ID, "2026-04", 10)
		AssertError(t, err, domain.ECONFLICT, "err.dealer_not_active")
	})
}

func TestStores_R4_6_AnotherStoresContractIsNotFound(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		vehicleClock(db)
		manager := MustCreateStaff(t, db, "经理", domain.RoleManager)
		other := storagetest.AddStore(t, db, "north", "Asia/Urumqi")
		theirs := &domain.Staff{StoreID: other.ID, Name: "北经理", Roles: domain.Roles{domain.RoleManager}}
		if err := db.CreateStaff(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		c, err := db.AddSubDealer(ctx, manager.ID, newDealer("顺达"))
		if err != nil || c.StoreID != db.Stores.Default().ID {
			t.Fatalf("%+v %v", c, err)
		}
		_, err = db.RecordDealerDeposit(ctx, theirs.ID, c.ID, 100)
		AssertError(t, err, domain.ENOTFOUND, "err.dealer_unknown")
		_, err = db.SetDealerTarget(ctx, theirs.ID, c.ID, "2026-03", 5)
		AssertError(t, err, domain.ENOTFOUND, "err.dealer_unknown")
		if list, err := db.SubDealers(ctx, theirs.ID, now); err != nil || len(list) != 0 {
			t.Fatalf("their list: %+v %v", list, err)
		}
		if got, err := db.SubDealerDaily(ctx, other.ID, now); err != nil || len(got) != 0 {
			t.Fatalf("their day: %+v %v", got, err)
		}
	})
}
