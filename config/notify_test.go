package config

import (
	"strings"
	"testing"
)

// TestNotifySection: the digest's addresses, its hour and the dashboard's
// public address are checked, each refusal naming its key.
func TestNotifySection(t *testing.T) {
	t.Parallel()
	base := "requester:\n  name: A\n  email: a@example.org\nsmtp:\n  host: 127.0.0.1\n  auth: none\n  security: none\nimap:\n  host: 127.0.0.1\n  auth: none\n  security: none\n"
	cfg, err := Parse([]byte(base + "notify:\n  to: [alex@example.org, sam@example.org]\nweb:\n  public_url: \"https://foi.example.org\"\n"))
	if err != nil {
		t.Fatalf("a valid notify section: %v", err)
	}
	if got := strings.Join(cfg.Notify.To, ","); got != "alex@example.org,sam@example.org" || cfg.Notify.DailyAt != "08:00" {
		t.Errorf("notify = %+v, want both addresses and daily_at 08:00 by default", cfg.Notify)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"notify:\n  to: [\"Alex <alex@example.org>\"]\n", `notify.to: "Alex <alex@example.org>" is not a plain email address`},
		{"notify:\n  to: [alex]\n", `notify.to: "alex" is not a plain email address`},
		{"notify:\n  daily_at: \"8am\"\n", `notify.daily_at: "8am" is not a time of day like 09:30`},
		{"web:\n  public_url: \"foi.example.org\"\n", `web.public_url: "foi.example.org" is not an http:// or https:// address`},
	} {
		_, err := Parse([]byte(base + tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
