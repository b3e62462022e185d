package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Showroom visits telesales book (R1.8) and the arrival notice when the
// customer comes (R1.9). The use cases are domain.AppointmentService's;
// /appoint is registered with the handover commands (registerHandovers).

// handleAppoint books a showroom visit: /appoint 17 明天 10:00.
func (b *Bot) handleAppoint(ctx context.Context, r *Request) error {
	ref, when, ok := strings.Cut(strings.TrimSpace(r.Args), " ")
	if !ok || strings.TrimSpace(when) == "" {
		return errUsage
	}
	l, err := b.lookupWorkable(ctx, r, ref)
	if err != nil {
		return err
	}
	// Only read here: whether the time may be booked is the service's.
	at, err := domain.ReadWhen(when, b.now(), r.Store().Calendar)
	if err != nil {
		return err
	}
	out, err := b.opts.Appointments.BookAppointment(ctx, domain.Appointment{LeadID: l.ID, TelesalesID: r.Staff.ID, At: at})
	if err != nil {
		return err
	}
	b.reply(ctx, r.ChatID, appointPromise(r, out, storeTime(r.Store(), out.Appointment.At)))
	return nil
}

// appointPromise is the confirmation text of the booking's promise
// (domain.AppointmentPromise: who is reminded when).
func appointPromise(r *Request, out *domain.AppointmentBooked, at string) string {
	l, minutes := out.Lead, int(out.RemindBefore/time.Minute)
	switch out.Promise {
	case domain.PromiseLaterDay:
		return r.T("appoint.ok", l.ID, l.Name, at, minutes)
	case domain.PromiseToday:
		return r.T("appoint.ok_today", l.ID, l.Name, at, minutes)
	}
	return r.T("appoint.ok_soon", l.ID, l.Name, at)
}

// arrival tells the telesales owner at once that their customer has come
// (R1.9; R1.14.2: telesales keeps the lead), and marks the day's booking
// kept. It says whether the lead is telesales', and whether it was booked
// (an invited customer, for the visit card). When a consultant registered
// the visit as theirs, the notice carries a Dispute button (R1.14.4).
func (b *Bot) arrival(ctx context.Context, out *domain.Arrival) (telesales, invited bool, err error) {
	if out.Notify == nil {
		return out.Telesales, out.Invited, nil
	}
	l, registrar, v := out.Lead, out.Registrar, out.Visit
	owner, day := out.Notify, b.opts.Stores.Of(l.StoreID).Calendar.StartOfDay(b.now())
	key := "arrival.notice_lead" // a telesales lead who came without a booking
	if out.Invited {
		key = "arrival.notice"
	}
	text := T(owner.Lang, key, l.Name, l.ID, registrar.Name)
	var markup models.ReplyMarkup
	if out.Claimed {
		text += "\n" + T(owner.Lang, "arrival.claimed", registrar.Name)
		markup = inlineKeyboard([]models.InlineKeyboardButton{{Text: T(owner.Lang, "btn.dispute"), CallbackData: "dispute:" + strconv.FormatInt(v.ID, 10)}})
	}
	return true, out.Invited, b.Push(ctx, fmt.Sprintf("arrival:%d:%s", l.ID, day.Format(domain.DateLayout)), owner.TelegramID, owner.ID, text, markup)
}

// NotifyAppointmentReminder tells the telesales who booked the visit and
// reception that a booked customer is due soon (R1.8: 30 minutes before).
// Call it in a transaction.
func (b *Bot) NotifyAppointmentReminder(ctx context.Context, n domain.AppointmentReminder) error {
	a, l := n.Appointment, n.Lead
	at := a.At.In(b.opts.Stores.Of(a.StoreID).Calendar.Location).Format("15:04")
	if t := n.Booker; t != nil {
		if err := b.Push(ctx, fmt.Sprintf("appt-remind:%d:%d", a.ID, t.ID), t.TelegramID, t.ID,
			T(t.Lang, "appoint.remind_telesales", l.Name, l.ID, at, l.Phone), nil); err != nil {
			return err
		}
	}
	tele := b.staffName(ctx, a.TelesalesID)
	for _, p := range n.Reception {
		if err := b.Push(ctx, fmt.Sprintf("appt-remind:%d:%d", a.ID, p.ID), p.TelegramID, p.ID,
			T(p.Lang, "appoint.remind", l.Name, at, tele, l.Phone), nil); err != nil {
			return err
		}
	}
	return nil
}
