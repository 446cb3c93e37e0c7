package mailer

import (
	"errors"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"foi/config"
)

// server is a real SMTP server (go-smtp) on loopback, without TLS, whose
// answers a test chooses: each hook may return an *smtp.SMTPError to
// refuse, or nil to accept.
type server struct {
	t    *testing.T
	ln   net.Listener
	srv  *smtp.Server
	user string
	pass string

	mu       sync.Mutex
	received []delivered
	onMail   func(from string) error
	onRcpt   func(to string) error
	onData   func(to []string) error
	// dropInData: accept the data of the next message, then cut the
	// connection before replying.
	dropInData bool
	// dropAtMail: cut the connection at the next MAIL FROM.
	dropAtMail bool
	logins     int
}

type delivered struct {
	From string
	To   []string
	Data []byte
}

func startServer(t *testing.T) *server {
	t.Helper()
	s := &server{t: t, user: "campaign@foi.test", pass: "secret"}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *server) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *server) set(f func(s *server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *server) got() []delivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivered(nil), s.received...)
}

// config is an SMTP configuration for the server, its password in a file
// named "pass" in dir ("" leaves the file missing).
func (s *server) config(t *testing.T, dir string, password string) config.SMTP {
	return smtpConfig(t, dir, s.user, s.port(), password)
}

func smtpConfig(t *testing.T, dir, user string, port int, password string) config.SMTP {
	t.Helper()
	cfg := config.Default().SMTP
	cfg.Host, cfg.Port, cfg.Security, cfg.Auth = "127.0.0.1", port, "none", "plain"
	cfg.Username, cfg.PasswordFile, cfg.Timeout = user, "pass", 5*time.Second
	if password != "" {
		if err := os.WriteFile(filepath.Join(dir, "pass"), []byte(password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

type backend struct{ s *server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *server
	auth bool
	from string
	to   []string
	conn *smtp.Conn
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.s.mu.Lock()
		ss.s.logins++
		ss.s.mu.Unlock()
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.s.mu.Lock()
	hook, drop := ss.s.onMail, ss.s.dropAtMail
	ss.s.dropAtMail = false
	ss.s.mu.Unlock()
	if drop {
		ss.conn.Conn().Close()
		return errDropped
	}
	if hook != nil {
		if err := hook(from); err != nil {
			return err
		}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	hook := ss.s.onRcpt
	ss.s.mu.Unlock()
	if hook != nil {
		if err := hook(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

var errDropped = errors.New("connection dropped on purpose")

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	hook, drop := s.onData, s.dropInData
	s.dropInData = false
	s.mu.Unlock()
	if hook != nil {
		if err := hook(ss.to); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.received = append(s.received, delivered{From: ss.from, To: append([]string(nil), ss.to...), Data: data})
	s.mu.Unlock()
	if drop {
		// Accepted, but the client never hears so.
		ss.conn.Conn().Close()
		return errDropped
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
