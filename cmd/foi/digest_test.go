package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"foi/localmail"
)

const digestTo = "volunteer@helpers.test"

// digestEnv is a campaign of four letters with a volunteer to tell.
func digestEnv(t *testing.T, dailyAt string) *env {
	t.Helper()
	e := newEnv(t, envOptions{extra: fmt.Sprintf("notify:\n  to: [%s]\n  daily_at: %q\nweb:\n  public_url: \"https://foi.example.org/\"\n", digestTo, dailyAt)})
	// Pacing by recipient domain is not what these tests are about: a
	// letter retried to one trust would wait a minute between attempts.
	e.writeFile("foi.yaml", strings.Replace(readFile(t, e.cfg), "smtp:\n", "smtp:\n  per_domain_rate: 0s\n", 1))
	setupCampaign(t, e, 4)
	return e
}

// digests are the messages the in-process SMTP server took for the
// volunteer.
func digests(e *env) []localmail.Received {
	var out []localmail.Received
	for _, m := range e.mail.Received() {
		if len(m.To) == 1 && m.To[0] == digestTo {
			out = append(out, m)
		}
	}
	return out
}

// bounceFor is a delivery status report for the letter sent to addr.
func bounceFor(t *testing.T, sent []byte, ref string) []byte {
	t.Helper()
	to := strings.Trim(header(t, sent, "To"), "<>")
	id := header(t, sent, "Message-Id")
	return []byte("From: Mail Delivery System <MAILER-DAEMON@relay.nhs.test>\r\nTo: campaign@foi.test\r\n" +
		"Subject: Undeliverable: Freedom of Information request [" + ref + "]\r\nMessage-ID: <dsn-" + ref + "@relay.nhs.test>\r\n" +
		"Date: Tue, 3 Mar 2026 07:10:00 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"D\"\r\n\r\n" +
		"--D\r\nContent-Type: text/plain\r\n\r\nDelivery to " + to + " failed permanently.\r\n" +
		"--D\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.nhs.test\r\n\r\n" +
		"Final-Recipient: rfc822; " + to + "\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\r\n" +
		"--D\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + id + "\r\nTo: " + to + "\r\n--D--\r\n")
}

// TestDigestOfADay: a day of replies (an acknowledgement, a refusal that
// waits to be confirmed, a bounce, a message that cannot be filed) makes
// one email with a line for each, links into the dashboard, and the
// campaign's count; a second run that day sends nothing.
func TestDigestOfADay(t *testing.T) {
	t.Parallel()
	e := digestEnv(t, "08:00")
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	sent := e.mail.Received()
	// Trust 04 gets a second request, so mail from it alone is ambiguous.
	e.must("campaign", "new", "LXP8", "--title", "More", "--letter", e.writeFile("l8.txt", letter), "--authorities", "Trust 04 NHS Foundation Trust")
	e.must("--now", "2026-03-02T10:00", "send", "LXP8")
	e.mail.Deliver("INBOX", replyTo(sent[0].Data, t, 1, "We acknowledge receipt of your request; it has been logged."), time.Now())
	e.mail.Deliver("INBOX", replyTo(sent[1].Data, t, 2, "We hold the information but it is exempt under section 40(2) of the Freedom of Information Act, and we are withholding it."), time.Now())
	e.mail.Deliver("INBOX", bounceFor(t, sent[2].Data, "LXP7-003"), time.Now())
	e.mail.Deliver("INBOX", []byte("From: foi@trust04.nhs.test\r\nTo: campaign@foi.test\r\nSubject: Query\r\nMessage-ID: <q1@trust04.nhs.test>\r\n\r\nCould you call us?\r\n"), time.Now())
	e.must("--now", "2026-03-03T07:30", "sync")

	out := e.must("--now", "2026-03-03T08:30", "digest")
	if !strings.Contains(out, "Digest sent to "+digestTo) {
		t.Fatalf("foi digest said %q, want it sent to %s", out, digestTo)
	}
	got := digests(e)
	if len(got) != 1 {
		t.Fatalf("%d digests delivered, want 1", len(got))
	}
	raw := got[0].Data
	if s := header(t, raw, "Subject"); s != "foi digest for Tue 3 Mar: 4 replies, 3 things need a person" {
		t.Errorf("Subject = %q", s)
	}
	if a := header(t, raw, "Auto-Submitted"); a != "auto-generated" {
		t.Errorf("Auto-Submitted = %q, want auto-generated", a)
	}
	text := digestBody(t, raw)
	for _, want := range []string{
		"Arrived since Mon 2 Mar 08:30:\n",
		"  - LXP7-001 Trust 01 NHS Foundation Trust: acknowledgement\n    https://foi.example.org/requests/LXP7-001\n",
		"  - LXP7-002 Trust 02 NHS Foundation Trust: refused, cites s.40(2)\n",
		"  - LXP7-003 Trust 03 NHS Foundation Trust: bounce\n",
		"  - not filed: from foi@trust04.nhs.test, \"Query\"\n    https://foi.example.org/unmatched\n",
		"Needs a person:\n",
		"  - LXP7-002 Trust 02 NHS Foundation Trust: a reply to confirm: it looks refused, cites s.40(2) (foi mark LXP7-002 STATE)\n",
		"  - LXP7-003 Trust 03 NHS Foundation Trust: not delivered: correct the address and send again",
		"  - 1 reply could not be filed to a request: file it with foi unmatched and foi assign\n",
		"Where things stand:\n  LXP7: 4 requests: 2 awaiting, 1 answered, 1 bounced\n  LXP8: 1 request: 1 awaiting\n",
		"Today's page: https://foi.example.org/\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q; it reads:\n%s", want, text)
		}
	}
	if strings.Contains(text, "LXP7-004") {
		t.Errorf("digest names LXP7-004, which has nothing new:\n%s", text)
	}

	// Not twice in a day, whoever asks.
	out = e.must("--now", "2026-03-03T15:00", "digest")
	if !strings.Contains(out, "Today's digest went already, at 08:30") {
		t.Errorf("second foi digest said %q, want that it went at 08:30", out)
	}
	if n := len(digests(e)); n != 1 {
		t.Errorf("%d digests after a second run the same day, want 1", n)
	}
	// The next day's says only what is new: nothing arrived, the same
	// things still need a person.
	e.must("--now", "2026-03-04T08:30", "digest")
	if got := digests(e); len(got) != 2 {
		t.Fatalf("%d digests after the next day's, want 2", len(got))
	} else if text := digestBody(t, got[1].Data); !strings.Contains(text, "Arrived since Tue 3 Mar 08:30:\n  nothing.\n") || !strings.Contains(text, "LXP7-002") {
		t.Errorf("the next day's digest reads:\n%s", text)
	}
}

// TestDigestDryRunAndNow: --dry-run, and --now without the test opt-in,
// print the digest and send nothing.
func TestDigestDryRunAndNow(t *testing.T) {
	t.Parallel()
	e := digestEnv(t, "08:00")
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	e.mail.Deliver("INBOX", replyTo(e.mail.Received()[0].Data, t, 1, "We acknowledge receipt of your request."), time.Now())
	e.must("--now", "2026-03-02T12:00", "sync")
	before := len(e.mail.Received())
	for _, args := range [][]string{{"--now", "2026-03-03T09:00", "digest", "--dry-run"}, {"--now", "2026-03-03T09:00", "digest"}} {
		code, out, errOut := e.foiAsUser(args...)
		if code != 0 {
			t.Fatalf("foi %v: exit %d: %s", args, code, errOut)
		}
		if !strings.Contains(out, "To: "+digestTo+"\nSubject: foi digest for ") || !strings.Contains(out, "LXP7-001 Trust 01 NHS Foundation Trust: acknowledgement") {
			t.Errorf("foi %v printed:\n%s", args, out)
		}
	}
	if n := len(e.mail.Received()); n != before {
		t.Errorf("%d messages sent by a dry run", n-before)
	}
	// No notify.to: a clear error naming the key.
	e2 := newEnv(t, envOptions{})
	code, _, errOut := e2.foiAsUser("digest")
	if code != 1 || !strings.Contains(errOut, "notify.to") {
		t.Errorf("foi digest without notify.to: exit %d, %q; want 1 naming notify.to", code, errOut)
	}
}

// TestServeLogsAndSendsUrgentDigest runs foi serve in-process: a letter
// the server put off goes out, a reply is filed, and each says so in one
// plain log line with its ref, campaign and uid (issue 14, finding 6); a
// bounce that arrives while it runs is mailed to the volunteer at once,
// not at notify.daily_at (23:59, so that the day's digest is not due
// while the test runs unless it runs in the last minute of a day).
func TestServeLogsAndSendsUrgentDigest(t *testing.T) {
	t.Parallel()
	e := digestEnv(t, "23:59")
	// The server puts off the fourth letter: it waits in the outbox.
	var mu sync.Mutex
	refuse := true
	e.mail.OnRcpt(func(from, to string) error {
		mu.Lock()
		defer mu.Unlock()
		if refuse && to == "foi@trust04.nhs.test" {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Greylisted, try again later"}
		}
		return nil
	})
	e.foi("send", "LXP7")
	mu.Lock()
	refuse = false
	mu.Unlock()
	sent := e.mail.Received()
	if len(sent) != 3 {
		t.Fatalf("%d letters sent before serve, want 3", len(sent))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var out bytes.Buffer
	errOut := &logBuffer{}
	go func() { done <- run(ctx, []string{"--config", e.cfg, "serve"}, &out, errOut) }()
	waitFor(t, 10*time.Second, "serve to send the letter that was put off", func() bool {
		return strings.Contains(errOut.String(), `msg="letter sent" ref=LXP7-004 campaign=LXP7`)
	})
	e.mail.Deliver("INBOX", replyTo(sent[0].Data, t, 1, "We acknowledge receipt of your request."), time.Now())
	waitFor(t, 10*time.Second, "serve to log the filed reply", func() bool {
		return strings.Contains(errOut.String(), `msg="reply filed" folder=INBOX uid=1`)
	})
	e.mail.Deliver("INBOX", bounceFor(t, sent[1].Data, "LXP7-002"), time.Now())
	waitFor(t, 10*time.Second, "the urgent digest", func() bool { return len(digests(e)) == 1 })
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}

	logs := errOut.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	// Each event is one line holding all of its words.
	for _, want := range [][]string{
		{`level=INFO msg="letter sent"`, ` ref=LXP7-004 `, ` campaign=LXP7 `, ` step=letter `, ` to=foi@trust04.nhs.test`},
		{`level=INFO msg="reply filed"`, ` uid=1 `, ` ref=LXP7-001 `, ` campaign=LXP7`, ` kind=acknowledgement`},
		{`level=INFO msg="reply filed"`, ` uid=2 `, ` ref=LXP7-002 `, ` campaign=LXP7`, ` kind=bounce`},
		{`level=INFO msg="digest sent"`, ` kind=urgent `, ` to=` + digestTo},
	} {
		found := false
		for _, line := range lines {
			all := true
			for _, w := range want {
				all = all && strings.Contains(line+" ", w)
			}
			found = found || all
		}
		if !found {
			t.Errorf("serve's log has no line with all of %q; it reads:\n%s", want, logs)
		}
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "time=") {
			t.Errorf("log line %q is not one slog line", line)
		}
	}
	raw := digests(e)[0].Data
	if s := header(t, raw, "Subject"); s != "foi: needs you now: 1 reply" {
		t.Errorf("urgent Subject = %q", s)
	}
	text := digestBody(t, raw)
	if want := "Needs you now:\n  - LXP7-002 Trust 02 NHS Foundation Trust: the letter was not delivered"; !strings.Contains(text, want) {
		t.Errorf("urgent digest lacks %q:\n%s", want, text)
	}
	if strings.Contains(text, "LXP7-001") {
		t.Errorf("urgent digest names the acknowledgement, which can wait:\n%s", text)
	}
}

// logBuffer is a bytes.Buffer safe for serve's goroutines and the test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *logBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// digestBody is a digest's text with plain line ends.
func digestBody(t *testing.T, raw []byte) string {
	t.Helper()
	return strings.ReplaceAll(body(t, raw), "\r\n", "\n")
}

// TestDigestOfTheDemo: the digest on the last day of the demo (foi demo
// --headless) names what the demo leaves for a person: the complaint ready
// to file, the bounce, the draft chaser, the refusal to confirm, the reply
// that could not be filed; and counts both campaigns.
func TestDigestOfTheDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--headless", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	cfg := filepath.Join(dir, "foi.yaml")
	if code := run(context.Background(), []string{"--config", cfg, "--now", "2026-07-04T15:00", "digest"}, &out, &errOut); code != 0 {
		t.Fatalf("digest: exit %d: %s", code, errOut.String())
	}
	text := out.String()
	for _, want := range []string{
		"Subject: foi digest for Sat 4 Jul: ",
		"Needs a person:\n",
		"  - LXP7N-005 Cambridgeshire and Peterborough NHS Foundation Trust: complaint to the Commissioner ready: build the pack with foi ico-pack LXP7N-005 --out FILE.zip, and file it\n",
		"  - LXP7N-006 Cheshire and Wirral Partnership NHS Foundation Trust: not delivered: correct the address and send again",
		"  - LXP7A-003 Berkshire Healthcare NHS Foundation Trust: final chaser drafted: waiting for approval (foi drafts show ",
		"  - LXP7A-004 Camden and Islington Foundation Trust: a reply to confirm: it looks refused, cites s.43(2) (foi mark LXP7A-004 STATE)\n",
		"  - 1 reply could not be filed to a request: file it with foi unmatched and foi assign\n",
		"Where things stand:\n  LXP7A: 24 requests: ",
		"\n  LXP7N: 31 requests: ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's digest lacks %q; it reads:\n%s", want, text)
		}
	}
}

// TestDigestNamesALetterInDoubt: a letter whose fate is unknown waits for
// a person, so the digest says so and what to do.
func TestDigestNamesALetterInDoubt(t *testing.T) {
	t.Parallel()
	e := digestEnv(t, "08:00")
	e.mail.DropInData(2)
	e.must("send", "LXP7")
	out := e.must("digest", "--dry-run")
	if want := "  - LXP7-002 Trust 02 NHS Foundation Trust: a letter may or may not have gone (held in doubt): check the mailbox's Sent folder, then foi resend LXP7-002 or foi mark-sent LXP7-002\n"; !strings.Contains(out, want) {
		t.Errorf("the digest lacks %q; it reads:\n%s", want, out)
	}
}

// TestDraftWaitingIsLogged: when the schedule drafts a letter for a person
// to approve, the log says so in one line with its ref and campaign (what
// foi serve prints; foi tick logs the same at FOI_LOG=info). Not parallel:
// it sets FOI_LOG.
func TestDraftWaitingIsLogged(t *testing.T) {
	t.Setenv("FOI_LOG", "info")
	e := digestEnv(t, "08:00")
	e.must("--now", "2026-03-02T10:00", "send", "LXP7")
	sent := e.mail.Received()
	e.mail.Deliver("INBOX", replyTo(sent[2].Data, t, 3, "We hold the information but it is exempt under section 40(2) of the Freedom of Information Act, and we are withholding it."), time.Now())
	e.must("--now", "2026-03-03T10:00", "sync")
	e.must("--now", "2026-03-03T10:05", "mark", "LXP7-003", "refused")
	code, _, errOut := e.foi("--now", "2026-03-03T10:10", "tick")
	if code != 0 {
		t.Fatalf("tick: exit %d: %s", code, errOut)
	}
	var line string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.Contains(l, `msg="draft waiting for approval"`) {
			line = l
		}
	}
	for _, want := range []string{"level=INFO", " ref=LXP7-003 ", " campaign=LXP7 ", " step=review_after_refusal ", " draft="} {
		if !strings.Contains(line+" ", want) {
			t.Errorf("the draft's log line %q lacks %q; the log reads:\n%s", line, want, errOut)
		}
	}
}
