package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// Sub-dealer contracts (R4.6): the manager signs them (/dealer add),
// records the deposit (/dealer deposit), sets the monthly targets
// (/dealer target), records by hand the cars sold through them outside
// the bot (/dealer sold), and lists them with this month's achievement
// (/dealers): those plus the orders through them delivered that month. The rules are domain.SubDealerService's.

// registerSubDealers adds /dealer and /dealers.
func (b *Bot) registerSubDealers() {
	manager := []domain.Role{domain.RoleManager}
	b.Register(Command{Name: "dealer", Roles: manager, Handler: b.handleDealer})
	b.Register(Command{Name: "dealers", Roles: manager, Handler: b.handleDealers})
}

// handleDealer is /dealer add|deposit|target|sold ….
func (b *Bot) handleDealer(ctx context.Context, r *Request) error {
	f := r.Fields()
	if len(f) == 0 {
		return errUsage
	}
	switch strings.ToLower(f[0]) {
	case "add", "新增":
		if len(f) != 8 && len(f) != 9 {
			return errUsage
		}
		phone, err := domain.NormalizePhone(f[3])
		if err != nil {
			return err
		}
		fen, err := domain.ParseMoney(f[7], true) // zero: the service says the deposit must be above it
		if err != nil {
			return err
		}
		var tiers []domain.RebateTier
		if len(f) == 9 {
			if tiers, err = domain.ParseRebateTiers(f[8]); err != nil {
				return err
			}
		}
		c, err := b.opts.SubDealers.AddSubDealer(ctx, r.Staff.ID, domain.NewSubDealer{
			Dealer: f[1], Contact: f[2], Phone: phone, Territory: f[4], StartsOn: f[5], EndsOn: f[6],
			DepositFen: fen, Rebates: tiers,
		})
		if err != nil {
			return err
		}
		r.Reply(ctx, "dealer.added", c.ID, c.Dealer, c.Territory, c.StartsOn, c.EndsOn,
			domain.FormatFen(c.DepositFen), b.formatTime(c.StoreID, c.DepositLapsAt.Add(-1)))
		return nil
	case "deposit", "保证金":
		if len(f) != 3 {
			return errUsage
		}
		id, err := dealerID(f[1])
		if err != nil {
			return err
		}
		fen, err := domain.ParseMoney(f[2], true)
		if err != nil {
			return err
		}
		c, err := b.opts.SubDealers.RecordDealerDeposit(ctx, r.Staff.ID, id, fen)
		if err != nil {
			return err
		}
		r.Reply(ctx, "dealer.deposit", c.ID, c.Dealer, domain.FormatFen(c.DepositFen))
		return nil
	case "target", "目标", "sold", "销量":
		if len(f) != 4 {
			return errUsage
		}
		id, err := dealerID(f[1])
		if err != nil {
			return err
		}
		month, err := domain.CheckMonth(f[2])
		if err != nil {
			return err
		}
		target := f[0] == "target" || f[0] == "目标"
		units, err := domain.CheckUnits(f[3], !target)
		if err != nil {
			return err
		}
		var line *domain.SubDealerLine
		if target {
			line, err = b.opts.SubDealers.SetDealerTarget(ctx, r.Staff.ID, id, month, units)
		} else {
			line, err = b.opts.SubDealers.RecordDealerSales(ctx, r.Staff.ID, id, month, units)
		}
		if err != nil {
			return err
		}
		r.Reply(ctx, "dealer.month", line.Contract.ID, line.Contract.Dealer, line.Month.Month, monthText(r, line.Month))
		return nil
	}
	return errUsage
}

// dealerID reads a contract number.
func dealerID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorkf(domain.ENOTFOUND, "err.dealer_unknown", []any{s}, "no sub-dealer contract %q", s)
	}
	return id, nil
}

// monthText is "sold/target (pct%)", or what is missing.
func monthText(r *Request, m domain.MonthFigures) Raw {
	text := r.T("dealer.achieved", m.Sold, m.Target, m.Share())
	if m.Target <= 0 {
		text = r.T("dealer.no_target", m.Sold)
	}
	if m.Orders > 0 {
		text += r.T("dealer.of_orders", m.Orders)
	}
	return Raw(text)
}

// handleDealers is /dealers: the store's contracts with this month's
// achievement.
func (b *Bot) handleDealers(ctx context.Context, r *Request) error {
	lines, err := b.opts.SubDealers.SubDealers(ctx, r.Staff.ID, b.now())
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		r.Reply(ctx, "dealer.none")
		return nil
	}
	out := []string{r.T("dealer.list_head", len(lines))}
	for _, l := range lines {
		c := l.Contract
		deposit := Raw(r.T("dealer.deposit_pending", b.formatTime(c.StoreID, c.DepositLapsAt.Add(-1))))
		if c.DepositPaid() {
			deposit = Raw(r.T("dealer.deposit_paid", domain.FormatFen(c.DepositFen)))
		}
		out = append(out, r.T("dealer.line", c.ID, c.Dealer, c.Territory, Raw(r.T("dealer.state_"+string(c.State))),
			c.StartsOn, c.EndsOn, deposit, monthText(r, l.Month)))
	}
	b.reply(ctx, r.ChatID, strings.Join(out, "\n"))
	return nil
}

// NotifySubDealers implements jobs.SubDealerNotifier: each notice to the
// contract's store's managers, keyed per contract, kind, period and
// person, so a rerun sends nothing twice.
func (b *Bot) NotifySubDealers(ctx context.Context, notices []domain.SubDealerNotice) error {
	for _, n := range notices {
		c := n.Contract
		key := "sd:" + string(n.Kind) + ":" + strconv.FormatInt(c.ID, 10) + ":" + n.Period + ":"
		for _, p := range n.Managers {
			var text string
			switch n.Kind {
			case domain.NoticeDepositDue:
				text = T(p.Lang, "dealer.notice_deposit_due", c.ID, c.Dealer, b.formatTime(c.StoreID, c.DepositLapsAt))
			case domain.NoticeDepositLapsed:
				text = T(p.Lang, "dealer.notice_lapsed", c.ID, c.Dealer, c.SignedOn)
			case domain.NoticeTargetDue:
				text = T(p.Lang, "dealer.notice_target", c.ID, c.Dealer, n.Month, n.ByDay)
			case domain.NoticeExpiry:
				text = T(p.Lang, "dealer.notice_expiry", c.ID, c.Dealer, c.EndsOn)
			case domain.NoticePerformance:
				var figs []string
				for _, m := range n.Figures {
					figs = append(figs, T(p.Lang, "dealer.figure", m.Month, m.Sold, m.Target, m.Share()))
				}
				text = T(p.Lang, "dealer.notice_"+string(n.Alert), c.ID, c.Dealer, len(n.Figures)) + "\n" + strings.Join(figs, "\n")
			default:
				continue
			}
			if err := b.Push(ctx, key+strconv.FormatInt(p.ID, 10), p.TelegramID, p.ID, text, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
