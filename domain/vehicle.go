package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Vehicles (R3): the stock car record, its VIN and its states.

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

// vinWeights are the position weights of the check digit (GB 16735
// appendix, ISO 3779 as used in North America, 49 CFR 565); position 9,
// the check digit itself, weighs 0.
var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// vinValue transliterates a VIN character: digits are themselves, letters
// take the values of the standard's table (I, O and Q never occur).
func vinValue(r byte) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'A' && r <= 'H':
		return int(r-'A') + 1
	case r >= 'J' && r <= 'N':
		return int(r-'J') + 1
	case r == 'P':
		return 7
	case r == 'R':
		return 9
	case r >= 'S' && r <= 'Z':
		return int(r-'S') + 2
	}
	return 0
}

// VINCheckDigit returns the check digit a normalised VIN must carry in
// position 9: the weighted sum of the transliterated characters modulo 11,
// written 'X' when it is 10.
func VINCheckDigit(vin string) byte {
	sum := 0
	for i := 0; i < 17 && i < len(vin); i++ {
		sum += vinValue(vin[i]) * vinWeights[i]
	}
	if d := sum % 11; d < 10 {
		return byte('0' + d)
	}
	return 'X'
}

// CheckVIN reads a VIN as typed and verifies its check digit (R3.1): a
// stock car's VIN is checked on entry, so that a typo is caught there and
// not at the stocktake. The complaint register (R2.6) only normalises: a
// customer's imported car may carry a VIN without a check digit.
func CheckVIN(s string) (string, error) {
	v, err := NormalizeVIN(s)
	if err != nil {
		return "", err
	}
	if want := VINCheckDigit(v); v[8] != want {
		return "", Errorkf(EINVALID, "err.vin_check", []any{v, string(v[8]), string(want)},
			"VIN %s: the check digit (9th character) should be %c, not %c", v, want, v[8])
	}
	return v, nil
}

// Vehicle is a stock car (R3.1) or, in the demo fleet, a demo car (R3.4).
type Vehicle struct {
	ID int64
	// StoreID is the store whose ledger holds the car.
	StoreID  int64
	VIN      string
	Model    string
	Trim     string
	Colour   string
	EngineNo string
	// CertificateNo is the certificate of conformity's number (合格证号).
	CertificateNo string
	// ArrivedAt is when the car reached the store; stock age counts from it (R3.2).
	ArrivedAt time.Time
	// InStockAt is when the car passed its inspection and went into stock.
	InStockAt time.Time
	Location  string
	KeyNo     string
	State     VehicleState
	// ReservedUntil is when a reservation lapses (state reserved).
	ReservedUntil time.Time
	// ReservedBy is who reserved it, told when the reservation lapses.
	ReservedBy int64
	// Keeper is the staff member who keeps a demo car (R3.4).
	Keeper    int64
	CreatedBy int64
	CreatedAt time.Time
}
