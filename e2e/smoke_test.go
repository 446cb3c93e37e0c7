package e2e

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/wneessen/go-mail"
)

const waitMail = 20 * time.Second

func token(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// submit sends through the submission port the way foi does: go-mail,
// STARTTLS mandatory, AUTH PLAIN, trusting only the test CA.
func submit(t *testing.T, s *Servers, to, subject, body string, extra ...mail.Option) {
	t.Helper()
	m := mail.NewMsg()
	if err := m.From(s.Campaign.Address); err != nil {
		t.Fatal(err)
	}
	if err := m.To(to); err != nil {
		t.Fatal(err)
	}
	m.Subject(subject)
	m.SetMessageID()
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, body)
	c, err := mail.NewClient(s.Host, append([]mail.Option{
		mail.WithPort(s.SubmissionPort),
		mail.WithSMTPAuth(mail.SMTPAuthPlain),
		mail.WithTLSPolicy(mail.TLSMandatory),
		mail.WithTLSConfig(s.TLSConfig()),
		mail.WithUsername(s.Campaign.Address),
		mail.WithPassword(s.Campaign.Password),
		mail.WithTimeout(15 * time.Second),
	}, extra...)...)
	if err != nil {
		t.Fatalf("mail.NewClient: %v", err)
	}
	if err := c.DialAndSend(m); err != nil {
		t.Fatalf("submit to %s via %s: got error %v, want nil", to, s.SubmissionAddr, err)
	}
}

func subjectIs(sub string) *imap.SearchCriteria {
	return &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: sub}}}
}

func TestSmoke(t *testing.T) {
	start := time.Now()
	s := Shared(t)
	t.Logf("servers up in %v: imap=%s submission=%s smtp=%s dir=%s", time.Since(start).Round(time.Millisecond),
		s.IMAPAddr, s.SubmissionAddr, s.SMTPAddr, s.Dir)
	trust1 := s.Authorities[0]

	t.Run("TLSTrustViaSSLCertFile", func(t *testing.T) {
		// In this process: registerLive pointed SSL_CERT_FILE at the bundle
		// before anything loaded the system roots, so a plain tls.Config
		// (system roots) trusts the servers.
		if got, want := os.Getenv("SSL_CERT_FILE"), s.CABundleFile; got != want {
			t.Errorf("SSL_CERT_FILE: got %q, want %q", got, want)
		}
		for _, a := range []struct{ addr, greeting string }{{s.IMAPSAddr, "* OK"}, {s.SubmissionsAddr, "220 "}} {
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", a.addr, &tls.Config{ServerName: "localhost"})
			if err != nil {
				t.Errorf("TLS to %s with system roots: got %v, want a verified connection", a.addr, err)
				continue
			}
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if !strings.HasPrefix(line, a.greeting) {
				t.Errorf("greeting on %s: got %q, want prefix %q", a.addr, line, a.greeting)
			}
		}
		// In a subprocess (how foi's binary would run): only Env() given.
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTLSDial$", "-test.v")
		cmd.Env = append(append(os.Environ(), s.Env()...), "FOI_E2E_HELPER_ADDR="+s.IMAPSAddr)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "verified") {
			t.Errorf("subprocess TLS dial with SSL_CERT_FILE from Env(): got %v\n%s\nwant a verified connection", err, out)
		}
	})

	t.Run("SubmitAndReadOverIMAP", func(t *testing.T) {
		subject := "FOI request " + token(t)
		submit(t, s, trust1.Address, subject, "Please send me the documents.\r\n")
		msgs, err := s.WaitForMessages(trust1, "INBOX", subjectIs(subject), waitMail)
		if err != nil {
			t.Fatalf("message in %s INBOX: %v", trust1.Address, err)
		}
		if got := len(msgs); got != 1 {
			t.Fatalf("messages with subject %q: got %d, want 1", subject, got)
		}
		raw := string(msgs[0].Raw)
		if !strings.Contains(raw, "From: <"+s.Campaign.Address+">") && !strings.Contains(raw, "From: "+s.Campaign.Address) {
			t.Errorf("From header: got message\n%s\nwant From %s", raw, s.Campaign.Address)
		}
		if !strings.Contains(raw, "Please send me the documents.") {
			t.Errorf("body: got message\n%s\nwant it to contain the request text", raw)
		}
	})

	t.Run("IMAPRefusesPlaintextLoginBeforeSTARTTLS", func(t *testing.T) {
		c, err := imapclient.DialInsecure(s.IMAPAddr, nil)
		if err != nil {
			t.Fatalf("dial %s: %v", s.IMAPAddr, err)
		}
		defer c.Close()
		if got, want := c.Caps().Has(imap.CapLoginDisabled), true; got != want {
			t.Errorf("LOGINDISABLED advertised before STARTTLS: got %v, want %v (caps %v)", got, want, c.Caps())
		}
		if err := c.Login(s.Campaign.Address, s.Campaign.Password).Wait(); err == nil {
			t.Errorf("LOGIN without STARTTLS: got success, want refusal")
		}
	})

	t.Run("SubmissionRequiresSTARTTLSAndAuth", func(t *testing.T) {
		c, err := smtp.Dial(s.SubmissionAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if ok, _ := c.Extension("AUTH"); ok {
			t.Errorf("AUTH offered before STARTTLS: got true, want false")
		}
		if err := c.Mail(s.Campaign.Address); err == nil {
			t.Errorf("MAIL FROM before STARTTLS: got accepted, want rejected")
		}
		// And without AUTH after STARTTLS nothing is accepted either.
		c2, err := smtp.Dial(s.SubmissionAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		if err := c2.StartTLS(s.TLSConfig()); err != nil {
			t.Fatalf("STARTTLS with the test CA: %v", err)
		}
		if ok, _ := c2.Extension("AUTH"); !ok {
			t.Errorf("AUTH offered after STARTTLS: got false, want true")
		}
		err = c2.Mail(s.Campaign.Address)
		if err == nil {
			err = c2.Rcpt(trust1.Address)
		}
		if err == nil {
			t.Errorf("unauthenticated MAIL/RCPT on submission: got accepted, want rejected")
		}
	})

	t.Run("WrongPasswordDoesNotSlowLaterLogins", func(t *testing.T) {
		bad := User{s.Campaign.Address, "wrong-password"}
		for i := 0; i < 2; i++ {
			if c, err := s.DialIMAP(bad, nil); err == nil {
				c.Close()
				t.Fatalf("IMAP LOGIN with a wrong password: got success, want failure")
			}
		}
		if err := s.Submit(bad, bad.Address, []string{trust1.Address}, []byte("Subject: x\r\n\r\nx\r\n")); err == nil {
			t.Fatalf("SMTP AUTH with a wrong password: got success, want failure")
		}
		t0 := time.Now()
		c, err := s.DialIMAP(s.Campaign, nil)
		if err != nil {
			t.Fatalf("IMAP LOGIN after failures: %v", err)
		}
		c.Close()
		subject := "after failures " + token(t)
		if err := s.Submit(s.Campaign, s.Campaign.Address, []string{trust1.Address}, []byte("Subject: "+subject+"\r\n\r\nx\r\n")); err != nil {
			t.Fatalf("SMTP AUTH after failures: %v", err)
		}
		if d := time.Since(t0); d > 1500*time.Millisecond {
			t.Errorf("good IMAP+SMTP logins after failed ones: got %v, want < 1.5s (no auth penalty)", d)
		}
	})

	t.Run("AuthorityReplyArrives", func(t *testing.T) {
		subject := "Re: FOI request " + token(t)
		raw := fmt.Sprintf("From: Trust One <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s@trust1.test>\r\nDate: %s\r\n\r\nHere are the documents.\r\n",
			trust1.Address, s.Campaign.Address, subject, token(t), time.Now().Format(time.RFC1123Z))
		if err := s.SendSMTP(trust1.Address, []string{s.Campaign.Address}, []byte(raw)); err != nil {
			t.Fatalf("reply via %s: got error %v, want nil", s.SMTPAddr, err)
		}
		msgs, err := s.WaitForMessages(s.Campaign, "INBOX", subjectIs(subject), waitMail)
		if err != nil {
			t.Fatalf("reply in %s INBOX: %v", s.Campaign.Address, err)
		}
		if got := string(msgs[0].Raw); !strings.Contains(got, "Here are the documents.") {
			t.Errorf("reply body: got\n%s\nwant it to contain the reply text", got)
		}
	})

	t.Run("PlainPortDoesNotRelay", func(t *testing.T) {
		err := s.SendSMTP(trust1.Address, []string{"someone@example.com"}, []byte("Subject: x\r\n\r\nx\r\n"))
		if err == nil || !strings.Contains(err.Error(), "RCPT") {
			t.Errorf("relay to example.com via the plain port: got %v, want a RCPT rejection", err)
		}
		err = s.SendSMTP(trust1.Address, []string{UnknownRecipient}, []byte("Subject: x\r\n\r\nx\r\n"))
		if err == nil || !strings.Contains(err.Error(), "RCPT") {
			t.Errorf("unknown hosted user via the plain port: got %v, want a RCPT rejection", err)
		}
	})

	// go-mail uses SMTPUTF8 whenever the server offers it, and Postfix then
	// reports with RFC 6533 global DSN parts (message/global-delivery-status,
	// message/global); without SMTPUTF8 it uses the classic RFC 3464 parts.
	for _, tc := range []struct {
		name       string
		opts       []mail.Option
		statusPart string
		origPart   string
	}{
		{"UnknownUserBouncesWithDSN", nil, "message/global-delivery-status", "message/global"},
		{"UnknownUserBouncesWithDSN_NoSMTPUTF8", []mail.Option{mail.WithoutSMTPUTF8()}, "message/delivery-status", "message/rfc822"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := token(t)
			subject := "FOI request to nobody " + tok
			submit(t, s, UnknownRecipient, subject, "This should bounce.\r\n", tc.opts...)
			crit := &imap.SearchCriteria{
				Header: []imap.SearchCriteriaHeaderField{{Key: "Content-Type", Value: "report-type=delivery-status"}},
				Text:   []string{tok},
			}
			msgs, err := s.WaitForMessages(s.Campaign, "INBOX", crit, waitMail)
			if err != nil {
				q, _ := s.Queue()
				t.Fatalf("DSN in %s INBOX: %v\nqueue:\n%s", s.Campaign.Address, err, q)
			}
			raw := string(msgs[0].Raw)
			for _, want := range []string{"Content-Type: multipart/report; report-type=delivery-status",
				"Content-Type: " + tc.statusPart + "\r\n", "Content-Type: " + tc.origPart + "\r\n",
				"Final-Recipient: rfc822; " + UnknownRecipient, "Action: failed", "Status: 5.1.1", "Subject: " + subject} {
				if !strings.Contains(raw, want) {
					t.Errorf("DSN: got\n%s\nwant it to contain %q", raw, want)
				}
			}
		})
	}

	t.Run("SpecialUseMailboxes", func(t *testing.T) {
		c, err := s.DialIMAP(s.Campaign, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		list, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: true}).Collect()
		if err != nil {
			t.Fatalf("LIST RETURN (SPECIAL-USE): %v", err)
		}
		attrs := map[string][]imap.MailboxAttr{}
		for _, l := range list {
			attrs[l.Mailbox] = l.Attrs
		}
		for mbox, want := range map[string]imap.MailboxAttr{
			"Sent": imap.MailboxAttrSent, "Drafts": imap.MailboxAttrDrafts, "Trash": imap.MailboxAttrTrash,
		} {
			if got, ok := attrs[mbox]; !ok || !slices.Contains(got, want) {
				t.Errorf("LIST %s: got attrs %v (present %v), want %s; full list %v", mbox, got, ok, want, attrs)
			}
		}
		if _, ok := attrs["INBOX"]; !ok {
			t.Errorf("LIST: got %v, want INBOX present", attrs)
		}
	})

	t.Run("IdleAndDovecotRestart", func(t *testing.T) {
		updates := make(chan uint32, 16)
		opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select { // runs on the reader goroutine: never block, never call the client
					case updates <- *d.NumMessages:
					default:
					}
				}
			},
		}}
		c, err := s.DialIMAP(s.Campaign, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		before := sel.NumMessages
		idle, err := c.Idle()
		if err != nil {
			t.Fatalf("IDLE: %v", err)
		}

		subject := "while idling " + token(t)
		raw := fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nnew mail\r\n", trust1.Address, s.Campaign.Address, subject)
		if err := s.SendSMTP(trust1.Address, []string{s.Campaign.Address}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(waitMail)
	wait:
		for {
			select {
			case n := <-updates:
				if n > before {
					break wait
				}
			case <-deadline:
				t.Fatalf("IDLE: got no EXISTS above %d within %v, want one", before, waitMail)
			}
		}
		if err := idle.Close(); err != nil {
			t.Fatalf("DONE: %v", err)
		}
		if err := idle.Wait(); err != nil {
			t.Fatalf("IDLE ended with %v", err)
		}

		// Restart Dovecot while this client is connected and idling again.
		if idle, err = c.Idle(); err != nil {
			t.Fatalf("second IDLE: %v", err)
		}
		t0 := time.Now()
		if err := s.RestartDovecot(); err != nil {
			t.Fatalf("RestartDovecot: %v", err)
		}
		t.Logf("RestartDovecot took %v", time.Since(t0).Round(time.Millisecond))
		select {
		case <-c.Closed():
		case <-time.After(10 * time.Second):
			t.Fatalf("connection after RestartDovecot: got still open, want closed by the server")
		}
		c.Close()

		// Mail that arrives while Dovecot is down is queued by Postfix and
		// delivered once it is back.
		t0 = time.Now()
		if err := s.StopDovecot(); err != nil {
			t.Fatalf("StopDovecot: %v", err)
		}
		t.Logf("StopDovecot took %v", time.Since(t0).Round(time.Millisecond))
		if c, err := s.DialIMAP(s.Campaign, nil); err == nil {
			c.Close()
			t.Errorf("IMAP while Dovecot is stopped: got a session, want connection failure")
		}
		subject = "during restart " + token(t)
		raw = fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nqueued while down\r\n", trust1.Address, s.Campaign.Address, subject)
		if err := s.SendSMTP(trust1.Address, []string{s.Campaign.Address}, []byte(raw)); err != nil {
			t.Fatalf("send while Dovecot is down: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
		if q, _ := s.Queue(); strings.Contains(q, "Mail queue is empty") {
			t.Errorf("Postfix queue while Dovecot is down: got empty, want the message deferred")
		}
		t0 = time.Now()
		if err := s.StartDovecot(); err != nil {
			t.Fatalf("StartDovecot: %v", err)
		}
		t.Logf("StartDovecot took %v", time.Since(t0).Round(time.Millisecond))
		c2, err := s.DialIMAP(s.Campaign, nil)
		if err != nil {
			t.Fatalf("reconnect after restart: %v", err)
		}
		c2.Close()
		if _, err := s.WaitForMessages(s.Campaign, "INBOX", subjectIs(subject), waitMail); err != nil {
			q, _ := s.Queue()
			t.Fatalf("mail delivered during the restart: %v\nqueue:\n%s", err, q)
		}
	})

	t.Logf("smoke test took %v", time.Since(start).Round(time.Millisecond))
}

// TestHelperTLSDial is run as a subprocess by TLSTrustViaSSLCertFile; on
// its own it does nothing.
func TestHelperTLSDial(t *testing.T) {
	addr := os.Getenv("FOI_E2E_HELPER_ADDR")
	if addr == "" {
		return
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS dial %s with system roots from SSL_CERT_FILE=%s: %v", addr, os.Getenv("SSL_CERT_FILE"), err)
	}
	conn.Close()
	t.Logf("verified")
}

// TestDedicatedInstance checks that Start gives a second, independent
// instance next to the shared one, and the harness's own Submit helper.
func TestDedicatedInstance(t *testing.T) {
	shared := Shared(t)
	extra := User{"records@ministry.test", "ministry-secret"}
	s := StartWithOptions(t, Options{ExtraUsers: []User{extra}})
	if s.IMAPAddr == shared.IMAPAddr || s.SubmissionAddr == shared.SubmissionAddr || s.Dir == shared.Dir {
		t.Fatalf("dedicated instance shares addresses or directory with the shared one: %+v vs %+v", s, shared)
	}
	subject := "dedicated " + token(t)
	raw := fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nhello\r\n", s.Campaign.Address, s.Authorities[1].Address, subject)
	if err := s.Submit(s.Campaign, s.Campaign.Address, []string{s.Authorities[1].Address}, []byte(raw)); err != nil {
		t.Fatalf("Submit: got %v, want nil", err)
	}
	if _, err := s.WaitForMessages(s.Authorities[1], "INBOX", subjectIs(subject), waitMail); err != nil {
		t.Fatal(err)
	}
	// An extra user in an extra domain receives mail on the plain port.
	subject2 := "to the ministry " + token(t)
	if err := s.SendSMTP(s.Authorities[0].Address, []string{extra.Address}, []byte("Subject: "+subject2+"\r\n\r\nx\r\n")); err != nil {
		t.Fatalf("SendSMTP to extra user %s: got %v, want nil", extra.Address, err)
	}
	if _, err := s.WaitForMessages(extra, "INBOX", subjectIs(subject2), waitMail); err != nil {
		t.Fatal(err)
	}
	// The shared instance did not get it.
	c, err := shared.DialIMAP(shared.Authorities[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := c.UIDSearch(subjectIs(subject), nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(data.AllUIDs()); got != 0 {
		t.Errorf("message in the shared instance: got %d, want 0", got)
	}
}

func TestPreflightNamesPackage(t *testing.T) {
	saved := requiredFiles
	defer func() { requiredFiles = saved }()
	requiredFiles = append(requiredFiles[:0:0], struct{ path, pkg string }{"/nonexistent/dovecot-lmtp", "dovecot-lmtpd"})
	err := preflight()
	if err == nil {
		t.Fatal("preflight with a missing binary: got nil, want an error")
	}
	for _, want := range []string{"dovecot-lmtpd", "apt-get install"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("preflight error: got %q, want it to mention %q", err, want)
		}
	}
}
