package main

import (
	"strings"
	"testing"
	"time"
)

// newSim sends a one-request campaign at a moment and returns the sim.
func newSim(t *testing.T, sendAt string) (*sim, *env) {
	t.Helper()
	e := newEnv(t, envOptions{extra: "schedule:\n  first_chaser: auto\n  final_chaser: auto\n  review_on_silence: auto\n"})
	loc, _ := time.LoadLocation("Europe/London")
	s := &sim{t: t, e: e, loc: loc, ids: map[string]string{}, to: map[string]string{}}
	setupCampaign(t, e, 1)
	e.must("--now", sendAt, "send", "LXP7")
	for _, m := range e.mail.Received() {
		s.ids["LXP7-001"] = strings.Trim(header(t, m.Data, "Message-Id"), "<>")
		s.to["LXP7-001"] = m.To[0]
	}
	return s, e
}

// lettersTo lists the letters the authority has received after the first n.
func lettersTo(e *env, skip int) []string {
	var out []string
	for i, m := range e.mail.Received() {
		if i >= skip {
			out = append(out, string(m.Data))
		}
	}
	return out
}

// TestNoChaserDuringAnExtension (finding 3): the first chaser went on 1 Apr;
// on 2 Apr the trust extends for the public interest (s.10(3)), so the
// response is due on Thu 30 Apr. The final chaser, which would have gone on
// 16 Apr, waits until the extended due date has passed, and says the date in
// force.
func TestNoChaserDuringAnExtension(t *testing.T) {
	t.Parallel()
	s, e := newSim(t, "2026-03-02T10:00:00Z")
	s.run(s.at("2026-04-01", "10:00"), "tick")
	if got := lettersTo(e, 1); len(got) != 1 || !strings.Contains(got[0], "31 March 2026") {
		t.Fatalf("on 1 Apr: %d letters, want the first chaser saying due 31 March 2026", len(got))
	}
	s.reply(s.at("2026-04-02", "09:00"), "LXP7-001", "", "We need more time to consider the public interest test under section 10(3) of the Act. We will respond by 30 April 2026.")
	for _, day := range []string{"2026-04-16", "2026-04-17", "2026-04-20", "2026-04-30"} {
		s.run(s.at(day, "11:00"), "tick")
		if got := lettersTo(e, 2); len(got) != 0 {
			t.Fatalf("on %s, during the extension, a letter went:\n%s", day, got[0])
		}
	}
	s.run(s.at("2026-05-01", "11:00"), "tick")
	got := lettersTo(e, 2)
	if len(got) != 1 {
		t.Fatalf("on 1 May, after the extended due date: %d letters, want the final chaser", len(got))
	}
	body := strings.ReplaceAll(got[0], "=\r\n", "")
	if !strings.Contains(body, "30 April 2026") {
		t.Errorf("the final chaser does not state the extended due date 30 April 2026:\n%s", body)
	}
	if d := header(t, []byte(got[0]), "Date"); !strings.Contains(d, "1 May 2026") {
		t.Errorf("final chaser Date: %s, want Fri, 1 May 2026", d)
	}
}

// TestChaserPlannedBeforeAnExtensionWaits: a chaser already queued when the
// extension arrives is not sent during it; it goes after the new due date,
// written again with the date in force.
func TestChaserPlannedBeforeAnExtensionWaits(t *testing.T) {
	t.Parallel()
	s, e := newSim(t, "2026-03-02T10:00:00Z")
	// Planned at 16:45 on 1 Apr, after the window closed: it waits in the
	// outbox for the morning.
	s.run(s.at("2026-04-01", "16:45"), "tick")
	if got := outboxSteps(t, e)["first_chaser"]; got != 1 {
		t.Fatalf("first chaser not queued on 1 Apr (%d)", got)
	}
	s.reply(s.at("2026-04-01", "17:30"), "LXP7-001", "", "We need more time to consider the public interest test under section 10(3) of the Act.")
	s.run(s.at("2026-04-02", "10:00"), "tick")
	if got := lettersTo(e, 1); len(got) != 0 {
		t.Fatalf("a chaser went during the extension:\n%s", got[0])
	}
	s.run(s.at("2026-05-01", "10:00"), "tick")
	got := lettersTo(e, 1)
	if len(got) != 1 {
		t.Fatalf("after the extended due date: %d letters, want the first chaser", len(got))
	}
	if body := strings.ReplaceAll(got[0], "=\r\n", ""); !strings.Contains(body, "30 April 2026") {
		t.Errorf("the chaser does not state the extended due date 30 April 2026:\n%s", body)
	}
}

// TestNoLetterOnABankHoliday (finding 4): sent Tue 1 Dec 2026, due Thu 31
// Dec. A tick on Fri 1 Jan 2027 (a bank holiday) plans nothing; status says
// the chaser goes on Tue 5 Jan (Mon 4 Jan is the 2 January substitute in
// Scotland, a holiday under FOIA s.10(6)), as `foi due` does; it goes then,
// dated then.
func TestNoLetterOnABankHoliday(t *testing.T) {
	t.Parallel()
	s, e := newSim(t, "2026-12-01T10:00:00Z")
	if due := e.must("due", "2026-12-01"); !strings.Contains(due, "first chaser      Tue 5 Jan 2027") {
		t.Fatalf("foi due 2026-12-01:\n%s", due)
	}
	s.run(s.at("2027-01-01", "12:00"), "tick")
	if got := outboxSteps(t, e)["first_chaser"]; got != 0 {
		t.Errorf("a chaser was planned on a bank holiday")
	}
	st := s.run(s.at("2027-01-01", "12:00"), "status")
	if !strings.Contains(st, "first chaser (sent automatically) Tue 5 Jan") {
		t.Errorf("status on 1 Jan does not say the chaser goes on Tue 5 Jan:\n%s", st)
	}
	s.run(s.at("2027-01-05", "10:00"), "tick")
	got := lettersTo(e, 1)
	if len(got) != 1 {
		t.Fatalf("on 5 Jan: %d letters, want the first chaser", len(got))
	}
	if d := header(t, []byte(got[0]), "Date"); !strings.Contains(d, "5 Jan 2027") {
		t.Errorf("chaser Date: %s, want Tue, 5 Jan 2027", d)
	}
	if body := strings.ReplaceAll(got[0], "=\r\n", ""); !strings.Contains(body, "31 December 2026") {
		t.Errorf("the chaser does not say the response was due on 31 December 2026:\n%s", body)
	}
}

// TestRefusalShowsItsSuggestion (finding 6): a s.12 refusal is listed as
// what it looks like, with its evidence, wherever the reply is shown, until
// a person confirms it.
func TestRefusalShowsItsSuggestion(t *testing.T) {
	t.Parallel()
	s, _ := newSim(t, "2026-03-02T10:00:00Z")
	s.reply(s.at("2026-03-10", "10:00"), "LXP7-001", "", "We estimate that complying with your request would exceed the appropriate limit of £450 under section 12 of the Act, so we refuse it.")
	show := s.run(s.at("2026-03-10", "11:00"), "show", "LXP7-001")
	for _, want := range []string{"Looks like: refused, cites s.12 (foi's reading: confirm it with foi mark)", `because cost limit: "appropriate limit"`, "A reply waits for you to say what it was"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	if st := s.run(s.at("2026-03-10", "11:00"), "status"); !strings.Contains(st, "looks refused, cites s.12 (confirm with foi mark)") {
		t.Errorf("status does not show the suggestion:\n%s", st)
	}
	s.run(s.at("2026-03-10", "12:00"), "mark", "LXP7-001", "refused")
	show = s.run(s.at("2026-03-10", "12:00"), "show", "LXP7-001")
	if strings.Contains(show, "Looks like") || !strings.Contains(show, "foi read it as: refused, cites s.12") {
		t.Errorf("after confirming, show still asks:\n%s", show)
	}
	if st := s.run(s.at("2026-03-10", "12:00"), "status"); strings.Contains(st, "looks refused") {
		t.Errorf("after confirming, status still shows the suggestion:\n%s", st)
	}
}
