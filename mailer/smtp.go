package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"foi/config"
	"foi/mailbox"
)

// SMTP is one reusable connection to the outgoing server, through go-mail.
// It dials lazily, and after a failure that may have broken the connection
// it dials again on the next send. Not safe for concurrent use.
type SMTP struct {
	cfg    config.SMTP
	dir    string
	client *gomail.Client
	up     bool
}

// NewSMTP prepares a connection to the configured server; dir resolves
// relative secret files.
func NewSMTP(cfg config.SMTP, dir string) *SMTP { return &SMTP{cfg: cfg, dir: dir} }

// Dial connects and logs in (if not connected already).
func (s *SMTP) Dial(ctx context.Context) error {
	if s.up {
		return nil
	}
	if s.client == nil {
		secret, err := s.cfg.Secret(ctx, s.dir)
		if err != nil {
			return &SendError{Temporary: false, Text: "smtp credentials: " + err.Error()}
		}
		c, err := newClient(s.cfg, secret)
		if err != nil {
			return &SendError{Temporary: false, Text: err.Error()}
		}
		s.client = c
	}
	if err := s.client.DialWithContext(ctx); err != nil {
		return classify(fmt.Errorf("smtp connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err))
	}
	s.up = true
	return nil
}

// Send transmits one message over the open connection, dialling first if
// needed. The error is a *SendError saying whether to retry.
func (s *SMTP) Send(ctx context.Context, m *gomail.Msg) error {
	if err := s.Dial(ctx); err != nil {
		return err
	}
	err := s.client.Send(m)
	if err == nil {
		return nil
	}
	se := classify(err)
	if se.Network {
		// The connection is gone or unusable: dial again next time.
		s.client.Close()
		s.up = false
	}
	return se
}

// Close ends the session politely.
func (s *SMTP) Close() error {
	if s.client == nil || !s.up {
		return nil
	}
	s.up = false
	return s.client.Close()
}

func newClient(cfg config.SMTP, secret string) (*gomail.Client, error) {
	tlsConf, err := mailbox.TLSConfig(cfg.Server)
	if err != nil {
		return nil, err
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(tlsConf),
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	plainText := cfg.Security == "none"
	switch cfg.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if plainText && cfg.Auth != "none" && !config.IsLoopback(cfg.Host) {
		return nil, fmt.Errorf("smtp: refusing to send a password to %s over an unencrypted connection (only loopback hosts may)", cfg.Host)
	}
	switch cfg.Auth {
	case "plain":
		mech := gomail.SMTPAuthPlain
		if plainText {
			mech = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(cfg.Username), gomail.WithPassword(secret))
	case "login":
		mech := gomail.SMTPAuthLogin
		if plainText {
			mech = gomail.SMTPAuthLoginNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(cfg.Username), gomail.WithPassword(secret))
	case "xoauth2":
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthXOAUTH2), gomail.WithUsername(cfg.Username), gomail.WithPassword(secret))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client for %s: %w", cfg.Host, err)
	}
	return c, nil
}

// SendError is a failed send, classified once, here: the outbox branches
// on Temporary and InDoubt and nothing else looks at error text.
type SendError struct {
	// Temporary: an SMTP 4xx reply or a network failure; try again later.
	Temporary bool
	// Network: the connection failed rather than the server refusing.
	Network bool
	// InDoubt: the connection failed after the message data was sent and
	// before the server's reply, so the server may have accepted it.
	InDoubt bool
	// Code is the SMTP reply code (0 if none).
	Code int
	// Text is what the server said, or what failed.
	Text string
}

func (e *SendError) Error() string { return e.Text }

// classify turns any sending error into a *SendError.
func classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	out := &SendError{Text: strings.TrimSpace(err.Error())}
	var ge *gomail.SendError
	if errors.As(err, &ge) {
		out.Code = ge.ErrorCode()
		out.Temporary = ge.IsTemp()
		if msg := serverText(ge); msg != "" {
			out.Text = msg
		}
	}
	var ne net.Error
	if out.Code == 0 && (errors.As(err, &ne) || isConnErr(err)) {
		// go-mail reports only 4xx replies as temporary; a dropped or
		// refused connection is as worth retrying.
		out.Temporary, out.Network = true, true
		if ge != nil && ge.Reason == gomail.ErrSMTPDataClose {
			out.InDoubt = true
		}
	}
	if out.Code == 0 && !out.Network && ge == nil {
		// Dial errors and the like that carry no code: retry.
		out.Temporary = true
	}
	if out.Code >= 500 {
		out.Temporary = false
	}
	return out
}

// serverText digs the server's own words out of a go-mail error.
func serverText(ge *gomail.SendError) string {
	s := strings.TrimSpace(ge.Error())
	if i := strings.Index(s, ": "); i >= 0 && ge.ErrorCode() != 0 {
		if j := strings.Index(s, fmt.Sprint(ge.ErrorCode())); j >= 0 {
			return s[j:]
		}
	}
	return s
}

func isConnErr(err error) bool {
	s := err.Error()
	for _, frag := range []string{"connection reset", "broken pipe", "EOF", "connection refused",
		"use of closed network connection", "i/o timeout", "not connected", "no route to host"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return errors.Is(err, net.ErrClosed) || errors.Is(err, context.DeadlineExceeded)
}

// backoff is the wait before attempt n+1 after n temporary failures:
// first, doubling, at most max.
func backoff(first, max time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}
