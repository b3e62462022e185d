package main

import (
	"strings"
	"testing"
)

// webhookYAML is a webhook-mode config with overrides appended under
// telegram.webhook.
func webhookYAML(lines ...string) string {
	y := "telegram:\n  mode: webhook\n  webhook:\n    public_url: https://bot.example.com/\n"
	for _, l := range lines {
		y += "    " + l + "\n"
	}
	return y
}

func TestLoadConfig_Webhook(t *testing.T) {
	const secret = "Qx_7-secret"
	t.Run("OK", func(t *testing.T) {
		got, err := LoadConfig(mustWriteConfig(t, webhookYAML("path: h00k", "max_connections: 20")),
			configEnv(map[string]string{envWebhookSecret: secret}))
		if err != nil {
			t.Fatal(err)
		}
		wh := got.Telegram.Webhook
		if got.Telegram.Mode != modeWebhook || wh.URL() != "https://bot.example.com/telegram/h00k" ||
			wh.RoutePath() != "/telegram/h00k" || wh.Listen != ":8080" || wh.MaxConnections != 20 || wh.Secret != secret {
			t.Fatalf("got %+v", got.Telegram)
		}
	})
	t.Run("PollingIgnoresWebhookKeys", func(t *testing.T) {
		if _, err := LoadConfig(mustWriteConfig(t, "telegram:\n  webhook:\n    max_connections: 0\n"), configEnv(nil)); err != nil {
			t.Fatal(err)
		}
	})
	for _, tt := range []struct {
		name string
		yaml string
		env  map[string]string
		want []string
		hide []string
	}{
		{name: "ErrMode", yaml: "telegram:\n  mode: hook\n", want: []string{`telegram.mode: must be polling or webhook, got "hook"`}},
		{name: "ErrNoSecret", yaml: webhookYAML(), want: []string{envWebhookSecret, "is not set"}},
		{name: "ErrBadSecret", yaml: webhookYAML(), env: map[string]string{envWebhookSecret: "has space!x"},
			want: []string{envWebhookSecret, "letters, digits"}, hide: []string{"has space"}},
		{name: "ErrNoPublicURL", yaml: "telegram:\n  mode: webhook\n", env: map[string]string{envWebhookSecret: secret},
			want: []string{"telegram.webhook.public_url: required"}},
		{name: "ErrHTTPPublicURL", yaml: "telegram:\n  mode: webhook\n  webhook:\n    public_url: http://bot.example.com\n",
			env: map[string]string{envWebhookSecret: secret}, want: []string{"telegram.webhook.public_url: must be an https URL"}},
		{name: "ErrPort", yaml: "telegram:\n  mode: webhook\n  webhook:\n    public_url: https://bot.example.com:9000\n",
			env: map[string]string{envWebhookSecret: secret}, want: []string{"telegram.webhook.public_url: Telegram posts only to ports"}},
		{name: "ErrListen", yaml: webhookYAML("listen: eighty"), env: map[string]string{envWebhookSecret: secret},
			want: []string{`telegram.webhook.listen: must be an address`}},
		{name: "ErrPath", yaml: webhookYAML("path: a/b"), env: map[string]string{envWebhookSecret: secret},
			want: []string{`telegram.webhook.path: must be`}},
		{name: "ErrMaxConnections", yaml: webhookYAML("max_connections: 101"), env: map[string]string{envWebhookSecret: secret},
			want: []string{"telegram.webhook.max_connections: must be 1 to 100, got 101"}},
		{name: "ErrSecretInFile", yaml: webhookYAML("secret: abc"), env: map[string]string{envWebhookSecret: secret},
			want: []string{"telegram.webhook.secret (line 5)"}},
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
