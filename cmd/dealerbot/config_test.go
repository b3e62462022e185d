package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

const testToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

// configEnv is a getenv that knows only vars.
func configEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// mustWriteConfig writes text to config.yaml in a fresh directory.
func mustWriteConfig(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// validDefaults is DefaultConfig after Validate, as LoadConfig returns it.
func validDefaults(tb testing.TB) Config {
	tb.Helper()
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		tb.Fatalf("DefaultConfig does not validate: %v", err)
	}
	return c
}

// assertSameConfig compares two validated configs. Two loads of one time
// zone give two *time.Location: they are compared by name.
func assertSameConfig(tb testing.TB, got, want Config) {
	tb.Helper()
	gl, wl := got.Calendar().Location, want.Calendar().Location
	if gl.String() != wl.String() {
		tb.Fatalf("time zone = %s, want %s", gl, wl)
	}
	gotCal := *got.Calendar()
	gotCal.Location = wl
	got.Store.calendar = &gotCal
	if g, w := got.StoreList().Default(), want.StoreList().Default(); g.Code != w.Code || g.Name != w.Name ||
		!reflect.DeepEqual(g.Rules, w.Rules) || g.GroupChatID != w.GroupChatID {
		tb.Fatalf("store differs:\n got  %+v\n want %+v", g, w)
	}
	// The stores are compared above; where the file or the defaults set
	// store: is not the point.
	got.stores, want.stores, got.storeSet, want.storeSet = nil, nil, false, false
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("config differs:\n got  %+v\n want %+v", got, want)
	}
}

func TestLoadConfig_ExampleEqualsDefaults(t *testing.T) {
	got, err := LoadConfig(filepath.Join("..", "..", "config.example.yaml"), configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	assertSameConfig(t, got, validDefaults(t))
}

func TestLoadConfig_NoFile(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, err := LoadConfig("", configEnv(nil))
		if err != nil {
			t.Fatal(err)
		}
		assertSameConfig(t, got, validDefaults(t))
	})
	t.Run("EmptyFile", func(t *testing.T) {
		got, err := LoadConfig(mustWriteConfig(t, "# nothing set\n"), configEnv(nil))
		if err != nil {
			t.Fatal(err)
		}
		assertSameConfig(t, got, validDefaults(t))
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		if _, err := LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"), configEnv(nil)); err == nil {
			t.Fatal("want an error for a missing file")
		}
	})
}

func TestLoadConfig_PartialKeepsDefaults(t *testing.T) {
	path := mustWriteConfig(t, `
store:
  name: 东风日产某某店
delivery:
  send_timeout: 4s
rules:
  leads:
    follow_up_every_days:
      H: 2
  rota:
    duty_roles:
      - name: opening
`)
	got, err := LoadConfig(path, configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Store.Name = "东风日产某某店"
	want.Delivery.SendTimeout = 4 * time.Second
	want.Rules.Leads.FollowUpEveryDays.H = 2
	want.Rules.Rota.DutyRoles = []domain.DutyRole{{Name: "opening"}} // a list is replaced whole
	if err := want.Validate(); err != nil {
		t.Fatal(err)
	}
	assertSameConfig(t, got, want)
	if got.Rules.Leads.FollowUpEveryDays.A != 7 || got.Store.TimeZone != "Asia/Shanghai" {
		t.Fatalf("defaults lost: %+v", got)
	}
}

func TestLoadConfig_Env(t *testing.T) {
	t.Run("DSNFromEnvBeatsFile", func(t *testing.T) {
		path := mustWriteConfig(t, "database:\n  driver: postgres\n  dsn: postgres://file@localhost/db\n")
		got, err := LoadConfig(path, configEnv(map[string]string{envDatabaseDSN: "postgres://env@localhost/db"}))
		if err != nil {
			t.Fatal(err)
		}
		if got.Database.DSN != "postgres://env@localhost/db" {
			t.Fatalf("DSN = %q, want the env's", got.Database.DSN)
		}
	})
	t.Run("DSNFromFile", func(t *testing.T) {
		path := mustWriteConfig(t, "database:\n  driver: postgres\n  dsn: host=localhost dbname=dealerbot\n")
		got, err := LoadConfig(path, configEnv(nil))
		if err != nil {
			t.Fatal(err)
		}
		if got.Database.DSN != "host=localhost dbname=dealerbot" {
			t.Fatalf("DSN = %q, want the file's", got.Database.DSN)
		}
	})
	t.Run("TokenFromEnv", func(t *testing.T) {
		got, err := LoadConfig("", configEnv(map[string]string{envTelegramToken: " " + testToken + "\n"}))
		if err != nil {
			t.Fatal(err)
		}
		if got.Telegram.Token != testToken {
			t.Fatalf("token not taken from the env")
		}
		if err := got.RequireToken(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNoToken", func(t *testing.T) {
		got, err := LoadConfig("", configEnv(nil))
		if err != nil {
			t.Fatalf("Validate must not require the token: %v", err)
		}
		err = got.RequireToken()
		if err == nil || !strings.Contains(err.Error(), "DEALERBOT_TELEGRAM_TOKEN is not set") || !strings.Contains(err.Error(), "@BotFather") {
			t.Fatalf("err = %v, want it to ask for DEALERBOT_TELEGRAM_TOKEN", err)
		}
	})
}

func TestLoadConfig_Calendar(t *testing.T) {
	path := mustWriteConfig(t, `
store:
  opening_hours: "08:30 - 17:30"
  working_days: [mon, tue, wed, thu, fri]
  public_holidays: [2026-10-01]
  makeup_working_days: ["2026-10-10"]
`)
	got, err := LoadConfig(path, configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	cal := got.Calendar()
	if cal.Location.String() != "Asia/Shanghai" || cal.Open != 8*60+30 || cal.Close != 17*60+30 {
		t.Fatalf("calendar = %+v", cal)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(domain.DateLayout, s, cal.Location)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(12 * time.Hour)
	}
	for date, want := range map[string]bool{
		"2026-09-30": true,  // Wednesday
		"2026-10-01": false, // holiday
		"2026-10-03": false, // Saturday
		"2026-10-10": true,  // make-up Saturday
	} {
		if cal.IsWorkingDay(day(date)) != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", date, !want, want)
		}
	}
}

func TestLoadConfig_Errors(t *testing.T) {
	for _, tt := range []struct {
		name string
		yaml string
		env  map[string]string
		want []string // each must be in the error
		hide []string // none may be in the error
	}{
		{name: "UnknownKey", yaml: "store:\n  nmae: x\n",
			want: []string{"config.yaml: store.nmae (line 2): unknown key; did you mean name?"}},
		{name: "UnknownSection", yaml: "stroe:\n  name: x\n",
			want: []string{"stroe (line 1): unknown key; did you mean store?"}},
		{name: "UnknownKeyInList", yaml: "rules:\n  rota:\n    duty_roles:\n      - name: x\n        taks: [a]\n",
			want: []string{"rules.rota.duty_roles[0].taks (line 5): unknown key; did you mean tasks?"}},
		{name: "BadTimeZone", yaml: "store:\n  time_zone: Asia/Shangai\n",
			want: []string{`config.yaml: store.time_zone: unknown time zone "Asia/Shangai"`}},
		{name: "LocalTimeZone", yaml: "store:\n  time_zone: Local\n",
			want: []string{"store.time_zone: name the zone"}},
		{name: "NotASetOfSections", yaml: "hello\n",
			want: []string{"config.yaml: line 1: the file must be a set of sections"}},
		{name: "ScalarForSection", yaml: "store: x\n",
			want: []string{`store (line 1): cannot use "x" as a set of keys`}},
		{name: "HugeInt", yaml: "delivery:\n  workers: 99999999999999999999\n",
			want: []string{"delivery.workers (line 2): cannot use"}},
		{name: "BadOpeningHours", yaml: "store:\n  opening_hours: 9am-6pm\n",
			want: []string{`store.opening_hours: "9am-6pm" is not`}},
		{name: "ClosingBeforeOpening", yaml: "store:\n  opening_hours: \"18:00-09:00\"\n",
			want: []string{"store.opening_hours: closing time 09:00 is not after opening time 18:00"}},
		{name: "BadWeekday", yaml: "store:\n  working_days: [monday, funday]\n",
			want: []string{`store.working_days[1]: "funday" is not a weekday`}},
		{name: "WeekdayTwice", yaml: "store:\n  working_days: [tue, tuesday]\n",
			want: []string{"store.working_days[1]: tuesday is listed twice"}},
		{name: "BadHolidayDate", yaml: "store:\n  public_holidays: [2026-13-01]\n",
			want: []string{`store.public_holidays: "2026-13-01" is not a date`}},
		{name: "HolidayAlsoMakeupDay", yaml: "store:\n  public_holidays: [2026-10-01]\n  makeup_working_days: [2026-10-01]\n",
			want: []string{"store.makeup_working_days: 2026-10-01 is also a public holiday"}},
		{name: "UnknownDriver", yaml: "database:\n  driver: mysql\n",
			want: []string{`database.driver: must be sqlite or postgres, got "mysql"`}},
		{name: "PostgresWithoutDSN", yaml: "database:\n  driver: postgres\n",
			want: []string{"database.dsn", "DEALERBOT_DATABASE_DSN"}},
		{name: "BadDSNHidesPassword", yaml: "database:\n  driver: postgres\n",
			env:  map[string]string{envDatabaseDSN: "postgres://u:s3cret@host:port/db"},
			want: []string{"database.dsn"}, hide: []string{"s3cret"}},
		{name: "DSNWrongTypeHidden", yaml: "database:\n  dsn: [postgres://u:s3cret@h/db]\n",
			want: []string{"database.dsn (line 2): cannot use a list as text"}, hide: []string{"s3cret"}},
		{name: "NegativeGradeInterval", yaml: "rules:\n  leads:\n    follow_up_every_days:\n      H: -1\n",
			want: []string{"config.yaml: rules.leads.follow_up_every_days.H: must be"}},
		{name: "StringForInt", yaml: "rules:\n  rota:\n    max_off_per_day: abc\n",
			want: []string{`rules.rota.max_off_per_day (line 3): cannot use "abc" as a whole number`}},
		{name: "QuotedInt", yaml: "delivery:\n  workers: \"8\"\n",
			want: []string{`delivery.workers (line 2): cannot use "8" as a whole number (remove the quotes)`}},
		{name: "FractionForInt", yaml: "delivery:\n  workers: 2.5\n",
			want: []string{`delivery.workers (line 2): cannot use "2.5" as a whole number`}},
		{name: "DurationWithoutUnit", yaml: "telegram:\n  poll_timeout: 50\n",
			want: []string{`telegram.poll_timeout (line 2): cannot use "50" as a duration`}},
		{name: "ListForString", yaml: "log:\n  level: [info]\n",
			want: []string{"log.level (line 2): cannot use a list as text"}},
		{name: "BadTimeOfDay", yaml: "rules:\n  leads:\n    morning_push: \"8.30\"\n",
			want: []string{`rules.leads.morning_push (line 3): "8.30" is not a time of day`}},
		{name: "BadReportTime", yaml: "rules:\n  reports:\n    daily_time: \"25:00\"\n",
			want: []string{`rules.reports.daily_time (line 3): "25:00" is not a time of day`}},
		{name: "FlowMappingWrongType", yaml: "rules:\n  leads:\n    follow_up_every_days: {H: 3, A: x}\n",
			want: []string{`rules.leads.follow_up_every_days.A (line 3): cannot use "x" as a whole number`}},
		{name: "SetTwice", yaml: "log:\n  level: info\n  level: debug\n",
			want: []string{"log.level (line 3): set a second time (first at line 2)"}},
		{name: "EveryFaultReported", yaml: "store:\n  nmae: x\ndelivery:\n  workers: many\n",
			want: []string{"store.nmae (line 2)", "delivery.workers (line 4)"}},
		{name: "TokenInFile", yaml: "telegram:\n  token: \"" + testToken + "\"\n",
			want: []string{"telegram.token (line 2)", "DEALERBOT_TELEGRAM_TOKEN"}, hide: []string{testToken}},
		{name: "MalformedTokenInEnv", yaml: "log:\n  level: info\n",
			env:  map[string]string{envTelegramToken: "12345:tooShortSecretValue"},
			want: []string{"DEALERBOT_TELEGRAM_TOKEN: does not look like a bot token"},
			hide: []string{"tooShortSecretValue", "config.yaml"}},
		{name: "BadAPIURL", yaml: "telegram:\n  api_url: ftp://example.com\n",
			want: []string{`telegram.api_url: must be an http(s) URL`}},
		{name: "APIURLWithoutScheme", yaml: "telegram:\n  api_url: api.telegram.org\n",
			want: []string{`telegram.api_url: must be an http(s) URL`}},
		{name: "APIURLWithToken", yaml: "telegram:\n  api_url: https://api.telegram.org/bot" + testToken + "\n",
			want: []string{"telegram.api_url", "DEALERBOT_TELEGRAM_TOKEN"}, hide: []string{testToken}},
		{name: "PositiveGroupChatID", yaml: "telegram:\n  group_chat_id: 42\n",
			want: []string{"telegram.group_chat_id: must be a group's chat id"}},
		{name: "ZeroSendTimeout", yaml: "delivery:\n  send_timeout: 0s\n",
			want: []string{"delivery.send_timeout: must be a duration above 0 such as 10s, got 0s"}},
		{name: "PerChatAboveGlobal", yaml: "delivery:\n  per_chat_per_second: 40\n",
			want: []string{"delivery.per_chat_per_second: must not exceed global_per_second (30)"}},
		{name: "PaidBroadcastRateAbove1000", yaml: "delivery:\n  paid_broadcast: true\n  paid_broadcast_rate: 1001\n",
			want: []string{"delivery.paid_broadcast_rate: must be from global_per_second (30) to 1000, got 1001"}},
		{name: "PaidBroadcastRateBelowGlobal", yaml: "delivery:\n  paid_broadcast_rate: 20\n",
			want: []string{"delivery.paid_broadcast_rate: must be from global_per_second (30) to 1000, got 20"}},
		{name: "BadLogLevel", yaml: "log:\n  level: verbose\n",
			want: []string{`log.level: must be debug, info, warn or error, got "verbose"`}},
		{name: "EmptyStoreName", yaml: "store:\n  name: \"\"\n",
			want: []string{"store.name: required"}},
		{name: "SyntaxError", yaml: "store:\n  name: x\n bad indent\n",
			want: []string{"config.yaml: line 2: did not find expected key"}},
		{name: "TwoDocuments", yaml: "log:\n  level: info\n---\nlog:\n  level: debug\n",
			want: []string{"second YAML document"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(mustWriteConfig(t, tt.yaml), configEnv(tt.env))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			for _, h := range tt.hide {
				if strings.Contains(err.Error(), h) {
					t.Errorf("error shows %q:\n%v", h, err)
				}
			}
		})
	}
}

func TestConfig_RequireToken(t *testing.T) {
	c := validDefaults(t)
	c.Telegram.Token = "not-a-token-at-all"
	err := c.RequireToken()
	if err == nil || !strings.Contains(err.Error(), envTelegramToken) || strings.Contains(err.Error(), "not-a-token") {
		t.Fatalf("err = %v, want it to name the env var and hide the value", err)
	}
}

func TestConfig_Normalises(t *testing.T) {
	path := mustWriteConfig(t, "telegram:\n  api_url: http://localhost:8081/\nlog:\n  level: DEBUG\n  format: JSON\n")
	got, err := LoadConfig(path, configEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got.Telegram.APIURL != "http://localhost:8081" || got.Log.Level != "debug" || got.Log.Format != "json" {
		t.Fatalf("got %+v %+v", got.Telegram, got.Log)
	}
	if got.Log.SlogLevel().String() != "DEBUG" {
		t.Fatalf("SlogLevel = %v", got.Log.SlogLevel())
	}
}
