package bot

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// The stock ledger (R3.1, R3.2): /car opens a car's card or adds one by
// hand, /pdi records the arrival inspection, /stock lists the stock oldest
// first. A dispatch list arrives as a document and a VIN as a barcode photo
// (vehicle_file.go). The rules are domain.VehicleService's.

// stockCardLimit is how many cars /stock offers as buttons, oldest first.
const stockCardLimit = 8

// reserveDays is how long the card's reserve button holds a car for an order.
const reserveDays = 7

// registerVehicles adds /car, /pdi, /stock and the card's buttons.
func (b *Bot) registerVehicles() {
	b.Register(Command{Name: "car", Roles: domain.StockViewers, Handler: b.handleCar})
	b.Register(Command{Name: "pdi", Roles: domain.StockKeepers, Handler: b.handlePDI})
	b.Register(Command{Name: "stock", Roles: domain.StockViewers, Handler: b.handleStock})
	b.RegisterCallback(Callback{Prefix: "vcar", Roles: domain.StockViewers, Handler: b.handleCarButton})
	b.RegisterCallback(Callback{Prefix: "vmv", Roles: domain.StockViewers, Handler: b.handleMoveButton})
	b.RegisterCallback(Callback{Prefix: "vpdi", Roles: domain.StockKeepers, Handler: b.handlePDIButton})
	b.RegisterCallback(Callback{Prefix: "vimp", Roles: domain.StockKeepers, Handler: b.handleImportButton})
}

// handleCar is /car VIN | last 6, and /car add VIN 车型 配置 颜色 [发动机号].
func (b *Bot) handleCar(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) > 0 && strings.EqualFold(f[0], "add") {
		if len(f) < 5 || len(f) > 6 {
			return errUsage
		}
		d := domain.VehicleDraft{VIN: f[1], Model: f[2], Trim: f[3], Colour: f[4]}
		if len(f) == 6 {
			d.EngineNo = f[5]
		}
		v, err := b.opts.Vehicles.AddVehicle(ctx, r.Staff.ID, d)
		if err != nil {
			return err
		}
		c, err := b.opts.Vehicles.VehicleCardByID(ctx, r.Staff.ID, v.ID)
		if err != nil {
			return err
		}
		return b.replyVehicleCard(ctx, r, c, "car.added", v.VIN)
	}
	if len(f) != 1 {
		return errUsage
	}
	c, err := b.opts.Vehicles.VehicleCard(ctx, r.Staff.ID, f[0])
	if err != nil {
		return err
	}
	return b.replyVehicleCard(ctx, r, c, "")
}

// replyVehicleCard answers with a car's card, after an optional headline.
func (b *Bot) replyVehicleCard(ctx context.Context, r *Request, c *domain.VehicleCard, headline string, args ...any) error {
	text := b.vehicleCardText(ctx, r, c)
	if headline != "" {
		text = r.T(headline, args...) + "\n\n" + text
	}
	b.replyMarkup(ctx, r.ChatID, text, vehicleButtons(r, c))
	return nil
}

// vehicleCardText renders the card: the car, its state and age, its last
// inspection and its history with who and when.
func (b *Bot) vehicleCardText(ctx context.Context, r *Request, c *domain.VehicleCard) string {
	v := c.Vehicle
	loc := r.Store().Calendar.Location
	var sb strings.Builder
	sb.WriteString(r.T("car.head", v.VIN, strings.TrimSpace(v.Model+" "+v.Trim+" "+v.Colour), r.T("vstate."+string(v.State))))
	if !v.ArrivedAt.IsZero() && (v.State == domain.VehicleInStock || v.State == domain.VehicleReserved || v.State == domain.VehicleArrived ||
		v.State == domain.VehicleAllocated) {
		sb.WriteString("\n" + r.T("car.age", c.Days, r.T("vage."+string(c.Age))))
	}
	if v.State == domain.VehicleReserved {
		sb.WriteString("\n" + r.T("car.reserved_until", v.ReservedUntil.In(loc).Format(domain.MinuteLayout)))
	}
	sb.WriteString("\n" + r.T("car.papers", dash(v.EngineNo), dash(v.CertificateNo)))
	if p := c.LastPDI; p != nil {
		if p.Passed {
			sb.WriteString("\n" + r.T("car.pdi_passed", p.At.In(loc).Format(domain.MinuteLayout), r.staffName(ctx, p.By)))
		} else {
			sb.WriteString("\n" + r.T("car.pdi_failed", p.At.In(loc).Format(domain.MinuteLayout), r.staffName(ctx, p.By), defectList(p.Defects)))
		}
	}
	sb.WriteString("\n" + r.T("car.history"))
	for _, e := range c.Events {
		by := r.T("car.by_system")
		if e.By != domain.SystemActor {
			by = r.staffName(ctx, e.By)
		}
		sb.WriteString("\n" + r.T("car.event", e.At.In(loc).Format(domain.MinuteLayout), r.T("vstate."+string(e.To)), by))
	}
	return sb.String()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// defectList writes failed inspection items with their notes.
func defectList(ds []domain.PDICheck) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Item + "（" + d.Note + "）"
	}
	return strings.Join(parts, "；")
}

// vehicleButtons are the card's next moves the viewer may make: one tap
// each; arrived → in stock goes through the inspection (/pdi).
func vehicleButtons(r *Request, c *domain.VehicleCard) models.ReplyMarkup {
	id := strconv.FormatInt(c.Vehicle.ID, 10)
	var row []models.InlineKeyboardButton
	for _, to := range c.Next {
		switch {
		case c.Vehicle.State == domain.VehicleArrived && to == domain.VehicleInStock:
			row = append(row, models.InlineKeyboardButton{Text: r.T("btn.car_pdi"), CallbackData: "vpdi:" + id})
		case c.Vehicle.State == domain.VehicleReserved && to == domain.VehicleInStock:
			row = append(row, models.InlineKeyboardButton{Text: r.T("btn.car_release"), CallbackData: "vmv:" + string(to) + ":" + id})
		case to == domain.VehicleReserved:
			row = append(row, models.InlineKeyboardButton{Text: r.T("btn.car_reserve", reserveDays), CallbackData: "vmv:" + string(to) + ":" + id})
		default:
			row = append(row, models.InlineKeyboardButton{Text: r.T("btn.car_to", r.T("vstate."+string(to))), CallbackData: "vmv:" + string(to) + ":" + id})
		}
	}
	if len(row) == 0 {
		return nil
	}
	return inlineKeyboard(row)
}

// handleCarButton opens a car from a list: vcar:<id>.
func (b *Bot) handleCarButton(ctx context.Context, r *Request) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	c, err := b.opts.Vehicles.VehicleCardByID(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	return b.replyVehicleCard(ctx, r, c, "")
}

// handleMoveButton takes a tap on the card: vmv:<state>:<id>. The card is
// answered anew with the change, who and when on it.
func (b *Bot) handleMoveButton(ctx context.Context, r *Request) error {
	to, idText, _ := strings.Cut(r.Args, ":")
	id, err := parseButtonID(idText)
	if err != nil {
		return err
	}
	m := domain.VehicleMove{To: domain.VehicleState(to)}
	if m.To == domain.VehicleReserved {
		m.ReservedUntil = b.now().AddDate(0, 0, reserveDays)
	}
	moved, err := b.opts.Vehicles.MoveVehicle(ctx, r.Staff.ID, id, m)
	if err != nil {
		return err
	}
	if err := b.sendAllocationCard(ctx, moved.Allocated, nil); err != nil {
		return err
	}
	c, err := b.opts.Vehicles.VehicleCardByID(ctx, r.Staff.ID, moved.Vehicle.ID)
	if err != nil {
		return err
	}
	return b.replyVehicleCard(ctx, r, c, "car.moved", moved.Vehicle.VIN, r.T("vstate."+string(moved.Event.To)))
}

// handlePDIButton answers the card's inspection button with the checklist
// and how to record it.
func (b *Bot) handlePDIButton(ctx context.Context, r *Request) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	c, err := b.opts.Vehicles.VehicleCardByID(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	r.Reply(ctx, "pdi.checklist", Raw(b.pdiChecklist(r)), c.Vehicle.VIN, c.Vehicle.VIN)
	return nil
}

// pdiChecklist numbers the store's inspection items.
func (b *Bot) pdiChecklist(r *Request) string {
	items := r.Store().Rules.Vehicles.PDIItems
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = fmt.Sprintf("%d. %s", i+1, html.EscapeString(it))
	}
	return strings.Join(lines, "\n")
}

// handlePDI records an inspection: /pdi VIN ok 发动机号 合格证号, or
// /pdi VIN fail 3,7 note. /pdi VIN alone shows the checklist.
func (b *Bot) handlePDI(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 1 {
		ref := strings.ToUpper(f[0])
		r.Reply(ctx, "pdi.checklist", Raw(b.pdiChecklist(r)), ref, ref)
		return nil
	}
	if len(f) < 3 {
		return errUsage
	}
	items := r.Store().Rules.Vehicles.PDIItems
	var checks []domain.PDICheck
	var confirm domain.PDIConfirm
	var err error
	switch strings.ToLower(f[1]) {
	case "ok", "pass", "通过", "合格":
		if len(f) != 4 {
			return errUsage
		}
		confirm = domain.PDIConfirm{EngineNo: f[2], CertificateNo: f[3]}
		checks, err = domain.PDIChecks(items, f[1], "", "")
	default:
		note := ""
		if len(f) > 3 {
			note = strings.Join(f[3:], " ")
		}
		checks, err = domain.PDIChecks(items, f[1], f[2], note)
	}
	if err != nil {
		return err
	}
	out, err := b.opts.Vehicles.RecordPDI(ctx, r.Staff.ID, f[0], checks, confirm)
	if err != nil {
		return err
	}
	c, err := b.opts.Vehicles.VehicleCardByID(ctx, r.Staff.ID, out.Vehicle.ID)
	if err != nil {
		return err
	}
	if out.PDI.Passed {
		if a := out.Allocated; a != nil {
			// In stock, and at once the first order in line's (R4.3).
			if err := b.sendAllocationCard(ctx, a, nil); err != nil {
				return err
			}
			return b.replyVehicleCard(ctx, r, c, "pdi.passed_allocated", out.Vehicle.VIN, a.Allocation.Order.ID)
		}
		return b.replyVehicleCard(ctx, r, c, "pdi.passed", out.Vehicle.VIN)
	}
	for _, m := range out.Managers {
		key := fmt.Sprintf("pdi-failed:%d:%d", out.PDI.ID, m.ID)
		err := b.tell(ctx, key, m, func(lang domain.Lang) string {
			return T(lang, "pdi.failed_manager", out.Vehicle.VIN, out.Vehicle.Model, r.Staff.Name, defectList(out.PDI.Defects))
		})
		if err != nil {
			return err
		}
	}
	return b.replyVehicleCard(ctx, r, c, "pdi.failed", out.Vehicle.VIN, len(out.PDI.Defects), len(out.Managers))
}

// handleStock is /stock [车型]: groups by model, trim and colour, oldest
// first, and the first cars to sell as buttons.
func (b *Bot) handleStock(ctx context.Context, r *Request) error {
	s, err := b.opts.Vehicles.Stock(ctx, r.Staff.ID, r.Args, stockCardLimit)
	if err != nil {
		return err
	}
	var sb strings.Builder
	total := 0
	for _, g := range s.Groups {
		total += g.InStock + g.Reserved
	}
	sb.WriteString(r.T("stock.head", total, s.InTransit, s.Arrived))
	if len(s.Groups) == 0 {
		sb.WriteString("\n" + r.T("stock.none"))
	}
	shown, units := 0, textUnits(sb.String())
	for _, g := range s.Groups {
		line := "\n" + r.T("stock.group", strings.TrimSpace(g.Model+" "+g.Trim+" "+g.Colour), g.InStock, g.Reserved, g.OldestDays)
		if g.Allocated > 0 {
			line += r.T("stock.allocated", g.Allocated)
		}
		// Counted line by line: recounting the whole text each time was
		// quadratic in the groups.
		if units += textUnits(line); units > maxMessageLen-200 {
			break
		}
		sb.WriteString(line)
		shown++
	}
	if shown < len(s.Groups) {
		sb.WriteString("\n" + r.T("vlist.more", len(s.Groups)-shown))
	}
	var rows [][]models.InlineKeyboardButton
	for _, a := range s.Cars {
		v := a.Vehicle
		rows = append(rows, []models.InlineKeyboardButton{{
			Text:         clip(fmt.Sprintf("%s %s %s · %s", v.VIN[len(v.VIN)-domain.VINSuffixLen:], v.Model, v.Colour, r.T("stock.days", a.Days)), 60),
			CallbackData: "vcar:" + strconv.FormatInt(v.ID, 10),
		}})
	}
	if len(rows) == 0 {
		b.reply(ctx, r.ChatID, sb.String())
		return nil
	}
	b.replyMarkup(ctx, r.ChatID, sb.String(), inlineKeyboard(rows...))
	return nil
}

// textUnits counts s in UTF-16 units, as Telegram's 4096 limit does.
func textUnits(s string) int { return len(utf16.Encode([]rune(s))) }

// NotifyReservationsExpired tells the seller who reserved each lapsed car,
// and the store's supervisors, that it is back in stock
// (jobs.ReservationExpiry). Each message is keyed by the return's event,
// so a rerun sends nothing twice. Call it in the job's transaction.
func (b *Bot) NotifyReservationsExpired(ctx context.Context, lapsed []domain.ReservationExpired) error {
	for _, e := range lapsed {
		if err := b.sendAllocationCard(ctx, e.Allocated, nil); err != nil {
			return err
		}
		v := e.Vehicle
		what := strings.TrimSpace(v.Model + " " + v.Trim + " " + v.Colour)
		at := b.formatTime(v.StoreID, e.Event.At)
		id := strconv.FormatInt(v.ID, 10)
		key := "vres-lapsed:" + strconv.FormatInt(e.Event.ID, 10) + ":"
		if p := e.Reserver; p != nil {
			open := inlineKeyboard([]models.InlineKeyboardButton{{Text: T(p.Lang, "btn.open_car"), CallbackData: "vcar:" + id}})
			if err := b.Push(ctx, key+strconv.FormatInt(p.ID, 10), p.TelegramID, p.ID,
				T(p.Lang, "car.reservation_lapsed", v.VIN, what, at), open); err != nil {
				return err
			}
		}
		for _, p := range e.Supervisors {
			reserver := "—"
			if e.ReservedBy != nil {
				reserver = e.ReservedBy.Name
			}
			if err := b.Push(ctx, key+strconv.FormatInt(p.ID, 10), p.TelegramID, p.ID,
				T(p.Lang, "car.reservation_lapsed_sup", reserver, v.VIN, what, at), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
