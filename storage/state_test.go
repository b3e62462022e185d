package storage_test

import (
	"context"
	"testing"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

func TestState(t *testing.T) {
	storagetest.ForEachDriver(t, func(t *testing.T, db *storage.DB) {
		t.Run("Missing", func(t *testing.T) {
			assertNoState(t, db, "last_update_id")
		})
		t.Run("OK", func(t *testing.T) {
			for _, v := range []string{"100", "101", ""} { // the second and third replace
				if err := db.SetState(ctx, "last_update_id", v); err != nil {
					t.Fatal(err)
				}
				got, ok, err := db.GetState(ctx, "last_update_id")
				if err != nil || !ok || got != v {
					t.Fatalf("got %q, %v, %v; want %q", got, ok, err, v)
				}
			}
		})
		t.Run("InTx", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.SetState(ctx, "a", "1"); err != nil {
					return err
				}
				return db.SetState(ctx, "a", "2")
			})
			if v, _, _ := db.GetState(ctx, "a"); err != nil || v != "2" {
				t.Fatalf("got %q, %v", v, err)
			}
		})
		t.Run("ErrEmptyKey", func(t *testing.T) {
			AssertError(t, db.SetState(ctx, "", "x"), domain.EINVALID, "")
			_, _, err := db.GetState(ctx, "")
			AssertError(t, err, domain.EINVALID, "")
		})
	})
}
