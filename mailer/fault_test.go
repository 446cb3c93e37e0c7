package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	gomail "github.com/wneessen/go-mail"

	"foi/localmail"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	noHost := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "smtp.nowhere.invalid", IsNotFound: true}}
	tests := []struct {
		name string
		st   stage
		err  error
		want Fault
	}{
		{"a local error", stageLocal, errors.New("write mail: no space left on device"), Blocked},
		{"a local error, even if it looks like the network", stageLocal, io.EOF, Blocked},
		{"connection refused", stageConnect, refused, Unavailable},
		{"connection reset", stageConnect, reset, Unavailable},
		{"closed before the greeting", stageConnect, fmt.Errorf("smtp connect: %w", io.EOF), Unavailable},
		{"timed out", stageConnect, context.DeadlineExceeded, Unavailable},
		{"the run is stopped", stageConnect, context.Canceled, Unavailable},
		{"no such host", stageConnect, noHost, Blocked},
		{"DNS timed out", stageConnect, &net.DNSError{Err: "i/o timeout", Name: "smtp.example", IsTimeout: true}, Unavailable},
		{"certificate from an unknown authority", stageConnect, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, Blocked},
		{"certificate for another name", stageConnect, x509.HostnameError{Certificate: &x509.Certificate{}, Host: "smtp.example"}, Blocked},
		{"not TLS on the other end", stageConnect, tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, Blocked},
		{"greeting 421 busy", stageConnect, &textproto.Error{Code: 421, Msg: "4.7.0 Too many connections"}, Unavailable},
		{"greeting 554", stageConnect, &textproto.Error{Code: 554, Msg: "5.7.1 No SMTP service here"}, Blocked},
		{"no STARTTLS offered (an error go-mail does not type)", stageConnect, errors.New("STARTTLS mode set to: \"TLSMandatory\", but target host does not support STARTTLS"), Blocked},
		{"AUTH 535", stageAuth, fmt.Errorf("smtp login: %w", &textproto.Error{Code: 535, Msg: "5.7.8 Authentication credentials invalid"}), Blocked},
		{"AUTH 454 (any AUTH reply)", stageAuth, &textproto.Error{Code: 454, Msg: "4.7.0 Temporary authentication failure"}, Blocked},
		{"connection lost during AUTH", stageAuth, reset, Unavailable},
		{"already classified", stageLocal, &SendError{Fault: Refused, Text: "550 no"}, Refused},
		{"already classified, wrapped", stageConnect, fmt.Errorf("send: %w", &SendError{Fault: Deferred, Text: "451 later"}), Deferred},
	}
	for _, tt := range tests {
		if got := classify(tt.st, tt.err).Fault; got != tt.want {
			t.Errorf("%s: classify(%v) = %s, want %s", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestClassifyServerReplies classifies what go-mail returns when a real
// server answers a letter's transaction.
func TestClassifyServerReplies(t *testing.T) {
	t.Parallel()
	reply := func(code int, msg string) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
	}
	tests := []struct {
		name     string
		set      func(s *server)
		want     Fault
		wantCode int
		wantText string
	}{
		{"550 to RCPT TO", func(s *server) { s.onRcpt = func(string) error { return reply(550, "No such user here") } }, Refused, 550, "No such user here"},
		{"451 to RCPT TO", func(s *server) { s.onRcpt = func(string) error { return reply(451, "Greylisted") } }, Deferred, 451, "Greylisted"},
		{"554 to DATA", func(s *server) { s.onData = func([]string) error { return reply(554, "Message rejected as spam") } }, Refused, 554, "rejected as spam"},
		{"452 to DATA", func(s *server) { s.onData = func([]string) error { return reply(452, "Mailbox full") } }, Deferred, 452, "Mailbox full"},
		{"553 to MAIL FROM", func(s *server) { s.onMail = func(string) error { return reply(553, "Sender address rejected") } }, Blocked, 553, "Sender address rejected"},
		{"421 to MAIL FROM", func(s *server) { s.onMail = func(string) error { return reply(421, "Too many messages, slow down") } }, Unavailable, 421, "slow down"},
		{"connection cut at MAIL FROM", func(s *server) { s.dropAtMail = true }, Unavailable, 0, ""},
		{"connection cut after the data, before the reply", func(s *server) { s.dropInData = true }, InDoubt, 0, ""},
	}
	for _, tt := range tests {
		s := startServer(t)
		s.set(tt.set)
		c, err := gomail.NewClient("127.0.0.1", gomail.WithPort(s.port()), gomail.WithTLSPolicy(gomail.NoTLS),
			gomail.WithSMTPAuth(gomail.SMTPAuthPlainNoEnc), gomail.WithUsername(s.user), gomail.WithPassword(s.pass),
			gomail.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compose(testLetter(1, time.Date(2027, 1, 5, 9, 30, 0, 0, time.UTC)))
		if err != nil {
			t.Fatal(err)
		}
		sendErr := c.DialAndSend(m)
		if sendErr == nil {
			t.Errorf("%s: the send succeeded, want an error", tt.name)
			continue
		}
		got := classify(stageSend, sendErr)
		if got.Fault != tt.want || got.Code != tt.wantCode || !strings.Contains(got.Text, tt.wantText) {
			t.Errorf("%s: classify = %s, code %d, %q; want %s, code %d, text with %q", tt.name, got.Fault, got.Code, got.Text, tt.want, tt.wantCode, tt.wantText)
		}
	}
}

// TestSMTPDialFaults: what SMTP.Dial says when it cannot open a session.
func TestSMTPDialFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("missing password file", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		dir := t.TempDir()
		err := NewSMTP(s.config(t, dir, ""), dir).Dial(ctx)
		var se *SendError
		if !errors.As(err, &se) || se.Fault != Blocked || se.Text != "smtp.password_file pass: no such file" || !strings.Contains(se.Fix, "create it") {
			t.Errorf("Dial = %v, want blocked: smtp.password_file pass: no such file, with a fix", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		dir := t.TempDir()
		err := NewSMTP(s.config(t, dir, "wrong"), dir).Dial(ctx)
		var se *SendError
		if !errors.As(err, &se) || se.Fault != Blocked || !strings.Contains(se.Text, "535") || !strings.Contains(se.Fix, "smtp.password_file") {
			t.Errorf("Dial = %v, want blocked with the 535 and a fix naming smtp.password_file", err)
		}
	})
	t.Run("right password", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		dir := t.TempDir()
		tr := NewSMTP(s.config(t, dir, s.pass), dir)
		if err := tr.Dial(ctx); err != nil {
			t.Fatalf("Dial = %v", err)
		}
		if err := tr.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		dir := t.TempDir()
		err = NewSMTP(smtpConfig(t, dir, "campaign@foi.test", port, "secret"), dir).Dial(ctx)
		var se *SendError
		if !errors.As(err, &se) || se.Fault != Unavailable {
			t.Errorf("Dial = %v, want unavailable", err)
		}
	})
	t.Run("certificate not trusted", func(t *testing.T) {
		t.Parallel()
		lm, err := localmail.Start(localmail.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer lm.Close()
		dir := t.TempDir()
		cfg := smtpConfig(t, dir, lm.User, lm.SMTPPort(), lm.Password)
		cfg.Security = "starttls" // and no ca_file
		err = NewSMTP(cfg, dir).Dial(ctx)
		var se *SendError
		if !errors.As(err, &se) || se.Fault != Blocked || !strings.Contains(se.Fix, "smtp.ca_file") {
			t.Errorf("Dial = %v, want blocked with a fix naming smtp.ca_file", err)
		}
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	first, max := 30*time.Second, 30*time.Minute
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{6, 16 * time.Minute},
		{7, 30 * time.Minute},
		{100, 30 * time.Minute},
	}
	for _, tt := range tests {
		if got := backoff(first, max, tt.n); got != tt.want {
			t.Errorf("backoff(%s, %s, %d) = %s, want %s", first, max, tt.n, got, tt.want)
		}
	}
	if got := backoff(time.Hour, time.Minute, 1); got != time.Minute {
		t.Errorf("backoff(1h, 1m, 1) = %s, want 1m (never above max)", got)
	}
}
