package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// newComplaint returns a service complaint owned by owner in department.
func newComplaint(owner *domain.Staff, department string) *domain.Complaint {
	store := owner.StoreID
	if store == 0 {
		store = 1 // the default store: a member written as an old version did
	}
	return &domain.Complaint{StoreID: store, Customer: "Li Na", Phone: "13900000001", Channel: domain.ChannelCall,
		Subject: domain.SubjectService, Department: department, Description: "Waited two hours",
		OwnerID: owner.ID, RegisteredBy: owner.ID}
}

// complaintString writes every field of c, pointers followed and times in
// UTC, for comparisons.
func complaintString(c *domain.Complaint) string {
	ts := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.Format(time.RFC3339Nano) + "@" + t.Location().String()
	}
	valid := "nil"
	if c.Valid != nil {
		valid = fmt.Sprint(*c.Valid)
	}
	x := *c
	x.Valid, x.FirstReplyAt, x.ContactedAt, x.SolutionAt, x.OpinionAt, x.ResultAt, x.LastProgressAt, x.ClosedAt =
		nil, nil, nil, nil, nil, nil, nil, nil
	x.CreatedAt, x.OpenedAt = time.Time{}, time.Time{}
	return fmt.Sprintf("%+v valid=%s created=%s opened=%s reply=%s contacted=%s solution=%s opinion=%s result=%s progress=%s closed=%s",
		x, valid, ts(&c.CreatedAt), ts(&c.OpenedAt), ts(c.FirstReplyAt), ts(c.ContactedAt), ts(c.SolutionAt),
		ts(c.OpinionAt), ts(c.ResultAt), ts(c.LastProgressAt), ts(c.ClosedAt))
}

// assertComplaint fails unless the stored complaint c.ID equals c.
func assertComplaint(tb testing.TB, db *storage.DB, c *domain.Complaint) {
	tb.Helper()
	got, err := db.ComplaintByID(ctx, c.ID)
	if err != nil {
		tb.Fatal(err)
	}
	if g, w := complaintString(got), complaintString(c); g != w {
		tb.Fatalf("stored complaint differs\ngot  %s\nwant %s", g, w)
	}
}

// errRollback makes InTx roll back in tests.
var errRollback = errors.New("roll back")

// complaintIDs returns the complaints' ids in order.
func complaintIDs(list []*domain.Complaint) []int64 {
	out := make([]int64, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func TestComplaintRoundTrip(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Zhou Qiang", domain.RoleConsultant)
		t.Run("Defaults", func(t *testing.T) {
			c := newComplaint(owner, "Sales")
			must(t, db.CreateComplaint(ctx, c))
			if c.ID == 0 || c.Status != domain.ComplaintOpen || !c.CreatedAt.Equal(now) || !c.OpenedAt.Equal(now) ||
				c.Valid != nil || c.ClosedAt != nil {
				t.Fatalf("created %+v", c)
			}
			assertComplaint(t, db, c)
		})
		t.Run("AllFields", func(t *testing.T) {
			shanghai := time.FixedZone("CST", 8*3600)
			yes := true
			north := storagetest.AddStore(t, db, "north", "Asia/Urumqi") // the store round-trips too
			c := &domain.Complaint{StoreID: north.ID, Customer: "Chen Jie", Phone: "13900000002", LeadID: 12345,
				Channel: domain.ChannelTicket, Subject: domain.SubjectProduct, Model: "Camry 2.5",
				ProblemType: "noise", ProblemAt: "last Tuesday", VIN: "LVGBE40K08G123456", Appraisal: true,
				Department: "Service", Description: "Rattle <b>'x'</b>; DROP TABLE 😀", OwnerID: owner.ID,
				RegisteredBy: 77, Status: domain.ComplaintClosing, Valid: &yes, Satisfaction: domain.Neutral,
				CreatedAt: now.Add(-48 * time.Hour).In(shanghai).Add(123 * time.Nanosecond), OpenedAt: now.Add(-time.Hour),
				FirstReplyAt: at(-50 * time.Minute), ContactedAt: at(-40 * time.Minute), SolutionAt: at(-30 * time.Minute),
				OpinionAt: at(-20 * time.Minute), ResultAt: at(-10 * time.Minute), LastProgressAt: at(-5 * time.Minute),
				ClosedAt: at(-time.Minute)}
			must(t, db.CreateComplaint(ctx, c))
			if c.CreatedAt.Location() != time.UTC || c.CreatedAt.Nanosecond()%1000 != 0 {
				t.Fatalf("created at %v: not as stored", c.CreatedAt)
			}
			assertComplaint(t, db, c)

			// Valid false, and every step cleared again.
			no := false
			c.Valid, c.Status, c.Satisfaction = &no, domain.ComplaintOpen, ""
			c.FirstReplyAt, c.ContactedAt, c.SolutionAt, c.OpinionAt, c.ResultAt, c.LastProgressAt, c.ClosedAt =
				nil, nil, nil, nil, nil, nil, nil
			c.OpenedAt = now.In(shanghai)
			c.Appraisal, c.VIN, c.Model, c.Subject, c.LeadID = false, "", "", domain.SubjectService, 0
			must(t, db.UpdateComplaint(ctx, c))
			if c.OpenedAt.Location() != time.UTC {
				t.Fatalf("opened at %v: not as stored", c.OpenedAt)
			}
			assertComplaint(t, db, c)

			// Valid back to nil; the creation time is not saved.
			c.Valid = nil
			created := c.CreatedAt
			c.CreatedAt = now.Add(time.Hour)
			must(t, db.UpdateComplaint(ctx, c))
			c.CreatedAt = created
			assertComplaint(t, db, c)
		})
		t.Run("NotFound", func(t *testing.T) {
			_, err := db.ComplaintByID(ctx, 999999)
			AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
			c := newComplaint(owner, "Sales")
			c.ID = 999999
			AssertError(t, db.UpdateComplaint(ctx, c), domain.ENOTFOUND, "err.complaint_not_found")
			err = db.AddComplaintAction(ctx, &storage.ComplaintAction{ComplaintID: 999999, Kind: "reply"})
			AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
		})
		t.Run("InTx", func(t *testing.T) {
			// A rolled-back transaction leaves nothing behind.
			var id int64
			err := db.InTx(ctx, func(ctx context.Context) error {
				c := newComplaint(owner, "Sales")
				if err := db.CreateComplaint(ctx, c); err != nil {
					return err
				}
				id = c.ID
				if _, err := db.ComplaintByID(ctx, id); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			_, err = db.ComplaintByID(ctx, id)
			AssertError(t, err, domain.ENOTFOUND, "err.complaint_not_found")
		})
	})
}

func TestComplaints(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "Owner A")
		b := MustCreateStaff(t, db, "Owner B")
		mk := func(owner *domain.Staff, dept, status string, age time.Duration) int64 {
			c := newComplaint(owner, dept)
			c.Status, c.CreatedAt = status, now.Add(-age)
			must(t, db.CreateComplaint(ctx, c))
			return c.ID
		}
		c1 := mk(a, "Sales", domain.ComplaintOpen, 72*time.Hour)
		c2 := mk(b, "Service", domain.ComplaintClosing, 48*time.Hour)
		c3 := mk(a, "Service", domain.ComplaintClosed, 24*time.Hour)
		c4 := mk(b, "Sales", domain.ComplaintOpen, time.Hour)
		c5 := mk(a, "Sales", domain.ComplaintClosing, 0)
		for _, tc := range []struct {
			name string
			f    storage.ComplaintFilter
			want []int64
		}{
			{"All", storage.ComplaintFilter{}, []int64{c1, c2, c3, c4, c5}},
			{"Owner", storage.ComplaintFilter{OwnerID: a.ID}, []int64{c1, c3, c5}},
			{"Department", storage.ComplaintFilter{Department: "Sales"}, []int64{c1, c4, c5}},
			{"Statuses", storage.ComplaintFilter{Statuses: []string{domain.ComplaintOpen, domain.ComplaintClosing}},
				[]int64{c1, c2, c4, c5}},
			{"Status", storage.ComplaintFilter{Statuses: []string{domain.ComplaintClosed}}, []int64{c3}},
			{"From", storage.ComplaintFilter{CreatedFrom: now.Add(-24 * time.Hour)}, []int64{c3, c4, c5}},
			{"To", storage.ComplaintFilter{CreatedTo: now.Add(-24 * time.Hour)}, []int64{c1, c2}},
			{"Range", storage.ComplaintFilter{CreatedFrom: now.Add(-48 * time.Hour), CreatedTo: now}, []int64{c2, c3, c4}},
			{"RangeOtherZone", storage.ComplaintFilter{CreatedFrom: now.Add(-48 * time.Hour).In(time.FixedZone("CST", 8*3600)),
				CreatedTo: now.In(time.FixedZone("CST", 8*3600))}, []int64{c2, c3, c4}},
			{"Limit", storage.ComplaintFilter{Limit: 2}, []int64{c1, c2}},
			{"Combined", storage.ComplaintFilter{OwnerID: a.ID, Department: "Sales",
				Statuses: []string{domain.ComplaintOpen, domain.ComplaintClosing}, CreatedFrom: now.Add(-96 * time.Hour),
				CreatedTo: now.Add(time.Second), Limit: 5}, []int64{c1, c5}},
			{"None", storage.ComplaintFilter{OwnerID: b.ID, Statuses: []string{domain.ComplaintClosed}}, []int64{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := db.Complaints(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if ids := complaintIDs(got); !slices.Equal(ids, tc.want) {
					t.Fatalf("got %v, want %v", ids, tc.want)
				}
			})
		}
		got, err := db.Complaints(ctx, storage.ComplaintFilter{OwnerID: a.ID, Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v", got, err)
		}
		assertComplaint(t, db, got[0])
	})
}

func TestComplaintActions(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Sun Hao")
		c := newComplaint(owner, "Sales")
		must(t, db.CreateComplaint(ctx, c))
		other := newComplaint(owner, "Sales")
		must(t, db.CreateComplaint(ctx, other))

		if got, err := db.ComplaintActions(ctx, c.ID); err != nil || len(got) != 0 {
			t.Fatalf("no actions yet: %v, %v", got, err)
		}
		add := func(complaintID int64, kind string, at time.Time) storage.ComplaintAction {
			a := storage.ComplaintAction{ComplaintID: complaintID, StaffID: owner.ID, Kind: kind, Note: "note " + kind, At: at}
			must(t, db.AddComplaintAction(ctx, &a))
			if a.ID == 0 || a.At.Location() != time.UTC {
				t.Fatalf("added %+v", a)
			}
			return a
		}
		// Added out of order; one with no time gets now.
		late := add(c.ID, "progress", now.Add(time.Hour))
		nowA := add(c.ID, "contact", time.Time{})
		early := add(c.ID, "reply", now.Add(-time.Hour).In(time.FixedZone("CST", 8*3600)))
		tie := add(c.ID, "note", now)
		add(other.ID, "reply", now.Add(-2*time.Hour))

		got, err := db.ComplaintActions(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []storage.ComplaintAction{early, nowA, tie, late}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.ID != w.ID || g.ComplaintID != w.ComplaintID || g.StaffID != w.StaffID || g.Kind != w.Kind ||
				g.Note != w.Note || !g.At.Equal(w.At) || g.At.Location() != time.UTC {
				t.Fatalf("action %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

func TestComplaintCards(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Sun Hao")
		c := newComplaint(owner, "Sales")
		must(t, db.CreateComplaint(ctx, c))
		t.Run("OK", func(t *testing.T) {
			first := domain.ComplaintCard{ComplaintID: c.ID, StaffID: owner.ID, Kind: domain.CardComplaint, Key: "upd:1:1"}
			must(t, db.AddComplaintCard(ctx, &first))
			esc := domain.ComplaintCard{ComplaintID: c.ID, StaffID: owner.ID, Kind: domain.CardEscalation, Key: "cmp-esc:1", Headline: "late"}
			must(t, db.AddComplaintCard(ctx, &esc))
			// The same message again (a push rewritten) is one card.
			again := domain.ComplaintCard{ComplaintID: c.ID, StaffID: owner.ID, Kind: domain.CardEscalation, Key: "cmp-esc:1", Headline: "other"}
			must(t, db.AddComplaintCard(ctx, &again))
			got, err := db.ComplaintCards(ctx, c.ID)
			if err != nil || len(got) != 2 || got[0].Key != "upd:1:1" || got[1].Headline != "late" || got[1].Kind != domain.CardEscalation {
				t.Fatalf("cards %+v, %v", got, err)
			}
			must(t, db.DeleteComplaintCard(ctx, got[0].ID))
			if got, err := db.ComplaintCards(ctx, c.ID); err != nil || len(got) != 1 || got[0].Key != "cmp-esc:1" {
				t.Fatalf("after delete %+v, %v", got, err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			err := db.AddComplaintCard(ctx, &domain.ComplaintCard{ComplaintID: 999, StaffID: owner.ID, Kind: domain.CardComplaint, Key: "x"})
			if domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Fatalf("got %v", err)
			}
		})
	})
}
