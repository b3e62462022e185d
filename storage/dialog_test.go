package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestDialogs(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		fixClock(db)
		t.Run("Upsert", func(t *testing.T) {
			d := domain.Dialog{ChatID: -100500, StaffID: 7, Kind: "lead", Step: "phone", Data: `{"name":"王伟 <&>"}`,
				UpdatedAt: now.Add(-time.Hour)}
			if err := db.SaveDialog(ctx, d); err != nil {
				t.Fatal(err)
			}
			want := d
			want.UpdatedAt = now
			if got, err := db.DialogByChat(ctx, d.ChatID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, want)
			}
			db.Now = func() time.Time { return now.Add(time.Minute) }
			defer fixClock(db)
			d = domain.Dialog{ChatID: -100500, StaffID: 8, Kind: "fu", Step: "note"}
			if err := db.SaveDialog(ctx, d); err != nil {
				t.Fatal(err)
			}
			want = d
			want.UpdatedAt = now.Add(time.Minute)
			if got, err := db.DialogByChat(ctx, d.ChatID); err != nil || fmt.Sprint(*got) != fmt.Sprint(want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, want)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			if err := db.SaveDialog(ctx, domain.Dialog{ChatID: 42, Kind: "lost"}); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := db.DeleteDialog(ctx, 42); err != nil {
					t.Fatal(err)
				}
			}
			_, err := db.DialogByChat(ctx, 42)
			AssertError(t, err, domain.ENOTFOUND, "")
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			AssertError(t, db.SaveDialog(ctx, domain.Dialog{Kind: "lead"}), domain.EINVALID, "err.invalid")
			AssertError(t, db.SaveDialog(ctx, domain.Dialog{ChatID: 1}), domain.EINVALID, "err.invalid")
		})
	})
}
