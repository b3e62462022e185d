package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// TestR1_14_CollisionService walks a collision through the service,
// without Telegram: opened from a logged lead or a disputed visit, the
// sides' notes within 24 hours, one final ruling by someone who is not a
// side, the lead moved to the winner, and the month's transfers.
func TestR1_14_CollisionService(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustEnrolStaff(t, db, "A", 201, domain.RoleConsultant)
		b := MustEnrolStaff(t, db, "B", 202, domain.RoleConsultant)
		tele := MustEnrolStaff(t, db, "Tele", 203, domain.RoleTelesales)
		boss := MustEnrolStaff(t, db, "Boss", 204, domain.RoleSupervisor)
		mgr := MustEnrolStaff(t, db, "Mgr", 205, domain.RoleManager)
		MustCreateStaff(t, db, "Unenrolled", domain.RoleSupervisor)
		mk := func(owner *domain.Staff, phone string) *domain.Lead {
			l := newLead(owner, "Customer "+phone, phone)
			l.Grade, l.Pool = domain.GradeH, domain.PoolOf(owner.Roles)
			return MustCreateLead(t, db, l)
		}
		l := mk(a, "13600000001")

		t.Run("ErrOpen", func(t *testing.T) {
			_, err := db.OpenCollision(ctx, l.ID, a.ID, domain.SourceWalkIn)
			AssertError(t, err, domain.EINVALID, "err.invalid") // one's own lead
			_, err = db.OpenCollision(ctx, 999999, b.ID, domain.SourceWalkIn)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
			closed := mk(a, "13600000009")
			closed.Grade = domain.GradeF
			MustUpdateLead(t, db, closed)
			_, err = db.OpenCollision(ctx, closed.ID, b.ID, domain.SourceWalkIn)
			AssertError(t, err, domain.EINVALID, "err.lead_closed")
		})

		var c *domain.Collision
		t.Run("Open", func(t *testing.T) {
			out, err := db.OpenCollision(ctx, l.ID, b.ID, domain.SourceWalkIn)
			if err != nil {
				t.Fatal(err)
			}
			c = out.Collision
			if !out.Created || c.ID == 0 || c.OwnerID != a.ID || c.ClaimantID != b.ID || c.Status != domain.CollisionOpen ||
				!c.ClaimedAt.Equal(now) || out.Owner.ID != a.ID || out.Claimant.ID != b.ID || out.Lead.ID != l.ID ||
				out.Last != nil || fmt.Sprint(names(out.Supervisors)) != "[Boss]" {
				t.Fatalf("opened %+v %+v", out, c)
			}
			again, err := db.OpenCollision(ctx, l.ID, b.ID, domain.SourceCall)
			if err != nil || again.Created || again.Collision.ID != c.ID || again.Supervisors != nil {
				t.Fatalf("again %+v, %v", again, err)
			}
		})

		t.Run("Notes", func(t *testing.T) {
			if _, err := db.CollisionNoteToAdd(ctx, c.ID, a.ID, "a"); err != nil {
				t.Fatal(err)
			}
			_, err := db.CollisionNoteToAdd(ctx, c.ID, b.ID, "a")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.CollisionNoteToAdd(ctx, c.ID, b.ID, "c")
			AssertError(t, err, domain.EINVALID, "err.invalid")
			_, err = db.CollisionNoteToAdd(ctx, 999999, b.ID, "b")
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.AddCollisionNote(ctx, c.ID, b.ID, "b", "  ")
			AssertError(t, err, domain.EINVALID, "err.note_empty")
			_, err = db.AddCollisionNote(ctx, c.ID, a.ID, "b", "not mine")
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			out, err := db.AddCollisionNote(ctx, c.ID, b.ID, "b", " walked in ")
			if err != nil || out.Note != "walked in" || out.Collision.NoteB != "walked in" || out.Author.ID != b.ID ||
				fmt.Sprint(names(out.Supervisors)) != "[Boss]" {
				t.Fatalf("noted %+v, %v", out, err)
			}
			if got, _ := db.CollisionByID(ctx, c.ID); got.NoteB != "walked in" {
				t.Fatalf("stored %+v", got)
			}
			db.Now = func() time.Time { return now.Add(25 * time.Hour) }
			defer fixClock(db)
			_, err = db.CollisionNoteToAdd(ctx, c.ID, a.ID, "a")
			AssertError(t, err, domain.ECONFLICT, "collision.notes_closed")
			_, err = db.AddCollisionNote(ctx, c.ID, a.ID, "a", "late")
			AssertError(t, err, domain.ECONFLICT, "collision.notes_closed")
		})

		t.Run("Decide", func(t *testing.T) {
			for _, s := range []*domain.Staff{a, b, tele} { // the sides never rule; nor does telesales
				_, err := db.DecideCollision(ctx, c.ID, "b", s.ID)
				AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			}
			_, err := db.DecideCollision(ctx, 999999, "b", boss.ID)
			AssertError(t, err, domain.ENOTFOUND, "callback.stale")
			_, err = db.DecideCollision(ctx, c.ID, "b", 999999) // nobody we know
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			_, err = db.DecideCollision(ctx, c.ID, "c", boss.ID)
			AssertError(t, err, domain.EINVALID, "err.invalid")
			out, err := db.DecideCollision(ctx, c.ID, "b", mgr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if out.Winner.ID != b.ID || out.Decider.ID != mgr.ID || out.Lead.OwnerID != b.ID || out.Lead.Pool != domain.PoolShowroom ||
				out.Collision.Status != domain.CollisionRuled || out.Collision.WinnerID != b.ID ||
				fmt.Sprint(names(out.Supervisors)) != "[Boss]" || fmt.Sprint(names(out.Managers)) != "[Mgr]" {
				t.Fatalf("ruled %+v", out)
			}
			if got, _ := db.LeadByID(ctx, l.ID); got.OwnerID != b.ID {
				t.Fatalf("lead %+v", got)
			}
			// Decide once: the second tap, either way, is refused and changes nothing.
			_, err = db.DecideCollision(ctx, c.ID, "a", boss.ID)
			AssertError(t, err, domain.ECONFLICT, "collision.final")
			// Who may rule is asked first: a side is refused as a side, ruled or not.
			_, err = db.DecideCollision(ctx, c.ID, "a", a.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.forbidden")
			if got, _ := db.CollisionByID(ctx, c.ID); got.WinnerID != b.ID || got.DeciderID != mgr.ID {
				t.Fatalf("stored %+v", got)
			}
			_, err = db.AddCollisionNote(ctx, c.ID, b.ID, "b", "after")
			AssertError(t, err, domain.ECONFLICT, "collision.ruled")
		})

		t.Run("Dispute", func(t *testing.T) {
			tl := mk(tele, "13600000002")
			v := &domain.Visit{LeadID: tl.ID, RegisteredBy: b.ID, ConsultantID: b.ID, First: true}
			must(t, db.CreateVisit(ctx, v))
			_, err := db.DisputeVisit(ctx, v.ID, a.ID)
			AssertError(t, err, domain.EFORBIDDEN, "err.lead_not_yours")
			_, err = db.DisputeVisit(ctx, 999999, tele.ID)
			AssertError(t, err, domain.ENOTFOUND, "err.visit_not_found")
			db.Now = func() time.Time { return now.Add(25 * time.Hour) }
			_, err = db.DisputeVisit(ctx, v.ID, tele.ID)
			AssertError(t, err, domain.ECONFLICT, "collision.dispute_late")
			fixClock(db)
			out, err := db.DisputeVisit(ctx, v.ID, tele.ID)
			if err != nil || !out.Created || out.Owner.ID != tele.ID || out.Claimant.ID != b.ID ||
				out.Collision.Source != domain.SourceWalkIn || fmt.Sprint(names(out.Supervisors)) != "[Boss]" {
				t.Fatalf("disputed %+v, %v", out, err)
			}
			// The owner keeps it: nothing moves, nothing to transfer.
			ruled, err := db.DecideCollision(ctx, out.Collision.ID, "a", boss.ID)
			if err != nil || ruled.Winner.ID != tele.ID || ruled.Lead.OwnerID != tele.ID || ruled.Lead.Pool != domain.PoolTelesales {
				t.Fatalf("ruled %+v, %v", ruled, err)
			}
		})

		t.Run("Transfers", func(t *testing.T) {
			got, err := db.Transfers(ctx, mgr.ID, now.Add(-time.Hour), now.Add(time.Hour))
			if err != nil || len(got) != 1 || got[0].LeadID != l.ID || got[0].Kind != domain.EventOwner ||
				got[0].From != fmt.Sprint(a.ID) || got[0].To != fmt.Sprint(b.ID) || got[0].Why != domain.WhyRuling || got[0].StaffID != mgr.ID {
				t.Fatalf("transfers %+v, %v", got, err)
			}
			if got, err := db.Transfers(ctx, mgr.ID, now.Add(time.Hour), now.Add(2*time.Hour)); err != nil || len(got) != 0 {
				t.Fatalf("later %+v, %v", got, err)
			}
		})
	})
}
