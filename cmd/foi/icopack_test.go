package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readZip opens a pack and returns its files' contents and dates.
func readZip(t *testing.T, path string) (map[string]string, map[string]time.Time, []string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	data, dates := map[string]string{}, map[string]time.Time{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		data[f.Name], dates[f.Name] = string(b), f.Modified
		names = append(names, f.Name)
	}
	return data, dates, names
}

// TestICOPack drives a refusal through its internal review to the
// complaint, building the pack on the way as a volunteer would, and reads
// what is inside. Each finding of the review of the old pack has its check.
func TestICOPack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	setupCampaign(t, e, 1)
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	first := e.mail.Received()[0]
	e.mail.Deliver("INBOX", replyTo(first.Data, t, 1, "We estimate that complying with your request would exceed the appropriate limit of £450 under section 12 of the Act, so we refuse it."), first.At)
	e.must("--now", "2026-03-20T10:00", "sync")
	e.must("--now", "2026-03-20T11:00", "mark", "LXP7-001", "refused")
	e.must("--now", "2026-03-20T12:00", "tick")
	var drafts []struct {
		ID   int64
		Step string
	}
	if err := json.Unmarshal([]byte(e.must("drafts", "--json")), &drafts); err != nil || len(drafts) != 1 || drafts[0].Step != "review_after_refusal" {
		t.Fatalf("drafts = %+v, %v; want the review after the refusal", drafts, err)
	}
	e.must("--now", "2026-03-20T12:30", "approve", fmt.Sprint(drafts[0].ID), "--grounds", "The cost estimate counts work the Trust has already done.")
	e.must("--now", "2026-03-20T12:35", "tick")
	pack := filepath.Join(e.dir, "pack.zip")

	// Finding: the pack could be built the day after the review was asked
	// for. It is refused, saying from when a complaint is due: 40 working
	// days after Fri 20 Mar is Wed 20 May (Easter and 4 May not counted).
	code, _, stderr := e.foi("--now", "2026-03-21T10:00", "ico-pack", "LXP7-001", "--out", pack)
	if code != 1 || !strings.Contains(stderr, "not due") || !strings.Contains(stderr, "Thu 21 May 2026") || !strings.Contains(stderr, "--force") {
		t.Errorf("ico-pack the day after the review was asked for: exit %d %q; want a refusal naming Thu 21 May 2026 and --force", code, stderr)
	}
	out := e.must("--now", "2026-03-21T10:00", "ico-pack", "LXP7-001", "--out", pack, "--force")
	files, _, _ := readZip(t, pack)
	if !strings.Contains(out, "Warning: built before a complaint is due") ||
		!strings.Contains(files["ico_complaint.txt"], "WARNING: built before a complaint is due") ||
		!strings.Contains(files["index.txt"], "WARNING: built before a complaint is due") {
		t.Errorf("a forced pack does not warn:\n%s\n%s\n%s", out, files["ico_complaint.txt"], files["index.txt"])
	}

	// A complaint written by hand and left as a draft is never sent: it is
	// no message of the pack.
	e.must("--now", "2026-04-15T10:00", "reply", "LXP7-001", "--template", "ico_complaint", "--draft")
	// No review by 20 May: the schedule drafts the complaint on the 21st.
	e.must("--now", "2026-05-21T12:00", "tick")
	if st := status(t, e)["LXP7-001"].State; st != "ico_complaint_ready" {
		t.Fatalf("after the review went unanswered the request is %s, want ico_complaint_ready", st)
	}
	// The volunteer rewrites the drafted complaint in their own words.
	drafts = nil
	if err := json.Unmarshal([]byte(e.must("drafts", "--json")), &drafts); err != nil {
		t.Fatal(err)
	}
	var complaint int64
	for _, d := range drafts {
		if d.Step == "ico_complaint" {
			complaint = d.ID
		}
	}
	own := "To: The Information Commissioner's Office\n\nThe Trust refused our request and has ignored our review.\n\n" +
		"We ask the Commissioner to decide whether the Trust has dealt with our request as the Act requires.\n\nLXP Revolution\n21 May 2026\n"
	e.must("--now", "2026-05-22T09:00", "drafts", "edit", fmt.Sprint(complaint), "--file", e.writeFile("complaint.txt", own))
	built := "2026-05-26T10:00"
	out = e.must("--now", built, "ico-pack", "LXP7-001", "--out", pack)
	files, dates, names := readZip(t, pack)
	letter := files["ico_complaint.txt"]

	// Finding: the letter never stated the grounds.
	for _, want := range []string{
		"On 20 March 2026 the authority refused the request, citing section 12.",
		"The authority has not carried out the internal review we asked for",
	} {
		if !strings.Contains(letter, want) {
			t.Errorf("the complaint lacks %q:\n%s", want, letter)
		}
	}
	// Finding: the letter was dated when the schedule drafted it (21 May),
	// not the day the pack was built. The volunteer's words are kept, and
	// the template's letter of today is beside them.
	if !strings.HasSuffix(strings.TrimSpace(letter), "26 May 2026") || strings.Contains(letter, "21 May 2026") {
		t.Errorf("the complaint built on 26 May is not dated 26 May:\n%s", letter)
	}
	if !strings.Contains(letter, "has ignored our review") {
		t.Errorf("the volunteer's edit of the complaint is lost:\n%s", letter)
	}
	if tmpl := files["ico_complaint-from-template.txt"]; !strings.Contains(tmpl, "section 50") || !strings.HasSuffix(strings.TrimSpace(tmpl), "26 May 2026") {
		t.Errorf("ico_complaint-from-template.txt:\n%s", tmpl)
	}
	// Finding: the timeline was tool jargon.
	timeline := files["timeline.txt"]
	for _, want := range []string{
		"Mon 2 Mar 2026 10:00  We sent the request to Trust 01 NHS Foundation Trust (foi@trust01.nhs.test).",
		"You marked the request refused.",
		"We asked for an internal review of the refusal: the authority should answer by 21 Apr 2026.",
		"foi drafted the complaint to the Information Commissioner.",
	} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline.txt lacks %q:\n%s", want, timeline)
		}
	}
	if jargon := regexp.MustCompile(`queued|@foi\.test|matched by|→`).FindAllString(timeline, -1); len(jargon) > 0 {
		t.Errorf("timeline.txt has tool jargon %q:\n%s", jargon, timeline)
	}
	// Finding: it said "5 messages" and held 4. It counts what it holds:
	// the request, the refusal and the review request, not the drafts.
	var emls []string
	for _, n := range names {
		if strings.HasSuffix(n, ".eml") {
			emls = append(emls, n)
		}
	}
	if len(emls) != 3 || !strings.Contains(out, "3 messages and 0 attachments") {
		t.Errorf("ico-pack said %q; the zip holds %v; want the 3 messages exchanged", out, emls)
	}
	// Finding: entries were dated 1979.
	for _, n := range names {
		if d := dates[n]; d.Year() != 2026 {
			t.Errorf("%s is dated %s", n, d)
		}
	}
	if d := dates["ico_complaint.txt"]; !d.Equal(time.Date(2026, 5, 26, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("ico_complaint.txt dated %s, want the moment the pack was built", d)
	}
	// Finding: it did not say how to file. The review asked for on Fri 20
	// Mar went unanswered for 40 working days on Wed 20 May, when the ICO
	// takes the complaint; its six weeks run from then.
	how := files["HOW-TO-FILE.txt"]
	for _, want := range []string{
		"https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/",
		"six weeks", "unanswered for the 40 working days", "on Wed 20 May 2026, so file by Wed 1 Jul 2026",
		"internal review",
		"your request: messages/01-2026-03-02-our-request.eml",
		"the authority's response: messages/02-2026-03-20-their-response.eml",
		"your request for an internal review: messages/03-2026-03-20-our-internal-review-request.eml",
		"the outcome of the review: none came",
	} {
		if !strings.Contains(how, want) {
			t.Errorf("HOW-TO-FILE.txt lacks %q:\n%s", want, how)
		}
	}
	if page := files["ico_complaint.html"]; !strings.Contains(page, "https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/") || !strings.Contains(page, "citing section 12") {
		t.Errorf("ico_complaint.html lacks how to file or the grounds:\n%s", page)
	}

	// foi show tells the same history.
	show := e.must("--now", built, "show", "LXP7-001")
	if !strings.Contains(show, "· You marked the request refused.") || strings.Contains(show, "queued as") {
		t.Errorf("foi show does not tell the history in words:\n%s", show)
	}
}

// TestScottishPackIsAnAppeal: a FOISA request's pack holds the appeal to the
// Scottish Information Commissioner, not an ICO complaint, once the review
// it required is late (FOISA s.21(1), s.47(1)).
func TestScottishPackIsAnAppeal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.must("authorities", "import", e.writeFile("scot.csv", "name,email,jurisdiction\nNHS Lothian,foi@lothian.scot.test,foisa\n"))
	e.must("campaign", "new", "SCOT", "--title", "Band 7 roles", "--letter", e.writeFile("l.txt", letter), "--authorities", "all")
	e.must("--now", "2026-03-02T10:00", "send", "SCOT")
	pack := filepath.Join(e.dir, "scot.zip")
	// No review required yet: the Commissioner hears no appeal before one.
	if code, _, stderr := e.foi("--now", "2026-04-15T10:00", "ico-pack", "SCOT-001", "--out", pack); code != 1 || !strings.Contains(stderr, "FOISA s.47(1)") {
		t.Errorf("ico-pack with no review required: exit %d %q", code, stderr)
	}
	e.must("--now", "2026-04-15T10:00", "reply", "SCOT-001", "--template", "foisa_review")
	e.must("--now", "2026-04-15T10:05", "tick")
	e.must("--now", "2026-06-01T10:00", "ico-pack", "SCOT-001", "--out", pack)
	files, _, names := readZip(t, pack)
	joined := strings.Join(names, " ")
	if !strings.Contains(joined, "sic_appeal.txt") || !strings.Contains(joined, "sic_appeal.html") || strings.Contains(joined, "ico_complaint") {
		t.Errorf("Scottish pack holds %v, want the SIC appeal", names)
	}
	if how := files["HOW-TO-FILE.txt"]; !strings.Contains(how, "https://www.foi.scot/appeal") || !strings.Contains(how, "six months") || strings.Contains(how, "ico.org.uk") {
		t.Errorf("HOW-TO-FILE.txt of a Scottish request:\n%s", how)
	}
}
