package main

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// deployDir holds the files README's "Deployment" tells a group to use.
const deployDir = "../../deploy"

// composeFile is the part of deploy/compose.yaml the test checks.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Expose      []string          `yaml:"expose"`
	Ports       []string          `yaml:"ports"`
	Restart     string            `yaml:"restart"`
	Deploy      struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

func readDeploy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeploy_FilesAgreeWithConfig parses deploy/: the compose file, the
// bot's config, the Caddyfile and the env example must name the same
// port, path, service and environment variables as the config code, so
// that a renamed key or a moved port fails here rather than at a group.
func TestDeploy_FilesAgreeWithConfig(t *testing.T) {
	var compose composeFile
	if err := yaml.Unmarshal([]byte(readDeploy(t, "compose.yaml")), &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	bot, migrate, pg, caddy := compose.Services["bot"], compose.Services["migrate"], compose.Services["postgres"], compose.Services["caddy"]
	if bot.Image == "" || migrate.Image != bot.Image || pg.Image == "" || caddy.Image == "" {
		t.Fatalf("compose.yaml: services bot, migrate (same image), postgres and caddy: %+v", compose.Services)
	}

	// The bot's config: valid in webhook mode on PostgreSQL with the
	// secrets the compose file passes, and no secret of its own.
	env := map[string]string{envTelegramToken: binToken, envWebhookSecret: "s3cret", envDatabaseDSN: "host=postgres"}
	cfg, err := LoadConfig(filepath.Join(deployDir, "config.yaml"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("deploy/config.yaml: %v", err)
	}
	if cfg.Telegram.Mode != modeWebhook || cfg.Database.Driver != "postgres" {
		t.Errorf("deploy/config.yaml: mode %q, driver %q: want webhook on postgres", cfg.Telegram.Mode, cfg.Database.Driver)
	}
	if strings.Contains(readDeploy(t, "config.yaml"), "dsn:") {
		t.Error("deploy/config.yaml has a dsn: the password belongs in the environment")
	}
	_, port, _ := net.SplitHostPort(cfg.Telegram.Webhook.Listen)

	// Secrets from the environment, under the names the config reads.
	for name, s := range map[string]composeService{"bot": bot, "migrate": migrate} {
		want := []string{envDatabaseDSN}
		if name == "bot" {
			want = []string{envTelegramToken, envWebhookSecret, envDatabaseDSN}
		}
		for _, k := range want {
			if s.Environment[k] == "" {
				t.Errorf("compose.yaml: service %s does not set %s", name, k)
			}
		}
		for k := range s.Environment {
			if !slices.Contains(want, k) {
				t.Errorf("compose.yaml: service %s sets %s, which dealerbot does not read", name, k)
			}
		}
		if len(s.Command) != 3 || s.Command[1] != "--config" || !slices.Contains(s.Volumes, "./config.yaml:"+s.Command[2]+":ro") {
			t.Errorf("compose.yaml: service %s runs %v without ./config.yaml mounted at its --config", name, s.Command)
		}
	}
	if migrate.Command[0] != "migrate" || bot.Command[0] != "run" {
		t.Errorf("compose.yaml: migrate runs %v, bot runs %v", migrate.Command, bot.Command)
	}
	if bot.DependsOn["migrate"].Condition != "service_completed_successfully" || migrate.DependsOn["postgres"].Condition != "service_healthy" {
		t.Error("compose.yaml: the replicas must start after the migration, the migration after PostgreSQL is healthy")
	}
	if bot.Deploy.Replicas < 2 || bot.Restart == "" || bot.Restart == "no" {
		t.Errorf("compose.yaml: bot has %d replicas, restart %q: want two or more, restarted", bot.Deploy.Replicas, bot.Restart)
	}
	if !slices.Contains(bot.Expose, port) || len(bot.Ports) > 0 {
		t.Errorf("compose.yaml: bot exposes %v (ports %v), the config listens on %s: only the proxy is published", bot.Expose, bot.Ports, port)
	}
	if !slices.Contains(caddy.Ports, "443:443") {
		t.Errorf("compose.yaml: caddy publishes %v, not 443", caddy.Ports)
	}

	// The Caddyfile: the public host, the webhook's path and the replicas'
	// port, and balanced braces.
	caddyfile := readDeploy(t, "Caddyfile")
	var lines []string
	for l := range strings.Lines(caddyfile) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if depth := strings.Count(caddyfile, "{") - strings.Count(caddyfile, "}"); depth != 0 {
		t.Errorf("Caddyfile: braces do not balance (%+d)", depth)
	}
	domain, ok := strings.CutPrefix(caddy.Environment["DEALERBOT_DOMAIN"], "${DEALERBOT_DOMAIN")
	if !ok || len(lines) == 0 || lines[0] != "{$DEALERBOT_DOMAIN} {" {
		t.Errorf("Caddyfile: the site is not {$DEALERBOT_DOMAIN} from the compose file's environment (%q, first line %q)", domain, lines)
	}
	route := cfg.Telegram.Webhook.RoutePath()
	prefix := route[:strings.LastIndex(route, "/")+1]
	if !slices.Contains(lines, "handle "+prefix+"* {") {
		t.Errorf("Caddyfile: no `handle %s* {` for the webhook path %s", prefix, route)
	}
	if !slices.Contains(lines, "dynamic a bot "+port+" {") {
		t.Errorf("Caddyfile: the upstream is not `dynamic a bot %s` (the bot service on the config's port)", port)
	}

	// env.example lists every variable the compose file takes, and its
	// domain is the public URL's host.
	example := map[string]string{}
	for l := range strings.Lines(readDeploy(t, "env.example")) {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok && !strings.HasPrefix(k, "#") {
			example[k] = v
		}
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)`).FindAllStringSubmatch(readDeploy(t, "compose.yaml"), -1) {
		if _, ok := example[m[1]]; !ok {
			t.Errorf("env.example does not list %s, which compose.yaml uses", m[1])
		}
	}
	if u, err := url.Parse(cfg.Telegram.Webhook.PublicURL); err != nil || u.Hostname() != example["DEALERBOT_DOMAIN"] {
		t.Errorf("public_url %q is not on env.example's DEALERBOT_DOMAIN %q", cfg.Telegram.Webhook.PublicURL, example["DEALERBOT_DOMAIN"])
	}
}
