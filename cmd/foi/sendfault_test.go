package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"foi/lifecycle"
)

// editSMTP rewrites the first occurrence of old in the config (the smtp
// section comes first).
func (e *env) editSMTP(old, new string) {
	e.t.Helper()
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		e.t.Fatalf("config has no %q", old)
	}
	if err := os.WriteFile(e.cfg, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// sendBlocked runs foi send expecting a fault of ours: exit 1, a message
// with every fragment, nothing sent or failed, every letter still waiting.
func sendBlocked(t *testing.T, e *env, n int, fragments ...string) {
	t.Helper()
	code, out, errOut := e.foi("send", "LXP7")
	if code != 1 {
		t.Fatalf("foi send: exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, f := range fragments {
		if !strings.Contains(errOut, f) {
			t.Errorf("foi send said %q, want it to say %q", errOut, f)
		}
	}
	if got := len(e.mail.Received()); got != 0 {
		t.Errorf("server received %d letters, want none", got)
	}
	st := openStore(t, e)
	items, err := st.Outbox(context.Background(), "LXP7")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != n {
		t.Fatalf("%d outbox entries, want %d", len(items), n)
	}
	for _, it := range items {
		if it.State != lifecycle.OutboxPending || it.NextAttemptAt.After(time.Now()) || it.LastError == "" {
			t.Errorf("%s: outbox %s, next %s, last error %q; want pending, due now, with the reason", it.Ref, it.State, it.NextAttemptAt, it.LastError)
		}
	}
	for ref, r := range status(t, e) {
		if r.State != string(lifecycle.Queued) || !strings.Contains(r.LastError, fragments[0]) {
			t.Errorf("%s: status %s (%q), want queued with the reason %q", ref, r.State, r.LastError, fragments[0])
		}
	}
	// The table shows the reason too, beside the state.
	if table := e.must("status", "LXP7"); strings.Count(table, "queued ("+fragments[0]) != n {
		t.Errorf("foi status shows the reason %d times, want %d:\n%s", strings.Count(table, "queued ("+fragments[0]), n, table)
	}
}

func sendsAll(t *testing.T, e *env, n int) {
	t.Helper()
	out := e.must("send", "LXP7")
	if got := len(e.mail.Received()); got != n {
		t.Errorf("after the fix the server has %d letters, want %d\n%s", got, n, out)
	}
	for ref, r := range status(t, e) {
		if r.State != string(lifecycle.Sent) || r.LastError != "" {
			t.Errorf("%s: %s (%q), want sent", ref, r.State, r.LastError)
		}
	}
}

func TestSendMissingPasswordFileLeavesLettersWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 4)
	e.editSMTP("password_file: password", "password_file: foi-pass")
	sendBlocked(t, e, 4, "smtp.password_file foi-pass: no such file", "create it or fix the path in foi.yaml", "no letter was sent and all 4 wait")
	// Again: still waiting, and one event per request, not per attempt.
	sendBlocked(t, e, 4, "smtp.password_file foi-pass: no such file")
	// foi tick says the same, to its end.
	if code, _, stderr := e.foi("tick"); code != 1 || !strings.Contains(stderr, "no such file") || !strings.Contains(stderr, "no letter was sent and all 4 wait") {
		t.Errorf("foi tick with the password file missing = %d, %q; want 1, the fix and that all 4 wait", code, stderr)
	}
	st := openStore(t, e)
	reqs, _ := st.Requests(context.Background(), "LXP7")
	for _, r := range reqs {
		ev, _ := st.Events(context.Background(), r.ID)
		n := 0
		for _, x := range ev {
			if x.Kind == lifecycle.EventSendBlocked {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d send_blocked events after two runs, want 1", r.Ref, n)
		}
	}
	e.writeFile("foi-pass", e.mail.Password+"\n")
	sendsAll(t, e, 4)
}

func TestSendRefusedLoginLeavesLettersWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.writeFile("password", "not the password\n")
	sendBlocked(t, e, 3, "smtp login as campaign@foi.test: 535", "Authentication credentials invalid", "check smtp.username and smtp.password_file", "no letter was sent and all 3 wait")
	e.writeFile("password", e.mail.Password+"\n")
	sendsAll(t, e, 3)
}

func TestSendRefusedRecipientFailsOnlyItsLetter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	e.mail.OnRcpt(func(from, to string) error {
		if to == "foi@trust02.nhs.test" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		return nil
	})
	out := e.must("send", "LXP7")
	if !strings.Contains(out, "LXP7-002 to foi@trust02.nhs.test refused") {
		t.Errorf("foi send said %q, want LXP7-002 refused", out)
	}
	for ref, r := range status(t, e) {
		want := lifecycle.Sent
		if ref == "LXP7-002" {
			want = lifecycle.DeliveryFailed
		}
		if r.State != string(want) {
			t.Errorf("%s: %s (%q), want %s", ref, r.State, r.LastError, want)
		}
	}
	if n := len(e.mail.Received()); n != 2 {
		t.Errorf("server has %d letters, want 2", n)
	}
}

func TestSendRefusedSenderLeavesLettersWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	// Without a login the server answers MAIL FROM with 502 5.7.0.
	e.editSMTP("auth: plain", "auth: none")
	sendBlocked(t, e, 3, "the server refused mail from campaign@foi.test", "502", "requester.email", "no letter was sent and all 3 wait")
	st := openStore(t, e)
	reqs, _ := st.Requests(context.Background(), "LXP7")
	for _, r := range reqs {
		ev, _ := st.Events(context.Background(), r.ID)
		for _, x := range ev {
			if x.Kind == lifecycle.EventSendFailed {
				t.Errorf("%s: a send_failed event %q, want none", r.Ref, x.Detail)
			}
		}
	}
	e.editSMTP("auth: none", "auth: plain")
	sendsAll(t, e, 3)
}
