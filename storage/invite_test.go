package storage_test

import (
	"sync"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

const ttl = 48 * time.Hour

// MustInvite invites name with roles and returns the invite.
func MustInvite(tb testing.TB, db *storage.DB, name string, roles ...domain.Role) (*domain.Staff, *domain.Invite) {
	tb.Helper()
	if len(roles) == 0 {
		roles = domain.Roles{domain.RoleConsultant}
	}
	s, inv, err := db.InviteStaff(ctx, name, roles, ttl)
	if err != nil {
		tb.Fatalf("invite %q: %v", name, err)
	}
	return s, inv
}

func TestInviteStaff(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("OK", func(t *testing.T) {
			s, inv := MustInvite(t, db, " Qian  Bo ", domain.RoleTelesales)
			if s.ID == 0 || s.Name != "Qian Bo" || !s.Active || s.Enrolled() || !s.Roles.Has(domain.RoleTelesales) {
				t.Fatalf("staff %+v", s)
			}
			if !domain.ValidInviteCode(inv.Code) || inv.StaffID != s.ID || inv.UsedAt != nil ||
				!inv.CreatedAt.Equal(now) || !inv.ExpiresAt.Equal(now.Add(ttl)) {
				t.Fatalf("invite %+v", inv)
			}
			if got, err := db.StaffByName(ctx, 1, "Qian Bo"); err != nil || got.ID != s.ID {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("ReinviteRevokesOldCode", func(t *testing.T) {
			s1, old := MustInvite(t, db, "Re", domain.RoleTelesales)
			s2, fresh := MustInvite(t, db, "Re", domain.RoleConsultant, domain.RoleReception)
			if s2.ID != s1.ID || !s2.Roles.Has(domain.RoleReception) || s2.Roles.Has(domain.RoleTelesales) {
				t.Fatalf("re-invited %+v", s2)
			}
			_, err := db.RedeemInvite(ctx, old.Code, 101, domain.LangZH)
			AssertError(t, err, domain.ENOTFOUND, "err.invite_unknown")
			if _, err := db.RedeemInvite(ctx, fresh.Code, 101, domain.LangZH); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ReinviteInactiveEnrolled", func(t *testing.T) {
			_, inv := MustInvite(t, db, "Back")
			s, err := db.RedeemInvite(ctx, inv.Code, 102, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.DeactivateStaff(ctx, s.ID); err != nil {
				t.Fatal(err)
			}
			s2, inv2 := MustInvite(t, db, "Back", domain.RoleService)
			if s2.ID != s.ID || !s2.Active || s2.Enrolled() {
				t.Fatalf("re-invited %+v", s2)
			}
			if got, err := db.RedeemInvite(ctx, inv2.Code, 103, ""); err != nil || got.TelegramID != 103 {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("ErrEnrolled", func(t *testing.T) {
			_, inv := MustInvite(t, db, "Done")
			if _, err := db.RedeemInvite(ctx, inv.Code, 104, ""); err != nil {
				t.Fatal(err)
			}
			_, _, err := db.InviteStaff(ctx, "Done", domain.Roles{domain.RoleAdmin}, ttl)
			AssertError(t, err, domain.ECONFLICT, "err.staff_enrolled")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, _, err := db.InviteStaff(ctx, "", domain.Roles{domain.RoleAdmin}, ttl)
			AssertError(t, err, domain.EINVALID, "err.name_empty")
			_, _, err = db.InviteStaff(ctx, "X", nil, ttl)
			AssertError(t, err, domain.EINVALID, "err.role_none")
			_, _, err = db.InviteStaff(ctx, "X", domain.Roles{domain.RoleAdmin}, 0)
			AssertError(t, err, domain.EINVALID, "")
		})
	})
}

func TestRedeemInvite(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("OK", func(t *testing.T) {
			s, inv := MustInvite(t, db, "Ok")
			got, err := db.RedeemInvite(ctx, inv.Code, 201, domain.LangEN)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != s.ID || got.TelegramID != 201 || got.Lang != domain.LangEN || !got.Active {
				t.Fatalf("got %+v", got)
			}
			byTG, err := db.StaffByTelegramID(ctx, 201)
			if err != nil || byTG.ID != s.ID || byTG.Lang != domain.LangEN {
				t.Fatalf("by telegram id: %+v, %v", byTG, err)
			}
		})
		t.Run("KeepsStoredLang", func(t *testing.T) {
			s, inv := MustInvite(t, db, "Lang")
			if err := db.SetStaffLang(ctx, s.ID, domain.LangZH); err != nil {
				t.Fatal(err)
			}
			got, err := db.RedeemInvite(ctx, inv.Code, 202, domain.LangEN)
			if err != nil || got.Lang != domain.LangZH {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("ErrTwice", func(t *testing.T) {
			_, inv := MustInvite(t, db, "Twice")
			if _, err := db.RedeemInvite(ctx, inv.Code, 203, ""); err != nil {
				t.Fatal(err)
			}
			_, err := db.RedeemInvite(ctx, inv.Code, 203, "")
			AssertError(t, err, domain.ECONFLICT, "err.invite_used")
			_, err = db.RedeemInvite(ctx, inv.Code, 299, "")
			AssertError(t, err, domain.ECONFLICT, "err.invite_used")
		})
		t.Run("ErrExpired", func(t *testing.T) {
			_, inv := MustInvite(t, db, "Late")
			db.Now = func() time.Time { return now.Add(ttl) }
			defer fixClock(db)
			_, err := db.RedeemInvite(ctx, inv.Code, 204, "")
			AssertError(t, err, domain.EINVALID, "err.invite_expired")
		})
		t.Run("ErrUnknownCode", func(t *testing.T) {
			for _, code := range []string{"", "not a code", "AAAAAAAAAAAAAAAA"} {
				_, err := db.RedeemInvite(ctx, code, 205, "")
				AssertError(t, err, domain.ENOTFOUND, "err.invite_unknown")
			}
		})
		t.Run("ErrDeactivated", func(t *testing.T) {
			s, inv := MustInvite(t, db, "Fired")
			if err := db.DeactivateStaff(ctx, s.ID); err != nil {
				t.Fatal(err)
			}
			_, err := db.RedeemInvite(ctx, inv.Code, 206, "")
			AssertError(t, err, domain.EFORBIDDEN, "err.invite_unknown")
		})
		t.Run("ErrTelegramBound", func(t *testing.T) {
			_, first := MustInvite(t, db, "First")
			_, second := MustInvite(t, db, "Second")
			if _, err := db.RedeemInvite(ctx, first.Code, 207, ""); err != nil {
				t.Fatal(err)
			}
			_, err := db.RedeemInvite(ctx, second.Code, 207, "")
			AssertError(t, err, domain.ECONFLICT, "err.telegram_bound")
			// The refused attempt left the code usable.
			if _, err := db.RedeemInvite(ctx, second.Code, 208, ""); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ConcurrentOneWins", func(t *testing.T) {
			_, inv := MustInvite(t, db, "Race")
			const n = 10
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { _, errs[i] = db.RedeemInvite(ctx, inv.Code, int64(300+i), "") })
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else if domain.ErrorCode(err) != domain.ECONFLICT {
					t.Errorf("loser got %v, want ECONFLICT", err)
				}
			}
			if won != 1 {
				t.Fatalf("%d redemptions won, want 1: %v", won, errs)
			}
		})
	})
}

func TestPurgeInvites(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		_, used := MustInvite(t, db, "Used")
		if _, err := db.RedeemInvite(ctx, used.Code, 401, ""); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.InviteStaff(ctx, "Short", domain.Roles{domain.RoleService}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, open := MustInvite(t, db, "Open") // expires at now+48h

		t.Run("NothingBefore", func(t *testing.T) {
			n, err := db.PurgeInvites(ctx, now)
			if err != nil || n != 0 {
				t.Fatalf("purged %d, %v", n, err)
			}
		})
		t.Run("OK", func(t *testing.T) {
			n, err := db.PurgeInvites(ctx, now.Add(2*time.Hour)) // the used one and the 1h one
			if err != nil || n != 2 {
				t.Fatalf("purged %d, %v", n, err)
			}
			if _, err := db.RedeemInvite(ctx, open.Code, 402, ""); err != nil {
				t.Fatalf("open invite was purged: %v", err)
			}
		})
	})
}
