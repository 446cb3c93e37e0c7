package main

import (
	"strings"
	"testing"
)

// TestNowNeverSends: a user who asks "what happens on Monday?" with --now
// gets an answer and nothing is sent (finding 2: `foi tick --now
// 2027-01-05T10:00` on 1 Dec 2026 sent real chasers dated in the future).
func TestNowNeverSends(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 3)
	// A user asks what sending would do on a Monday: nothing goes.
	code, out, stderr := e.foiAsUser("--now", "2026-03-02T10:00", "send", "LXP7")
	if code != 0 || !strings.Contains(stderr, "nothing is sent") || !strings.Contains(out, "LXP7-001") {
		t.Fatalf("send --now: exit %d\nstdout %s\nstderr %s\nwant the letters listed and nothing sent", code, out, stderr)
	}
	if n := len(e.mail.Received()); n != 0 {
		t.Fatalf("send --now delivered %d letters, want 0", n)
	}
	if st := status(t, e); st["LXP7-001"].State != "draft" {
		t.Errorf("after send --now LXP7-001 is %s, want draft (nothing queued)", st["LXP7-001"].State)
	}
	// Really sent (a test opts in), then asked about a day when chasers are due.
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	sentBefore := len(e.mail.Received())
	code, out, stderr = e.foiAsUser("--now", "2026-04-01T10:00", "tick")
	if code != 0 || !strings.Contains(out, "first_chaser") || !strings.Contains(out, "nothing was written or sent") {
		t.Fatalf("tick --now: exit %d\nstdout %s\nstderr %s\nwant the chasers that would be planned", code, out, stderr)
	}
	if n := len(e.mail.Received()); n != sentBefore {
		t.Errorf("tick --now delivered %d letters, want none", n-sentBefore)
	}
	if out := e.must("drafts"); strings.Contains(out, "first_chaser") {
		t.Errorf("tick --now wrote drafts: %s", out)
	}
	items := outboxSteps(t, e)
	if items["first_chaser"] != 0 {
		t.Errorf("tick --now queued %d chasers, want 0", items["first_chaser"])
	}
	// serve sends for real: it refuses to run under --now.
	if code, _, stderr := e.foiAsUser("--now", "2026-04-01T10:00", "serve"); code != 2 || !strings.Contains(stderr, "tick --dry-run") {
		t.Errorf("serve --now: exit %d %q, want a usage error pointing to tick --dry-run", code, stderr)
	}
	if code, _, _ := e.foiAsUser("--now", "2026-04-01T10:00", "resend", "LXP7-001"); code != 2 {
		t.Errorf("resend --now: exit %d, want a usage error", code)
	}
	// tick --dry-run at the real time writes nothing either.
	if code, out, _ := e.foiAsUser("tick", "--dry-run"); code != 0 || !strings.Contains(out, "Dry run") {
		t.Errorf("tick --dry-run: exit %d %q", code, out)
	}
	if items := outboxSteps(t, e); items["first_chaser"] != 0 {
		t.Errorf("tick --dry-run queued %d chasers, want 0", items["first_chaser"])
	}
	// The same tick, opted in, does plan and send them.
	e.must("--now", "2026-04-01T10:00", "tick")
	if items := outboxSteps(t, e); items["first_chaser"] != 3 {
		t.Errorf("tick queued %d chasers, want 3", items["first_chaser"])
	}
}

// outboxSteps counts the outbox entries of each step.
func outboxSteps(t *testing.T, e *env) map[string]int {
	t.Helper()
	st := openStore(t, e)
	items, err := st.Outbox(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, it := range items {
		n[string(it.Step)]++
	}
	return n
}
