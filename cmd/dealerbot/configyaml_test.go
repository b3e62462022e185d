package main

import (
	"strings"
	"testing"
	"time"
)

// TestLoadConfig_YAMLNodes covers what the walk over yaml.v3's node tree
// reports beyond config_test.go's cases: keys laid by a merge, a list's
// faulty item by its index, and anchors that decode like the values they
// name.
func TestLoadConfig_YAMLNodes(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := mustWriteConfig(t, `
delivery:
  shutdown_timeout: &wait 7s
  send_timeout: *wait
log:
  <<: {level: debug}
  format: json
`)
		got, err := LoadConfig(path, configEnv(nil))
		if err != nil {
			t.Fatal(err)
		}
		if got.Delivery.ShutdownTimeout != 7*time.Second || got.Delivery.SendTimeout != 7*time.Second ||
			got.Log.Level != "debug" || got.Log.Format != "json" {
			t.Fatalf("got %+v %+v", got.Delivery, got.Log)
		}
	})
	for _, tt := range []struct {
		name, yaml string
		want       []string
	}{
		{"ErrUnknownKeyInMerge", "log:\n  <<: {level: info, formt: json}\n",
			[]string{"log.formt (line 2): unknown key; did you mean format?"}},
		{"ErrListItem", "store:\n  working_days: [mon, [tue]]\nrules:\n  rota:\n    duty_roles: [x]\n",
			[]string{"store.working_days[1] (line 2): cannot use a list as text", `rules.rota.duty_roles[0] (line 5): cannot use "x" as a set of keys`}},
		{"ErrAliasWrongType", "delivery:\n  workers: &n 3\n  send_timeout: *n\n",
			[]string{`delivery.send_timeout (line 3): cannot use "3" as a duration`}},
		{"ErrSetTwiceInSection", "rules:\n  rota:\n    max_off_per_day: 1\n    max_off_per_day: 2\n",
			[]string{"rules.rota.max_off_per_day (line 4): set a second time (first at line 3)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(mustWriteConfig(t, tt.yaml), configEnv(nil))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}
