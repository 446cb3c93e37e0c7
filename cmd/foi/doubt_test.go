package main

import (
	"strings"
	"testing"
)

// countByRef counts the letters the server accepted, by reference.
func countByRef(t *testing.T, e *env) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, m := range e.mail.Received() {
		if ref := subjectRef.FindStringSubmatch(header(t, m.Data, "Subject")); ref != nil {
			n[ref[1]]++
		}
	}
	return n
}

// A letter whose fate is unknown (the server took it and hung up before
// its reply) is held in doubt: foi send never sends it again, foi status
// says so and what to do, and a person decides with foi resend or foi
// mark-sent.
func TestInDoubtWaitsForAPerson(t *testing.T) {
	t.Parallel()
	for _, decide := range []string{"resend", "mark-sent"} {
		t.Run(decide, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{sentCopy: "always"}) // the provider files no copy of its own
			setupCampaign(t, e, 3)
			e.mail.DropInData(2)
			out := e.must("send", "LXP7")
			if !strings.Contains(out, "1 in doubt") {
				t.Errorf("foi send said %q, want 1 in doubt", out)
			}
			for run := 0; run < 2; run++ {
				e.must("send", "LXP7")
			}
			if n := countByRef(t, e); len(n) != 3 || n["LXP7-001"] != 1 || n["LXP7-002"] != 1 || n["LXP7-003"] != 1 {
				t.Fatalf("server accepted %v, want each letter once", n)
			}
			rows := status(t, e)
			if r := rows["LXP7-002"]; r.State != "queued" {
				t.Errorf("LXP7-002: %s (%q), want queued (its letter in doubt)", r.State, r.LastError)
			}
			table := e.must("status", "LXP7")
			if !strings.Contains(table, "in doubt") || !strings.Contains(table, "foi resend LXP7-002") {
				t.Errorf("foi status does not show the letter in doubt and what to do:\n%s", table)
			}
			// Only a letter in doubt can be decided on.
			if code, _, errOut := e.foi(decide, "LXP7-001"); code != 1 || !strings.Contains(errOut, "no letter in doubt") {
				t.Errorf("foi %s LXP7-001: exit %d, %q; want 1, no letter in doubt", decide, code, errOut)
			}
			msg := e.must(decide, "lxp7-002")
			want := map[string]int{"resend": 2, "mark-sent": 1}[decide]
			if n := countByRef(t, e)["LXP7-002"]; n != want || !strings.Contains(msg, "LXP7-002") {
				t.Errorf("after foi %s (%q) the server has LXP7-002 %d times, want %d", decide, msg, n, want)
			}
			if decide == "resend" {
				var ids []string
				for _, m := range e.mail.Received() {
					if strings.Contains(header(t, m.Data, "Subject"), "LXP7-002") {
						ids = append(ids, header(t, m.Data, "Message-Id"))
					}
				}
				if len(ids) != 2 || ids[0] != ids[1] {
					t.Errorf("resent with Message-IDs %v, want the same one twice", ids)
				}
			}
			if r := status(t, e)["LXP7-002"]; r.State != "sent" {
				t.Errorf("LXP7-002: %s (%q) after foi %s, want sent", r.State, r.LastError, decide)
			}
			e.must("send", "LXP7")
			if n := countByRef(t, e)["LXP7-002"]; n != want {
				t.Errorf("a later foi send: LXP7-002 accepted %d times, want %d", n, want)
			}
		})
	}
}
