package domain

import (
	"slices"
	"testing"
)

func TestR3_3_MatchVIN(t *testing.T) {
	ledger := []string{"1HGCM82633A004352", "JHMCM56557C404453", "1M8GDM9AXKP004352"}
	t.Run("OK", func(t *testing.T) {
		for typed, want := range map[string]string{
			"1hgcm82633a004352": "1HGCM82633A004352",
			"404453":            "JHMCM56557C404453",
			" 40 4453 ":         "JHMCM56557C404453",
			"5YJ3E1EA7HF000337": "5YJ3E1EA7HF000337", // not in the ledger: the caller sees it
		} {
			if got, err := MatchVIN(ledger, typed); err != nil || got != want {
				t.Errorf("MatchVIN(%q) = %q, %v", typed, got, err)
			}
		}
	})
	t.Run("ErrAmbiguous", func(t *testing.T) {
		_, err := MatchVIN(ledger, "004352")
		if errKey(err) != "err.vin_suffix_ambiguous" || ErrorCode(err) != EINVALID ||
			err.(*Error).Args[1] != "1HGCM82633A004352, 1M8GDM9AXKP004352" {
			t.Fatalf("%#v", err)
		}
	})
	t.Run("ErrUnknownSuffix", func(t *testing.T) {
		if _, err := MatchVIN(ledger, "999999"); errKey(err) != "err.vin_suffix_unknown" || ErrorCode(err) != ENOTFOUND {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrCheckDigit", func(t *testing.T) {
		if _, err := MatchVIN(ledger, "1HGCM82643A004352"); errKey(err) != "err.vin_check" {
			t.Fatalf("%v", err)
		}
		if _, err := MatchVIN(ledger, "4352"); errKey(err) != "err.vin_bad" {
			t.Fatalf("%v", err)
		}
	})
}

func TestR3_3_StocktakeDiff(t *testing.T) {
	ledger := []string{"1HGCM82633A004352", "JHMCM56557C404453", "5N1NJ01CXST000001", "JN1DA31D63T505967"}
	d, err := Stocktake(ledger, []string{"404453", "1HGCM82633A004352", "004352", "5YJ3E1EA7HF000337", "5yj3e1ea7hf000337"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Missing, []string{"5N1NJ01CXST000001", "JN1DA31D63T505967"}) || !slices.Equal(d.Unexpected, []string{"5YJ3E1EA7HF000337"}) || d.Clean() {
		t.Fatalf("%+v", d)
	}
	if d, err := Stocktake(ledger, []string{"004352", "404453", "000001", "505967"}); err != nil || !d.Clean() {
		t.Fatalf("all seen: %+v %v", d, err)
	}
	ledger = append(ledger, "1M8GDM9AXKP004352")
	if _, err := Stocktake(ledger, []string{"004352"}); errKey(err) != "err.vin_suffix_ambiguous" {
		t.Fatalf("ambiguous: %v", err)
	}
}
