package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_11_FormService_MonthStoreAndScopeInBatches: the visit register
// of a month holds exactly the visits that arrived in it, in the store's
// zone, oldest first, each once — 1,003 of them, read 500 at a time across
// runs of visits at the same second — only the reader's store's; a
// consultant gets their own; the handover form numbers its rows and
// names the first order and the delivery; bad readers are refused and an
// error of the caller's stops the read.
func TestR1_11_FormService_MonthStoreAndScopeInBatches(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db) // 2026-03-02 09:30 UTC
		main := db.Stores.Default()
		xj := storagetest.AddStore(t, db, "xj", "Asia/Urumqi")
		loc := main.Calendar.Location
		a := MustEnrolStaffIn(t, db, main, "A", 701, domain.RoleConsultant)
		b := MustEnrolStaffIn(t, db, main, "B", 702, domain.RoleConsultant)
		sup := MustEnrolStaffIn(t, db, main, "Sup", 703, domain.RoleSupervisor)
		svc := MustEnrolStaffIn(t, db, main, "Svc", 704, domain.RoleService)
		tele := MustEnrolStaffIn(t, db, main, "Tele", 705, domain.RoleTelesales)
		x := MustEnrolStaffIn(t, db, xj, "X", 801, domain.RoleConsultant)

		lead := func(owner *domain.Staff, phone string) *domain.Lead {
			l := leadIn(owner, "客户"+phone[len(phone)-2:], phone)
			l.Grade, l.Pool = domain.GradeA, domain.PoolShowroom
			return MustCreateLead(t, db, l)
		}
		la, lb, lx := lead(a, "13800000001"), lead(b, "13800000002"), lead(x, "13800000003")
		march := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
		visit := func(l *domain.Lead, by *domain.Staff, at time.Time) {
			t.Helper()
			if err := db.CreateVisit(ctx, &domain.Visit{LeadID: l.ID, RegisteredBy: by.ID, ConsultantID: by.ID, First: true, ArrivedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		// The month's edges in the store's zone.
		visit(la, a, march.Add(-time.Second))
		visit(la, a, march)
		visit(la, a, march.AddDate(0, 1, 0).Add(-time.Second))
		visit(la, a, march.AddDate(0, 1, 0))
		// 1,000 more in runs of seven at the same second, a run across each
		// batch's end; and another consultant's, and another store's.
		must(t, db.InTx(ctx, func(ctx context.Context) error {
			for i := range 1000 {
				if err := db.CreateVisit(ctx, &domain.Visit{LeadID: la.ID, RegisteredBy: a.ID, ConsultantID: a.ID,
					ArrivedAt: march.Add(time.Hour + time.Duration(i/7)*time.Minute)}); err != nil {
					return err
				}
			}
			return nil
		}))
		visit(lb, b, march.Add(2*time.Hour))
		visit(lx, x, march.Add(5*24*time.Hour)) // xj's month runs two hours behind

		read := func(by *domain.Staff, month time.Time) ([]*domain.VisitFormRow, *domain.FormExport) {
			t.Helper()
			var rows []*domain.VisitFormRow
			out, err := db.VisitForm(ctx, by.ID, month, func(r *domain.VisitFormRow) error {
				rows = append(rows, r)
				return nil
			})
			if err != nil {
				t.Fatalf("visit form of %s: %v", by.Name, err)
			}
			return rows, out
		}
		rows, out := read(sup, march.Add(10*24*time.Hour))
		if out.Store.ID != main.ID || !out.Month.Equal(march) || out.Own || out.Rows != len(rows) || out.Truncated {
			t.Errorf("export %+v", out)
		}
		if len(rows) != 1003 {
			t.Fatalf("%d rows, want 1,003 (the month's edges, 1,000, B's)", len(rows))
		}
		seen := map[int64]bool{}
		for i, r := range rows {
			if seen[r.VisitID] {
				t.Fatalf("visit %d twice", r.VisitID)
			}
			seen[r.VisitID] = true
			if i > 0 && r.ArrivedAt.Before(rows[i-1].ArrivedAt) {
				t.Fatalf("row %d out of order", i)
			}
			if r.ArrivedAt.Location() != loc {
				t.Fatalf("row %d in %v, want the store's zone", i, r.ArrivedAt.Location())
			}
		}
		if !rows[0].ArrivedAt.Equal(march) || !rows[len(rows)-1].ArrivedAt.Equal(march.AddDate(0, 1, 0).Add(-time.Second)) {
			t.Errorf("first %v last %v: want the month's first and last second", rows[0].ArrivedAt, rows[len(rows)-1].ArrivedAt)
		}
		if r := rows[0]; r.Name != la.Name || r.Phone != la.Phone || r.Consultant != "A" || r.Returning || r.Grade != domain.GradeA || r.Grade24h != "" {
			// 2026-03-01 00:00 is before now, but its day-after is not over
			// until 03-03: no 24-hour grade yet.
			t.Errorf("first row %+v", r)
		}

		mine, out := read(a, march)
		if !out.Own || len(mine) != 1002 {
			t.Errorf("A's own: %d rows, own %v; want 1,002", len(mine), out.Own)
		}
		theirs, out := read(x, march.AddDate(0, 0, 10)) // any instant of its March
		if out.Store.ID != xj.ID || len(theirs) != 1 || theirs[0].Phone != lx.Phone {
			t.Errorf("xj's consultant read %d rows of store %d", len(theirs), out.Store.ID)
		}

		_, err := db.VisitForm(ctx, svc.ID, march, func(*domain.VisitFormRow) error { return nil })
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		stop := errors.New("stop")
		n := 0
		if _, err := db.VisitForm(ctx, sup.ID, march, func(*domain.VisitFormRow) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("the caller's error: %v after %d rows", err, n)
		}

		// Attachment 2: two handovers of March, one ordered and delivered.
		handover := func(phone string) *domain.Lead {
			l := leadIn(tele, "客户"+phone[len(phone)-2:], phone)
			l.Grade = domain.GradeA
			l = MustCreateLead(t, db, l)
			if err := db.CreateHandover(ctx, &domain.Handover{LeadID: l.ID, FromID: tele.ID, ToID: a.ID, Channel: domain.SourceCall,
				ExpectedBuyBy: now.AddDate(0, 1, 0), Grade: domain.GradeA}); err != nil {
				t.Fatal(err)
			}
			return l
		}
		h1, _ := handover("13900000011"), handover("13900000012")
		h1.Pool, h1.OwnerID = domain.PoolShowroom, a.ID // accepted
		MustUpdateLead(t, db, h1)
		if _, err := db.PlaceOrder(ctx, a.ID, domain.LeadByIDRef(h1.ID), draft(125000)); err != nil {
			t.Fatal(err)
		}
		must(t, db.AddLeadEvent(ctx, &domain.LeadEvent{LeadID: h1.ID, StaffID: a.ID, At: now.Add(time.Hour), Kind: domain.EventGrade, From: "O", To: "D"}))
		var hs []*domain.HandoverFormRow
		if _, err := db.HandoverForm(ctx, sup.ID, march, func(r *domain.HandoverFormRow) error { hs = append(hs, r); return nil }); err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, r := range hs {
			got += fmt.Sprintf("%d %s %s→%s ordered %v delivered %v; ", r.No, r.Phone, r.Telesales, r.Consultant, r.OrderedAt != nil, r.DeliveredAt != nil)
		}
		if want := "1 13900000011 Tele→A ordered true delivered true; 2 13900000012 Tele→A ordered false delivered false; "; got != want {
			t.Errorf("handover form\n got %s\nwant %s", got, want)
		}
		hs = nil
		if _, err := db.HandoverForm(ctx, b.ID, march, func(r *domain.HandoverFormRow) error { hs = append(hs, r); return nil }); err != nil || len(hs) != 0 {
			t.Errorf("B, who neither filed nor received one: %d rows, %v", len(hs), err)
		}

		// The facts the form needs, told with a tap (R1.2): by whoever
		// meets the customer in the lead's store, never another store.
		no := false
		set, err := db.SetLeadDetail(ctx, b.ID, la.ID, 0, domain.LeadDetail{TradeIn: &no})
		if err != nil || !set.Lead.TradeInKnown || set.Lead.TradeIn || set.Visit != nil {
			t.Fatalf("trade-in told: %+v, %v", set, err)
		}
		if l, _ := db.LeadByID(ctx, la.ID); !l.TradeInKnown || l.TradeIn || l.Grade != domain.GradeA {
			t.Errorf("stored %+v", l)
		}
		_, err = db.SetLeadDetail(ctx, svc.ID, la.ID, 0, domain.LeadDetail{Gender: domain.GenderMale})
		AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
		_, err = db.SetLeadDetail(ctx, x.ID, la.ID, 0, domain.LeadDetail{Gender: domain.GenderMale})
		AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		_, err = db.SetLeadDetail(ctx, a.ID, la.ID, 0, domain.LeadDetail{HeardVia: "tv"})
		AssertError(t, err, domain.EINVALID, "err.invalid")
		_, err = db.SetLeadDetail(ctx, a.ID, lb.ID, rows[0].VisitID, domain.LeadDetail{Gender: domain.GenderMale})
		AssertError(t, err, domain.ENOTFOUND, "err.visit_not_found")
		if l, _ := db.LeadByID(ctx, lb.ID); l.Gender != "" {
			t.Errorf("a refused detail was stored: %+v", l)
		}
	})
}
