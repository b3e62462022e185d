package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

var ctx = context.Background()

func TestCreateStaff(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("OK", func(t *testing.T) {
			s := &domain.Staff{Name: "  Wang   Li ", Roles: domain.Roles{domain.RoleAdmin, domain.RoleManager}}
			if err := db.CreateStaff(ctx, s); err != nil {
				t.Fatal(err)
			}
			if s.ID == 0 || !s.Active || !s.CreatedAt.Equal(now) || s.Name != "Wang Li" {
				t.Fatalf("created %+v", s)
			}
			got, err := db.StaffByID(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := domain.Staff{ID: s.ID, Name: "Wang Li", Roles: domain.Roles{domain.RoleManager, domain.RoleAdmin},
				Lang: domain.LangZH, Active: true, CreatedAt: now}
			if got.ID != want.ID || got.Name != want.Name || !slices.Equal(got.Roles, want.Roles) ||
				got.Lang != want.Lang || got.Active != want.Active || !got.CreatedAt.Equal(want.CreatedAt) ||
				got.TelegramID != 0 || got.Enrolled() {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
		t.Run("WithTelegramIDAndLang", func(t *testing.T) {
			s := &domain.Staff{Name: "Boss", Roles: domain.Roles{domain.RoleGM}, TelegramID: 4242, Lang: domain.LangEN}
			if err := db.CreateStaff(ctx, s); err != nil {
				t.Fatal(err)
			}
			got, err := db.StaffByTelegramID(ctx, 4242)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != s.ID || got.Lang != domain.LangEN || !got.Enrolled() {
				t.Fatalf("got %+v", got)
			}
		})
		t.Run("ErrDuplicateName", func(t *testing.T) {
			MustCreateStaff(t, db, "Dup")
			err := db.CreateStaff(ctx, &domain.Staff{Name: " Dup", Roles: domain.Roles{domain.RoleService}})
			AssertError(t, err, domain.ECONFLICT, "err.staff_exists")
		})
		t.Run("ErrDuplicateNameOfInactive", func(t *testing.T) {
			s := MustCreateStaff(t, db, "Gone")
			if err := db.DeactivateStaff(ctx, s.ID); err != nil {
				t.Fatal(err)
			}
			err := db.CreateStaff(ctx, &domain.Staff{Name: "Gone", Roles: domain.Roles{domain.RoleService}})
			AssertError(t, err, domain.ECONFLICT, "err.staff_exists")
		})
		t.Run("ErrTelegramBound", func(t *testing.T) {
			err := db.CreateStaff(ctx, &domain.Staff{Name: "Twin", Roles: domain.Roles{domain.RoleGM}, TelegramID: 4242})
			AssertError(t, err, domain.ECONFLICT, "err.telegram_bound")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			AssertError(t, db.CreateStaff(ctx, &domain.Staff{Name: " ", Roles: domain.Roles{domain.RoleGM}}), domain.EINVALID, "err.name_empty")
			AssertError(t, db.CreateStaff(ctx, &domain.Staff{Name: "No Role"}), domain.EINVALID, "err.role_none")
			AssertError(t, db.CreateStaff(ctx, &domain.Staff{Name: "Bad", Roles: domain.Roles{"boss"}}), domain.EINVALID, "err.role_unknown")
			AssertError(t, db.CreateStaff(ctx, &domain.Staff{Name: "Fr", Roles: domain.Roles{domain.RoleGM}, Lang: "fr"}), domain.EINVALID, "")
		})
	})
}

func TestFindStaff(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		s := MustCreateStaff(t, db, "Li Na", domain.RoleTelesales)
		t.Run("ByName", func(t *testing.T) {
			got, err := db.StaffByName(ctx, 1, " Li  Na ")
			if err != nil || got.ID != s.ID {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("ErrByNameNotFound", func(t *testing.T) {
			_, err := db.StaffByName(ctx, 1, "li na") // names are exact
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
			_, err = db.StaffByName(ctx, 1, "")
			AssertError(t, err, domain.EINVALID, "err.name_empty")
		})
		t.Run("ErrByIDNotFound", func(t *testing.T) {
			_, err := db.StaffByID(ctx, s.ID+1000)
			AssertError(t, err, domain.ENOTFOUND, "err.staff_not_found")
		})
		t.Run("ErrByTelegramIDNotFound", func(t *testing.T) {
			_, err := db.StaffByTelegramID(ctx, 777)
			AssertError(t, err, domain.ENOTFOUND, "")
			_, err = db.StaffByTelegramID(ctx, 0) // the unenrolled have no id
			AssertError(t, err, domain.ENOTFOUND, "")
		})
	})
}

func TestListStaff(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		MustCreateStaff(t, db, "zhao", domain.RoleConsultant)
		MustCreateStaff(t, db, "Chen", domain.RoleManager, domain.RoleAdmin)
		gone := MustCreateStaff(t, db, "Bai", domain.RoleAdmin)
		MustCreateStaff(t, db, "张伟", domain.RoleSupervisor, domain.RoleManager)
		MustCreateStaff(t, db, "Ad", domain.RoleService)
		if err := db.DeactivateStaff(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		t.Run("Active", func(t *testing.T) {
			list, err := db.ListStaff(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			// Code-point order on both drivers: upper case, lower case, Han.
			if got, want := names(list), []string{"Ad", "Chen", "zhao", "张伟"}; !slices.Equal(got, want) {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
		t.Run("IncludeInactive", func(t *testing.T) {
			list, err := db.ListStaff(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := names(list), []string{"Ad", "Bai", "Chen", "zhao", "张伟"}; !slices.Equal(got, want) {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
		t.Run("WithRole", func(t *testing.T) {
			for role, want := range map[domain.Role][]string{
				domain.RoleManager:    {"Chen", "张伟"},
				domain.RoleAdmin:      {"Chen"}, // Bai is inactive
				domain.RoleConsultant: {"zhao"},
				domain.RoleGM:         {},
			} {
				list, err := db.StaffWithRole(ctx, 1, role)
				if err != nil {
					t.Fatal(err)
				}
				if got := names(list); !slices.Equal(got, want) {
					t.Errorf("%s: got %q, want %q", role, got, want)
				}
			}
		})
		t.Run("ErrWithUnknownRole", func(t *testing.T) {
			_, err := db.StaffWithRole(ctx, 1, "%")
			AssertError(t, err, domain.EINVALID, "err.role_unknown")
		})
	})
}

func TestDeactivateStaff(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		s := MustCreateStaff(t, db, "Sun")
		t.Run("OK", func(t *testing.T) {
			for range 2 { // idempotent
				if err := db.DeactivateStaff(ctx, s.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.StaffByID(ctx, s.ID)
			if err != nil || got.Active {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			AssertError(t, db.DeactivateStaff(ctx, s.ID+1000), domain.ENOTFOUND, "err.staff_not_found")
		})
	})
}

func TestSetStaffLang(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		s := MustCreateStaff(t, db, "Zhou")
		t.Run("OK", func(t *testing.T) {
			if err := db.SetStaffLang(ctx, s.ID, domain.LangEN); err != nil {
				t.Fatal(err)
			}
			got, err := db.StaffByID(ctx, s.ID)
			if err != nil || got.Lang != domain.LangEN {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			AssertError(t, db.SetStaffLang(ctx, s.ID, "de"), domain.EINVALID, "")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			AssertError(t, db.SetStaffLang(ctx, s.ID+1000, domain.LangZH), domain.ENOTFOUND, "err.staff_not_found")
		})
	})
}
