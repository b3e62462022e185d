package domain

import "strings"

// PDICheck is one item of the arrival inspection (PDI, R3.1) as the
// inspector recorded it. A failed item carries its defect in Note.
type PDICheck struct {
	Item string
	Pass bool
	Note string
}

// PDIResult is the evaluated inspection: it passes only when every
// configured item was checked and none failed.
type PDIResult struct {
	Passed  bool
	Defects []PDICheck // the failed items, in the checklist's order
}

// EvaluatePDI checks an inspection against the configured checklist
// (rules.vehicles.pdi_items) and says whether the car may go into stock.
// It answers EINVALID with err.pdi_unknown (an item not on the checklist;
// the argument names it), err.pdi_twice (an item recorded twice),
// err.pdi_missing (items left unchecked, listed) or err.pdi_no_defect (a
// failed item without a note saying what is wrong): an inspection with
// holes is not a result.
func EvaluatePDI(items []string, checks []PDICheck) (PDIResult, error) {
	byItem := make(map[string]PDICheck, len(checks))
	for _, c := range checks {
		switch _, dup := byItem[c.Item]; {
		case !containsString(items, c.Item):
			return PDIResult{}, Errorkf(EINVALID, "err.pdi_unknown", []any{c.Item}, "%q is not a PDI checklist item", c.Item)
		case dup:
			return PDIResult{}, Errorkf(EINVALID, "err.pdi_twice", []any{c.Item}, "PDI item %q recorded twice", c.Item)
		case !c.Pass && strings.TrimSpace(c.Note) == "":
			return PDIResult{}, Errorkf(EINVALID, "err.pdi_no_defect", []any{c.Item}, "PDI item %q failed without a note of the defect", c.Item)
		}
		byItem[c.Item] = c
	}
	var missing []string
	res := PDIResult{Passed: true}
	for _, it := range items {
		c, ok := byItem[it]
		switch {
		case !ok:
			missing = append(missing, it)
		case !c.Pass:
			res.Passed = false
			res.Defects = append(res.Defects, c)
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		return PDIResult{}, Errorkf(EINVALID, "err.pdi_missing", []any{list}, "PDI items not checked: %s", list)
	}
	return res, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
