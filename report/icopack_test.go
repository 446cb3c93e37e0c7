package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"foi/calendar"
	"foi/campaign"
	"foi/config"
	"foi/deadline"
	"foi/inbox"
	"foi/lifecycle"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// world is one request in a real store in a temporary folder, driven
// through time: letters are sent by marking them sent (no SMTP), replies are
// filed by the inbox's own processor from raw mail.
type world struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	sch *schedule.Scheduler
	ref string
	mid string // the Message-ID of the request
	n   int
}

func newWorld(t *testing.T, law string, modes lifecycle.Modes) *world {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pol, err := schedule.PolicyFrom(config.Default().Schedule)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, st: st, ref: "LXP7-001",
		sch: &schedule.Scheduler{Store: st, Cal: calendar.New(), Letters: templates.New(""), Policy: pol}}
	created := on("2026-02-27 16:00")
	if _, _, err := st.UpsertAuthorities(ctx, []store.Authority{{Name: "Alpha NHS Trust", Email: "foi@alpha.nhs.uk", Jurisdiction: law}}, created); err != nil {
		t.Fatal(err)
	}
	spec := campaign.Spec{Slug: "LXP7", Title: "Band 7 roles", LetterName: "request", Selector: "all", Schedule: modes,
		Letter: "Dear {{.Authority.Name}},\n\nPlease tell us how many Band 7 LXP posts you have.\n\nYours faithfully,\n{{.Requester.Name}}\n"}
	if _, err := campaign.Create(ctx, st, spec, campaign.Requester{Name: "LXP Revolution", Email: "campaign@foi.test"}, created, strings.NewReader(strings.Repeat("x", 4096))); err != nil {
		t.Fatal(err)
	}
	w.send("2026-03-02 10:04")
	r, err := st.Request(ctx, w.ref)
	if err != nil {
		t.Fatal(err)
	}
	w.mid = r.MessageID
	return w
}

// send queues any first letter and sends every letter due by then.
func (w *world) send(at string) {
	w.t.Helper()
	now := on(at)
	if _, err := campaign.Queue(w.ctx, w.st, "LXP7", campaign.Env{Now: now}, 0); err != nil {
		w.t.Fatal(err)
	}
	items, err := w.st.Outbox(w.ctx, "LXP7")
	if err != nil {
		w.t.Fatal(err)
	}
	for _, it := range items {
		if !it.State.Due() || it.NextAttemptAt.After(now) {
			continue
		}
		if err := w.st.Claim(w.ctx, it.ID, now); err != nil {
			w.t.Fatal(err)
		}
		if err := w.st.MarkSent(w.ctx, it.ID, now, ""); err != nil {
			w.t.Fatal(err)
		}
	}
}

// letter writes a follow-up from a template as the schedule would, and
// sends it at once unless it is a draft. A complaint is always a draft and
// makes the request ready for one, as the schedule's own does.
func (w *world) letter(step lifecycle.Step, template, at string, draft bool) {
	w.t.Helper()
	f := w.facts()
	l, err := w.sch.Letter(f, template, "", on(at))
	if err != nil {
		w.t.Fatal(err)
	}
	q := store.Queued{Step: step, Draft: draft || step == lifecycle.StepComplaint, NotBefore: on(at)}
	if _, err := campaign.Enqueue(w.ctx, w.st, f.Request, q, l, on(at)); err != nil {
		w.t.Fatal(err)
	}
	if step == lifecycle.StepComplaint {
		if err := w.st.SetState(w.ctx, w.ref, lifecycle.ICOReady, "foi", "complaint drafted: build the pack with foi ico-pack "+w.ref, on(at)); err != nil {
			w.t.Fatal(err)
		}
	}
	if !q.Draft {
		w.send(at)
	}
}

// reply files a message from the authority, answering the request, with
// attachments (name → content).
func (w *world) reply(at, body string, files ...string) {
	w.t.Helper()
	w.n++
	var b strings.Builder
	fmt.Fprintf(&b, "From: FOI Team <foi@alpha.nhs.uk>\r\nTo: campaign@foi.test\r\nSubject: RE: Freedom of Information request [%s]\r\n"+
		"Message-ID: <reply-%d@alpha.nhs.uk>\r\nIn-Reply-To: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		w.ref, w.n, w.mid, on(at).Format(time.RFC1123Z))
	if len(files) == 0 {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body)
	} else {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body)
		for i := 0; i+1 < len(files); i += 2 {
			fmt.Fprintf(&b, "--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=%q\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
				files[i], base64.StdEncoding.EncodeToString([]byte(files[i+1])))
		}
		b.WriteString("--B--\r\n")
	}
	p := &inbox.Processor{Store: w.st, Now: func() time.Time { return on(at) }}
	out, err := p.Process(w.ctx, []byte(b.String()), "INBOX", uint32(w.n), false)
	if err != nil || out.Ref != w.ref {
		w.t.Fatalf("reply at %s: %+v, %v", at, out, err)
	}
}

func (w *world) mark(at string, to lifecycle.State, note string) {
	w.t.Helper()
	if err := w.st.SetState(w.ctx, w.ref, to, "user", note, on(at)); err != nil {
		w.t.Fatal(err)
	}
}

// approve approves the step's draft and sends it.
func (w *world) approve(step lifecycle.Step, at string) {
	w.t.Helper()
	drafts, err := w.st.Drafts(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, d := range drafts {
		if d.Step == step {
			if err := w.st.Approve(w.ctx, d.ID, on(at), on(at)); err != nil {
				w.t.Fatal(err)
			}
			w.send(at)
			return
		}
	}
	w.t.Fatalf("no %s draft in %+v", step, drafts)
}

func (w *world) facts() schedule.Facts {
	w.t.Helper()
	r, err := w.st.Request(w.ctx, w.ref)
	if err != nil {
		w.t.Fatal(err)
	}
	f, err := w.sch.Facts(w.ctx, r)
	if err != nil {
		w.t.Fatal(err)
	}
	return f
}

func (w *world) pack(at string, force bool) (*Pack, error) {
	return BuildPack(w.ctx, w.st, w.sch, w.facts(), on(at), force)
}

// refused is a request refused under s.12, reviewed at once, upheld.
func refused(t *testing.T) *world {
	w := newWorld(t, "foia", nil)
	w.reply("2026-03-03 09:12", "Thank you for your request, which has been logged under reference FOI/26/123. We will respond within 20 working days.")
	w.reply("2026-03-20 09:00", "We estimate that complying with your request would exceed the appropriate limit of £450 under section 12 of the Act, so we refuse it.",
		"decision.pdf", "%PDF-1.4 the refusal notice")
	w.mark("2026-03-20 10:00", lifecycle.Refused, "")
	w.letter(lifecycle.StepReviewRefusal, "review_after_refusal", "2026-03-20 12:00", true)
	w.approve(lifecycle.StepReviewRefusal, "2026-03-20 15:00")
	return w
}

// entries opens a zip and returns its files.
type entry struct {
	data     string
	modified time.Time
}

func unzip(t *testing.T, p *Pack) (map[string]entry, []string) {
	t.Helper()
	var buf bytes.Buffer
	if err := p.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]entry{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if _, dup := files[f.Name]; dup {
			t.Errorf("%s is in the zip twice", f.Name)
		}
		files[f.Name] = entry{string(b), f.Modified}
		names = append(names, f.Name)
	}
	return files, names
}

// TestComplaintDueAfterAReview (finding: a pack could be built the day
// after a review was asked for): while the review may still be answered,
// no pack, and the error says from when; forced, the letter and the index
// say so; once the review is answered, the pack is built.
func TestComplaintDueAfterAReview(t *testing.T) {
	t.Parallel()
	w := refused(t)
	_, err := w.pack("2026-03-21 10:00", false)
	var early *NotDueError
	if !errors.As(err, &early) {
		t.Fatalf("BuildPack the day after the review was asked for = %v, want a *NotDueError", err)
	}
	// 40 working days after Fri 20 Mar (Easter and the May Day holiday
	// skipped) is Wed 20 May: a complaint is due from the 21st.
	if got, want := early.From, calendar.NewDate(2026, time.May, 21); got != want || !strings.Contains(err.Error(), "Thu 21 May 2026") {
		t.Errorf("NotDueError.From = %s (%v), want %s", got, err, want)
	}
	p, err := w.pack("2026-03-21 10:00", true)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := unzip(t, p)
	for _, name := range []string{"ico_complaint.txt", "index.txt", "HOW-TO-FILE.txt", "ico_complaint.html"} {
		if !strings.Contains(files[name].data, "built before a complaint is due: the internal review asked for on 20 Mar 2026") {
			t.Errorf("forced pack: %s lacks the warning:\n%s", name, files[name].data)
		}
	}
	if !strings.HasPrefix(files["ico_complaint.txt"].data, "*** WARNING") {
		t.Errorf("forced pack: the letter does not open with the warning:\n%s", files["ico_complaint.txt"].data)
	}

	w.reply("2026-04-14 16:00", "We have completed the internal review and uphold the original decision under section 12.", "decision.pdf", "%PDF-1.4 the review")
	if _, err := w.pack("2026-04-15 10:00", false); err != nil {
		t.Errorf("BuildPack after the review was answered: %v", err)
	}
}

// TestComplaintDue: when a complaint is due, by the rules of ComplaintDue.
func TestComplaintDue(t *testing.T) {
	t.Parallel()
	sch := testScheduler(t)
	sent := func(step lifecycle.Step, at string) store.OutboxItem {
		return store.OutboxItem{Step: step, Kind: step.Kind(), State: lifecycle.OutboxSent, SentAt: on(at), CreatedAt: on(at)}
	}
	substantive := func(at string) store.Message {
		return store.Message{Direction: "in", Kind: lifecycle.KindSubstantive, CreatedAt: on(at)}
	}
	for _, tc := range []struct {
		name   string
		law    string
		state  lifecycle.State
		outbox []store.OutboxItem
		thread []store.Message
		now    string
		due    bool
		from   calendar.Date
	}{
		// Very overdue after the 40th working day from Mon 2 Mar: Thu 30 Apr
		// (St Patrick's Day, Good Friday and Easter Monday not counted).
		{"silent, not yet late", "foia", lifecycle.Sent, nil, nil, "2026-03-20 10:00", false, calendar.NewDate(2026, time.May, 1)},
		{"silent, 40 working days, both chasers, not yet over", "foia", lifecycle.Sent,
			[]store.OutboxItem{sent(lifecycle.StepFirstChaser, "2026-04-01 10:00"), sent(lifecycle.StepFinalChaser, "2026-04-16 10:00")}, nil, "2026-04-30 10:00", false, calendar.NewDate(2026, time.May, 1)},
		{"silent, very overdue, both chasers", "foia", lifecycle.Sent,
			[]store.OutboxItem{sent(lifecycle.StepFirstChaser, "2026-04-01 10:00"), sent(lifecycle.StepFinalChaser, "2026-04-16 10:00")}, nil, "2026-05-01 10:00", true, calendar.Date{}},
		{"silent, very overdue, no final chaser", "foia", lifecycle.Sent,
			[]store.OutboxItem{sent(lifecycle.StepFirstChaser, "2026-04-01 10:00")}, nil, "2026-05-04 10:00", false, calendar.NewDate(2026, time.May, 1)},
		{"refused, no review", "foia", lifecycle.Refused, nil, []store.Message{substantive("2026-03-20 09:00")}, "2026-06-01 10:00", false, calendar.Date{}},
		{"review asked yesterday", "foia", lifecycle.ReviewRequested,
			[]store.OutboxItem{sent(lifecycle.StepReviewRefusal, "2026-03-20 15:00")}, []store.Message{substantive("2026-03-20 09:00")}, "2026-03-21 10:00", false, calendar.NewDate(2026, time.May, 21)},
		{"review 20 working days late", "foia", lifecycle.ReviewRequested,
			[]store.OutboxItem{sent(lifecycle.StepReviewRefusal, "2026-03-20 15:00")}, []store.Message{substantive("2026-03-20 09:00")}, "2026-05-21 10:00", true, calendar.Date{}},
		{"review answered", "foia", lifecycle.ReviewAnswered,
			[]store.OutboxItem{sent(lifecycle.StepReviewRefusal, "2026-03-20 15:00")}, []store.Message{substantive("2026-03-20 09:00"), substantive("2026-04-14 16:00")}, "2026-04-15 10:00", true, calendar.Date{}},
		{"complaint drafted", "foia", lifecycle.ICOReady,
			[]store.OutboxItem{{Step: lifecycle.StepComplaint, Kind: lifecycle.KindLetter, State: lifecycle.OutboxDraft, CreatedAt: on("2026-07-01 12:00")}}, nil, "2026-07-04 10:00", true, calendar.Date{}},
		// FOISA s.21(1): 20 working days for the review, to Tue 2 Jun (the
		// Scottish May holidays, 4 and 25 May, not counted); then s.47(1).
		{"Scotland: review late", "foisa", lifecycle.ReviewRequested,
			[]store.OutboxItem{sent(lifecycle.StepReviewSilence, "2026-05-01 10:00")}, nil, "2026-06-03 10:00", true, calendar.Date{}},
		{"Scotland: review not yet late", "foisa", lifecycle.ReviewRequested,
			[]store.OutboxItem{sent(lifecycle.StepReviewSilence, "2026-05-01 10:00")}, nil, "2026-06-02 10:00", false, calendar.NewDate(2026, time.June, 3)},
		{"Scotland: silent, no review yet", "foisa", lifecycle.Sent, nil, nil, "2026-06-01 10:00", false, calendar.Date{}},
	} {
		f := schedule.Facts{
			Request:  store.Request{Ref: "LXP7-001", State: tc.state, Law: tc.law, SentAt: on("2026-03-02 10:04"), UpdatedAt: on("2026-03-20 10:00")},
			Campaign: store.Campaign{Schedule: lifecycle.Modes{lifecycle.StepReviewSilence: lifecycle.Off}},
			Outbox:   tc.outbox, Thread: tc.thread,
		}
		got := ComplaintDue(sch, f, on(tc.now))
		if got.Due != tc.due || got.From != tc.from {
			t.Errorf("%s: ComplaintDue at %s = %v from %s (%s), want %v from %s", tc.name, tc.now, got.Due, got.From, got.Why, tc.due, tc.from)
		}
	}
}

// TestPackOfARefusal: the pack holds what a volunteer files — a letter
// dated the day it is built that states the grounds, instructions to file
// it, a timeline in words — and exactly the messages and attachments
// counted.
func TestPackOfARefusal(t *testing.T) {
	t.Parallel()
	w := refused(t)
	w.reply("2026-04-14 16:00", "We have completed the internal review and uphold the original decision under section 12.", "decision.pdf", "%PDF-1.4 the review")
	built := "2026-05-01 11:00"
	p, err := w.pack(built, false)
	if err != nil {
		t.Fatal(err)
	}
	files, names := unzip(t, p)
	letter := files["ico_complaint.txt"].data

	// The grounds (finding: the letter never said what was wrong).
	for _, want := range []string{
		"On 20 March 2026 the authority refused the request, citing section 12.",
		"The internal review, answered on 14 April 2026, upheld the refusal, citing section 12. [CHECK:",
	} {
		if !strings.Contains(letter, want) {
			t.Errorf("the letter lacks %q:\n%s", want, letter)
		}
	}
	if strings.Contains(letter, "the authority refused the request, citing section 12. [CHECK") {
		t.Errorf("the refusal, confirmed by a person, is marked to be checked:\n%s", letter)
	}
	// Dated the day it is built.
	if !strings.HasSuffix(strings.TrimSpace(letter), "1 May 2026") {
		t.Errorf("the letter is not dated 1 May 2026:\n%s", letter)
	}

	// Every message as .eml, counted truly; attachments under names of
	// their own.
	var emls, atts []string
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, "messages/"):
			emls = append(emls, n)
		case strings.HasPrefix(n, "attachments/"):
			atts = append(atts, n)
		}
	}
	wantEmls := []string{
		"messages/01-2026-03-02-our-request.eml",
		"messages/02-2026-03-03-their-acknowledgement.eml",
		"messages/03-2026-03-20-their-response.eml",
		"messages/04-2026-03-20-our-internal-review-request.eml",
		"messages/05-2026-04-14-their-review-answer.eml",
	}
	if strings.Join(emls, "\n") != strings.Join(wantEmls, "\n") || p.Messages != len(wantEmls) {
		t.Errorf("messages (%d counted):\n%s\nwant:\n%s", p.Messages, strings.Join(emls, "\n"), strings.Join(wantEmls, "\n"))
	}
	if got := strings.Join(atts, ", "); got != "attachments/decision.pdf, attachments/decision (2).pdf" || p.Attachments != 2 {
		t.Errorf("attachments (%d counted): %s", p.Attachments, got)
	}
	if files["attachments/decision.pdf"].data != "%PDF-1.4 the refusal notice" || files["attachments/decision (2).pdf"].data != "%PDF-1.4 the review" {
		t.Errorf("an attachment was overwritten: %q, %q", files["attachments/decision.pdf"].data, files["attachments/decision (2).pdf"].data)
	}
	index := files["index.txt"].data
	if !strings.Contains(index, fmt.Sprintf("%d files: the letter and its papers, 5 messages and 2 attachments.", len(names))) {
		t.Errorf("the index does not count what is in the zip (%d files):\n%s", len(names), index)
	}
	for _, n := range names {
		if !strings.Contains(index, n) {
			t.Errorf("the index does not list %s", n)
		}
	}

	// Dated entries: a message's own date, the build time for the rest.
	f := w.facts()
	for _, m := range f.Thread {
		if m.Direction == "in" && m.Subject != "" {
			for _, n := range emls {
				if strings.Contains(n, m.CreatedAt.In(london).Format("2006-01-02")) && strings.Contains(n, "their") {
					if got := files[n].modified; !got.Equal(m.Date) {
						t.Errorf("%s dated %s, want its Date %s", n, got, m.Date)
					}
				}
			}
		}
	}
	for _, n := range []string{"ico_complaint.txt", "ico_complaint.html", "HOW-TO-FILE.txt", "timeline.txt", "index.txt"} {
		if got := files[n].modified; !got.Equal(on(built)) {
			t.Errorf("%s dated %s, want %s", n, got, on(built))
		}
	}
	if got := files[wantEmls[0]].modified; !got.Equal(on("2026-03-02 10:04")) {
		t.Errorf("the request's .eml dated %s, want when it was sent", got)
	}

	// How to file, with the ICO's six weeks counted from the review's
	// answer (Tue 14 Apr + 42 days) and the files to attach.
	how := files["HOW-TO-FILE.txt"].data
	for _, want := range []string{
		"https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/",
		"six weeks", "so file by Tue 26 May 2026",
		"your request: messages/01-2026-03-02-our-request.eml",
		"the authority's response: messages/03-2026-03-20-their-response.eml",
		"your request for an internal review: messages/04-2026-03-20-our-internal-review-request.eml",
		"the outcome of the review: messages/05-2026-04-14-their-review-answer.eml",
		"attachments/decision.pdf, attachments/decision (2).pdf",
		"internal review",
	} {
		if !strings.Contains(how, want) {
			t.Errorf("HOW-TO-FILE.txt lacks %q:\n%s", want, how)
		}
	}
	if page := files["ico_complaint.html"].data; !strings.Contains(page, "https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/") || !strings.Contains(page, "refused the request, citing section 12") {
		t.Errorf("the printable letter lacks the grounds or how to file:\n%s", page)
	}

	// The timeline in words.
	timeline := files["timeline.txt"].data
	for _, want := range []string{
		"Mon 2 Mar 2026 10:04  We sent the request to Alpha NHS Trust (foi@alpha.nhs.uk).",
		"Fri 20 Mar 2026 09:00  Alpha NHS Trust replied: it looks like a refusal citing s.12 (suggested).",
		"Fri 20 Mar 2026 10:00  You marked the request refused.",
		"Fri 20 Mar 2026 15:00  We asked for an internal review of the refusal: the authority should answer by 21 Apr 2026.",
	} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline.txt lacks %q:\n%s", want, timeline)
		}
	}
	if !regexp.MustCompile(`Complain to the ICO by +Tue 26 May 2026`).MatchString(timeline) {
		t.Errorf("timeline.txt lacks the last day for the complaint:\n%s", timeline)
	}
	if ids := regexp.MustCompile(`lxp7-001\.[a-z0-9]+@|queued|matched by`).FindAllString(timeline, -1); len(ids) > 0 {
		t.Errorf("timeline.txt has tool jargon %q:\n%s", ids, timeline)
	}
}

// TestPackOfSilence: the complaint the schedule drafted on 1 July, built on
// 4 July, is dated 4 July; the draft itself is not a message of the pack.
func TestPackOfSilence(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "foia", nil)
	w.letter(lifecycle.StepFirstChaser, "first_chaser", "2026-04-01 09:30", false)
	w.letter(lifecycle.StepFinalChaser, "final_chaser", "2026-04-17 09:30", false)
	w.letter(lifecycle.StepReviewSilence, "review_on_silence", "2026-05-01 09:30", false)
	w.letter(lifecycle.StepComplaint, "ico_complaint", "2026-07-01 12:00", true)
	if st := w.facts().Request.State; st != lifecycle.ICOReady {
		t.Fatalf("after four silent months the request is %s, want %s", st, lifecycle.ICOReady)
	}
	p, err := w.pack("2026-07-04 15:00", false)
	if err != nil {
		t.Fatal(err)
	}
	files, names := unzip(t, p)
	letter := files["ico_complaint.txt"].data
	if !strings.HasSuffix(strings.TrimSpace(letter), "4 July 2026") || strings.Contains(letter, "1 July 2026") {
		t.Errorf("the letter built on 4 July is not dated 4 July:\n%s", letter)
	}
	if !strings.Contains(letter, "The authority has not responded to our request") || !strings.Contains(letter, "has not carried out the internal review") {
		t.Errorf("the letter does not state the grounds:\n%s", letter)
	}
	var emls []string
	for _, n := range names {
		if strings.HasSuffix(n, ".eml") {
			emls = append(emls, n)
		}
		if strings.Contains(n, "from-template") {
			t.Errorf("%s is in the pack, but nobody edited the draft", n)
		}
	}
	if len(emls) != 4 || p.Messages != 4 {
		t.Errorf("%d messages counted, zip holds %v; want the request, two chasers and the review request", p.Messages, emls)
	}
	// A draft a person edited is their letter, re-dated, with the grounds;
	// the template's letter of today is kept beside it.
	drafts, err := w.st.Drafts(w.ctx)
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts = %+v, %v", drafts, err)
	}
	var l mailer.Letter
	if err := json.Unmarshal([]byte(drafts[0].Letter), &l); err != nil {
		t.Fatal(err)
	}
	l.Body = strings.Replace(l.Body, "We ask the Commissioner", "The Trust has ignored four letters. We ask the Commissioner", 1)
	m, js, err := campaign.StoreLetter(w.st, l)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.EditDraft(w.ctx, drafts[0].ID, js, m, on("2026-07-02 10:00")); err != nil {
		t.Fatal(err)
	}
	p, err = w.pack("2026-07-04 15:00", false)
	if err != nil {
		t.Fatal(err)
	}
	edited, _ := unzip(t, p)
	mine := edited["ico_complaint.txt"].data
	if !strings.Contains(mine, "The Trust has ignored four letters.") || !strings.HasSuffix(strings.TrimSpace(mine), "4 July 2026") || !strings.Contains(mine, "What we complain of:") {
		t.Errorf("the edited complaint is not the letter, re-dated, with the grounds:\n%s", mine)
	}
	if tmpl := edited["ico_complaint-from-template.txt"].data; strings.Contains(tmpl, "four letters") || !strings.HasSuffix(strings.TrimSpace(tmpl), "4 July 2026") {
		t.Errorf("ico_complaint-from-template.txt:\n%s", tmpl)
	}
	if !regexp.MustCompile(`ico_complaint.txt +the complaint as you edited it on 2 July 2026, dated 4 July 2026`).MatchString(edited["index.txt"].data) {
		t.Errorf("the index does not say the letter is the person's edit:\n%s", edited["index.txt"].data)
	}

	how := files["HOW-TO-FILE.txt"].data
	for _, want := range []string{"the authority's response: none came", "your chasers, which show you tried to resolve it", "the outcome of the review: none came"} {
		if !strings.Contains(how, want) {
			t.Errorf("HOW-TO-FILE.txt lacks %q:\n%s", want, how)
		}
	}
}

// TestPackScotland: a Scottish request gets the appeal to the Scottish
// Information Commissioner, filed at foi.scot within six months of when the
// review was due.
func TestPackScotland(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "foisa", nil)
	w.letter(lifecycle.StepFirstChaser, "first_chaser", "2026-03-31 09:30", false)
	w.letter(lifecycle.StepReviewSilence, "foisa_review", "2026-04-20 09:30", false)
	f := w.facts()
	d := deadline.Compute(w.sch.Cal, f.Input())
	if d.ReviewDue.IsZero() {
		t.Fatalf("no review asked for by 20 May: %+v", f.Outbox)
	}
	p, err := w.pack(d.ReviewDue.AddDays(1).Format("2006-01-02")+" 10:00", false)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := unzip(t, p)
	if _, ok := files["sic_appeal.txt"]; !ok || files["ico_complaint.txt"].data != "" {
		t.Errorf("the Scottish pack has no sic_appeal.txt or has an ICO complaint")
	}
	how := files["HOW-TO-FILE.txt"].data
	for _, want := range []string{"Scottish Information Commissioner", "https://www.foi.scot/appeal", "six months", "by " + d.SICAppealBy.Format("Mon 2 Jan 2006")} {
		if !strings.Contains(how, want) {
			t.Errorf("HOW-TO-FILE.txt lacks %q:\n%s", want, how)
		}
	}
	if strings.Contains(how, "ico.org.uk") {
		t.Errorf("the Scottish instructions send the volunteer to the ICO:\n%s", how)
	}
}
