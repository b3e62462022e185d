package domain

import "time"

// The complaint chaser's rules (R2.4): when a deadline calls for a word
// and who is to hear it.

// ChaserSteps is how many breaches of one deadline are escalated:
// supervisor, department manager, general manager; no higher.
const ChaserSteps = 3

// ComplaintAlarm is one word a complaint's deadline calls for: the
// reminder before it (Step 0) or the Step-th escalation after it is
// breached. Recipients are who must hear it; the chat layer keys each
// message by complaint, deadline, due time and person, so each person
// hears of it once.
type ComplaintAlarm struct {
	Complaint  *Complaint
	Deadline   Deadline
	Step       int
	Recipients []*Staff
}

// Reminder reports whether the alarm is the reminder before the deadline.
func (a ComplaintAlarm) Reminder() bool { return a.Step == 0 }

// Alarms are the alarms c's deadlines call for at now, without their
// recipients: a reminder from RemindAt until Due, and one escalation per
// breach, up to ChaserSteps.
func (c *Complaint) Alarms(r ComplaintRules, cal *Calendar, now time.Time) []ComplaintAlarm {
	var out []ComplaintAlarm
	for _, d := range c.Deadlines(r, cal) {
		if d.Done {
			continue
		}
		if !now.Before(d.RemindAt(r)) && now.Before(d.Due) {
			out = append(out, ComplaintAlarm{Complaint: c, Deadline: d})
		}
		for n := 1; n <= min(d.Breaches(now), ChaserSteps); n++ {
			out = append(out, ComplaintAlarm{Complaint: c, Deadline: d, Step: n})
		}
	}
	return out
}

// ReminderRecipients are who is reminded of d on c: for the manager's
// opinion its givers (opinionGivers, the reachable OpinionGivers or else
// the general managers); otherwise the owner, if enrolled.
func ReminderRecipients(d Deadline, owner *Staff, opinionGivers []*Staff) []*Staff {
	if d.Kind == DeadlineOpinion {
		return opinionGivers
	}
	if owner != nil && owner.Enrolled() {
		return []*Staff{owner}
	}
	return nil
}

// EscalationAnswerable are the roles the step-th escalation of d counts
// up from: the owner's, or for the manager's opinion the manager's, whoever
// owns the complaint.
func EscalationAnswerable(d Deadline, owner *Staff) Roles {
	if d.Kind == DeadlineOpinion {
		return OpinionOwnerRoles
	}
	return owner.Roles
}

// EscalationRecipients are who hear of the step-th breach of d: the
// reachable staff holding the role that step reaches (candidates), those
// of c's department when it has any, never the owner. Past the general
// manager there is nobody.
func EscalationRecipients(c *Complaint, d Deadline, step int, owner *Staff, candidates []*Staff) []*Staff {
	if step > EscalationSteps(EscalationAnswerable(d, owner)) {
		return nil
	}
	var out []*Staff
	for _, p := range InDepartmentOrAll(candidates, c.Department) {
		if p.ID != owner.ID {
			out = append(out, p)
		}
	}
	return out
}
