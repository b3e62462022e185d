package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the store's time zone loads even where the system has no zoneinfo

	"go.yaml.in/yaml/v3"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/domain"
)

// The secrets come from the environment only, never from the file.
const (
	envTelegramToken = "DEALERBOT_TELEGRAM_TOKEN"
	envDatabaseDSN   = "DEALERBOT_DATABASE_DSN"
	envWebhookSecret = "DEALERBOT_TELEGRAM_WEBHOOK_SECRET"
)

// Telegram modes: one instance long-polls; several replicas serve a webhook.
const (
	modePolling = "polling"
	modeWebhook = "webhook"
)

// Config is the whole configuration, a value built by LoadConfig: defaults,
// then the YAML file, then the environment, then Validate. The yaml names
// are the keys of config.example.yaml, which documents each of them.
type Config struct {
	Telegram TelegramConfig `yaml:"telegram"`
	Store    StoreConfig    `yaml:"store"`
	// Stores lists a group's stores, instead of store (a single store).
	Stores   []StoreConfig  `yaml:"stores"`
	Database DatabaseConfig `yaml:"database"`
	Delivery DeliveryConfig `yaml:"delivery"`
	Log      LogConfig      `yaml:"log"`
	Rules    domain.Rules   `yaml:"rules"`

	storeSet bool           // the file has a store: section
	stores   *domain.Stores // built by Validate
}

// TelegramConfig says how to reach the Bot API.
type TelegramConfig struct {
	// APIURL is the Bot API server: Telegram's, or a self-hosted one.
	APIURL string `yaml:"api_url"`
	// Token comes only from DEALERBOT_TELEGRAM_TOKEN, so it cannot leak with
	// a copied config file.
	Token string `yaml:"-"`
	// PollTimeout is how long one getUpdates long poll waits.
	PollTimeout time.Duration `yaml:"poll_timeout"`
	// GroupChatID is the team's group chat for rosters; 0 means none.
	GroupChatID int64 `yaml:"group_chat_id"`
	// Mode is polling (one instance) or webhook (one or more replicas).
	Mode    string        `yaml:"mode"`
	Webhook WebhookConfig `yaml:"webhook"`
}

// WebhookConfig is webhook mode's: where a replica listens and what
// Telegram is told. TLS is the reverse proxy's job.
type WebhookConfig struct {
	// Listen is the address each replica serves on, behind the proxy.
	Listen string `yaml:"listen"`
	// Path is the secret-ish path under /telegram/ Telegram POSTs to.
	Path string `yaml:"path"`
	// PublicURL is the https address of the proxy, without the path.
	PublicURL string `yaml:"public_url"`
	// Secret comes only from DEALERBOT_TELEGRAM_WEBHOOK_SECRET.
	Secret string `yaml:"-"`
	// MaxConnections is how many requests Telegram may have open at once.
	MaxConnections int `yaml:"max_connections"`
}

// URL is the webhook's full public URL.
func (w WebhookConfig) URL() string { return w.PublicURL + w.RoutePath() }

// RoutePath is the request path a replica serves.
func (w WebhookConfig) RoutePath() string { return "/telegram/" + w.Path }

// StoreConfig describes the dealership and its calendar (DOMAIN.md, "Calendar").
type StoreConfig struct {
	// Code names the store in /store and on the command line; a single
	// store's defaults to "main".
	Code              string   `yaml:"code"`
	Name              string   `yaml:"name"`
	TimeZone          string   `yaml:"time_zone"`
	OpeningHours      string   `yaml:"opening_hours"` // "09:00-18:00"
	WorkingDays       []string `yaml:"working_days"`
	PublicHolidays    []string `yaml:"public_holidays"`     // "2026-10-01"
	MakeupWorkingDays []string `yaml:"makeup_working_days"` // 调休
	// GroupChatID (stores only) is the store team's group chat, where its
	// rosters go; a single store's is telegram.group_chat_id.
	GroupChatID int64 `yaml:"group_chat_id"`
	// Rules (stores only) overrides the group's rules for this store: only
	// the keys given, over the top-level rules section.
	Rules    RuleOverrides `yaml:"rules"`
	calendar *domain.Calendar
}

// RuleOverrides holds a store's rules section as written, to be laid over
// the group's rules once those are read. The file check reads it as a
// domain.Rules, so its keys are checked like the top-level ones.
type RuleOverrides struct{ node *yaml.Node }

// UnmarshalYAML implements yaml.Unmarshaler.
func (o *RuleOverrides) UnmarshalYAML(n *yaml.Node) error {
	o.node = n
	return nil
}

// DatabaseConfig chooses the database.
type DatabaseConfig struct {
	Driver string `yaml:"driver"` // sqlite or postgres
	Path   string `yaml:"path"`   // the sqlite file
	// DSN is the postgres connection string; DEALERBOT_DATABASE_DSN overrides
	// it, so the password can stay out of the file.
	DSN         string        `yaml:"dsn"`
	BusyTimeout time.Duration `yaml:"busy_timeout"`
}

// DeliveryConfig holds Telegram's sending limits, which the outbox obeys,
// and how many updates are handled at once.
type DeliveryConfig struct {
	GlobalPerSecond  int           `yaml:"global_per_second"`
	PerChatPerSecond int           `yaml:"per_chat_per_second"`
	GroupPerMinute   int           `yaml:"group_per_minute"`
	ShutdownTimeout  time.Duration `yaml:"shutdown_timeout"`
	SendTimeout      time.Duration `yaml:"send_timeout"`
	Workers          int           `yaml:"workers"`
	// PaidBroadcast sends with allow_paid_broadcast at PaidBroadcastRate
	// (at most 1,000 a second) instead of GlobalPerSecond; Telegram charges
	// a fee in Stars per message.
	PaidBroadcast     bool `yaml:"paid_broadcast"`
	PaidBroadcastRate int  `yaml:"paid_broadcast_rate"`
}

// LogConfig sets up log/slog.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn or error
	Format string `yaml:"format"` // text or json
}

// DefaultConfig returns the settings used for every key the file leaves out.
func DefaultConfig() Config {
	return Config{
		Telegram: TelegramConfig{APIURL: "https://api.telegram.org", PollTimeout: 50 * time.Second, Mode: modePolling,
			Webhook: WebhookConfig{Listen: ":8080", Path: "updates", MaxConnections: 40}},
		Store: StoreConfig{
			Name:         "示例4S店",
			TimeZone:     "Asia/Shanghai",
			OpeningHours: "09:00-18:00",
			// A 4S showroom opens every day.
			WorkingDays:       []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
			PublicHolidays:    []string{},
			MakeupWorkingDays: []string{},
		},
		Database: DatabaseConfig{Driver: "sqlite", Path: "dealerbot.db", BusyTimeout: 5 * time.Second},
		Delivery: DeliveryConfig{
			GlobalPerSecond:  30,
			PerChatPerSecond: 1,
			GroupPerMinute:   20,
			ShutdownTimeout:  10 * time.Second,
			SendTimeout:      10 * time.Second,
			Workers:          8,

			PaidBroadcastRate: 1000,
		},
		Log:   LogConfig{Level: "info", Format: "text"},
		Rules: domain.DefaultRules(),
	}
}

// LoadConfig builds the configuration: DefaultConfig, then the YAML file at
// path over it (path "" reads no file), then the secrets from getenv
// (os.Getenv when nil), then Validate. Every error names the key at fault,
// and the file and line when it comes from the file.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := DefaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
		if err := decodeConfigYAML(data, &cfg); err != nil {
			return Config{}, inConfigFile(path, err)
		}
	}
	if v := strings.TrimSpace(getenv(envTelegramToken)); v != "" {
		cfg.Telegram.Token = v
	}
	if v := strings.TrimSpace(getenv(envWebhookSecret)); v != "" {
		cfg.Telegram.Webhook.Secret = v
	}
	if v := strings.TrimSpace(getenv(envDatabaseDSN)); v != "" {
		cfg.Database.DSN = v
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, inConfigFile(path, err)
	}
	return cfg, nil
}

// Validate has each section check itself, as gatus's
// ValidateAndSetDefaults do, and joins their faults; each names its key.
// Unlike gatus's, a section does not put defaults in place of zero values:
// DefaultConfig lies under the file, so a zero in the file was written
// there and is refused where it makes no sense (send_timeout: 0s). What a
// section sets is what follows from its keys: the calendar, the rules'
// weekdays, a tidied URL and log names. Validate does not require the
// token: only RequireToken does, for the commands that talk to Telegram.
func (c *Config) Validate() error {
	rules := c.Rules.Validate() // domain's: its keys are the rules.* ones; stores build on it
	return errors.Join(
		c.Telegram.validateAndSetDefaults(),
		c.validateStores(rules),
		c.Database.validateAndSetDefaults(),
		c.Delivery.validateAndSetDefaults(),
		c.Log.validateAndSetDefaults(),
		rules,
	)
}

// Calendar is the (first) store's calendar; nil until Validate (or
// LoadConfig) succeeds.
func (c *Config) Calendar() *domain.Calendar {
	if c.stores == nil {
		return nil
	}
	return c.stores.Default().Calendar
}

// StoreList is the group's stores, each with its calendar, rules and
// group chat (their IDs are set once storage registers them); nil until
// Validate succeeds. A single store config gives one store.
func (c *Config) StoreList() *domain.Stores { return c.stores }

// validateStores checks store: or stores: and builds the stores. A single
// store (store:) is code main unless it says otherwise, with the rules
// section and telegram.group_chat_id; each of a group's stores (stores:)
// takes store:'s defaults for the keys it leaves out, the rules section
// under its own overrides, and its own group chat.
func (c *Config) validateStores(rulesErr error) error {
	c.stores = nil
	if rulesErr != nil {
		return nil // reported as it is; the stores would only repeat it
	}
	if len(c.Stores) == 0 {
		s := c.Store
		if s.Code == "" {
			s.Code = domain.DefaultStoreCode
		}
		if err := s.validateAndSetDefaults("store"); err != nil {
			return err
		}
		if s.GroupChatID != 0 || s.Rules.node != nil {
			return errors.New("store: group_chat_id and rules belong to a group's stores: entries; a single store uses telegram.group_chat_id and the rules section")
		}
		c.Store.calendar = s.calendar
		rules := c.Rules
		stores, err := domain.NewStores(&domain.Store{Code: s.Code, Name: s.Name, Calendar: s.calendar,
			Rules: rules, GroupChatID: c.Telegram.GroupChatID})
		if err != nil {
			return errors.New("store." + strings.TrimPrefix(err.Error(), "stores[0]."))
		}
		c.stores = stores
		return nil
	}
	if c.storeSet {
		return errors.New("store: a group lists every store under stores:; move this store's keys into a stores: entry")
	}
	if c.Telegram.GroupChatID != 0 {
		return errors.New("telegram.group_chat_id: with stores:, give each store its group_chat_id")
	}
	defaults := DefaultConfig().Store
	var faults []error
	list := make([]*domain.Store, 0, len(c.Stores))
	for i := range c.Stores {
		s, key := &c.Stores[i], fmt.Sprintf("stores[%d]", i)
		if s.Code == "" {
			faults = append(faults, fmt.Errorf("%s.code: required, a short name such as bj01 (a-z, 0-9, _ and -)", key))
			continue
		}
		if err := domain.CheckStoreCode(s.Code); err != nil {
			faults = append(faults, fmt.Errorf("%s.code: %s", key, domain.ErrorMessage(err)))
			continue
		}
		if s.TimeZone == "" {
			s.TimeZone = defaults.TimeZone
		}
		if s.OpeningHours == "" {
			s.OpeningHours = defaults.OpeningHours
		}
		if s.WorkingDays == nil {
			s.WorkingDays = defaults.WorkingDays
		}
		if err := s.validateAndSetDefaults(key); err != nil {
			faults = append(faults, err)
			continue
		}
		if s.GroupChatID > 0 {
			faults = append(faults, fmt.Errorf("%s.group_chat_id: must be a group's chat id, which is negative (such as -1001234567890), or 0 for none; got %d", key, s.GroupChatID))
			continue
		}
		rules, err := s.Rules.over(c.Rules, key)
		if err != nil {
			faults = append(faults, err)
			continue
		}
		list = append(list, &domain.Store{Code: s.Code, Name: s.Name, Calendar: s.calendar, Rules: rules, GroupChatID: s.GroupChatID})
	}
	if len(faults) > 0 {
		return errors.Join(faults...)
	}
	stores, err := domain.NewStores(list...)
	if err != nil {
		return err
	}
	c.stores = stores
	return nil
}

// over lays the overrides over the group's rules and checks the result;
// its errors name the store's key (stores[2].rules.leads.morning_push).
func (o RuleOverrides) over(group domain.Rules, key string) (domain.Rules, error) {
	r := group
	r.Complaints.Departments = slices.Clone(group.Complaints.Departments)
	r.Rota.DutyRoles = slices.Clone(group.Rota.DutyRoles)
	if o.node != nil {
		if err := o.node.Decode(&r); err != nil {
			return r, fmt.Errorf("%s.rules: %s", key, strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("%s: %w", key, err)
	}
	return r, nil
}

// RequireToken reports a missing or malformed bot token, for the commands
// that talk to Telegram. It never repeats the token.
func (c *Config) RequireToken() error {
	if c.Telegram.Token == "" {
		return errors.New(envTelegramToken + " is not set: create a bot with @BotFather and export its token")
	}
	return c.Telegram.checkToken()
}

// configTokenRE is the shape of a bot token: the bot's id, a colon, a secret.
var configTokenRE = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]{30,}$`)

// configTokenInURLRE catches a Bot API URL pasted together with its token.
var configTokenInURLRE = regexp.MustCompile(`/bot[0-9]+:`)

// validateAndSetDefaults checks the Bot API settings and, when set, the
// token's shape, and drops the URL's trailing slash.
func (t *TelegramConfig) validateAndSetDefaults() error {
	if configTokenInURLRE.MatchString(t.APIURL) {
		return fmt.Errorf("telegram.api_url: give only the server, such as https://api.telegram.org; the token goes in %s", envTelegramToken)
	}
	u, err := url.Parse(t.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		shown := t.APIURL
		if err == nil {
			shown = u.Redacted()
		}
		return fmt.Errorf("telegram.api_url: must be an http(s) URL such as https://api.telegram.org, got %q", shown)
	}
	t.APIURL = strings.TrimRight(t.APIURL, "/") // the client appends "/bot<token>/<method>"
	if t.PollTimeout < time.Second {
		return fmt.Errorf("telegram.poll_timeout: must be a duration of at least 1s such as 50s, got %s", t.PollTimeout)
	}
	if t.GroupChatID > 0 {
		return fmt.Errorf("telegram.group_chat_id: must be a group's chat id, which is negative (such as -1001234567890), or 0 for none; got %d", t.GroupChatID)
	}
	switch t.Mode {
	case modePolling:
	case modeWebhook:
		if err := t.Webhook.validate(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("telegram.mode: must be polling or webhook, got %q", t.Mode)
	}
	if t.Token != "" {
		return t.checkToken()
	}
	return nil
}

// webhookPathRE and webhookSecretRE are what Telegram and a URL path take.
var (
	webhookPathRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// validate checks webhook mode's keys; only called in webhook mode.
func (w *WebhookConfig) validate() error {
	if _, port, err := net.SplitHostPort(w.Listen); err != nil || port == "" {
		return fmt.Errorf("telegram.webhook.listen: must be an address such as :8080 or 127.0.0.1:8080, got %q", w.Listen)
	}
	if !webhookPathRE.MatchString(w.Path) {
		return fmt.Errorf("telegram.webhook.path: must be 1–128 letters, digits, _ or - (served as /telegram/<path>), got %q", w.Path)
	}
	u, err := url.Parse(w.PublicURL)
	if w.PublicURL == "" {
		return errors.New("telegram.webhook.public_url: required in webhook mode, the reverse proxy's https address such as https://bot.example.com")
	}
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("telegram.webhook.public_url: must be an https URL such as https://bot.example.com (Telegram posts only over TLS, which the reverse proxy ends), got %q", w.PublicURL)
	}
	if p := u.Port(); p != "" && p != "443" && p != "80" && p != "88" && p != "8443" {
		return fmt.Errorf("telegram.webhook.public_url: Telegram posts only to ports 443, 80, 88 or 8443, got %s", p)
	}
	w.PublicURL = strings.TrimRight(w.PublicURL, "/")
	if w.MaxConnections < 1 || w.MaxConnections > 100 {
		return fmt.Errorf("telegram.webhook.max_connections: must be 1 to 100, got %d", w.MaxConnections)
	}
	if w.Secret == "" {
		return &configEnvError{envWebhookSecret, "is not set: webhook mode needs a secret, 1–256 letters, digits, _ or - (such as the output of `openssl rand -hex 32`)"}
	}
	if !webhookSecretRE.MatchString(w.Secret) {
		return &configEnvError{envWebhookSecret, "must be 1–256 letters, digits, _ or -, as Telegram requires"}
	}
	return nil
}

func (t *TelegramConfig) checkToken() error {
	if !configTokenRE.MatchString(t.Token) {
		return &configEnvError{envTelegramToken, "does not look like a bot token (digits, a colon, then 30 or more letters, digits, _ or -); copy it again from @BotFather"}
	}
	return nil
}

// validateAndSetDefaults checks the store's settings and builds its
// calendar; key ("store", "stores[2]") prefixes the keys in its errors.
func (s *StoreConfig) validateAndSetDefaults(key string) error {
	s.calendar = nil
	if strings.TrimSpace(s.Name) == "" {
		return errors.New(key + ".name: required, the dealership's name as staff see it")
	}
	if s.TimeZone == "" {
		return errors.New(key + ".time_zone: required, a time zone name such as Asia/Shanghai")
	}
	if s.TimeZone == "Local" {
		return errors.New(key + ".time_zone: name the zone, such as Asia/Shanghai: Local would follow whichever server runs the bot")
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return fmt.Errorf(key+".time_zone: unknown time zone %q (use a name such as Asia/Shanghai)", s.TimeZone)
	}
	openS, closeS, ok := strings.Cut(s.OpeningHours, "-")
	open, err1 := domain.ParseClockTime(strings.TrimSpace(openS))
	closing, err2 := domain.ParseClockTime(strings.TrimSpace(closeS))
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf(key+".opening_hours: %q is not a range of times like 09:00-18:00", s.OpeningHours)
	}
	days := make([]time.Weekday, 0, len(s.WorkingDays))
	for i, name := range s.WorkingDays {
		d, ok := domain.ParseWeekday(strings.TrimSpace(name))
		if !ok {
			return fmt.Errorf(key+".working_days[%d]: %q is not a weekday such as monday or mon", i, name)
		}
		if slices.Contains(days, d) {
			return fmt.Errorf(key+".working_days[%d]: %s is listed twice", i, strings.ToLower(d.String()))
		}
		days = append(days, d)
	}
	cal := &domain.Calendar{
		Location:    loc,
		Open:        open,
		Close:       closing,
		WorkingDays: days,
		Holidays:    slices.Clone(s.PublicHolidays),
		MakeupDays:  slices.Clone(s.MakeupWorkingDays),
	}
	if err := cal.Validate(key); err != nil {
		return err
	}
	s.calendar = cal
	return nil
}

// validateAndSetDefaults checks the driver and what it needs. Messages name
// the DSN's key but never show its value, which may hold a password.
func (d *DatabaseConfig) validateAndSetDefaults() error {
	switch d.Driver {
	case "sqlite":
		if d.Path == "" {
			return errors.New("database.path: required for the sqlite driver, a file such as dealerbot.db")
		}
	case "postgres":
		if d.DSN == "" {
			return fmt.Errorf("database.dsn: required when database.driver is postgres; export %s (keeps the password out of the file) or set database.dsn", envDatabaseDSN)
		}
		if strings.HasPrefix(d.DSN, "postgres://") || strings.HasPrefix(d.DSN, "postgresql://") {
			if _, err := url.Parse(d.DSN); err != nil { // err repeats the URL: not shown
				return fmt.Errorf("database.dsn (or %s): not a valid postgres:// URL (the value is not shown, it may hold a password)", envDatabaseDSN)
			}
		}
	default:
		return fmt.Errorf("database.driver: must be sqlite or postgres, got %q", d.Driver)
	}
	if d.BusyTimeout < 0 {
		return fmt.Errorf("database.busy_timeout: must be 0 or more, got %s", d.BusyTimeout)
	}
	return nil
}

// validateAndSetDefaults checks the limits are positive and consistent.
func (d *DeliveryConfig) validateAndSetDefaults() error {
	for _, f := range []struct {
		key string
		v   int
	}{
		{"delivery.global_per_second", d.GlobalPerSecond},
		{"delivery.per_chat_per_second", d.PerChatPerSecond},
		{"delivery.group_per_minute", d.GroupPerMinute},
		{"delivery.workers", d.Workers},
	} {
		if f.v < 1 {
			return fmt.Errorf("%s: must be a whole number above 0, got %d", f.key, f.v)
		}
	}
	if d.PaidBroadcastRate < d.GlobalPerSecond || d.PaidBroadcastRate > delivery.MaxPaidBroadcastRate {
		return fmt.Errorf("delivery.paid_broadcast_rate: must be from global_per_second (%d) to %d, got %d",
			d.GlobalPerSecond, delivery.MaxPaidBroadcastRate, d.PaidBroadcastRate)
	}
	if d.PerChatPerSecond > d.GlobalPerSecond {
		return fmt.Errorf("delivery.per_chat_per_second: must not exceed global_per_second (%d), got %d", d.GlobalPerSecond, d.PerChatPerSecond)
	}
	if d.ShutdownTimeout <= 0 {
		return fmt.Errorf("delivery.shutdown_timeout: must be a duration above 0 such as 10s, got %s", d.ShutdownTimeout)
	}
	if d.SendTimeout <= 0 {
		return fmt.Errorf("delivery.send_timeout: must be a duration above 0 such as 10s, got %s", d.SendTimeout)
	}
	return nil
}

// validateAndSetDefaults checks the level and format, ignoring case, and
// writes them in lower case.
func (l *LogConfig) validateAndSetDefaults() error {
	l.Level, l.Format = strings.ToLower(l.Level), strings.ToLower(l.Format)
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, l.Level) {
		return fmt.Errorf("log.level: must be debug, info, warn or error, got %q", l.Level)
	}
	if l.Format != "text" && l.Format != "json" {
		return fmt.Errorf("log.format: must be text or json, got %q", l.Format)
	}
	return nil
}

// SlogLevel is the validated level as a slog.Level.
func (l LogConfig) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
