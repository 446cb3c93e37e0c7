package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDueCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, tc := range []struct{ date, law, due string }{
		{"2026-03-02", "foia", "2026-03-31"},  // SPEC section 6
		{"2026-03-02", "foisa", "2026-03-30"}, // St Patrick's Day counts only outside Scotland
		{"2026-03-07", "foia", "2026-04-08"},  // delivered on a Saturday
		{"2025-11-17", "foia", "2025-12-16"},  // St Andrew's Day substitute skipped under FOIA
	} {
		var res struct{ Due string }
		if err := json.Unmarshal([]byte(e.must("due", tc.date, "--law", tc.law, "--json")), &res); err != nil {
			t.Fatal(err)
		}
		if res.Due != tc.due {
			t.Errorf("foi due %s --law %s = %s, want %s", tc.date, tc.law, res.Due, tc.due)
		}
	}
	if code, _, stderr := e.foi("due", "2026-03-02", "--law", "scots"); code != 2 || !strings.Contains(stderr, "foia") {
		t.Errorf("bad law: exit %d %q", code, stderr)
	}
}

func TestHolidaysImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	var before []struct {
		Date      string
		Projected bool
	}
	json.Unmarshal([]byte(e.must("holidays", "2028", "--json")), &before)
	if len(before) == 0 || !before[0].Projected {
		t.Fatalf("2028 before import: %+v, want projected holidays", before)
	}
	// Official data for 2028 with a one-off extra day on Friday 26 May.
	div := func(name string) string {
		return `"` + name + `": {"division": "` + name + `", "events": [
			{"title": "New Year’s Day", "date": "2028-01-03", "notes": "Substitute day", "bunting": true},
			{"title": "A proclaimed holiday", "date": "2028-05-26", "notes": "", "bunting": true}]}`
	}
	file := e.writeFile("bank-holidays.json", "{"+div("england-and-wales")+","+div("scotland")+","+div("northern-ireland")+"}")
	e.must("holidays", "import", file)
	out := e.must("holidays", "2028")
	if !strings.Contains(out, "A proclaimed holiday") || strings.Contains(out, "(projected)") {
		t.Errorf("2028 after import:\n%s", out)
	}
	// A bad file names what is wrong and changes nothing.
	bad := e.writeFile("bad.json", `{"england-and-wales": {"division": "england-and-wales", "events": [{"title": "X", "date": "2028-13-01"}]}}`)
	if code, _, stderr := e.foi("holidays", "import", bad); code != 1 || !strings.Contains(stderr, "2028-13-01") {
		t.Errorf("bad import: exit %d %q", code, stderr)
	}
	if !strings.Contains(e.must("holidays", "2028"), "A proclaimed holiday") {
		t.Error("a rejected import lost the earlier one")
	}
}

// TestCampaignScheduleOverrides: a campaign's own step modes win over
// foi.yaml's.
func TestCampaignScheduleOverrides(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{extra: "schedule:\n  first_chaser: auto\n  final_chaser: auto\n  review_on_silence: auto\n"})
	e.must("authorities", "import", e.writeFile("t.csv", trustsCSV(2)))
	if code, _, stderr := e.foi("campaign", "new", "BAD", "--title", "T", "--letter", e.writeFile("l.txt", letter),
		"--authorities", "all", "--schedule", "ico_complaint=auto"); code != 2 || !strings.Contains(stderr, "never sent") {
		t.Errorf("ico_complaint=auto: exit %d %q", code, stderr)
	}
	e.must("campaign", "new", "QUIET", "--title", "T", "--letter", e.writeFile("l.txt", letter), "--authorities", "all",
		"--schedule", "first_chaser=off,final_chaser=off")
	e.must("campaign", "schedule", "QUIET", "review_on_silence=draft")
	var modes map[string]string
	json.Unmarshal([]byte(e.must("campaign", "schedule", "QUIET", "--json")), &modes)
	if modes["first_chaser"] != "off" || modes["review_on_silence"] != "draft" || modes["review_after_refusal"] != "draft" {
		t.Errorf("effective modes = %v", modes)
	}
	e.must("--now", "2026-03-02T10:00", "send", "QUIET")
	for _, day := range []string{"2026-04-01", "2026-04-17", "2026-05-01", "2026-05-04"} {
		e.must("--now", day+"T12:00", "tick")
	}
	if n := len(e.mail.Received()); n != 2 {
		t.Errorf("%d letters sent, want only the 2 requests (chasers off, review a draft)", n)
	}
	var drafts []struct{ Ref, Step string }
	json.Unmarshal([]byte(e.must("drafts", "--json")), &drafts)
	if len(drafts) != 2 || drafts[0].Step != "review_on_silence" {
		t.Errorf("drafts = %+v, want two review_on_silence drafts", drafts)
	}
}

// TestFeeNoticeStopsTheClockUntilPaid: the days from a fees notice to the
// payment do not count (FOIA s.10(2)).
func TestFeeNoticeStopsTheClockUntilPaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 1)
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	raw := replyTo(e.mail.Received()[0].Data, t, 1, "Fees notice: a fee of £25 is payable under section 9 before we can comply with your request.")
	e.mail.Deliver("INBOX", raw, e.mail.Received()[0].At)
	e.must("--now", "2026-03-09T10:00", "sync")
	if due := status(t, e)["LXP7-001"].Due; due != "" {
		t.Errorf("due %q while the fee is unpaid, want none (clock stopped)", due)
	}
	e.must("--now", "2026-03-16T10:00", "paid", "LXP7-001")
	// FOIA s.10(2): the working days of the period beginning with the day
	// the notice is given (Mon 9 Mar) and ending with the day the fee is
	// received (Mon 16 Mar) are disregarded: six of them. So the due date
	// moves from Tue 31 Mar by six working days, over Easter, to Fri 10 Apr.
	if due := status(t, e)["LXP7-001"].Due; due != "2026-04-10" {
		t.Errorf("due after payment = %q, want 2026-04-10", due)
	}
}
