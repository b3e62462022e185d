// Command dealerbot runs the dealership sales bot.
//
//	dealerbot demo [--script FILE]        try it: no token, no network
//	dealerbot run --config config.yaml    serve Telegram
//	dealerbot migrate --config FILE       create or upgrade the schema
//	dealerbot staff add --name N --role R [--store CODE] one-time invite
//	dealerbot staff list [--store CODE]   who is on a store's staff
//	dealerbot outbox                      what is not delivered yet
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dealerbot/dealerbot/storage"
)

const usage = `dealerbot — the dealership sales bot

Usage:
  dealerbot demo [--script FILE]                 a terminal chat with the bot; no token, no network
  dealerbot run [--config FILE]                  serve Telegram (token from DEALERBOT_TELEGRAM_TOKEN)
  dealerbot migrate [--config FILE]              create or upgrade the database schema
  dealerbot staff add --name NAME --role ROLES [--store CODE]
                                                 add a staff member to a store and print their invite link
  dealerbot staff list [--store CODE]            list a store's staff
                                                 (--store is required when the config lists several stores)
  dealerbot outbox [--status S] [--limit N]       what is not delivered yet: pending, failed, undeliverable

Every command takes --config FILE (default: config.yaml if it exists).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runMain(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dealerbot:", err)
		}
		os.Exit(1)
	}
}

// runMain dispatches a command line; main's only job is signals and exit codes.
func runMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stderr, getenv)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr, getenv)
	case "staff":
		return cmdStaff(ctx, rest, stdout, stderr, getenv)
	case "outbox":
		return cmdOutbox(ctx, rest, stdout, stderr, getenv)
	case "demo":
		return cmdDemo(ctx, rest, stdin, stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// commonFlags are the flags every command takes.
type commonFlags struct {
	config string
}

func newFlagSet(name string, stderr io.Writer, c *commonFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("dealerbot "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.config, "config", "", "config file (default: config.yaml if it exists)")
	return fs
}

// loadConfig loads the named file, or config.yaml when none is named and
// one exists, or the defaults.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	if path == "" {
		if _, err := os.Stat("config.yaml"); err == nil {
			path = "config.yaml"
		}
	}
	return LoadConfig(path, getenv)
}

// openConfigured loads the config and opens (and migrates) its database:
// the start of every command that works on the store.
func openConfigured(ctx context.Context, path string, getenv func(string) string) (Config, *storage.DB, error) {
	cfg, err := loadConfig(path, getenv)
	if err != nil {
		return Config{}, nil, err
	}
	db, err := openDB(ctx, cfg, time.Now)
	return cfg, db, err
}

// newLogger builds the one logger, to stderr.
func newLogger(cfg LogConfig, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if strings.EqualFold(cfg.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdRun(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	var c commonFlags
	if err := newFlagSet("run", stderr, &c).Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(c.config, getenv)
	if err != nil {
		return err
	}
	if err := cfg.RequireToken(); err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	app, err := NewApp(ctx, cfg, log, time.Now, cfg.Telegram.APIURL, cfg.Telegram.Token)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.Run(ctx)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c commonFlags
	if err := newFlagSet("migrate", stderr, &c).Parse(args); err != nil {
		return err
	}
	cfg, db, err := openConfigured(ctx, c.config, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema is at version %d (%s)\n", v, cfg.Database.Driver)
	return nil
}
