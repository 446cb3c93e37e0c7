// Package demo holds the simulated public authorities of `foi demo`: they
// receive the letters foi sends through the in-process mail server
// (package localmail) and answer them as real authorities do — at once with
// attachments, after an acknowledgement, after asking for clarification,
// with a refusal upheld on review, never, with a bounce, with an
// out-of-office first, or quoting only their own reference — on a
// simulated clock. It knows nothing of foi's own packages beyond the mail
// server: it reads and writes mail, as an authority would.
package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"foi/localmail"
	"io"
	"net/mail"
	"sort"
	"strings"
	"sync"
	"time"
)

// Roles are the simulated authorities' parts, by the request they get. Each answers
// the letters it receives the way real authorities do; the other trusts of
// the example answer within the 20 working days, some after acknowledging.
// LXP7N's letters go on the demo's first day, LXP7A's ten weeks later
// (SendLXP7A), so that the end shows both a finished round and one still
// being chased.
var Roles = map[string]string{
	"LXP7N-001": "prompt",          // answers within days, with a PDF and a spreadsheet
	"LXP7N-002": "ack-then-answer", // acknowledges, then answers
	"LXP7N-003": "clarification",   // asks what we mean, answers once told
	"LXP7N-004": "refuse-s12",      // refuses on cost (s.12), upholds it on review
	"LXP7N-005": "silent",          // never answers: chasers, review, ICO draft
	"LXP7N-006": "bounce",          // the address does not exist: yours to correct
	"LXP7N-007": "out-of-office",   // an automatic reply first, then the answer
	"LXP7N-008": "own-ref-only",    // later writes with only its own reference
	"LXP7N-009": "partial",         // answers, withholding the post holders' names (s.40(2))
	"LXP7N-010": "not-held",        // holds no such information
	"LXP7N-011": "bounce-fixed",    // bounces too; the volunteer sends it again to the right address
	"LXP7A-001": "late",            // answers only after the first chaser
	"LXP7A-002": "silent",          // still silent at the end: both chasers sent, a review next
	"LXP7A-003": "ack-then-silent", // acknowledges, then nothing: its final chaser waits for you
	"LXP7A-004": "late-refusal",    // refuses (s.43) after both chasers: yours to confirm
	"LXP7A-005": "wrong-ref",       // answers late under a mistyped reference: yours to file
	"LXP7A-006": "extension",       // extends the time for the public interest test (s.10(3))
}

// Expect is the state each role ends in, for the demo to report and
// for its test to check: the scripted volunteer has confirmed every
// suggested outcome except those left for the person trying the demo
// (LeftForYou).
var Expect = map[string]string{
	"prompt": "successful", "ack-then-answer": "successful", "clarification": "successful",
	"refuse-s12": "refused", "silent": "ico_complaint_ready", "bounce": "delivery_failed", "bounce-fixed": "successful",
	"out-of-office": "successful", "own-ref-only": "successful", "partial": "partially_successful",
	"not-held": "not_held", "late": "successful", "ack-then-silent": "acknowledged",
	"late-refusal": "responded", "wrong-ref": "sent", "extension": "extended", "answers": "successful",
}

// ExpectOf is the state the request ref ends the demo in: LXP7A-002 is
// silent too, but sent ten weeks later, so it is only overdue at the end.
func ExpectOf(ref string) string {
	role := RoleOf(ref)
	if role == "silent" && strings.HasPrefix(ref, "LXP7A-") {
		return "sent"
	}
	return Expect[role]
}

// RoleOf is ref's part: its entry in Roles, else "answers".
func RoleOf(ref string) string {
	if r, ok := Roles[ref]; ok {
		return r
	}
	return "answers"
}

// LeftForYou are the things the scripted volunteer leaves undone, by
// request, so that the person trying the demo has one of each to do on
// the dashboard.
var LeftForYou = map[string]string{
	"LXP7N-006": "fix its address: the trust's website gives information.governance@ at the same domain",
	"LXP7A-003": "approve its final chaser",
	"LXP7A-004": "confirm its refusal",
	"LXP7A-005": "file the reply that quotes a mistyped reference",
}

// Leaves reports whether the scripted volunteer leaves the chore (the
// first word of a LeftForYou entry: "approve", "confirm", "file" or
// "fix") of
// request ref for the person trying the demo.
func Leaves(ref, chore string) bool {
	first, _, _ := strings.Cut(LeftForYou[ref], " ")
	return first == chore
}

// CorrectedAddress is where a trust whose listed address addr does not
// exist (roles bounce and bounce-fixed) really takes requests: the address the volunteer
// finds on its website.
func CorrectedAddress(addr string) string {
	return "information.governance@" + domainOf(addr)
}

// SendLXP7A is the day (counted from the demo's first, 0) on which the
// LXP7A letters go.
const SendLXP7A = 70

// SamplePDF and SampleCSV are the files LXP7N-001's answer attaches.
var (
	SamplePDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	SampleCSV = []byte("band,posts\n7,2\n8a,1\n")
)

// Clock is the simulated time every part of the demo reads. Safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Authorities receive the letters foi sends and answer them the way real
// authorities do, each by its part in Roles: the replies are delivered into
// the mailbox when the simulated clock reaches them (DeliverDue). Safe for
// concurrent use (Receive runs on the SMTP server's goroutines).
type Authorities struct {
	srv   *localmail.Server
	clock *Clock
	mu    sync.Mutex
	// pending replies by the moment they are due.
	pending map[time.Time][][]byte
	state   map[string]*authorityState
	seq     int
}

type authorityState struct {
	letters int
	ownRef  string
}

// Receive is called for each message the SMTP server accepts.
func (s *Authorities) Receive(r localmail.Received) {
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
		st = &authorityState{ownRef: fmt.Sprintf("FOI-%04d-%d", 2100+len(s.state), 1525161+len(s.state)*7)}
		s.state[ref] = st
	}
	st.letters++
	role := RoleOf(ref)
	to := r.To[0]
	id := strings.Trim(m.Header.Get("Message-Id"), "<>")
	reply := func(days int, subject, headers, body string, attach ...file) {
		at := now.AddDate(0, 0, days)
		s.later(at, s.message(at, to, id, subject, headers, body, attach...))
	}
	isFirst := strings.Contains(text, "please provide")
	isReview := strings.Contains(strings.ToLower(text), "internal review")
	isClarified := strings.Contains(text, "To clarify our request")
	isChaser := strings.Contains(text, "not received")
	switch role {
	case "prompt":
		if isFirst {
			reply(4, "RE: "+m.Header.Get("Subject"), "", "Dear LXP Revolution,\n\nPlease find attached the information you requested: the job description and our workforce figures.\n\nFOI Team",
				file{"Band 7 LXP job description.pdf", "application/pdf", SamplePDF}, file{"workforce.csv", "text/csv", SampleCSV})
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
			reply(15, "Internal review: "+m.Header.Get("Subject"), "", "Dear LXP Revolution,\n\nWe have looked again at how your request was handled. Our decision stands: complying would exceed the appropriate limit under section 12 of the Act, so we still refuse the request.\n\nIf you remain dissatisfied, you may complain to the Information Commissioner.\n\nFOI Team")
		}
	case "silent":
	case "bounce", "bounce-fixed":
		switch {
		case isFirst && !strings.HasPrefix(to, "information.governance@"):
			s.later(now.Add(time.Minute), s.dsn(now.Add(time.Minute), to, id))
		case isFirst:
			reply(6, "RE: "+m.Header.Get("Subject"), "", "Thank you for your request. Please find below the information you requested: the Trust did not apply because no lived-experience lead was in post to shape a bid.")
		}
	case "partial":
		if isFirst {
			reply(10, "RE: "+m.Header.Get("Subject"), "", "Please find below some of the information you requested. The Trust did not apply. The names of the staff involved in the decision are withheld under section 40(2) of the Act (personal information).")
		}
	case "not-held":
		if isFirst {
			reply(8, "RE: "+m.Header.Get("Subject"), "", "Having searched our records, the Trust does not hold this information: the funding offer was never logged by the workforce team.")
		}
	case "late":
		if isChaser && st.letters == 2 {
			reply(3, "RE: "+m.Header.Get("Subject"), "", "We apologise for the delay. Please find below the information you requested: the Trust employs two LXPs at Band 7, appointed in 2022.")
		}
	case "ack-then-silent":
		if isFirst {
			reply(1, "Acknowledgement: "+m.Header.Get("Subject"), "", "We acknowledge receipt of your request, which has been logged. We will respond within 20 working days.")
		}
	case "late-refusal":
		if isChaser && st.letters == 3 {
			reply(3, "RE: "+m.Header.Get("Subject"), "", "The job description and the bid are exempt under section 43(2) of the Act (commercial interests): the posts are being retendered, so we refuse your request.")
		}
	case "wrong-ref":
		if isChaser && st.letters == 3 {
			// A fresh message, no thread headers, our reference mistyped.
			mistyped := strings.Replace(ref, "-0", "-5", 1)
			s.later(now.AddDate(0, 0, 2), s.bare(now.AddDate(0, 0, 2), to, "Your FOI request "+mistyped, "Dear LXP Revolution,\n\nApologies for the delay with your request "+mistyped+". Please find below the information you requested: the post was advertised on NHS Jobs under Allied Health Professionals.\n\nFOI Team"))
		}
	case "extension":
		if isFirst {
			reply(12, "RE: "+m.Header.Get("Subject"), "", "We need further time to consider the public interest test under section 10(3) of the Act. We now expect to respond within 20 additional working days.")
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

func (s *Authorities) later(at time.Time, raw []byte) {
	s.pending[at] = append(s.pending[at], raw)
}

// DeliverDue puts the replies due by now into the campaign's inbox.
func (s *Authorities) DeliverDue(now time.Time) {
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

type file struct {
	name, ctype string
	data        []byte
}

func (s *Authorities) message(at time.Time, from, inReplyTo, subject, headers, body string, files ...file) []byte {
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
func (s *Authorities) bare(at time.Time, from, subject, body string) []byte {
	s.seq++
	return []byte(fmt.Sprintf("From: Information Governance <%s>\r\nTo: campaign@foi.test\r\nSubject: %s\r\nMessage-ID: <demo-%d@%s>\r\nDate: %s\r\n\r\n%s\r\n",
		from, subject, s.seq, domainOf(from), at.Format(time.RFC1123Z), strings.ReplaceAll(body, "\n", "\r\n")))
}

// dsn is a delivery status notification for a letter that could not be
// delivered.
func (s *Authorities) dsn(at time.Time, rcpt, origID string) []byte {
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

// NewClock starts a simulated clock at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// NewAuthorities makes the simulated authorities, delivering their replies
// through srv as clock moves on.
func NewAuthorities(srv *localmail.Server, clock *Clock) *Authorities {
	return &Authorities{srv: srv, clock: clock, pending: map[time.Time][][]byte{}, state: map[string]*authorityState{}}
}
