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

// Test drives (R3.5): /td books a slot of a demo car for a lead, /tdout
// (or the booking's button) checks it out — licence date, odometer, fuel,
// then the signed agreement's photo — and /tdin returns it. The rules are
// domain.TestDriveService's; the late alarms are jobs.TestDriveLate's,
// told through NotifyTestDriveLate.

// registerTestDrives adds /td, /tdout, /tdin and their buttons.
func (b *Bot) registerTestDrives() {
	b.Register(Command{Name: "td", Roles: domain.TestDriveBookers, Handler: b.handleTestDrive})
	b.Register(Command{Name: "tdout", Roles: domain.TestDriveBookers, Private: true, Handler: b.handleTestDriveOut})
	b.Register(Command{Name: "tdin", Roles: domain.TestDriveBookers, Handler: b.handleTestDriveIn})
	b.RegisterCallback(Callback{Prefix: "tdb", Roles: domain.TestDriveBookers, Handler: b.handleFreeSlotButton})
	b.RegisterCallback(Callback{Prefix: "tdo", Roles: domain.TestDriveBookers, Handler: b.handleCheckoutButton})
}

// handleTestDrive is /td <lead> <when> [car]; when is one word (明天10:00)
// or two (明天 10:00).
func (b *Bot) handleTestDrive(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) < 2 || len(f) > 4 {
		return errUsage
	}
	ref, err := domain.ParseLeadRef(f[0])
	if err != nil {
		return err
	}
	cal, now := r.Store().Calendar, b.now()
	bk := domain.TestDriveBooking{Lead: ref}
	if len(f) >= 3 {
		if t, err := domain.ReadWhen(f[1]+" "+f[2], now, cal); err == nil {
			bk.Start = t
			if len(f) == 4 {
				bk.Car = f[3]
			}
		}
	}
	if bk.Start.IsZero() {
		if len(f) == 4 {
			return errUsage
		}
		if bk.Start, err = domain.ReadWhen(f[1], now, cal); err != nil {
			return err
		}
		if len(f) == 3 {
			bk.Car = f[2]
		}
	}
	return b.bookTestDrive(ctx, r, bk)
}

// handleFreeSlotButton books an offered free slot: tdb:<lead>:<car>:<unix>.
func (b *Bot) handleFreeSlotButton(ctx context.Context, r *Request) error {
	p := strings.Split(r.Args, ":")
	var n [3]int64
	for i := range n {
		if len(p) != 3 {
			break
		}
		n[i], _ = strconv.ParseInt(p[i], 10, 64)
	}
	if n[0] <= 0 || n[1] <= 0 || n[2] <= 0 {
		return domain.Errorkf(domain.ENOTFOUND, "callback.stale", nil, "bad slot button %q", r.Args)
	}
	return b.bookTestDrive(ctx, r, domain.TestDriveBooking{Lead: domain.LeadByIDRef(n[0]), VehicleID: n[1], Start: time.Unix(n[2], 0)})
}

// bookTestDrive books and answers the booking, or the clash with the
// nearest free slots as buttons.
func (b *Bot) bookTestDrive(ctx context.Context, r *Request, bk domain.TestDriveBooking) error {
	out, err := b.opts.TestDrives.BookTestDrive(ctx, r.Staff.ID, bk)
	if err != nil {
		return err
	}
	loc := r.Store().Calendar.Location
	if d := out.Drive; d != nil {
		text := r.T("td.booked", d.ID, d.Model, d.VIN, d.Start.In(loc).Format(domain.MinuteLayout), d.End.In(loc).Format("15:04"),
			out.Lead.ID, out.Lead.Name, d.ID)
		b.replyMarkup(ctx, r.ChatID, text, inlineKeyboard([]models.InlineKeyboardButton{
			{Text: r.T("btn.td_checkout"), CallbackData: fmt.Sprintf("tdo:%d", d.ID)}}))
		return nil
	}
	clash := r.T(out.Clash.Key, errorArgs(r.Lang, out.Clash)...)
	if len(out.Free) == 0 {
		b.reply(ctx, r.ChatID, r.T("td.clash_none", Raw(clash)))
		return nil
	}
	var rows [][]models.InlineKeyboardButton
	for _, s := range out.Free {
		rows = append(rows, []models.InlineKeyboardButton{{Text: s.Start.In(loc).Format(domain.MinuteLayout),
			CallbackData: fmt.Sprintf("tdb:%d:%d:%d", out.Lead.ID, s.VehicleID, s.Start.Unix())}})
	}
	b.replyMarkup(ctx, r.ChatID, r.T("td.clash", Raw(clash)), inlineKeyboard(rows...))
	return nil
}

// checkoutDraft is a checkout as typed, waiting for the agreement's photo
// (the "tdphoto" dialogue's data).
type checkoutDraft struct {
	ID      int64
	Licence string // YYYY-MM-DD
	Km      int
	Fuel    int
}

// readCheckout reads "licence-date km fuel" for drive id.
func readCheckout(r *Request, id int64, f []string) (checkoutDraft, domain.TestDriveCheckout, error) {
	var c domain.TestDriveCheckout
	if len(f) != 3 {
		return checkoutDraft{}, c, errUsage
	}
	lic, err := time.ParseInLocation(domain.DateLayout, f[0], r.Store().Calendar.Location)
	if err != nil {
		return checkoutDraft{}, c, domain.Errorkf(domain.EINVALID, "err.licence_date", []any{f[0]}, "bad licence date %q", f[0])
	}
	km, err := domain.ParseKm(f[1])
	if err != nil {
		return checkoutDraft{}, c, err
	}
	fuel, err := domain.ParseFuel(f[2])
	if err != nil {
		return checkoutDraft{}, c, err
	}
	c = domain.TestDriveCheckout{LicenceIssued: lic, Reading: domain.DriveReading{Km: km, Fuel: fuel}}
	return checkoutDraft{ID: id, Licence: f[0], Km: km, Fuel: fuel}, c, nil
}

// handleTestDriveOut is /tdout ID licence-date km fuel: checked now, the
// checkout is written when the agreement's photo follows.
func (b *Bot) handleTestDriveOut(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 4 {
		return errUsage
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(f[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return errUsage
	}
	return b.checkoutReadings(ctx, r, id, f[1:])
}

// checkoutReadings checks the readings and asks for the photo.
func (b *Bot) checkoutReadings(ctx context.Context, r *Request, id int64, f []string) error {
	draft, c, err := readCheckout(r, id, f)
	if err != nil {
		return err
	}
	if _, err := b.opts.TestDrives.CheckTestDriveCheckout(ctx, r.Staff.ID, id, c); err != nil {
		return err
	}
	if err := b.startDialog(ctx, r, "tdphoto", "", draft); err != nil {
		return err
	}
	r.Reply(ctx, "td.ask_photo", id)
	return nil
}

// handleCheckoutButton is the booking's button: tdo:<id> asks for the readings.
func (b *Bot) handleCheckoutButton(ctx context.Context, r *Request) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	d, err := b.opts.TestDrives.TestDrive(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	return b.ask(ctx, r, "tdout", d.ID, r.T("td.ask_checkout", d.ID))
}

// checkoutText takes the readings typed after the button.
func (b *Bot) checkoutText(ctx context.Context, r *Request, d *domain.Dialog, text string) error {
	var id int64
	if err := b.endDialog(ctx, r, d, &id); err != nil {
		return err
	}
	err := b.checkoutReadings(ctx, r, id, strings.Fields(text))
	if err == errUsage {
		return domain.Errorkf(domain.EINVALID, "td.ask_checkout", []any{id}, "bad readings %q", text)
	}
	return err
}

// checkoutPhotoText answers text while the agreement's photo is awaited.
func (b *Bot) checkoutPhotoText(ctx context.Context, r *Request, d *domain.Dialog, _ string) error {
	var draft checkoutDraft
	if err := b.endDialog(ctx, r, d, &draft); err != nil {
		return err
	}
	if err := b.startDialog(ctx, r, "tdphoto", "", draft); err != nil {
		return err
	}
	r.Reply(ctx, "td.want_photo", draft.ID)
	return nil
}

// onCheckoutPhoto takes the agreement's photo when a checkout awaits it;
// handled is false otherwise (the photo is then a barcode's).
func (b *Bot) onCheckoutPhoto(ctx context.Context, r *Request, m *models.Message) (handled bool, err error) {
	if len(m.Photo) == 0 {
		return false, nil
	}
	d, err := b.dialog(ctx, r)
	if err != nil || d == nil || d.Kind != "tdphoto" {
		return false, err
	}
	var draft checkoutDraft
	if err := b.endDialog(ctx, r, d, &draft); err != nil {
		return true, err
	}
	// The largest size Telegram made of the photo.
	best := m.Photo[0]
	for _, p := range m.Photo[1:] {
		if p.Width*p.Height > best.Width*best.Height {
			best = p
		}
	}
	lic, err := time.ParseInLocation(domain.DateLayout, draft.Licence, r.Store().Calendar.Location)
	if err != nil {
		return true, err
	}
	out, err := b.opts.TestDrives.CheckOutTestDrive(ctx, r.Staff.ID, draft.ID, domain.TestDriveCheckout{LicenceIssued: lic,
		Reading: domain.DriveReading{Km: draft.Km, Fuel: draft.Fuel}, AgreementFileID: best.FileID})
	if err != nil {
		return true, err
	}
	loc := r.Store().Calendar.Location
	r.Reply(ctx, "td.out", out.ID, out.Model, out.VIN, out.Out.Km, out.Out.Fuel, out.End.In(loc).Format(domain.MinuteLayout))
	return true, nil
}

// handleTestDriveIn is /tdin ID km fuel.
func (b *Bot) handleTestDriveIn(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) != 3 {
		return errUsage
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(f[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return errUsage
	}
	km, err := domain.ParseKm(f[1])
	if err != nil {
		return err
	}
	fuel, err := domain.ParseFuel(f[2])
	if err != nil {
		return err
	}
	out, err := b.opts.TestDrives.ReturnTestDrive(ctx, r.Staff.ID, id, domain.DriveReading{Km: km, Fuel: fuel})
	if err != nil {
		return err
	}
	d := out.Drive
	r.Reply(ctx, "td.returned", d.ID, d.In.Km, d.In.Km-d.Out.Km, d.In.Fuel, d.LeadID)
	return nil
}

// NotifyTestDriveLate tells a late car's consultant, then the store's
// supervisors (jobs.TestDriveNotifier), keyed per drive, step and person.
func (b *Bot) NotifyTestDriveLate(ctx context.Context, alarms []domain.TestDriveAlarm) error {
	for _, a := range alarms {
		d := a.Drive
		loc := b.opts.Stores.Of(d.StoreID).Calendar.Location
		over := int(b.now().Sub(d.End).Minutes())
		for _, p := range a.Recipients {
			key := fmt.Sprintf("td-late:%d:%d:%d", d.ID, a.Step, p.ID)
			err := b.tell(ctx, key, p, func(lang domain.Lang) string {
				if a.Step == domain.LateConsultant {
					return T(lang, "td.late_consultant", d.Model, d.VIN, d.End.In(loc).Format(domain.MinuteLayout), over, d.ID, d.LeadID)
				}
				return T(lang, "td.late_supervisor", d.Model, d.VIN, a.Consultant.Name, d.End.In(loc).Format(domain.MinuteLayout), over, d.ID, d.LeadID)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// testDriveCardLines are a lead's test drives for its card.
func (b *Bot) testDriveCardLines(ctx context.Context, r *Request, l *domain.Lead) ([]string, error) {
	drives, err := b.opts.TestDrives.LeadTestDrives(ctx, l.ID)
	if err != nil || len(drives) == 0 {
		return nil, err
	}
	lines := []string{r.T("card.testdrives")}
	for _, d := range drives {
		lines = append(lines, r.T("card.testdrive", d.ID, b.formatTime(d.StoreID, d.Start), d.Model, d.VIN, r.T("tdstate."+string(d.State))))
	}
	return lines, nil
}
