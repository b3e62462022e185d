package main

import (
	"context"
	"fmt"
	"io"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/dealerbot/dealerbot/domain"
)

// cmdStaff is the bootstrap path: the first admin is added here, before
// anyone can use /invite in chat. It calls the staff service as chat does,
// as domain.Console (the operator at the server acts as an admin).
func cmdStaff(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return fmt.Errorf("staff: say add or list")
	}
	var c commonFlags
	fs := newFlagSet("staff "+args[0], stderr, &c)
	name := fs.String("name", "", "the staff member's name, e.g. 王经理")
	roles := fs.String("role", "", "roles, comma-separated: "+domain.JoinRoles(domain.AllRoles))
	storeCode := fs.String("store", "", "the store's code (required when the config lists several stores)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, db, err := openConfigured(ctx, c.config, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := storeFlag(db.Stores, *storeCode)
	if err != nil {
		return fmt.Errorf("staff %s: %w", args[0], err)
	}
	console := domain.ConsoleIn(store.ID)

	switch args[0] {
	case "add":
		if *name == "" || *roles == "" {
			return fmt.Errorf("staff add: --name and --role are required, e.g. --name 王经理 --role manager,admin")
		}
		rs, err := domain.ParseRoles(*roles)
		if err != nil {
			return fmt.Errorf("staff add: --role: %s", domain.ErrorMessage(err))
		}
		out, err := db.Invite(ctx, console, *name, rs)
		if err != nil {
			return fmt.Errorf("staff add: %s", domain.ErrorMessage(err))
		}
		s, inv := out.Staff, out.Invite
		username := botUsername(ctx, cfg)
		fmt.Fprintf(stdout, "Staff member %s (%s) added to store %s.\nInvite code: %s (single use, expires %s)\nLink: https://t.me/%s?start=%s\n",
			s.Name, s.Roles, store.Code, inv.Code, inv.ExpiresAt.In(store.Calendar.Location).Format("2006-01-02 15:04 MST"), username, inv.Code)
		if username == "<bot username>" {
			fmt.Fprintln(stdout, "(Set DEALERBOT_TELEGRAM_TOKEN to print the bot's real username; or send /start "+inv.Code+" to the bot.)")
		}
		return nil
	case "list":
		all, err := db.VisibleStaff(ctx, console)
		if err != nil {
			return err
		}
		for _, s := range all {
			status := "linked"
			switch {
			case !s.Active:
				status = "deactivated"
			case !s.Enrolled():
				status = "invited"
			}
			fmt.Fprintf(stdout, "%-4d %-16s %-32s %s\n", s.ID, s.Name, s.Roles, status)
		}
		return nil
	}
	return fmt.Errorf("staff: unknown subcommand %q (add or list)", args[0])
}

// storeFlag is the store --store names: with one store configured it
// may be left out; with several it is required. An unknown code is an
// error naming the flag and the known codes.
func storeFlag(stores *domain.Stores, code string) (*domain.Store, error) {
	if code == "" {
		if stores.Len() == 1 {
			return stores.Default(), nil // a single store: the one there is
		}
		return nil, fmt.Errorf("--store is required: the config lists %d stores (%s)", stores.Len(), stores.Codes())
	}
	st, err := stores.ByCode(code)
	if err != nil {
		return nil, fmt.Errorf("--store %q: no such store (known: %s)", code, stores.Codes())
	}
	return st, nil
}

// botUsername asks the Bot API for the bot's username when a token is set.
func botUsername(ctx context.Context, cfg Config) string {
	const unknown = "<bot username>"
	if cfg.Telegram.Token == "" {
		return unknown
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	api, err := tgbot.New(cfg.Telegram.Token, tgbot.WithServerURL(cfg.Telegram.APIURL), tgbot.WithSkipGetMe())
	if err != nil {
		return unknown
	}
	me, err := api.GetMe(ctx)
	if err != nil || me.Username == "" {
		return unknown
	}
	return me.Username
}
