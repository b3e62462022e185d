package storage_test

import (
	"fmt"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_12_StartWalkInSaysWhetherSomeoneCanTakeTheCustomer: before
// reception types a walk-in's name, the service says whether a consultant
// can take them (R5.3: the first in the reception line; a consultant
// registering takes them); a customer logged meanwhile has their visit
// registered instead, line or no line.
func TestR1_12_StartWalkInSaysWhetherSomeoneCanTakeTheCustomer(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 601, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 602, domain.RoleConsultant)
		rec := MustEnrolStaff(t, db, "Rec", 603, domain.RoleReception)
		const unknown = "13900000001"

		out, err := db.StartWalkIn(ctx, rec.ID, unknown)
		AssertError(t, err, domain.EINVALID, "visit.walkin_nobody")
		if out != nil {
			t.Fatalf("nobody in line, yet %+v", out)
		}
		if out, err := db.StartWalkIn(ctx, chen.ID, unknown); err != nil || out != nil {
			t.Fatalf("a consultant takes the walk-in: %+v, %v", out, err)
		}

		l := newLead(chen, "王石", "13900000002")
		l.Pool, l.Grade = domain.PoolShowroom, domain.GradeA
		MustCreateLead(t, db, l)
		out, err = db.StartWalkIn(ctx, rec.ID, l.Phone)
		if err != nil || out == nil || out.Lead.ID != l.ID || out.Visit == nil || out.Visit.LeadID != l.ID ||
			out.Visit.RegisteredBy != rec.ID || out.Visit.ConsultantID != chen.ID || out.Registrar.ID != rec.ID {
			t.Fatalf("logged meanwhile: %+v, %v", out, err)
		}
		if vs, err := db.Visits(ctx, l.ID, 5); err != nil || len(vs) != 1 {
			t.Fatalf("%d visits, %v", len(vs), err)
		}

		must(t, db.AssignDuty(ctx, db.Stores.Default().ID, today, "showroom", liu.ID))
		if out, err := db.StartWalkIn(ctx, rec.ID, unknown); err != nil || out != nil {
			t.Fatalf("someone in line: %+v, %v", out, err)
		}
		if _, err := db.LeadByPhone(ctx, unknown); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("starting logged a lead: %v", err)
		}
	})
}

// TestR1_12_R5_3_WalkInLogsTheCustomerWithTheirVisit: a walk-in is logged
// as an N lead from the showroom with its first visit, owned by the
// consultant registering it or else the first in the reception line, who
// goes to the back of it and is told; with nobody in line or no model
// nothing is logged and the dialogue asks again; a customer logged
// meanwhile gets the visit, not a second lead.
func TestR1_12_R5_3_WalkInLogsTheCustomerWithTheirVisit(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		serviceDB(db)
		chen := MustEnrolStaff(t, db, "Chen", 611, domain.RoleConsultant)
		liu := MustEnrolStaff(t, db, "Liu", 612, domain.RoleConsultant)
		wang := MustEnrolStaff(t, db, "Wang", 613, domain.RoleConsultant)
		rec := MustEnrolStaff(t, db, "Rec", 614, domain.RoleReception)
		first := func() int64 {
			t.Helper()
			id, err := db.FirstInLine(ctx, db.Stores.Default().ID)
			must(t, err)
			return id
		}
		walkIn := func(t *testing.T, out *domain.WalkedIn, owner, registrar *domain.Staff, phone string) {
			t.Helper()
			l := out.Lead
			if !out.New || out.Again != nil || out.Owner.ID != owner.ID || l.ID == 0 || l.OwnerID != owner.ID ||
				l.Grade != domain.GradeN || l.Source != domain.SourceWalkIn || l.Pool != domain.PoolShowroom || l.NextDueAt == nil {
				t.Fatalf("walked in %+v, lead %+v", out, l)
			}
			v := out.Visit
			if v == nil || !v.Visit.First || v.Visit.LeadID != l.ID || v.Visit.ConsultantID != owner.ID ||
				v.Visit.RegisteredBy != registrar.ID || v.Collision != nil {
				t.Fatalf("visit %+v", v)
			}
			stored, err := db.LeadByPhone(ctx, phone)
			if err != nil || stored.ID != l.ID || stored.FollowUps != 1 {
				t.Fatalf("stored %+v, %v", stored, err)
			}
		}
		var chens *domain.Lead

		t.Run("Consultant", func(t *testing.T) {
			out, err := db.WalkIn(ctx, chen.ID, domain.WalkIn{Phone: "13900000011", Name: "李四", Model: "天籁"})
			if err != nil {
				t.Fatal(err)
			}
			walkIn(t, out, chen, chen, "13900000011")
			if out.Told || out.Lead.Model != "天籁" || out.Lead.Name != "李四" {
				t.Fatalf("their own walk-in: %+v", out)
			}
			chens = out.Lead
		})
		t.Run("AskedAgain", func(t *testing.T) {
			for _, c := range []struct {
				w   domain.WalkIn
				key string
			}{
				{domain.WalkIn{Phone: "13900000012", Name: "赵六", Model: "轩逸"}, "visit.walkin_nobody"},
				{domain.WalkIn{Phone: "13900000012", Name: "赵六", Model: " "}, "err.model_empty"},
			} {
				out, err := db.WalkIn(ctx, rec.ID, c.w)
				if err != nil || out.Lead != nil || out.Visit != nil || out.New {
					t.Fatalf("%q: %+v, %v", c.key, out, err)
				}
				AssertError(t, out.Again, domain.EINVALID, c.key)
				if _, err := db.LeadByPhone(ctx, c.w.Phone); domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Fatalf("%q: logged anyway (%v)", c.key, err)
				}
			}
		})
		t.Run("FirstInLine", func(t *testing.T) {
			must(t, db.AssignDuty(ctx, db.Stores.Default().ID, today, "showroom", liu.ID))
			must(t, db.AssignDuty(ctx, db.Stores.Default().ID, today, "showroom", wang.ID))
			if first() != liu.ID {
				t.Fatalf("first in line %d, want Liu %d", first(), liu.ID)
			}
			out, err := db.WalkIn(ctx, rec.ID, domain.WalkIn{Phone: "13900000012", Name: "赵六", Model: "轩逸"})
			if err != nil {
				t.Fatal(err)
			}
			walkIn(t, out, liu, rec, "13900000012")
			if !out.Told {
				t.Error("Liu is not told of the customer")
			}
			q, err := db.Queue(ctx, db.Stores.Default().ID)
			if err != nil || fmt.Sprint(q.Order) != fmt.Sprint([]int64{wang.ID, liu.ID}) {
				t.Fatalf("line %v, want Wang then Liu; %v", q.Order, err)
			}
		})
		t.Run("LoggedMeanwhile", func(t *testing.T) {
			if chens == nil {
				t.Skip("Chen's walk-in was not logged")
			}
			out, err := db.WalkIn(ctx, rec.ID, domain.WalkIn{Phone: chens.Phone, Name: "李四", Model: "天籁"})
			if err != nil || out.New || out.Again != nil || out.Owner != nil || out.Lead == nil || out.Lead.ID != chens.ID ||
				out.Visit == nil || out.Visit.Visit.First || out.Visit.Visit.ConsultantID != chen.ID {
				t.Fatalf("logged meanwhile: %+v, %v", out, err)
			}
			if vs, err := db.Visits(ctx, chens.ID, 5); err != nil || len(vs) != 2 {
				t.Fatalf("%d visits, %v", len(vs), err)
			}
			if first() != wang.ID {
				t.Fatal("the line moved for a customer already logged")
			}
		})
	})
}
