package domain

import "testing"

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
