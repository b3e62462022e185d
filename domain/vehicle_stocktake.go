package domain

import (
	"sort"
	"strings"
)

// VINSuffixLen is how many trailing characters of a VIN identify a car at
// a stocktake when the whole VIN is not typed (the serial number part).
const VINSuffixLen = 6

// MatchVIN finds the ledger car a typed VIN means (R3.3): the full VIN
// (check digit verified) or its last VINSuffixLen characters. A full VIN not
// in the ledger is returned as it is, with no error: the caller sees it is
// not in the ledger. It answers EINVALID with err.vin_bad / err.vin_check,
// err.vin_suffix_ambiguous (the suffix fits several cars; the second
// argument lists them) and ENOTFOUND with err.vin_suffix_unknown (no car in
// the ledger ends so: type the full VIN).
func MatchVIN(ledger []string, typed string) (string, error) {
	t := strings.ToUpper(strings.Join(strings.Fields(typed), ""))
	if len(t) != VINSuffixLen {
		return CheckVIN(typed)
	}
	var hits []string
	for _, v := range ledger {
		if strings.HasSuffix(v, t) {
			hits = append(hits, v)
		}
	}
	switch len(hits) {
	case 0:
		return "", Errorkf(ENOTFOUND, "err.vin_suffix_unknown", []any{t}, "no car in the ledger has a VIN ending %s", t)
	case 1:
		return hits[0], nil
	}
	sort.Strings(hits)
	list := strings.Join(hits, ", ")
	return "", Errorkf(EINVALID, "err.vin_suffix_ambiguous", []any{t, list}, "VIN ending %s fits several cars: %s", t, list)
}

// StocktakeDiff is a stocktake's exceptions (R3.3), which only a manager
// clears: ledger cars nobody saw, and cars seen that the ledger lacks.
type StocktakeDiff struct {
	Missing    []string // in the ledger, not seen; sorted
	Unexpected []string // seen, not in the ledger; sorted
}

// Clean reports a stocktake without exceptions.
func (d StocktakeDiff) Clean() bool { return len(d.Missing) == 0 && len(d.Unexpected) == 0 }

// Stocktake compares the ledger's VINs with the cars confirmed on the lot,
// each typed as a full VIN or its last VINSuffixLen characters (MatchVIN).
// A car confirmed twice counts once. The first entry that cannot be matched
// is the error, with MatchVIN's codes.
func Stocktake(ledger, seen []string) (StocktakeDiff, error) {
	inLedger := make(map[string]bool, len(ledger))
	for _, v := range ledger {
		inLedger[v] = true
	}
	found := map[string]bool{}
	var d StocktakeDiff
	for _, s := range seen {
		v, err := MatchVIN(ledger, s)
		if err != nil {
			return StocktakeDiff{}, err
		}
		if found[v] {
			continue
		}
		found[v] = true
		if !inLedger[v] {
			d.Unexpected = append(d.Unexpected, v)
		}
	}
	for v := range inLedger {
		if !found[v] {
			d.Missing = append(d.Missing, v)
		}
	}
	sort.Strings(d.Missing)
	sort.Strings(d.Unexpected)
	return d, nil
}
