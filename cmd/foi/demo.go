package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"foi"
	"foi/lifecycle"
	"foi/localmail"
	"foi/report"
)

// The demo's simulated authorities, by the request they get. Each answers
// the letters it receives the way real authorities do; the other trusts of
// the example answer within the 20 working days, some after acknowledging.
var demoRoles = map[string]string{
	"LXP7N-001": "prompt",          // answers within days, with a PDF and a spreadsheet
	"LXP7N-002": "ack-then-answer", // acknowledges, then answers
	"LXP7N-003": "clarification",   // asks what we mean, answers once told
	"LXP7N-004": "refuse-s12",      // refuses on cost (s.12), upholds it on review
	"LXP7N-005": "silent",          // never answers: chasers, review, ICO draft
	"LXP7N-006": "bounce",          // the address does not exist
	"LXP7N-007": "out-of-office",   // an automatic reply first, then the answer
	"LXP7N-008": "own-ref-only",    // later writes with only its own reference
}

// demoExpect is the state each role ends in, for `foi demo` to report and
// for its test to check.
var demoExpect = map[string]string{
	"prompt": "responded", "ack-then-answer": "responded", "clarification": "responded",
	"refuse-s12": "internal_review_answered", "silent": "ico_complaint_ready", "bounce": "delivery_failed",
	"out-of-office": "responded", "own-ref-only": "responded", "answers": "responded",
}

// cmdDemo runs the example campaign against mail servers inside the
// process, in a fresh folder, with simulated authorities and a fast clock,
// so that anyone can watch foi work without a mail account.
func (a *app) cmdDemo(ctx context.Context, args []string) error {
	fs := a.flags("demo")
	dir := fs.String("dir", "", "folder for the demo's data (default: a new temporary folder)")
	headless := fs.Bool("headless", false, "no live board, just the final state")
	speed := fs.Duration("day", 200*time.Millisecond, "real time per simulated day, beyond the work itself")
	days := fs.Int("days", 125, "simulated days to run")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := a.setup(); err != nil {
		return err
	}
	if *headless {
		*speed = 0
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "foi-demo-")
		if err != nil {
			return err
		}
		*dir = d
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	srv, err := localmail.Start(localmail.Options{Dir: *dir})
	if err != nil {
		return fmt.Errorf("start the demo mail servers: %w", err)
	}
	defer srv.Close()
	cfgPath, err := writeDemoConfig(*dir, srv)
	if err != nil {
		return err
	}
	loc := londonLoc()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, loc)
	clock := &demoClock{now: start}
	quiet := &app{stdout: io.Discard, stderr: a.stderr, cfgPath: cfgPath, now: clock.Now, log: a.log}
	auth := &simAuthorities{srv: srv, clock: clock, pending: map[time.Time][][]byte{}, state: map[string]*simState{}}
	srv.OnDeliver(auth.receive)

	steps := [][]string{
		{"authorities", "import", filepath.Join(*dir, "trusts.csv")},
		{"campaign", "new", "LXP7N", "--title", "Band 7 Lived Experience Professional roles: why not apply?",
			"--letter", filepath.Join(*dir, "stage2-did-not-apply.txt"), "--authorities", "tag:did-not-apply"},
		{"campaign", "new", "LXP7A", "--title", "Band 7 Lived Experience Professional roles: the funded posts",
			"--letter", filepath.Join(*dir, "stage3-applied.txt"), "--authorities", "tag:applied"},
		{"send", "LXP7N"},
		{"send", "LXP7A"},
	}
	for _, s := range steps {
		if err := quiet.dispatch(ctx, s); err != nil {
			return fmt.Errorf("demo: foi %s: %w", strings.Join(s, " "), err)
		}
	}
	live := !*headless && !a.json
	for day := 0; day < *days; day++ {
		if err := ctx.Err(); err != nil {
			break
		}
		for _, hour := range []int{9, 12, 15} {
			clock.set(start.AddDate(0, 0, day).Add(time.Duration(hour-9) * time.Hour))
			auth.deliverDue(clock.Now())
			if err := quiet.dispatch(ctx, []string{"sync"}); err != nil {
				return fmt.Errorf("demo: sync: %w", err)
			}
			if err := a.demoUser(ctx, quiet, auth); err != nil {
				return err
			}
			if err := quiet.dispatch(ctx, []string{"tick"}); err != nil {
				return fmt.Errorf("demo: tick: %w", err)
			}
		}
		if live {
			a.board(ctx, quiet, clock.Now(), day, *days)
			time.Sleep(*speed)
		}
	}
	final, err := demoStatus(ctx, quiet)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"dir": *dir, "config": cfgPath, "now": clock.Now(), "requests": final, "roles": demoRoles, "expect": demoExpect})
	}
	if live {
		a.board(ctx, quiet, clock.Now(), *days, *days)
	}
	fmt.Fprintf(a.stdout, "\nThe demo ran the example campaign from %s to %s. Its data is in %s. Try:\n",
		start.Format("2 January 2006"), clock.Now().Format("2 January 2006"), *dir)
	now := clock.Now().Format("2006-01-02T15:04")
	for _, c := range []string{"status LXP7N", "show LXP7N-001", "show LXP7N-004", "drafts",
		"ico-pack LXP7N-005 --out " + filepath.Join(*dir, "LXP7N-005-ico.zip"), "attachments LXP7N-001 --out " + filepath.Join(*dir, "files")} {
		fmt.Fprintf(a.stdout, "  go run ./cmd/foi --config %s --now %s %s\n", cfgPath, now, c)
	}
	return nil
}

func writeDemoConfig(dir string, srv *localmail.Server) (string, error) {
	cfgPath := filepath.Join(dir, "foi.yaml")
	if err := os.WriteFile(filepath.Join(dir, "password"), []byte(srv.Password), 0o600); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`# Written by foi demo: mail servers inside the demo process on loopback.
requester:
  name: "LXP Revolution"
  email: %q
smtp:
  host: 127.0.0.1
  port: %d
  security: starttls
  auth: plain
  username: %q
  password_file: password
  ca_file: %q
  rate: 0s
imap:
  host: 127.0.0.1
  port: %d
  security: starttls
  auth: plain
  username: %q
  password_file: password
  ca_file: %q
storage:
  data_dir: data
schedule:
  first_chaser: auto
  final_chaser: auto
  review_on_silence: auto
  review_after_refusal: draft
  ico_complaint: draft
`, srv.User, srv.SMTPPort(), srv.User, srv.CAFile, srv.IMAPPort(), srv.User, srv.CAFile)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return "", err
	}
	for _, name := range []string{"trusts.csv", "stage2-did-not-apply.txt", "stage3-applied.txt"} {
		b, err := foi.Examples.ReadFile("examples/" + name)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return "", err
		}
	}
	return cfgPath, nil
}

// demoUser plays the campaign's volunteer: answers a clarification
// request, confirms refusals and approves the review drafts with grounds.
func (a *app) demoUser(ctx context.Context, q *app, auth *simAuthorities) error {
	rows, err := demoStatus(ctx, q)
	if err != nil {
		return err
	}
	for _, r := range rows {
		role := demoRoles[r.Ref]
		switch {
		case r.State == lifecycle.AwaitingClarification:
			if err := q.dispatch(ctx, []string{"reply", r.Ref, "--template", "clarification",
				"--fill", "By senior posts we mean Band 7 and above."}); err != nil {
				return fmt.Errorf("demo: clarify %s: %w", r.Ref, err)
			}
		case r.State == lifecycle.Responded && role == "refuse-s12":
			if err := q.dispatch(ctx, []string{"mark", r.Ref, "refused", "--note", "cost limit (s.12) cited"}); err != nil {
				return err
			}
		}
	}
	_, st, err := q.open(ctx)
	if err != nil {
		return err
	}
	drafts, err := st.Drafts(ctx)
	st.Close()
	if err != nil {
		return err
	}
	for _, d := range drafts {
		if d.Step == lifecycle.StepReviewRefusal {
			if err := q.dispatch(ctx, []string{"approve", fmt.Sprint(d.ID), "--grounds",
				"A narrower search of the workforce records would fall well within the cost limit; please advise and assist under section 16."}); err != nil {
				return fmt.Errorf("demo: approve %d: %w", d.ID, err)
			}
		}
	}
	return nil
}

func demoStatus(ctx context.Context, q *app) ([]report.Row, error) {
	cfg, st, err := q.open(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, q)
	if err != nil {
		return nil, err
	}
	return report.Board(ctx, sch, "", q.now())
}

// board draws the live view of the campaign.
func (a *app) board(ctx context.Context, q *app, now time.Time, day, days int) {
	rows, err := demoStatus(ctx, q)
	if err != nil {
		return
	}
	counts := map[lifecycle.State]int{}
	for _, r := range rows {
		counts[r.State]++
	}
	var b strings.Builder
	b.WriteString("\033[H\033[2J")
	fmt.Fprintf(&b, "foi demo — %s (day %d of %d)   %d requests\n", now.Format("Mon 2 Jan 2006"), day, days, len(rows))
	var states []string
	for s, n := range counts {
		states = append(states, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(states)
	fmt.Fprintf(&b, "%s\n\n", strings.Join(states, " · "))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tAUTHORITY\tSTATE\tCLOCK\tSCRIPT")
	for _, r := range rows {
		role, ok := demoRoles[r.Ref]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Ref, truncate(r.Authority, 40), r.State, r.Clock, role)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n(and %d more requests answering on time; Ctrl-C stops)\n", len(rows)-len(demoRoles))
	fmt.Fprint(a.stdout, b.String())
}

// demoClock is the simulated time every part of the demo reads.
type demoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// simAuthorities receive the letters foi sends and answer them.
type simAuthorities struct {
	srv   *localmail.Server
	clock *demoClock
	mu    sync.Mutex
	// pending replies by the moment they are due.
	pending map[time.Time][][]byte
	state   map[string]*simState
	seq     int
}

type simState struct {
	letters int
	ownRef  string
}

// receive is called for each message the SMTP server accepts.
func (s *simAuthorities) receive(r localmail.Received) {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return
	}
	ref := m.Header.Get("X-Foi-Reference")
	if ref == "" {
		return
	}
	body, _ := io.ReadAll(m.Body)
	text := string(body)
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state[ref]
	if st == nil {
		st = &simState{ownRef: fmt.Sprintf("FOI-%04d-%d", 2100+len(s.state), 1525161+len(s.state)*7)}
		s.state[ref] = st
	}
	st.letters++
	role := demoRoles[ref]
	if role == "" {
		role = "answers"
	}
	to := r.To[0]
	id := strings.Trim(m.Header.Get("Message-Id"), "<>")
	reply := func(days int, subject, headers, body string, attach ...demoFile) {
		at := now.AddDate(0, 0, days)
		s.later(at, s.message(at, to, id, subject, headers, body, attach...))
	}
	isFirst := strings.Contains(text, "please provide")
	isReview := strings.Contains(strings.ToLower(text), "internal review")
	isClarified := strings.Contains(text, "To clarify our request")
	switch role {
	case "prompt":
		if isFirst {
			reply(4, "RE: "+m.Header.Get("Subject"), "", "Dear LXP Revolution,\n\nPlease find attached the information you requested: the job description and our workforce figures.\n\nFOI Team",
				demoFile{"Band 7 LXP job description.pdf", "application/pdf", demoPDF}, demoFile{"workforce.csv", "text/csv", []byte("band,posts\n7,2\n8a,1\n")})
		}
	case "ack-then-answer":
		if isFirst {
			reply(1, "Acknowledgement: "+m.Header.Get("Subject"), "", "We acknowledge receipt of your request, which has been logged. We will respond within 20 working days.")
			reply(16, "RE: "+m.Header.Get("Subject"), "", "Please find below the information you requested. The Trust did not apply because the deadline fell during a recruitment freeze.")
		}
	case "clarification":
		if isFirst {
			reply(3, "RE: "+m.Header.Get("Subject"), "", "Before we can proceed, could you please clarify what you mean by senior posts? We need clarification under section 1(3) of the Act.")
		}
		if isClarified {
			reply(10, "RE: "+m.Header.Get("Subject"), "", "Thank you for clarifying. Please find below the information you requested: we employ no LXPs at Band 7 or above.")
		}
	case "refuse-s12":
		if isFirst {
			reply(18, "RE: "+m.Header.Get("Subject"), "", "We estimate that complying with your request would exceed the appropriate limit of £450 (18 hours) under section 12 of the Act, so we refuse it.")
		}
		if isReview {
			reply(15, "Internal review: "+m.Header.Get("Subject"), "", "We have completed the internal review and uphold the original decision under section 12: the cost limit would be exceeded.")
		}
	case "silent":
	case "bounce":
		if isFirst {
			s.later(now.Add(time.Minute), s.dsn(now.Add(time.Minute), to, id))
		}
	case "out-of-office":
		if isFirst {
			s.later(now.Add(time.Minute), s.message(now.Add(time.Minute), to, id, "Automatic reply: "+m.Header.Get("Subject"),
				"Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n", "I am out of the office until next week with limited access to email."))
			reply(12, "RE: "+m.Header.Get("Subject"), "", "Please find below the information you requested. We have one Band 7 peer support lead.")
		}
	case "own-ref-only":
		if isFirst {
			reply(2, "Your FOI request: our ref "+st.ownRef, "", "Thank you for your request, which has been logged. Our ref: "+st.ownRef+". We will respond within 20 working days.")
			// The answer keeps none of our headers or subject: only its own reference.
			s.later(now.AddDate(0, 0, 17), s.bare(now.AddDate(0, 0, 17), to, "FOI "+st.ownRef+" - response", "Dear requester,\n\nPlease find below the information you requested under reference "+st.ownRef+": the Trust did not apply for the funding.\n\nInformation Governance"))
		}
	default:
		if isFirst {
			n := 5 + (len(s.state)*3)%14
			if len(s.state)%3 == 0 {
				reply(1, "Acknowledgement", "", "We acknowledge receipt of your request, which has been logged.")
			}
			reply(n, "RE: "+m.Header.Get("Subject"), "", "Please find below the information you requested.")
		}
	}
}

func (s *simAuthorities) later(at time.Time, raw []byte) {
	s.pending[at] = append(s.pending[at], raw)
}

// deliverDue puts the replies due by now into the campaign's inbox.
func (s *simAuthorities) deliverDue(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []time.Time
	for at := range s.pending {
		if !at.After(now) {
			due = append(due, at)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].Before(due[j]) })
	for _, at := range due {
		for _, raw := range s.pending[at] {
			s.srv.Deliver("INBOX", raw, at)
		}
		delete(s.pending, at)
	}
}

type demoFile struct {
	name, ctype string
	data        []byte
}

var demoPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func (s *simAuthorities) message(at time.Time, from, inReplyTo, subject, headers, body string, files ...demoFile) []byte {
	s.seq++
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: FOI Team <%s>\r\nTo: campaign@foi.test\r\nSubject: %s\r\nMessage-ID: <demo-%d@%s>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\nDate: %s\r\n%sMIME-Version: 1.0\r\n",
		from, subject, s.seq, domainOf(from), inReplyTo, inReplyTo, at.Format(time.RFC1123Z), headers)
	if len(files) == 0 {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", strings.ReplaceAll(body, "\n", "\r\n"))
		return b.Bytes()
	}
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"demo-boundary\"\r\n\r\n--demo-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		strings.ReplaceAll(body, "\n", "\r\n"))
	for _, f := range files {
		fmt.Fprintf(&b, "--demo-boundary\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
			f.ctype, f.name, f.name, base64.StdEncoding.EncodeToString(f.data))
	}
	b.WriteString("--demo-boundary--\r\n")
	return b.Bytes()
}

// bare is a message with no thread headers at all.
func (s *simAuthorities) bare(at time.Time, from, subject, body string) []byte {
	s.seq++
	return []byte(fmt.Sprintf("From: Information Governance <%s>\r\nTo: campaign@foi.test\r\nSubject: %s\r\nMessage-ID: <demo-%d@%s>\r\nDate: %s\r\n\r\n%s\r\n",
		from, subject, s.seq, domainOf(from), at.Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n")))
}

// dsn is a delivery status notification for a letter that could not be
// delivered.
func (s *simAuthorities) dsn(at time.Time, rcpt, origID string) []byte {
	s.seq++
	return []byte(fmt.Sprintf("From: MAILER-DAEMON@mx.%s (Mail Delivery System)\r\nTo: campaign@foi.test\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-%d@mx.%s>\r\nDate: %s\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn\"\r\n\r\n"+
		"--dsn\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered to one or more recipients.\r\n"+
		"--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.%s\r\n\r\n"+
		"Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown\r\n"+
		"--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%s>\r\nTo: %s\r\n--dsn--\r\n",
		domainOf(rcpt), s.seq, domainOf(rcpt), at.Format(time.RFC1123Z), domainOf(rcpt), rcpt, rcpt, origID, rcpt))
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

// zipNames lists a zip file's entries (for the demo's test).
func zipNames(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var n []string
	for _, f := range zr.File {
		n = append(n, f.Name)
	}
	return n, nil
}
