package mailer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"foi/config"
	"foi/mailbox"
)

// SMTP is one reusable session with the outgoing server, through go-mail.
// It connects in two steps so that every failure is known by where it
// happened: go-mail dials, greets and starts TLS; then SMTP logs in itself.
// After a failure that may have broken the session it connects again on
// the next Dial or Send. Every error it returns is a *SendError. Not safe
// for concurrent use.
type SMTP struct {
	cfg    config.SMTP
	dir    string
	client *gomail.Client
	auth   gosmtp.Auth // nil: no login
	conn   *gosmtp.Client
}

// NewSMTP prepares a session with the configured server; dir resolves
// relative secret files.
func NewSMTP(cfg config.SMTP, dir string) *SMTP { return &SMTP{cfg: cfg, dir: dir} }

// Dial connects and logs in (if not connected already).
func (s *SMTP) Dial(ctx context.Context) error {
	if s.conn != nil {
		return nil
	}
	if s.client == nil {
		secret, err := s.cfg.Secret(ctx, s.dir)
		if err != nil {
			return s.secretFault(err)
		}
		c, err := newClient(s.cfg)
		if err != nil {
			return s.fault(stageLocal, err)
		}
		s.client, s.auth = c, newAuth(s.cfg, secret)
	}
	conn, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return s.fault(stageConnect, fmt.Errorf("smtp connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err))
	}
	if err := s.login(conn); err != nil {
		conn.Close()
		return err
	}
	s.conn = conn
	return nil
}

// login runs the AUTH exchange on a fresh connection.
func (s *SMTP) login(conn *gosmtp.Client) error {
	if s.auth == nil {
		return nil
	}
	mech := strings.ToUpper(s.cfg.Auth)
	ok, offered := conn.Extension("AUTH")
	if !ok {
		return &SendError{Fault: Blocked, Text: fmt.Sprintf("smtp %s:%d offers no login (AUTH)", s.cfg.Host, s.cfg.Port),
			Fix: "set smtp.auth: none if it needs none, or check smtp.port (submission is usually 587 or 465)"}
	}
	if !hasWord(offered, mech) {
		return &SendError{Fault: Blocked, Text: fmt.Sprintf("smtp %s:%d does not offer AUTH %s (it offers %s)", s.cfg.Host, s.cfg.Port, mech, offered),
			Fix: "set smtp.auth to one it offers"}
	}
	if err := conn.Auth(s.auth); err != nil {
		return s.fault(stageAuth, fmt.Errorf("smtp login as %s: %w", s.cfg.Username, err))
	}
	return nil
}

func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

// Send transmits one message over the session, connecting first if needed,
// and returns nil as soon as the server has answered 250 to its DATA:
// nothing more is said on the connection for that letter (no RSET: after
// DATA the transaction is over, RFC 5321 4.1.1.4), so that the caller can
// record it as sent before anything else can fail.
func (s *SMTP) Send(ctx context.Context, m *gomail.Msg) error {
	if err := s.Dial(ctx); err != nil {
		return err
	}
	err := s.transact(m)
	var te *txError
	if errors.As(err, &te) && te.reason == gomail.ErrConnCheck {
		// The idle session died before anything of this letter was said:
		// connect again, once.
		s.drop()
		if err := s.Dial(ctx); err != nil {
			return err
		}
		err = s.transact(m)
	}
	if err == nil {
		return nil
	}
	se := s.fault(stageSend, err)
	if se.Fault == Unavailable || se.Fault == InDoubt || se.Fault == Blocked {
		// The session is gone or unusable: connect again next time.
		s.drop()
	} else if s.conn.Reset() != nil {
		// A refused letter: clear the transaction for the next one.
		s.drop()
	}
	return se
}

// txError is a failed step of one letter's transaction: the command (in
// go-mail's terms, which sendFault judges) and the error, with the
// server's reply as a *textproto.Error when it replied.
type txError struct {
	reason gomail.SendErrReason
	from   string
	err    error
}

func (e *txError) Error() string { return e.reason.String() + ": " + e.err.Error() }
func (e *txError) Unwrap() error { return e.err }

// transact is one letter's transaction: NOOP (is the session alive?),
// MAIL FROM, RCPT TO, DATA and the data; it ends at the server's reply to
// the data.
func (s *SMTP) transact(m *gomail.Msg) error {
	c := s.conn
	if err := c.Noop(); err != nil {
		return &txError{reason: gomail.ErrConnCheck, err: err}
	}
	if err := c.UpdateDeadline(s.cfg.Timeout); err != nil {
		return &txError{reason: gomail.ErrConnCheck, err: err}
	}
	from, err := m.GetSender(false)
	if err != nil {
		return &txError{reason: gomail.ErrGetSender, err: err}
	}
	rcpts, err := m.GetRecipients()
	if err != nil {
		return &txError{reason: gomail.ErrGetRcpts, err: err}
	}
	if err := c.Mail(from); err != nil {
		return &txError{reason: gomail.ErrSMTPMailFrom, from: from, err: err}
	}
	for _, to := range rcpts {
		if err := c.Rcpt(to); err != nil {
			return &txError{reason: gomail.ErrSMTPRcptTo, err: err}
		}
	}
	w, err := c.Data()
	if err != nil {
		return &txError{reason: gomail.ErrSMTPData, err: err}
	}
	if _, err := m.WriteTo(w); err != nil {
		return &txError{reason: gomail.ErrWriteContent, err: err}
	}
	if err := w.Close(); err != nil {
		return &txError{reason: gomail.ErrSMTPDataClose, err: err}
	}
	return nil
}

// drop closes a session that may be broken, without a polite QUIT.
func (s *SMTP) drop() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// Close ends the session politely.
func (s *SMTP) Close() error {
	if s.conn == nil {
		return nil
	}
	conn := s.conn
	s.conn = nil
	if err := s.client.CloseWithSMTPClient(conn); err != nil {
		conn.Close() // the server did not take the QUIT: hang up anyway
		return err
	}
	return nil
}

// newClient makes the go-mail client that dials, greets and starts TLS; it
// does not log in (newAuth and SMTP.login do).
func newClient(cfg config.SMTP) (*gomail.Client, error) {
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
	switch cfg.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Security == "none" && cfg.Auth != "none" && !config.IsLoopback(cfg.Host) {
		return nil, fmt.Errorf("smtp: refusing to send a password to %s over an unencrypted connection (only loopback hosts may)", cfg.Host)
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client for %s: %w", cfg.Host, err)
	}
	return c, nil
}

// newAuth is the login of the configuration (nil for auth: none).
func newAuth(cfg config.SMTP, secret string) gosmtp.Auth {
	plainText := cfg.Security == "none" // newClient allows it to loopback only
	switch cfg.Auth {
	case "plain":
		return gosmtp.PlainAuth("", cfg.Username, secret, cfg.Host, plainText)
	case "login":
		return gosmtp.LoginAuth(cfg.Username, secret, cfg.Host, plainText)
	case "xoauth2":
		return gosmtp.XOAuth2Auth(cfg.Username, secret)
	}
	return nil
}

// fault classifies an error and, if it blocks sending, says what in
// foi.yaml to look at.
func (s *SMTP) fault(st stage, err error) *SendError {
	se := classify(st, err)
	if se.Fix != "" {
		return se
	}
	if h := mailbox.Hint("smtp", s.cfg.Server, err); st == stageConnect && h != "" {
		// The likely fix for a wrong security setting or certificate;
		// the fault (what the outbox does) is classify's alone.
		se.Fix = h
		return se
	}
	if se.Fault != Blocked {
		return se
	}
	switch st {
	case stageConnect:
		switch {
		case isTLSFault(err):
			se.Fix = "check smtp.security and smtp.port (implicit TLS is usually port 465, STARTTLS 587), and set smtp.ca_file if the server's certificate is from a private authority"
		case isDNSNotFound(err):
			se.Fix = "fix smtp.host in foi.yaml"
		default:
			se.Fix = "check smtp.host, smtp.port and smtp.security in foi.yaml"
		}
	case stageAuth:
		se.Fix = "check smtp.username and " + s.secretKey() + " in foi.yaml"
	case stageSend:
		var te *txError
		if !errors.As(err, &te) || te.reason != gomail.ErrSMTPMailFrom {
			se.Fix = "fix the cause, then run foi send again"
			break
		}
		se.Fix = "check requester.email in foi.yaml: smtp.username must be allowed to send as that address"
		se.Text = fmt.Sprintf("the server refused mail from %s: %s", strings.Trim(te.from, "<>"), se.Text)
	default:
		se.Fix = "fix the cause, then run foi send again"
	}
	return se
}

// secretKey names the setting the secret comes from.
func (s *SMTP) secretKey() string {
	switch {
	case s.cfg.Auth == "xoauth2" && s.cfg.TokenCommand != "":
		return "smtp.token_command"
	case s.cfg.Auth == "xoauth2":
		return "smtp.token_file"
	case s.cfg.PasswordEnv != "":
		return "smtp.password_env"
	}
	return "smtp.password_file"
}

// secretFault says which secret could not be had and what to do about it.
func (s *SMTP) secretFault(err error) *SendError {
	key := s.secretKey()
	se := &SendError{Fault: Blocked, Err: err}
	switch {
	case key == "smtp.token_command":
		se.Text = "smtp." + err.Error()
		se.Fix = "run the command by hand to see why; it must print an access token"
	case key == "smtp.password_env":
		se.Text = fmt.Sprintf("smtp.password_env %s: not set", s.cfg.PasswordEnv)
		se.Fix = "set it in foi's environment, or use smtp.password_file"
	case errors.Is(err, fs.ErrNotExist):
		se.Text = fmt.Sprintf("%s %s: no such file", key, s.secretFile())
		se.Fix = "create it or fix the path in foi.yaml"
	case errors.Is(err, fs.ErrPermission):
		se.Text = fmt.Sprintf("%s %s: permission denied", key, s.secretFile())
		se.Fix = "let the user who runs foi read it"
	default:
		se.Text = "smtp." + err.Error()
		se.Fix = "fix " + key + " in foi.yaml or the file it names"
	}
	return se
}

func (s *SMTP) secretFile() string {
	if s.cfg.Auth == "xoauth2" {
		return s.cfg.TokenFile
	}
	return s.cfg.PasswordFile
}
