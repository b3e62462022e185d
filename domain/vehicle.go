package domain

import (
	"strings"
	"unicode/utf8"
)

// Vehicles (R3): what the complaint register (R2.6) and the vehicle
// records share.

// NormalizeVIN reads a VIN as typed (R2.6, R3.1): spaces dropped, upper
// case; 17 letters and digits, without I, O and Q, which a VIN never
// contains (they read as 1 and 0).
func NormalizeVIN(s string) (string, error) {
	v := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	bad := utf8.RuneCountInString(v) != 17
	for _, r := range v {
		bad = bad || !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') || r == 'I' || r == 'O' || r == 'Q'
	}
	if bad {
		return "", Errorkf(EINVALID, "err.vin_bad", []any{s}, "VIN %q is not 17 letters and digits", s)
	}
	return v, nil
}
