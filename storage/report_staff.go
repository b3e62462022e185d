package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// The per-person sections of a report — the funnel of the leads each
// owns, follow-up discipline, telesales and rota — each a grouped query by
// staff member over one store and period, added into its row and into the
// store's total.

// funnelSQL is the funnel of a store's leads created in the period, per
// owner and source: R1.3's first contact within the rule's time (its
// milliseconds bound), then visit, test drive, order and delivery (grade
// D). Each step is kept on the lead (migration 0027's triggers), so this
// is one range of leads_store_funnel_idx, read from the index alone.
const funnelSQL = `SELECT owner_id, source, COUNT(*),
	SUM(CASE WHEN first_contact_ms <= ? THEN 1 ELSE 0 END),
	COUNT(visited_at), COUNT(test_driven_at), COUNT(ordered_at),
	SUM(CASE WHEN grade = 'D' THEN 1 ELSE 0 END)
	FROM leads
	WHERE store_id = ? AND created_at >= ? AND created_at < ?%s
	GROUP BY owner_id, source`

// funnel fills the funnel per owner, per source and in total.
func (r *reportRun) funnel(ctx context.Context, tot *domain.Figures) error {
	cond, condArgs := r.whose("owner_id")
	args := append([]any{r.st.Rules.Leads.FirstFollowUp.Milliseconds(), r.st.ID, r.from(), r.to()}, condArgs...)
	var owner int64
	var source string
	var f domain.Funnel
	bySource := map[domain.Source]*domain.Funnel{}
	err := r.scan(ctx, "funnel", fmt.Sprintf(funnelSQL, cond), args,
		[]any{&owner, &source, &f.Leads, &f.FirstContact24h, &f.Visits, &f.TestDrives, &f.Orders, &f.Deliveries}, func() {
			if x := r.row(owner); x != nil {
				x.Funnel.Add(f)
				x.Activity.NewLeads += f.Leads
			}
			tot.Funnel.Add(f)
			tot.Activity.NewLeads += f.Leads
			src := domain.Source(source)
			if bySource[src] == nil {
				bySource[src] = &domain.Funnel{}
			}
			bySource[src].Add(f)
		})
	if err != nil {
		return err
	}
	for src, f := range bySource {
		tot.Sources = append(tot.Sources, domain.SourceFunnel{Source: src, Funnel: *f})
	}
	slices.SortFunc(tot.Sources, func(a, b domain.SourceFunnel) int {
		if c := sourceRank(a.Source) - sourceRank(b.Source); c != 0 {
			return c
		}
		return strings.Compare(string(a.Source), string(b.Source))
	})
	return nil
}

// sourceRank is a source's place in domain.Sources; unknown ones last.
func sourceRank(s domain.Source) int {
	if i := slices.Index(domain.Sources, s); i >= 0 {
		return i
	}
	return len(domain.Sources)
}

// followUpsDueSQL counts, per owner, the follow-ups logged against a due
// in the period and those logged by it (R1.5), from
// follow_ups_store_due_idx alone.
const followUpsDueSQL = `SELECT owner_id, COUNT(*), SUM(CASE WHEN at <= due_at THEN 1 ELSE 0 END)
	FROM follow_ups WHERE store_id = ? AND due_at >= ? AND due_at < ?%s
	GROUP BY owner_id`

// discipline fills follow-ups due and on time, overdue and ungraded.
func (r *reportRun) discipline(ctx context.Context, tot *domain.Figures) error {
	cond, condArgs := r.whose("owner_id")
	var owner int64
	var due, onTime int
	err := r.scan(ctx, "follow-ups due", fmt.Sprintf(followUpsDueSQL, cond), append([]any{r.st.ID, r.from(), r.to()}, condArgs...),
		[]any{&owner, &due, &onTime}, func() {
			d := domain.Discipline{FollowUpsDue: due, FollowUpsOnTime: onTime}
			if x := r.row(owner); x != nil {
				x.Discipline.Add(d)
			}
			tot.Discipline.Add(d)
		})
	if err != nil {
		return err
	}
	// The follow-ups still not logged whose due fell in the period.
	rules := r.st.Rules.Leads
	sets := []struct {
		what  string
		where string
		args  []any
		add   func(*domain.Discipline, int)
	}{
		{"follow-ups pending", "next_due_at >= ? AND next_due_at < ?", []any{r.from(), r.upTo()},
			func(d *domain.Discipline, n int) { d.FollowUpsDue += n }},
		{"overdue counts", "next_due_at < ?", []any{dbTime(r.asOf.AddDate(0, 0, -rules.OverdueAlertDays))},
			func(d *domain.Discipline, n int) { d.Overdue += n }},
		{"ungraded counts", ungradedWhere, []any{dbTime(r.asOf.AddDate(0, 0, -rules.GradeAfterDays))},
			func(d *domain.Discipline, n int) { d.Ungraded += n }},
	}
	for _, s := range sets {
		where, args := s.where, s.args
		if cond != "" {
			where, args = where+cond, append(slices.Clone(args), condArgs...)
		}
		counts, err := r.db.countsByOwner(ctx, s.what, r.st.ID, where, args...)
		if err != nil {
			return err
		}
		for owner, n := range counts {
			if x := r.row(owner); x != nil {
				s.add(&x.Discipline, n)
			}
			s.add(&tot.Discipline, n)
		}
	}
	return nil
}

// The telesales figures' queries (R1.8–R1.14).
const (
	invitationsSQL = `SELECT telesales_id, COUNT(*) FROM appointments
	WHERE store_id = ? AND created_at >= ? AND created_at < ? AND status <> 'replaced'%s
	GROUP BY telesales_id`
	showsSQL = `SELECT telesales_id, status, COUNT(*) FROM appointments
	WHERE store_id = ? AND status IN ('arrived', 'missed') AND at >= ? AND at < ?%s
	GROUP BY telesales_id, status`
	handoversAcceptedSQL = `SELECT from_id, to_id, COUNT(*) FROM handovers
	WHERE store_id = ? AND status = 'accepted' AND decided_at >= ? AND decided_at < ?%s
	GROUP BY from_id, to_id`
	collisionsRuledSQL = `SELECT owner_id, claimant_id, winner_id, COUNT(*) FROM collisions
	WHERE store_id = ? AND status = 'ruled' AND decided_at >= ? AND decided_at < ?%s
	GROUP BY owner_id, claimant_id, winner_id`
)

// telesales fills invitations, shows, handovers and collisions.
func (r *reportRun) telesales(ctx context.Context, tot *domain.Figures) error {
	span := []any{r.st.ID, r.from(), r.to()}
	cond, condArgs := r.whose("telesales_id")
	var id, other, winner int64
	var status string
	var n int
	if err := r.scan(ctx, "invitations", fmt.Sprintf(invitationsSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &n}, func() {
			if x := r.row(id); x != nil {
				x.Telesales.Invitations += n
			}
			tot.Telesales.Invitations += n
		}); err != nil {
		return err
	}
	if err := r.scan(ctx, "shows", fmt.Sprintf(showsSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &status, &n}, func() {
			add := func(t *domain.TelesalesFigures) {
				if status == domain.ApptArrived {
					t.Shows += n
				} else {
					t.NoShows += n
				}
			}
			if x := r.row(id); x != nil {
				add(&x.Telesales)
			}
			add(&tot.Telesales)
		}); err != nil {
		return err
	}
	two := func(a, b string) (string, []any) {
		if r.only == 0 {
			return "", nil
		}
		return " AND (" + a + " = ? OR " + b + " = ?)", []any{r.only, r.only}
	}
	cond, condArgs = two("from_id", "to_id")
	if err := r.scan(ctx, "handovers", fmt.Sprintf(handoversAcceptedSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &other, &n}, func() {
			if x := r.row(id); x != nil {
				x.Telesales.HandoversAccepted += n
			}
			if x := r.row(other); x != nil && other != id {
				x.Telesales.HandoversAccepted += n
			}
			tot.Telesales.HandoversAccepted += n
		}); err != nil {
		return err
	}
	cond, condArgs = two("owner_id", "claimant_id")
	return r.scan(ctx, "collisions", fmt.Sprintf(collisionsRuledSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &other, &winner, &n}, func() {
			for _, side := range []int64{id, other} {
				if x := r.row(side); x != nil {
					if side == winner {
						x.Telesales.CollisionsWon += n
					} else {
						x.Telesales.CollisionsLost += n
					}
				}
			}
			tot.Telesales.CollisionsWon += n
			tot.Telesales.CollisionsLost += n
		})
}

// The rota figures' queries (R5.1, R5.3): days are the store's dates.
const (
	restDaysSQL = `SELECT staff_id, COUNT(*) FROM rest_days
	WHERE store_id = ? AND status = 'approved' AND day >= ? AND day < ?%s
	GROUP BY staff_id`
	receptionMissesSQL = `SELECT staff_id, SUM(misses) FROM reception_entries
	WHERE store_id = ? AND day >= ? AND day < ? AND misses > 0%s
	GROUP BY staff_id`
)

// rota fills rest days taken and reception misses.
func (r *reportRun) rota(ctx context.Context, tot *domain.Figures) error {
	cond, condArgs := r.whose("staff_id")
	args := append([]any{r.st.ID, r.p.First, r.p.To.Format(domain.DateLayout)}, condArgs...)
	var id int64
	var n int
	if err := r.scan(ctx, "rest days", fmt.Sprintf(restDaysSQL, cond), args, []any{&id, &n}, func() {
		if x := r.row(id); x != nil {
			x.Rota.RestDays += n
		}
		tot.Rota.RestDays += n
	}); err != nil {
		return err
	}
	return r.scan(ctx, "reception misses", fmt.Sprintf(receptionMissesSQL, cond), args, []any{&id, &n}, func() {
		if x := r.row(id); x != nil {
			x.Rota.ReceptionMisses += n
		}
		tot.Rota.ReceptionMisses += n
	})
}
