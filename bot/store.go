package bot

import (
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// storeButtonsMax is how many stores /store offers as buttons; a larger
// group types the code (/store CODE), which the answer lists.
const storeButtonsMax = 24

// registerStore adds /store, with which a group role (group_gm,
// group_service) chooses the store it acts in, and its buttons.
func (b *Bot) registerStore() {
	b.Register(Command{Name: "store", Roles: domain.StoreChooserRoles, Handler: b.handleStore})
	b.RegisterCallback(Callback{Prefix: "store", Roles: domain.StoreChooserRoles, Handler: b.handleStoreButton})
}

// handleStore shows the caller's store and a button per store (/store),
// or switches to the store with a code (/store CODE).
func (b *Bot) handleStore(ctx context.Context, r *Request) error {
	if code := strings.TrimSpace(r.Args); code != "" {
		text, err := b.chooseStore(ctx, r, code)
		if err != nil {
			return err
		}
		b.reply(ctx, r.ChatID, text)
		return nil
	}
	text, markup := b.storePicker(r)
	b.replyMarkup(ctx, r.ChatID, text, markup)
	return nil
}

// handleStoreButton switches to the pressed store and rewrites the picker
// to show it as the current one.
func (b *Bot) handleStoreButton(ctx context.Context, r *Request) error {
	text, err := b.chooseStore(ctx, r, r.Args)
	if err != nil {
		return err
	}
	picker, markup := b.storePicker(r)
	return b.edit(ctx, r, text+"\n\n"+picker, markup)
}

// chooseStore calls the staff service and renders what it did; r.Staff
// acts in the chosen store from then on.
func (b *Bot) chooseStore(ctx context.Context, r *Request, code string) (string, error) {
	out, err := b.opts.Staff.ChooseStore(ctx, r.Staff.ID, code)
	if err != nil {
		return "", err
	}
	r.Staff.StoreID = out.Staff.StoreID
	if out.Already {
		return r.T("store.already", out.Store.Code, out.Store.Name), nil
	}
	return r.T("store.ok", out.Store.Code, out.Store.Name), nil
}

// storePicker is the caller's current store and the group's stores, one
// button each (two a row), or the codes to type when there are too many.
func (b *Bot) storePicker(r *Request) (string, *models.InlineKeyboardMarkup) {
	cur := r.Store()
	lines := []string{r.T("store.current", cur.Code, cur.Name)}
	all := b.opts.Stores.All()
	if len(all) > storeButtonsMax {
		for _, st := range all {
			lines = append(lines, r.T("store.line", st.Code, st.Name))
		}
		return strings.Join(append(lines, r.T("store.type")), "\n"), nil
	}
	var rows [][]models.InlineKeyboardButton
	for i, st := range all {
		label := st.Code + " · " + st.Name
		if st.ID == cur.ID {
			label = "✓ " + label
		}
		btn := models.InlineKeyboardButton{Text: label, CallbackData: "store:" + st.Code}
		if i%2 == 0 {
			rows = append(rows, []models.InlineKeyboardButton{btn})
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], btn)
		}
	}
	lines = append(lines, r.T("store.pick"))
	return strings.Join(lines, "\n"), inlineKeyboard(rows...)
}
