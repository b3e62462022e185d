package domain

// Who a customer goes to when the visit register finds them closed or
// unknown (R1.11, R1.12).

// WhyReturned marks the changes of a lost customer's lead reopened by a
// showroom visit.
const WhyReturned = "returned"

// ReopensOnVisit reports whether a visit reopens a lead of this grade: a
// customer lost (F) or unreachable (L) who walks in is working with us
// again. Bought (O, D) and open leads are not reopened.
func ReopensOnVisit(g Grade) bool {
	return g == GradeF || g == GradeL
}

// VisitOwner is who works a customer that a visit reopens or brings in new
// (R1.12: walk-ins are received by a consultant): the consultant who
// registers the visit; otherwise other, the lead's former owner or the
// consultant first in the reception line (R5.3).
func VisitOwner(registrar *Staff, other int64) int64 {
	if registrar.Roles.Has(RoleConsultant) {
		return registrar.ID
	}
	return other
}

// ReopenOwner is who works a lost customer's lead that a visit reopens: a
// lead of the telesales pool (where the month-end clean-up puts L and F)
// stays with telesales, who keep a lead whose customer a consultant finds
// to be theirs (R1.14.2; a consultant may dispute it, R1.14.4); any other
// goes as VisitOwner says.
func ReopenOwner(registrar *Staff, l *Lead) int64 {
	if l.Pool == PoolTelesales {
		return l.OwnerID
	}
	return VisitOwner(registrar, l.OwnerID)
}
