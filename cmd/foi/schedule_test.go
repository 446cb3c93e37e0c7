package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// sim drives a campaign through time with --now.
type sim struct {
	t   *testing.T
	e   *env
	loc *time.Location
	ids map[string]string // ref → Message-ID of the first letter
	to  map[string]string // ref → authority address
}

func (s *sim) at(day string, hhmm string) string {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, s.loc)
	if err != nil {
		s.t.Fatal(err)
	}
	return t.Format(time.RFC3339)
}

// run runs a command line at a moment.
func (s *sim) run(when string, args ...string) string {
	s.t.Helper()
	return s.e.must(append([]string{"--now", when}, args...)...)
}

// reply delivers a message from ref's authority and syncs, at a moment.
func (s *sim) reply(when, ref, headers, body string) {
	s.t.Helper()
	raw := fmt.Sprintf("From: FOI Team <%s>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request [%s]\r\n"+
		"Message-ID: <%s-%d@trust.test>\r\nIn-Reply-To: <%s>\r\nDate: %s\r\n%s\r\n%s\r\n",
		s.to[ref], ref, strings.ToLower(ref), time.Now().UnixNano(), s.ids[ref], when, headers, body)
	if _, err := s.e.mail.Deliver("INBOX", []byte(raw), time.Now()); err != nil {
		s.t.Fatal(err)
	}
	s.run(when, "sync")
}

func (s *sim) bounce(when, ref string) {
	s.t.Helper()
	raw := fmt.Sprintf("From: MAILER-DAEMON@mail.foi.test (Mail Delivery System)\r\nTo: campaign@foi.test\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-%s@mail.foi.test>\r\nDate: %s\r\n"+
		"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"+
		"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"+
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.foi.test\r\n\r\n"+
		"Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown\r\n"+
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%s>\r\nTo: %s\r\nSubject: Freedom of Information request [%s]\r\n--B--\r\n",
		strings.ToLower(ref), when, s.to[ref], s.to[ref], s.ids[ref], s.to[ref], ref)
	if _, err := s.e.mail.Deliver("INBOX", []byte(raw), time.Now()); err != nil {
		s.t.Fatal(err)
	}
	s.run(when, "sync")
}

type outboxRow struct {
	ID     int64
	Ref    string
	Step   string
	Kind   string
	State  string
	SentAt time.Time `json:"sent_at"`
}

// TestScheduleThroughFourMonths runs ten requests with different fates from
// 2 March to 1 July 2026, ticking twice every day, and checks the exact set
// of letters sent, with their dates, and the drafts made.
func TestScheduleThroughFourMonths(t *testing.T) {
	// Not parallel: it sets $EDITOR for `foi reply --edit`.
	t.Setenv("EDITOR", `sed -i 's/\[CLARIFICATION:.*\]/We mean posts at Band 7 and above./'`)
	e := newEnv(t, envOptions{extra: `schedule:
  first_chaser: auto
  final_chaser: auto
  review_on_silence: auto
  review_after_refusal: draft
  ico_complaint: draft
`})
	loc, _ := time.LoadLocation("Europe/London")
	s := &sim{t: t, e: e, loc: loc, ids: map[string]string{}, to: map[string]string{}}
	e.must("authorities", "import", e.writeFile("trusts.csv", trustsCSV(10)))
	e.must("--now", s.at("2026-02-27", "10:00"), "campaign", "new", "LXP7", "--title", "Band 7 roles",
		"--letter", e.writeFile("letter.txt", letter), "--authorities", "all")
	s.run(s.at("2026-03-02", "10:00"), "send", "LXP7", "--limit", "9")
	s.run(s.at("2026-03-04", "10:00"), "send", "LXP7")
	for _, m := range e.mail.Received() {
		ref := subjectRef.FindStringSubmatch(header(t, m.Data, "Subject"))[1]
		s.ids[ref] = strings.Trim(header(t, m.Data, "Message-Id"), "<>")
		s.to[ref] = m.To[0]
	}
	if len(s.ids) != 10 {
		t.Fatalf("%d first letters, want 10", len(s.ids))
	}
	// What each authority does, at a given moment.
	events := map[string][]func(){
		"2026-03-02": {func() { s.bounce(s.at("2026-03-02", "14:00"), "LXP7-006") },
			func() {
				s.reply(s.at("2026-03-02", "15:00"), "LXP7-007", "Auto-Submitted: auto-replied\r\nX-Autoreply: yes",
					"I am out of the office until Monday 9 March with no access to email.")
			}},
		"2026-03-03": {func() {
			s.reply(s.at("2026-03-03", "09:00"), "LXP7-009", "", "Thank you for your request. We acknowledge receipt and it has been logged; we will respond within 20 working days.")
		}},
		"2026-03-04": {func() {
			s.reply(s.at("2026-03-04", "11:00"), "LXP7-008", "", "We acknowledge receipt of your request, which has been logged.")
		}},
		"2026-03-05": {func() {
			s.reply(s.at("2026-03-05", "10:00"), "LXP7-003", "", "Before we can proceed, could you please clarify what you mean by senior posts? We need clarification under section 1(3).")
		}},
		"2026-03-09": {func() {
			s.run(s.at("2026-03-09", "10:00"), "reply", "LXP7-003", "--template", "clarification", "--edit")
			s.run(s.at("2026-03-09", "10:05"), "tick") // sends it now: inside the window
		}},
		"2026-03-10": {func() {
			s.reply(s.at("2026-03-10", "11:00"), "LXP7-002", "", "Please find below the information you requested. We employ two LXPs at Band 7.")
		}},
		"2026-03-12": {func() {
			s.reply(s.at("2026-03-12", "10:00"), "LXP7-005", "", "We are withholding the information requested as it is exempt under section 40(2) of the Act (personal information).")
			s.run(s.at("2026-03-12", "11:00"), "mark", "LXP7-005", "refused")
		}, func() {
			id := draftID(t, s, "LXP7-005", "review_after_refusal")
			if code, _, stderr := e.foi("--now", s.at("2026-03-12", "12:30"), "approve", fmt.Sprint(id)); code == 0 || !strings.Contains(stderr, "placeholder") {
				t.Errorf("approving a review draft with its grounds placeholder: exit %d %q, want refused", code, stderr)
			}
			s.run(s.at("2026-03-12", "12:30"), "approve", fmt.Sprint(id), "--grounds", "Job titles and pay bands are not personal data.")
		}},
		"2026-03-20": {func() {
			s.reply(s.at("2026-03-20", "10:00"), "LXP7-004", "", "The information is exempt under section 43 and is withheld. We refuse this request.")
		}},
		"2026-03-23": {func() {
			s.run(s.at("2026-03-23", "09:00"), "mark", "LXP7-004", "refused")
		}, func() {
			s.run(s.at("2026-03-23", "13:00"), "approve", fmt.Sprint(draftID(t, s, "LXP7-004", "review_after_refusal")), "--grounds", "The public interest favours disclosure.")
		}},
		"2026-03-25": {func() {
			s.reply(s.at("2026-03-25", "10:00"), "LXP7-007", "", "Please find attached the information you requested: we do employ LXPs at Band 7.")
		}},
		"2026-03-27": {func() {
			s.reply(s.at("2026-03-27", "10:00"), "LXP7-008", "", "We need further time to consider the public interest test under section 10(3) and will respond by 30 April.")
		}},
		"2026-04-01": {func() {
			s.reply(s.at("2026-04-01", "10:00"), "LXP7-003", "", "Please find the information you requested below: no Band 7 LXP posts were advertised.")
		}},
		"2026-04-04": {func() { // a Saturday: the chaser planned on Good Friday has not gone
			s.reply(s.at("2026-04-04", "10:00"), "LXP7-010", "", "Please find below the information you requested.")
		}},
		"2026-04-15": {func() {
			s.reply(s.at("2026-04-15", "10:00"), "LXP7-004", "", "We have completed the internal review and uphold the original decision: the information remains withheld.")
		}},
		"2026-05-06": {func() {
			s.reply(s.at("2026-05-06", "10:00"), "LXP7-008", "", "Please find below the information you requested, which we have now released in full.")
		}},
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, loc)
	for d := start; !d.After(time.Date(2026, 7, 1, 0, 0, 0, 0, loc)); d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		ev := events[day]
		if len(ev) > 0 {
			ev[0]()
		}
		s.run(s.at(day, "12:00"), "tick")
		s.run(s.at(day, "12:01"), "tick") // a rerun adds nothing
		for _, f := range ev[min(1, len(ev)):] {
			f()
		}
		s.run(s.at(day, "18:00"), "tick") // outside the window: plans, sends nothing
	}

	var rows []outboxRow
	st := openStore(t, e)
	items, err := st.Outbox(t.Context(), "LXP7")
	if err != nil {
		t.Fatal(err)
	}
	var sent, drafts []string
	for _, it := range items {
		what := string(it.Step)
		if what == "" {
			what = string(it.Kind)
		}
		switch it.State {
		case "sent":
			when := it.SentAt.In(loc)
			if when.Hour()*60+when.Minute() < 9*60+30 || when.Hour()*60+when.Minute() > 16*60+30 || when.Weekday() == time.Saturday || when.Weekday() == time.Sunday {
				t.Errorf("%s %s sent at %s: outside the window", it.Ref, what, when)
			}
			sent = append(sent, fmt.Sprintf("%s %s %s", it.Ref, what, when.Format("2006-01-02")))
		case "draft":
			drafts = append(drafts, fmt.Sprintf("%s %s %s", it.Ref, what, it.CreatedAt.In(loc).Format("2006-01-02")))
		}
		rows = append(rows, outboxRow{ID: it.ID, Ref: it.Ref, Step: string(it.Step), Kind: string(it.Kind), State: string(it.State), SentAt: it.SentAt})
	}
	sort.Strings(sent)
	want := []string{
		"LXP7-001 first_chaser 2026-04-01",
		"LXP7-001 final_chaser 2026-04-17",
		"LXP7-001 letter 2026-03-02",
		"LXP7-001 review_on_silence 2026-05-01",
		"LXP7-002 letter 2026-03-02",
		"LXP7-003 clarification 2026-03-09",
		"LXP7-003 letter 2026-03-02",
		"LXP7-004 letter 2026-03-02",
		"LXP7-004 review_after_refusal 2026-03-24",
		"LXP7-005 letter 2026-03-02",
		"LXP7-005 review_after_refusal 2026-03-13",
		"LXP7-006 letter 2026-03-02",
		"LXP7-007 letter 2026-03-02",
		"LXP7-008 first_chaser 2026-05-01",
		"LXP7-008 letter 2026-03-02",
		"LXP7-009 final_chaser 2026-04-17",
		"LXP7-009 first_chaser 2026-04-01",
		"LXP7-009 letter 2026-03-02",
		"LXP7-009 review_on_silence 2026-05-01",
		"LXP7-010 letter 2026-03-04",
	}
	sort.Strings(want)
	if strings.Join(sent, "\n") != strings.Join(want, "\n") {
		t.Errorf("letters sent:\n%s\n\nwant:\n%s", strings.Join(sent, "\n"), strings.Join(want, "\n"))
	}
	if n := len(e.mail.Received()); n != len(want) {
		t.Errorf("the SMTP server received %d letters, want %d", n, len(want))
	}
	sort.Strings(drafts)
	wantDrafts := []string{
		"LXP7-001 ico_complaint 2026-07-01",
		"LXP7-005 ico_complaint 2026-05-15",
		"LXP7-009 ico_complaint 2026-07-01",
	}
	if strings.Join(drafts, "\n") != strings.Join(wantDrafts, "\n") {
		t.Errorf("drafts:\n%s\n\nwant:\n%s", strings.Join(drafts, "\n"), strings.Join(wantDrafts, "\n"))
	}
	// LXP7-010 was due on Thu 2 Apr; its first chaser may go only on the
	// next working day, Tue 7 Apr (Good Friday and Easter Monday are bank
	// holidays), so nothing is planned on the holiday, and the answer that
	// came on the Saturday means it is never planned at all.
	for _, r := range rows {
		if r.Ref == "LXP7-010" && r.Step == "first_chaser" {
			t.Errorf("LXP7-010's first chaser was planned (%s): it was not due on a bank holiday, and was answered first", r.State)
		}
	}
	states := status(t, e)
	for ref, want := range map[string]string{
		"LXP7-001": "ico_complaint_ready", "LXP7-002": "responded", "LXP7-003": "responded",
		"LXP7-004": "internal_review_answered", "LXP7-005": "ico_complaint_ready", "LXP7-006": "delivery_failed",
		"LXP7-007": "responded", "LXP7-008": "responded", "LXP7-009": "ico_complaint_ready", "LXP7-010": "responded",
	} {
		if got := states[ref].State; got != want {
			t.Errorf("%s is %s, want %s", ref, got, want)
		}
	}
	// Ticking again, at any moment, adds nothing.
	before := len(items)
	for _, when := range []string{s.at("2026-07-01", "12:30"), s.at("2026-07-02", "10:00"), s.at("2026-08-03", "11:00")} {
		s.run(when, "tick")
	}
	after, _ := st.Outbox(t.Context(), "")
	if len(after) != before || len(e.mail.Received()) != len(want) {
		t.Errorf("later ticks added %d outbox entries and sent %d letters", len(after)-before, len(e.mail.Received())-len(want))
	}

	// The complaint pack of the silent authority.
	pack := filepath.Join(e.dir, "LXP7-001.zip")
	s.run(s.at("2026-07-01", "13:00"), "ico-pack", "LXP7-001", "--out", pack)
	zr, err := zip.OpenReader(pack)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	var complaint string
	for _, f := range zr.File {
		names[f.Name] = true
		if f.Name == "ico_complaint.txt" {
			rc, _ := f.Open()
			b := new(strings.Builder)
			buf := make([]byte, 1<<16)
			n, _ := rc.Read(buf)
			b.Write(buf[:n])
			rc.Close()
			complaint = b.String()
		}
	}
	emls := 0
	for n := range names {
		if strings.HasSuffix(n, ".eml") {
			emls++
		}
	}
	if !names["index.txt"] || !names["timeline.txt"] || emls != 4 {
		t.Errorf("pack holds %v, want index, timeline, complaint and 4 messages", names)
	}
	for _, want := range []string{"2 March 2026", "31 March 2026", "1 April 2026", "17 April 2026", "1 May 2026", "has not been given", "section 50"} {
		if !strings.Contains(complaint, want) {
			t.Errorf("complaint lacks %q:\n%s", want, complaint)
		}
	}
}

func draftID(t *testing.T, s *sim, ref, step string) int64 {
	t.Helper()
	var list []struct {
		ID   int64
		Ref  string
		Step string
	}
	if err := json.Unmarshal([]byte(s.e.must("drafts", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Ref == ref && d.Step == step {
			return d.ID
		}
	}
	t.Fatalf("no %s draft for %s in %+v", step, ref, list)
	return 0
}
