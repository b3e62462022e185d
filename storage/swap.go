package storage

import (
	"context"

	"github.com/dealerbot/dealerbot/domain"
)

// Swaps of rest days (R5.1): the colleague agrees, then the requester's
// supervisor rules. Where a swap stands is the rest day's swap_with,
// swap_day, swap_stage and swap_seq.

// RequestSwap implements domain.RestService.
func (db *DB) RequestSwap(ctx context.Context, r domain.SwapRequest) (*domain.SwapRequested, error) {
	var out *domain.SwapRequested
	err := db.InTx(ctx, func(ctx context.Context) error {
		requester, err := db.StaffByID(ctx, r.RequesterID)
		if err != nil {
			return err
		}
		st := db.rotaStoreOf(requester)
		day := st.Calendar.StartOfDay(r.Day)
		if err := domain.AfterToday(day, db.now(), st.Calendar); err != nil {
			return err
		}
		d := day.Format(domain.DateLayout)
		colleague, err := db.rotaStaffNamed(ctx, st.ID, r.Colleague)
		if err != nil {
			return err
		}
		if err := domain.CanSwapWith(requester, colleague); err != nil {
			return err
		}
		rd, err := db.approvedRestOn(ctx, requester.ID, d)
		if err != nil {
			return err
		}
		if rd == nil {
			return domain.Errorkf(domain.EINVALID, "swap.none", []any{domain.RestDate(d)}, "no approved rest day on %s", d)
		}
		if rd.SwapWith != 0 {
			return domain.Errorkf(domain.ECONFLICT, "swap.pending", []any{domain.RestDate(d)}, "rest day %d has a swap pending", rd.ID)
		}
		theirDay := ""
		if !r.TheirDay.IsZero() {
			td := st.Calendar.StartOfDay(r.TheirDay)
			if err := domain.AfterToday(td, db.now(), st.Calendar); err != nil {
				return err
			}
			theirDay = td.Format(domain.DateLayout)
			theirs, err := db.approvedRestOn(ctx, colleague.ID, theirDay)
			if err != nil {
				return err
			}
			if theirs == nil || theirs.SwapWith != 0 {
				// Missing, or already offered in another swap.
				return domain.Errorkf(domain.EINVALID, "swap.none_theirs", []any{colleague.Name, domain.RestDate(theirDay)},
					"%s has no free approved rest day on %s", colleague.Name, theirDay)
			}
		}
		if err := db.checkSwap(ctx, rd, requester, colleague, theirDay); err != nil {
			return err
		}
		rd.SwapWith, rd.SwapDay, rd.SwapStage, rd.SwapSeq = colleague.ID, theirDay, domain.SwapAsked, rd.SwapSeq+1
		if err := db.saveSwap(ctx, rd); err != nil {
			return err
		}
		out = &domain.SwapRequested{Swap: domain.Swap{Rest: rd, Requester: requester, Colleague: colleague, TheirDay: theirDay, Seq: rd.SwapSeq}}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "request swap of staff %d", r.RequesterID)
	}
	return out, nil
}

// AgreeSwap implements domain.RestService.
func (db *DB) AgreeSwap(ctx context.Context, id, colleagueID int64) (*domain.SwapAnswered, error) {
	return db.answerSwap(ctx, id, colleagueID, true)
}

// DeclineSwap implements domain.RestService.
func (db *DB) DeclineSwap(ctx context.Context, id, colleagueID int64) (*domain.SwapAnswered, error) {
	return db.answerSwap(ctx, id, colleagueID, false)
}

// answerSwap records the colleague's answer to the swap of rest day id.
func (db *DB) answerSwap(ctx context.Context, id, colleagueID int64, agreed bool) (*domain.SwapAnswered, error) {
	var out *domain.SwapAnswered
	err := db.InTx(ctx, func(ctx context.Context) error {
		sw, err := db.swapOf(ctx, id, domain.SwapAsked, colleagueID)
		if err != nil {
			return err
		}
		out = &domain.SwapAnswered{Swap: *sw, Agreed: agreed, Notify: domain.Tellable(sw.Requester, colleagueID)}
		rd := *sw.Rest
		if !agreed {
			rd.SwapWith, rd.SwapDay, rd.SwapStage = 0, "", domain.SwapNone
			return db.saveSwap(ctx, &rd)
		}
		if err := db.checkSwap(ctx, sw.Rest, sw.Requester, sw.Colleague, sw.TheirDay); err != nil {
			return err
		}
		if out.Approvers, err = db.rotaApproversOf(ctx, sw.Requester); err != nil {
			return err
		}
		if len(out.Approvers) == 0 {
			return domain.Errorkf(domain.ENOTFOUND, "err.no_supervisor", nil, "no supervisor to approve staff %d", sw.Requester.ID)
		}
		rd.SwapStage = domain.SwapAgreed
		return db.saveSwap(ctx, &rd)
	})
	if err != nil {
		return nil, wrapInternal(err, "answer swap of rest day %d", id)
	}
	return out, nil
}

// DecideSwap implements domain.RestService.
func (db *DB) DecideSwap(ctx context.Context, id int64, d domain.Decision) (*domain.SwapDecided, error) {
	d.At = db.now()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *domain.SwapDecided
	err := db.InTx(ctx, func(ctx context.Context) error {
		if rd, err := db.RestDayByID(ctx, id); err != nil {
			return err
		} else if err := db.rotaVisibleTo(ctx, d.DeciderID, rd.StoreID, errRestDayNotFound(id)); err != nil {
			return err
		}
		sw, err := db.swapOf(ctx, id, domain.SwapAgreed, 0)
		if err != nil {
			return err
		}
		decider, err := db.checkDecider(ctx, sw.Approval(), d.DeciderID)
		if err != nil {
			return err
		}
		rd := *sw.Rest
		if d.Approved() {
			if err := db.checkSwap(ctx, &rd, sw.Requester, sw.Colleague, sw.TheirDay); err != nil {
				return err
			}
			if sw.TheirDay != "" {
				theirs, err := db.approvedRestOn(ctx, sw.Colleague.ID, sw.TheirDay)
				if err != nil {
					return err
				}
				if err := db.MoveRestDay(ctx, theirs.ID, sw.Requester.ID, decider.ID); err != nil {
					return err
				}
			}
			if err := db.MoveRestDay(ctx, rd.ID, sw.Colleague.ID, decider.ID); err != nil {
				return err
			}
		} else {
			rd.SwapWith, rd.SwapDay, rd.SwapStage = 0, "", domain.SwapNone
			if err := db.saveSwap(ctx, &rd); err != nil {
				return err
			}
		}
		out = &domain.SwapDecided{Swap: *sw, Decision: d, Decider: decider}
		out.Approvers, err = db.rotaApproversOf(ctx, sw.Requester)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "decide swap of rest day %d", id)
	}
	return out, nil
}

// swapOf loads the swap of rest day id if it waits at stage for
// colleagueID (0: for the supervisors). ENOTFOUND (callback.stale),
// ECONFLICT (swap.stale).
func (db *DB) swapOf(ctx context.Context, id int64, stage domain.SwapStage, colleagueID int64) (*domain.Swap, error) {
	rd, err := db.RestDayByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := rd.SwapWaitsFor(stage, colleagueID); err != nil {
		return nil, err
	}
	requester, err := db.StaffByID(ctx, rd.StaffID)
	if err != nil {
		return nil, err
	}
	colleague, err := db.StaffByID(ctx, rd.SwapWith)
	if err != nil {
		return nil, err
	}
	return &domain.Swap{Rest: rd, Requester: requester, Colleague: colleague, TheirDay: rd.SwapDay, Seq: rd.SwapSeq}, nil
}

// saveSwap writes where rd's swap stands.
func (db *DB) saveSwap(ctx context.Context, rd *domain.RestDay) error {
	if rd.SwapDay != "" {
		if err := validRestDay(rd.SwapDay); err != nil {
			return err
		}
	}
	return db.updateRestDay(ctx, rd.ID, map[string]any{"swap_with": rd.SwapWith, "swap_day": rd.SwapDay,
		"swap_stage": string(rd.SwapStage), "swap_seq": rd.SwapSeq})
}

// approvedRestOn returns staffID's approved rest day on day, or nil.
func (db *DB) approvedRestOn(ctx context.Context, staffID int64, day string) (*domain.RestDay, error) {
	ds, err := db.RestDaysOf(ctx, staffID, day, day)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Status == domain.RestApproved {
			return &d, nil
		}
	}
	return nil, nil
}

// checkSwap checks the limits as they would stand after the swap: the
// colleague resting on rd's day, and the requester on theirDay (if any).
// The count of people off a day does not change. ECONFLICT (swap.stale)
// when the colleague's day is gone, EINVALID (swap.limit) when a limit
// would break.
func (db *DB) checkSwap(ctx context.Context, rd *domain.RestDay, requester, colleague *domain.Staff, theirDay string) error {
	st := db.Stores.Of(rd.StoreID)
	day, err := restDayTime(st, rd.Day)
	if err != nil {
		return err
	}
	var theirs *domain.RestDay
	if theirDay != "" {
		if theirs, err = db.approvedRestOn(ctx, colleague.ID, theirDay); err != nil {
			return err
		}
		if theirs == nil {
			return domain.Errorkf(domain.ECONFLICT, "swap.stale", nil, "%s no longer rests on %s", colleague.Name, theirDay)
		}
	}
	rules := domain.LaterRules(st.Rules.Rota)
	var skip []int64
	if theirs != nil {
		skip = []int64{theirs.ID}
	}
	if err := db.checkRestFor(ctx, st, colleague.ID, day, rules, skip, 1); err != nil {
		return domain.SwapLimit(colleague.Name, err)
	}
	if theirs != nil {
		td, err := restDayTime(st, theirs.Day)
		if err != nil {
			return err
		}
		if err := db.checkRestFor(ctx, st, requester.ID, td, rules, []int64{rd.ID}, 1); err != nil {
			return domain.SwapLimit(requester.Name, err)
		}
	}
	return nil
}
