package main

import (
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// TestResendToACorrectedAddress: a letter refused for a wrong address goes
// again, once, to the corrected one, under the same reference (SPEC 5: "the
// user can correct the address and resend"), as the dashboard's form does.
func TestResendToACorrectedAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 6)
	e.mail.OnRcpt(func(from, to string) error {
		if to == "foi@trust05.nhs.test" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	})
	e.must("send", "LXP7")
	if r := status(t, e)["LXP7-005"]; r.State != "delivery_failed" {
		t.Fatalf("LXP7-005 = %+v, want delivery_failed", r)
	}
	if code, _, stderr := e.foi("resend", "LXP7-004", "--to", "foi@elsewhere.nhs.test"); code != 1 || stderr == "" {
		t.Errorf("resend --to of a delivered request = %d (%q), want 1 with a reason", code, stderr)
	}
	if code, _, _ := e.foi("resend", "LXP7-005", "--others"); code != 2 {
		t.Errorf("resend --others without --to = %d, want 2", code)
	}
	out := e.must("resend", "LXP7-005", "--to", "foi@fixed05.nhs.test")
	if !strings.Contains(out, "foi@fixed05.nhs.test") || !strings.Contains(out, "new Message-ID") {
		t.Errorf("resend --to said %q, want the new address and the new Message-ID", out)
	}
	e.must("send", "LXP7")
	e.must("send", "LXP7") // a second run sends nothing more
	var got []string
	for _, m := range e.mail.Received() {
		if m.To[0] == "foi@fixed05.nhs.test" {
			got = append(got, header(t, m.Data, "Subject"))
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "[LXP7-005]") {
		t.Errorf("letters to the corrected address = %q, want one, under LXP7-005", got)
	}
	if r := status(t, e)["LXP7-005"]; r.State != "sent" {
		t.Errorf("LXP7-005 after the resend = %+v, want sent", r)
	}
}
