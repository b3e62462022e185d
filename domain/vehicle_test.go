package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestR2_6_NormalizeVIN(t *testing.T) {
	for in, want := range map[string]string{"LVGBE40K08G123456": "LVGBE40K08G123456", "lvgbe40k08g123456": "LVGBE40K08G123456", "LVGBE 40K08 G123456": "LVGBE40K08G123456"} {
		if got, err := NormalizeVIN(in); err != nil || got != want {
			t.Errorf("NormalizeVIN(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "123", "LVGBE40K08G12345", "LVGBE40K08G1234567", "LVGBE40K08G12345O", "LVGBE40K08G12345-", "LVGBE40K08G12345车"} {
		if _, err := NormalizeVIN(in); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeVIN(%q) accepted", in)
		}
	}
}

// Published VINs whose check digits are right: the textbook example, and
// VINs of cars on record at the makers' registers.
var realVINs = []string{
	"1M8GDM9AXKP042788", // Motor Coach Industries: the standard's worked example, check digit X
	"1HGCM82633A004352", // Honda Accord 2003
	"JHMCM56557C404453", // Honda Accord 2007
	"5YJ3E1EA7HF000337", // Tesla Model 3 2017
	"JN1DA31D63T505967", // Nissan 2003
	"5N1NJ01CXST000001", // Nissan, check digit X
	"1HGBH41JXMN109186", // Honda
}

func TestR3_1_VINCheckDigit(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, v := range realVINs {
			if got, err := CheckVIN(strings.ToLower(v[:8]) + " " + v[8:]); err != nil || got != v {
				t.Errorf("CheckVIN(%s) = %q, %v", v, got, err)
			}
			if d := VINCheckDigit(v); d != v[8] {
				t.Errorf("VINCheckDigit(%s) = %c", v, d)
			}
		}
	})
	t.Run("ErrWrongDigit", func(t *testing.T) {
		for in, want := range map[string]string{
			"1M8GDM9A1KP042788": "X",
			"1XPTD40X0JD456115": "6",
			"5TFEV54198X063405": "6", // published as valid in places, but the digit is wrong
			"1HGCM82643A004352": "3",
			"1HGCM82633A004353": "5", // a typo in the serial moves the digit
		} {
			_, err := CheckVIN(in)
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Key != "err.vin_check" || e.Args[2] != want || !strings.Contains(e.Message, "should be "+want) {
				t.Errorf("CheckVIN(%s) = %#v, want expected digit %s", in, err, want)
			}
		}
	})
	t.Run("ErrShape", func(t *testing.T) {
		if _, err := CheckVIN("1M8GDM9AXKP04278O"); err == nil || err.(*Error).Key != "err.vin_bad" {
			t.Errorf("letter O: %v", err)
		}
	})
}
