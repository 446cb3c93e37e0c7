// Package localmail runs a real SMTP server (go-smtp) and a real IMAP server
// (go-imap's in-memory server) inside the process, on loopback, for the tests
// and for `foi demo`. Both speak the real protocols, with STARTTLS on a
// certificate made at start-up, so that foi's code talks to them exactly as
// it talks to a provider's servers.
//
// What it adds to the libraries: the Sent folder carries the \Sent
// special-use attribute (RFC 6154), which imapmemserver does not model; hooks
// to answer chosen recipients with a temporary or permanent refusal; a
// switch that files every accepted message in Sent as Gmail does; a way to
// drop every open connection; and a router that hands each accepted message
// to a callback (the demo's simulated authorities).
//
// A *Server is safe for concurrent use.
package localmail

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// User and Password of the one mailbox (defaults campaign@foi.test /
	// secret).
	User, Password string
	// Dir is where the CA certificate file is written (default: a new
	// temporary folder removed by Close).
	Dir string
	// NoIdle makes the IMAP server not offer IDLE, so that clients poll.
	NoIdle bool
	// FileSent files a copy of every accepted message in Sent, as Gmail and
	// Microsoft 365 do.
	FileSent bool
	// Token, if set, is accepted as an OAuth2 access token for User with
	// the XOAUTH2 mechanism (SMTP and IMAP), as Gmail and Microsoft 365 do.
	Token string
}

// Received is one message accepted by the SMTP server.
type Received struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// Server is the pair of servers.
type Server struct {
	SMTPAddr string
	IMAPAddr string
	User     string
	Password string
	// CAFile is the PEM certificate to trust for STARTTLS.
	CAFile string

	opts    Options
	tmp     string
	smtp    *smtp.Server
	imap    *imapserver.Server
	mem     *imapmemserver.User
	smtpLn  net.Listener
	imapLn  net.Listener
	tlsConf *tls.Config

	mu        sync.Mutex
	received  []Received
	conns     map[net.Conn]bool
	folders   map[string]bool
	rcptHook  func(from, to string) error
	deliver   func(Received)
	dropNext  int
	dropAfter int
	logBuf    bytes.Buffer
}

// Start starts both servers on loopback ports chosen by the system.
func Start(opts Options) (*Server, error) {
	if opts.User == "" {
		opts.User = "campaign@foi.test"
	}
	if opts.Password == "" {
		opts.Password = "secret"
	}
	s := &Server{opts: opts, User: opts.User, Password: opts.Password, conns: map[net.Conn]bool{}, folders: map[string]bool{}}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "foi-localmail-"); err != nil {
			return nil, err
		}
		s.tmp = dir
	}
	cert, caPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	s.CAFile = filepath.Join(dir, "localmail-ca.pem")
	if err := os.WriteFile(s.CAFile, caPEM, 0o600); err != nil {
		return nil, err
	}
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}}

	s.mem = imapmemserver.NewUser(opts.User, opts.Password)
	for _, f := range []string{"INBOX", "Sent", "Drafts", "Trash"} {
		if err := s.mem.Create(f, nil); err != nil {
			return nil, err
		}
		s.folders[f] = true
	}
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapSpecialUse: {}, imap.CapUIDPlus: {}, imap.CapMove: {}}
	if !opts.NoIdle {
		caps[imap.CapIdle] = struct{}{}
	}
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{UserSession: imapmemserver.NewUserSession(s.mem), srv: s}, nil, nil
		},
		Caps:      caps,
		TLSConfig: s.tlsConf,
		Logger:    log.New(&s.logBuf, "imap: ", 0),
	})
	s.smtp = smtp.NewServer(backend{s})
	s.smtp.Domain = "localhost"
	s.smtp.TLSConfig = s.tlsConf
	s.smtp.AllowInsecureAuth = true // loopback only; foi itself refuses plain AUTH elsewhere
	s.smtp.ReadTimeout = time.Minute
	s.smtp.WriteTimeout = time.Minute
	s.smtp.ErrorLog = log.New(&s.logBuf, "smtp: ", 0)

	if s.smtpLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	if s.imapLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.smtpLn.Close()
		return nil, err
	}
	s.SMTPAddr, s.IMAPAddr = s.smtpLn.Addr().String(), s.imapLn.Addr().String()
	go s.smtp.Serve(trackListener{s.smtpLn, s})
	go s.imap.Serve(trackListener{s.imapLn, s})
	return s, nil
}

// ClientTLS is a TLS configuration that trusts the servers' certificate.
func (s *Server) ClientTLS() *tls.Config {
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(s.CAFile)
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// Close stops both servers.
func (s *Server) Close() error {
	s.smtp.Close()
	s.imap.Close()
	s.DropConnections()
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
	return nil
}

// SMTPPort and IMAPPort are the listening ports.
func (s *Server) SMTPPort() int { return s.smtpLn.Addr().(*net.TCPAddr).Port }

// IMAPPort is the IMAP server's port.
func (s *Server) IMAPPort() int { return s.imapLn.Addr().(*net.TCPAddr).Port }

// OnRcpt sets a hook that may refuse a recipient: return an *smtp.SMTPError
// (e.g. code 451 or 550) or nil to accept.
func (s *Server) OnRcpt(f func(from, to string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptHook = f
}

// OnDeliver sets a callback run (in its own goroutine) for each accepted
// message.
func (s *Server) OnDeliver(f func(Received)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliver = f
}

// DropAfter makes the SMTP server cut the connection once the n-th message
// from now has been accepted and answered: the client finds the connection
// gone when it starts its next message. 0 turns it off.
func (s *Server) DropAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAfter = n
}

// DropInData makes the SMTP server accept the n-th message from now and cut
// the connection before answering — as a server that crashes at the worst
// moment would: the client cannot know the message went. 0 turns it off.
func (s *Server) DropInData(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropNext = n
}

// Received returns every message accepted so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Deliver puts a message straight into a folder of the mailbox, as an
// incoming mail would arrive, and returns its UID.
func (s *Server) Deliver(folder string, raw []byte, at time.Time) (imap.UID, error) {
	data, err := s.mem.Append(folder, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: at})
	if err != nil {
		return 0, fmt.Errorf("deliver to %s: %w", folder, err)
	}
	return data.UID, nil
}

// CreateFolder adds a folder to the mailbox.
func (s *Server) CreateFolder(name string) error {
	if err := s.mem.Create(name, nil); err != nil {
		return err
	}
	s.mu.Lock()
	s.folders[name] = true
	s.mu.Unlock()
	return nil
}

// Count returns how many messages a folder holds.
func (s *Server) Count(folder string) (int, error) {
	st, err := s.mem.Status(folder, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0, err
	}
	return int(*st.NumMessages), nil
}

// RecreateFolder deletes and creates a folder again, which gives it a new
// UIDVALIDITY and loses its messages.
func (s *Server) RecreateFolder(name string) error {
	if err := s.mem.Delete(name); err != nil {
		return err
	}
	return s.mem.Create(name, nil)
}

// DropConnections closes every open client connection at once.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Log returns what the servers logged (errors), for test failures.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logBuf.String()
}

type literal struct {
	io.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// session adds special-use attributes and folder tracking to imapmemserver.
type session struct {
	*imapmemserver.UserSession
	srv *Server
}

// Idle first reports what changed since the last command, as Dovecot does
// when IDLE begins. imapmemserver's Idle waits only for changes made after
// it starts, so a message delivered between a client's last command and its
// IDLE would stay unannounced until the next command (up to the client's
// IDLE re-issue, 20 minutes for foi).
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.UserSession.Poll(w, true); err != nil {
		return err
	}
	return s.UserSession.Idle(w, stop)
}

func (s *session) Login(user, pass string) error {
	if user != s.srv.User || pass != s.srv.Password {
		return imapserver.ErrAuthFailed
	}
	return nil
}

// AuthenticateMechanisms adds XOAUTH2 when a token is configured.
func (s *session) AuthenticateMechanisms() []string {
	if s.srv.opts.Token != "" {
		return []string{sasl.Plain, "XOAUTH2"}
	}
	return []string{sasl.Plain}
}

// Authenticate serves PLAIN and XOAUTH2.
func (s *session) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error { return s.Login(user, pass) }), nil
	case "XOAUTH2":
		if s.srv.opts.Token != "" {
			return xoauth2Server{s: s.srv, ok: func() {}}, nil
		}
	}
	return nil, errors.New("unsupported mechanism")
}

func (s *session) Create(name string, opts *imap.CreateOptions) error {
	if err := s.UserSession.Create(name, opts); err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.folders[strings.TrimRight(name, "/")] = true
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Delete(name string) error {
	if err := s.UserSession.Delete(name); err != nil {
		return err
	}
	s.srv.mu.Lock()
	delete(s.srv.folders, name)
	s.srv.mu.Unlock()
	return nil
}

var specialUse = map[string]imap.MailboxAttr{"Sent": imap.MailboxAttrSent, "Drafts": imap.MailboxAttrDrafts, "Trash": imap.MailboxAttrTrash}

func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		return s.UserSession.List(w, ref, patterns, options)
	}
	s.srv.mu.Lock()
	var names []string
	for n := range s.srv.folders {
		names = append(names, n)
	}
	s.srv.mu.Unlock()
	sortStrings(names)
	for _, name := range names {
		match := false
		for _, p := range patterns {
			match = match || imapserver.MatchList(name, '/', ref, p)
		}
		if !match {
			continue
		}
		if _, err := s.srv.mem.Status(name, &imap.StatusOptions{}); err != nil {
			continue
		}
		attr, special := specialUse[name]
		if options.SelectSpecialUse && !special {
			continue
		}
		data := &imap.ListData{Mailbox: name, Delim: '/'}
		if special && (options.ReturnSpecialUse || options.SelectSpecialUse) {
			data.Attrs = append(data.Attrs, attr)
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// backend is the SMTP side.
type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{s: b.s, conn: c}, nil
}

type smtpSession struct {
	s    *Server
	conn *smtp.Conn
	from string
	to   []string
	auth bool
	// dropped: cut the connection at the next MAIL command.
	dropped bool
}

func (ss *smtpSession) AuthMechanisms() []string {
	if ss.s.opts.Token != "" {
		return []string{sasl.Plain, sasl.Login, "XOAUTH2"}
	}
	return []string{sasl.Plain, sasl.Login}
}

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != ss.s.User || pass != ss.s.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.auth = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return newLoginServer(check), nil
	case "XOAUTH2":
		if ss.s.opts.Token != "" {
			return xoauth2Server{s: ss.s, ok: func() { ss.auth = true }}, nil
		}
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// xoauth2Server checks "user=U\x01auth=Bearer T\x01\x01" against the
// configured user and token.
type xoauth2Server struct {
	s  *Server
	ok func()
}

func (x xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	var user, token string
	for _, kv := range strings.Split(string(resp), "\x01") {
		if v, found := strings.CutPrefix(kv, "user="); found {
			user = v
		}
		if v, found := strings.CutPrefix(kv, "auth=Bearer "); found {
			token = v
		}
	}
	if user != x.s.User || token != x.s.opts.Token {
		return nil, true, errors.New("invalid OAuth2 token")
	}
	x.ok()
	return nil, true, nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.dropped {
		ss.conn.Conn().Close()
		return errors.New("connection dropped on purpose")
	}
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	hook := ss.s.rcptHook
	ss.s.mu.Unlock()
	if hook != nil {
		if err := hook(ss.from, to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec := Received{From: ss.from, To: append([]string(nil), ss.to...), Data: data, At: time.Now()}
	s := ss.s
	s.mu.Lock()
	s.received = append(s.received, rec)
	deliver := s.deliver
	drop := false
	if s.dropNext > 0 {
		s.dropNext--
		drop = s.dropNext == 0
	}
	if s.dropAfter > 0 {
		s.dropAfter--
		ss.dropped = s.dropAfter == 0
	}
	s.mu.Unlock()
	if s.opts.FileSent {
		s.Deliver("Sent", data, rec.At)
	}
	if deliver != nil {
		go deliver(rec)
	}
	if drop {
		// Accepted, but the client never hears so.
		ss.conn.Conn().Close()
		return errors.New("connection dropped on purpose")
	}
	return nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *smtpSession) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func newLoginServer(check func(user, pass string) error) *loginServer {
	return &loginServer{check: check}
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) > 0 {
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(response)
		l.step++
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

// trackListener records connections so that DropConnections can cut them.
type trackListener struct {
	net.Listener
	s *Server
}

func (l trackListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: l.s}
	l.s.mu.Lock()
	l.s.conns[tc] = true
	l.s.mu.Unlock()
	return tc, nil
}

type trackedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

// selfSigned makes a certificate for localhost and 127.0.0.1.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "foi localmail"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, err
}
