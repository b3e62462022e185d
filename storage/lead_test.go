package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// newLead returns a valid lead of owner with phone.
func newLead(owner *domain.Staff, name, phone string) *domain.Lead {
	return &domain.Lead{StoreID: owner.StoreID, Name: name, Phone: phone, Source: domain.SourceCall, Model: "Camry", OwnerID: owner.ID,
		Pool: domain.PoolTelesales}
}

// MustCreateLead stores l, which must be accepted, and returns it.
func MustCreateLead(tb testing.TB, db *storage.DB, l *domain.Lead) *domain.Lead {
	tb.Helper()
	if err := db.CreateLead(ctx, l); err != nil {
		tb.Fatalf("create lead %q: %v", l.Name, err)
	}
	return l
}

// MustUpdateLead saves l, which must be accepted.
func MustUpdateLead(tb testing.TB, db *storage.DB, l *domain.Lead) {
	tb.Helper()
	if err := db.UpdateLead(ctx, l); err != nil {
		tb.Fatalf("update lead %d: %v", l.ID, err)
	}
}

// at returns now moved by d, as a pointer.
func at(d time.Duration) *time.Time {
	t := now.Add(d)
	return &t
}

// leadString writes every field of l, times in UTC, for comparisons.
func leadString(l *domain.Lead) string {
	ts := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.Format(time.RFC3339Nano) + "@" + t.Location().String()
	}
	c := *l
	c.LastContactAt, c.NextDueAt, c.GradedAt = nil, nil, nil
	return fmt.Sprintf("%+v last=%s next=%s graded=%s created=%s", c, ts(l.LastContactAt), ts(l.NextDueAt),
		ts(l.GradedAt), ts(&l.CreatedAt))
}

// assertLead fails unless the stored lead l.ID equals l.
func assertLead(tb testing.TB, db *storage.DB, l *domain.Lead) {
	tb.Helper()
	got, err := db.LeadByID(ctx, l.ID)
	if err != nil {
		tb.Fatal(err)
	}
	if g, w := leadString(got), leadString(l); g != w {
		tb.Fatalf("stored lead differs\ngot  %s\nwant %s", g, w)
	}
}

// assertLeadExists fails unless err is the ECONFLICT naming lead id of owner.
func assertLeadExists(tb testing.TB, err error, id int64, owner string) {
	tb.Helper()
	AssertError(tb, err, domain.ECONFLICT, "err.lead_exists")
	var de *domain.Error
	errors.As(err, &de)
	if !slices.Equal(de.Args, []any{id, owner}) {
		tb.Fatalf("args %#v, want lead %d of %q", de.Args, id, owner)
	}
}

// ids returns the leads' ids in order.
func ids(list []*domain.Lead) []int64 {
	out := make([]int64, len(list))
	for i, l := range list {
		out[i] = l.ID
	}
	return out
}

func TestCreateLead(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Wang Li", domain.RoleTelesales)
		other := MustCreateStaff(t, db, "Zhao Min", domain.RoleConsultant)
		t.Run("OK", func(t *testing.T) {
			// 4,000 characters, with emoji, HTML and SQL's special characters.
			pattern := []rune("试驾 🚗 <b>&amp;</b> <&> 'x' \"y\" \\ %_\n")
			notes := make([]rune, domain.MaxNoteLen)
			for i := range notes {
				notes[i] = pattern[i%len(pattern)]
			}
			l := &domain.Lead{StoreID: owner.StoreID, Name: "  Chen  Jie ", Phone: "+86 138-0013-8000", Gender: "M", Returning: true,
				Source: domain.SourceWeb, HeardVia: "radio", Model: " Camry  2.5 ", TradeIn: true, Notes: string(notes),
				OwnerID: owner.ID, Pool: domain.PoolTelesales, LastContactAt: at(-time.Hour),
				FollowUps: 2, FirstWeekFollowUps: 2, NextDueAt: at(47 * time.Hour), GradedAt: at(-2 * time.Hour),
				LostNote: "n/a"}
			MustCreateLead(t, db, l)
			if l.ID == 0 || !l.CreatedAt.Equal(now) || l.Name != "Chen Jie" || l.Phone != "13800138000" ||
				l.Model != "Camry 2.5" || l.Grade != domain.GradeN {
				t.Fatalf("created %s", leadString(l))
			}
			if n := len([]rune(l.Notes)); n != domain.MaxNoteLen {
				t.Fatalf("notes of %d characters", n)
			}
			assertLead(t, db, l)
		})
		t.Run("CreatedAtKept", func(t *testing.T) {
			created := now.Add(-72 * time.Hour).In(time.FixedZone("CST", 8*3600))
			l := newLead(owner, "Old", "13800000001")
			l.CreatedAt = created
			MustCreateLead(t, db, l)
			if !l.CreatedAt.Equal(created) || l.CreatedAt.Location() != time.UTC {
				t.Fatalf("created at %v", l.CreatedAt)
			}
			assertLead(t, db, l)
		})
		t.Run("ErrOpenPhoneTaken", func(t *testing.T) {
			first := MustCreateLead(t, db, newLead(owner, "First", "13800000002"))
			err := db.CreateLead(ctx, newLead(other, "Second", "138 0000 0002"))
			assertLeadExists(t, err, first.ID, "Wang Li")
		})
		t.Run("ClosedPhoneReused", func(t *testing.T) {
			lost := MustCreateLead(t, db, newLead(owner, "Lost", "13800000003"))
			lost.Grade, lost.LostNote = domain.GradeF, "bought elsewhere"
			MustUpdateLead(t, db, lost)
			again := MustCreateLead(t, db, newLead(other, "Again", "13800000003"))
			if got, err := db.LeadByPhone(ctx, "13800000003"); err != nil || got.ID != again.ID {
				t.Fatalf("by phone: %v, %v; want the open lead %d", got, err, again.ID)
			}
			again.Grade = domain.GradeL
			MustUpdateLead(t, db, again)
			if got, err := db.LeadByPhone(ctx, "13800000003"); err != nil || got.ID != again.ID {
				t.Fatalf("by phone: %v, %v; want the newest closed lead %d", got, err, again.ID)
			}
		})
		t.Run("ClosedGradeNeverCollides", func(t *testing.T) {
			MustCreateLead(t, db, newLead(owner, "Open", "13800000004"))
			l := newLead(other, "Unreachable", "13800000004")
			l.Grade = domain.GradeL
			MustCreateLead(t, db, l)
		})
		t.Run("ErrConflictKeepsOuterTx", func(t *testing.T) {
			first := MustCreateLead(t, db, newLead(owner, "Kept", "13800000005"))
			var later *domain.Lead
			err := db.InTx(ctx, func(ctx context.Context) error {
				err := db.CreateLead(ctx, newLead(other, "Refused", "13800000005"))
				assertLeadExists(t, err, first.ID, "Wang Li")
				// The transaction is still usable (PostgreSQL would abort it
				// at a unique violation).
				later = newLead(other, "Later", "13800000006")
				return db.CreateLead(ctx, later)
			})
			if err != nil {
				t.Fatal(err)
			}
			assertLead(t, db, later)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			AssertError(t, db.CreateLead(ctx, newLead(owner, "Bad", "12345")), domain.EINVALID, "err.phone_bad")
			AssertError(t, db.CreateLead(ctx, newLead(owner, " ", "13800000007")), domain.EINVALID, "err.name_empty")
			l := newLead(owner, "Long", "13800000007")
			l.Notes = strings.Repeat("字", domain.MaxNoteLen+1)
			AssertError(t, db.CreateLead(ctx, l), domain.EINVALID, "err.note_long")
		})
		t.Run("ErrNoOwner", func(t *testing.T) {
			l := newLead(owner, "Orphan", "13800000008")
			l.OwnerID = 999999
			AssertError(t, db.CreateLead(ctx, l), domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.LeadByID(ctx, 999999)
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
			_, err = db.LeadByPhone(ctx, "13999999999")
			AssertError(t, err, domain.ENOTFOUND, "err.lead_phone_not_found")
		})
	})
}

// TestCreateLeadConcurrent claims one customer from ten chats at once:
// exactly one lead is stored, and the nine others are told whose it is.
func TestCreateLeadConcurrent(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		const writers = 10
		staff := make([]*domain.Staff, writers)
		for i := range staff {
			staff[i] = MustCreateStaff(t, db, fmt.Sprintf("Seller %d", i))
		}
		leads := make([]*domain.Lead, writers)
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			leads[i] = newLead(staff[i], "Race", "13900000000")
			wg.Go(func() { errs[i] = db.CreateLead(ctx, leads[i]) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("sellers %d and %d both created the lead", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("nobody created the lead: %v", errs)
		}
		for i, err := range errs {
			if i != winner {
				assertLeadExists(t, err, leads[winner].ID, staff[winner].Name)
			}
		}
		if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM leads WHERE phone = ?", "13900000000"); err != nil || n != 1 {
			t.Fatalf("%d leads stored, %v", n, err)
		}
	})
}

func TestUpdateLead(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Wang Li", domain.RoleTelesales)
		other := MustCreateStaff(t, db, "Zhao Min", domain.RoleConsultant)
		t.Run("OK", func(t *testing.T) {
			l := MustCreateLead(t, db, newLead(owner, "Before", "13700000001"))
			created := l.CreatedAt
			l.Name, l.Phone, l.Gender, l.Returning, l.Source, l.HeardVia = " After ", "137-0000-0009", "F", true, domain.SourceReferral, "friends"
			l.Model, l.TradeIn, l.Notes, l.OwnerID, l.Pool = "RAV4", true, "<i>note</i> & 🚙", other.ID, domain.PoolShowroom
			l.LastContactAt, l.FollowUps, l.FirstWeekFollowUps = at(time.Minute), 4, 3
			l.NextDueAt, l.GradedAt, l.Grade, l.LostNote = at(72*time.Hour), at(time.Minute), domain.GradeO, "x"
			l.CreatedAt = now.Add(time.Hour) // never saved
			MustUpdateLead(t, db, l)
			if l.Name != "After" || l.Phone != "13700000009" {
				t.Fatalf("updated %s", leadString(l))
			}
			l.CreatedAt = created
			assertLead(t, db, l)
			// Nothing due any more: the due time goes back to NULL.
			l.Grade, l.NextDueAt = domain.GradeD, nil
			MustUpdateLead(t, db, l)
			assertLead(t, db, l)
		})
		t.Run("ErrReopenCollides", func(t *testing.T) {
			old := MustCreateLead(t, db, newLead(owner, "Old", "13700000002"))
			old.Grade = domain.GradeF
			MustUpdateLead(t, db, old)
			current := MustCreateLead(t, db, newLead(other, "Current", "13700000002"))
			err := db.InTx(ctx, func(ctx context.Context) error {
				reopen := *old
				reopen.Grade = domain.GradeH
				assertLeadExists(t, db.UpdateLead(ctx, &reopen), current.ID, "Zhao Min")
				// The transaction is still usable (PostgreSQL would abort it
				// at a unique violation).
				_, err := db.LeadByID(ctx, old.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			assertLead(t, db, old)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			l := newLead(owner, "Ghost", "13700000003")
			l.ID = 999999
			AssertError(t, db.UpdateLead(ctx, l), domain.ENOTFOUND, "err.lead_not_found")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			l := MustCreateLead(t, db, newLead(owner, "Valid", "13700000004"))
			bad := *l
			bad.Grade = "X"
			AssertError(t, db.UpdateLead(ctx, &bad), domain.EINVALID, "err.grade_bad")
			bad = *l
			bad.Phone = "123"
			AssertError(t, db.UpdateLead(ctx, &bad), domain.EINVALID, "err.phone_bad")
			assertLead(t, db, l)
		})
		t.Run("ErrNoOwner", func(t *testing.T) {
			l := MustCreateLead(t, db, newLead(owner, "Owned", "13700000005"))
			bad := *l
			bad.OwnerID = 999999
			AssertError(t, db.UpdateLead(ctx, &bad), domain.ENOTFOUND, "err.staff_not_found")
		})
	})
}

func TestFindLeads(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		a := MustCreateStaff(t, db, "Owner A")
		b := MustCreateStaff(t, db, "Owner B")
		lead := func(owner *domain.Staff, name, phone string, age time.Duration) int64 {
			l := newLead(owner, name, phone)
			l.CreatedAt = now.Add(-age)
			return MustCreateLead(t, db, l).ID
		}
		wangLi := lead(a, "Wang Li", "13811110000", 5*time.Hour)
		wangLei := lead(b, "WANG Lei", "13822220000", 4*time.Hour)
		underscore := lead(a, "Li_Na", "13833330000", 3*time.Hour)
		percent := lead(b, "100% Zhang", "13844440000", 2*time.Hour)
		backslash := lead(a, `Ma\Jun`, "13855550000", time.Hour)
		chinese := lead(b, "张伟", "01012345678", 0)
		for _, c := range []struct {
			name         string
			text         string
			only, prefer int64
			limit        int
			want         []int64
		}{
			{"CaseFolded", "wang", 0, 0, 0, []int64{wangLei, wangLi}},
			{"PreferOwner", "Wang", 0, a.ID, 0, []int64{wangLi, wangLei}},
			{"OnlyOwner", "wang", b.ID, a.ID, 0, []int64{wangLei}},
			{"Limit", "wang", 0, 0, 1, []int64{wangLei}},
			{"Underscore", "_", 0, 0, 0, []int64{underscore}},
			{"Percent", "%", 0, 0, 0, []int64{percent}},
			{"Backslash", `\`, 0, 0, 0, []int64{backslash}},
			{"Chinese", "张", 0, 0, 0, []int64{chinese}},
			{"PhoneDigits", "138-4444", 0, 0, 0, []int64{percent}},
			{"FullWidthDigits", "１２３４５", 0, 0, 0, []int64{chinese}},
			{"TwoDigitsAreNoPhone", "55", 0, 0, 0, nil},
			{"NameOrPhone", "0000", 0, b.ID, 0, []int64{percent, wangLei, backslash, underscore, wangLi}},
			{"None", "nobody", 0, 0, 0, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := db.FindLeads(ctx, db.Stores.Default().ID, c.text, c.only, c.prefer, c.limit)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), c.want) {
					t.Fatalf("found %v, want %v", ids(got), c.want)
				}
			})
		}
	})
}

func TestLeadsByOwner(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Owner")
		other := MustCreateStaff(t, db, "Other")
		n := 0
		lead := func(owner *domain.Staff, g domain.Grade, due *time.Time) int64 {
			n++
			l := newLead(owner, fmt.Sprint("Lead ", n), fmt.Sprintf("136%08d", n))
			l.NextDueAt = due
			id := MustCreateLead(t, db, l).ID
			if g != domain.GradeN {
				l.Grade = g
				MustUpdateLead(t, db, l)
			}
			return id
		}
		ordered := lead(owner, domain.GradeO, nil)
		later := lead(owner, domain.GradeB, at(48*time.Hour))
		overdue := lead(owner, domain.GradeA, at(-48*time.Hour))
		tieFirst := lead(owner, domain.GradeN, at(time.Hour))
		tieSecond := lead(owner, domain.GradeH, at(time.Hour))
		lead(owner, domain.GradeF, nil)               // closed: left out
		lead(owner, domain.GradeL, nil)               // closed: left out
		lead(other, domain.GradeA, at(-72*time.Hour)) // another owner's
		notDue := lead(owner, domain.GradeC, nil)
		want := []int64{overdue, tieFirst, tieSecond, later, ordered, notDue}
		t.Run("All", func(t *testing.T) {
			got, total, err := db.LeadsByOwner(ctx, owner.ID, 0, 0)
			if err != nil || total != len(want) || !slices.Equal(ids(got), want) {
				t.Fatalf("got %v of %d, %v; want %v", ids(got), total, err, want)
			}
		})
		t.Run("Pages", func(t *testing.T) {
			var all []int64
			for offset := 0; offset < 8; offset += 4 {
				got, total, err := db.LeadsByOwner(ctx, owner.ID, offset, 4)
				if err != nil || total != len(want) {
					t.Fatalf("total %d, %v", total, err)
				}
				all = append(all, ids(got)...)
			}
			if !slices.Equal(all, want) {
				t.Fatalf("pages hold %v, want %v", all, want)
			}
		})
		t.Run("None", func(t *testing.T) {
			got, total, err := db.LeadsByOwner(ctx, 999999, 0, 10)
			if err != nil || total != 0 || len(got) != 0 {
				t.Fatalf("got %v of %d, %v", ids(got), total, err)
			}
		})
		t.Run("DueLeads", func(t *testing.T) {
			got, err := db.DueLeads(ctx, owner.ID, now.Add(time.Hour+time.Microsecond), 0)
			if w := []int64{overdue, tieFirst, tieSecond}; err != nil || !slices.Equal(ids(got), w) {
				t.Fatalf("due %v, %v; want %v", ids(got), err, w)
			}
			// Strictly before, and a limit; any time zone.
			got, err = db.DueLeads(ctx, owner.ID, now.Add(time.Hour).In(time.FixedZone("CST", 8*3600)), 5)
			if w := []int64{overdue}; err != nil || !slices.Equal(ids(got), w) {
				t.Fatalf("due %v, %v; want %v", ids(got), err, w)
			}
			got, err = db.DueLeads(ctx, owner.ID, now.Add(72*time.Hour), 2)
			if w := []int64{overdue, tieFirst}; err != nil || !slices.Equal(ids(got), w) {
				t.Fatalf("due %v, %v; want %v", ids(got), err, w)
			}
		})
	})
}

func TestFollowUps(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		owner := MustCreateStaff(t, db, "Owner")
		l := MustCreateLead(t, db, newLead(owner, "Lead", "13500000001"))
		t.Run("OK", func(t *testing.T) {
			first := &domain.FollowUp{LeadID: l.ID, StaffID: owner.ID, Note: "called"}
			if err := db.AddFollowUp(ctx, first); err != nil {
				t.Fatal(err)
			}
			if first.ID == 0 || first.Channel != domain.ChannelPhone || !first.At.Equal(now) {
				t.Fatalf("added %+v", first)
			}
			second := &domain.FollowUp{LeadID: l.ID, StaffID: owner.ID, Channel: domain.ChannelWeChat,
				Note: "<b>visit</b> & 🚗 " + strings.Repeat("长", 3000), At: now.Add(time.Hour),
				GradeBefore: domain.GradeN, GradeAfter: domain.GradeA}
			third := &domain.FollowUp{LeadID: l.ID, StaffID: owner.ID, At: now.Add(time.Hour)}
			for _, f := range []*domain.FollowUp{second, third} {
				if err := db.AddFollowUp(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.FollowUps(ctx, l.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := []domain.FollowUp{*third, *second, *first}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got  %v\nwant %v", got, want)
			}
			if got, err := db.FollowUps(ctx, l.ID, 1); err != nil || len(got) != 1 || got[0].ID != third.ID {
				t.Fatalf("limited: %v, %v", got, err)
			}
		})
		t.Run("ErrNoLead", func(t *testing.T) {
			err := db.AddFollowUp(ctx, &domain.FollowUp{LeadID: 999999, StaffID: owner.ID})
			AssertError(t, err, domain.ENOTFOUND, "err.lead_not_found")
		})
		t.Run("ErrNoteLong", func(t *testing.T) {
			err := db.AddFollowUp(ctx, &domain.FollowUp{LeadID: l.ID, Note: strings.Repeat("x", domain.MaxNoteLen+1)})
			AssertError(t, err, domain.EINVALID, "err.note_long")
		})
	})
}
