// Package e2e starts real mail servers for end-to-end tests of foi: a
// private Dovecot (IMAP with STARTTLS and IDLE, LMTP, SASL for Postfix) and a
// private Postfix (submission with STARTTLS+AUTH, a plain port-25 style
// listener) on free loopback ports, with all state in a temporary directory.
//
// The system's own Postfix/Dovecot instances (if any) are never touched.
// Everything needs root and the Debian packages dovecot-imapd,
// dovecot-lmtpd and postfix; if they are missing, Start fails the test with
// the apt-get line to run.
package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// User is a mailbox: its address is its IMAP and SMTP AUTH login.
type User struct {
	Address  string
	Password string
}

// Local returns the part before the @.
func (u User) Local() string { l, _, _ := strings.Cut(u.Address, "@"); return l }

// Domain returns the part after the @.
func (u User) Domain() string { _, d, _ := strings.Cut(u.Address, "@"); return d }

// Default accounts. All addresses are lower case.
var (
	// DefaultCampaign is the campaign's own mailbox, the one foi sends from.
	DefaultCampaign = User{"campaign@foi.test", "campaign-secret"}
	// DefaultAuthorities are "public authorities" that receive requests and
	// reply through the plain SMTP port.
	DefaultAuthorities = []User{
		{"foi@trust1.test", "trust1-secret"},
		{"foi@trust2.test", "trust2-secret"},
		{"foi@trust3.test", "trust3-secret"},
	}
	// DefaultDomains are the hosted domains. trust9.test has no users: mail
	// to it is accepted by the submission port and then bounced.
	DefaultDomains = []string{"foi.test", "trust1.test", "trust2.test", "trust3.test", "trust9.test"}
)

// UnknownRecipient is an address in a hosted domain without a mailbox. A
// message submitted to it produces a DSN in the sender's INBOX.
const UnknownRecipient = "nobody@trust9.test"

// Options tunes an instance. The zero value gives the defaults above.
type Options struct {
	// ExtraUsers are created in addition to the default accounts. Their
	// domains are hosted automatically.
	ExtraUsers []User
	// ExtraDomains are hosted in addition to DefaultDomains (without users
	// unless given in ExtraUsers).
	ExtraDomains []string
	// KeepDir keeps the run directory (configs, logs, Maildirs) after Stop.
	// Also enabled by the environment variable FOI_E2E_KEEP=1.
	KeepDir bool
	// NoSetenv leaves SSL_CERT_FILE in this process's environment alone.
	NoSetenv bool
}

// Servers is a running Dovecot + Postfix pair. All addresses are
// "127.0.0.1:PORT".
type Servers struct {
	Dir    string // run directory: configs, spool, Maildirs
	LogDir string // Dir/log: dovecot.log, postfix.log, *.out
	Host   string // "127.0.0.1"

	// IMAP with STARTTLS (plaintext LOGIN/AUTH refused before STARTTLS).
	// This is a harness-side forwarder to Dovecot; see DovecotIMAPAddr.
	IMAPAddr string
	IMAPPort int
	// IMAP over implicit TLS (Dovecot directly).
	IMAPSAddr string
	IMAPSPort int
	// Dovecot's own STARTTLS listener. From 127.0.0.1 Dovecot treats the
	// connection as secured and would allow plaintext LOGIN; use IMAPAddr.
	DovecotIMAPAddr string

	// Submission: STARTTLS required, AUTH PLAIN/LOGIN against Dovecot;
	// accepts any recipient, unknown hosted users bounce with a DSN,
	// other domains bounce at once (no relaying off the machine).
	SubmissionAddr string
	SubmissionPort int
	// Submission over implicit TLS (port 465 style).
	SubmissionsAddr string
	SubmissionsPort int
	// Plain port-25 style listener for authorities' replies: no AUTH,
	// STARTTLS offered but optional; only hosted domains are accepted and
	// unknown users are rejected at RCPT TO.
	SMTPAddr string
	SMTPPort int

	Campaign    User   // campaign@foi.test
	Authorities []User // foi@trust1.test, foi@trust2.test, foi@trust3.test
	Users       []User // every account, including the above
	Domains     []string

	CAFile       string         // PEM of the test CA alone
	CABundleFile string         // system roots + test CA: what SSL_CERT_FILE points to
	CertPool     *x509.CertPool // trusts the test CA

	opts     Options
	cfg      configData
	pki      *testPKI
	altConf  bool // registered in /etc/postfix/main.cf
	watchdog *exec.Cmd

	mu          sync.Mutex
	dovecot     *exec.Cmd
	dovecotDone chan struct{}
	proxy       *tcpProxy
	stopped     bool
}

// Start starts a dedicated instance for one test (or benchmark) and stops it
// in tb.Cleanup. On start-up failure it fails tb with the daemons' logs;
// when the test fails it logs the tail of the daemons' logs.
func Start(tb testing.TB) *Servers {
	tb.Helper()
	return StartWithOptions(tb, Options{})
}

// StartWithOptions is Start with Options.
func StartWithOptions(tb testing.TB, opts Options) *Servers {
	tb.Helper()
	s, err := StartServers(opts)
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(s.Stop)
	s.LogOnFailure(tb)
	return s
}

var shared struct {
	mu  sync.Mutex
	s   *Servers
	err error
}

// Shared returns the instance shared by all tests of this test binary,
// starting it on first use. Call StopShared from TestMain after m.Run.
// Tests that use it must not run in parallel with RestartDovecot callers.
func Shared(tb testing.TB) *Servers {
	tb.Helper()
	shared.mu.Lock()
	if shared.s == nil && shared.err == nil {
		shared.s, shared.err = StartServers(Options{})
	}
	s, err := shared.s, shared.err
	shared.mu.Unlock()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	s.LogOnFailure(tb)
	return s
}

// StopShared stops the instance started by Shared, if any.
func StopShared() {
	shared.mu.Lock()
	s := shared.s
	shared.s, shared.err = nil, nil
	shared.mu.Unlock()
	if s != nil {
		s.Stop()
	}
}

// LogOnFailure makes tb log the tail of every daemon log if it fails.
func (s *Servers) LogOnFailure(tb testing.TB) {
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("mail server logs (run directory %s):\n%s", s.Dir, s.Logs(150))
		}
	})
}

// TLSConfig returns a client TLS config that trusts the test CA, with
// ServerName set to Host (the certificate also covers "localhost" and ::1).
func (s *Servers) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.CertPool, ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// Env returns environment variables for a subprocess (e.g. the foi binary)
// so that it trusts the servers: SSL_CERT_FILE=CABundleFile.
func (s *Servers) Env() []string {
	return []string{"SSL_CERT_FILE=" + s.CABundleFile}
}

// User returns the account with the given address.
func (s *Servers) User(address string) (User, bool) {
	for _, u := range s.Users {
		if strings.EqualFold(u.Address, address) {
			return u, true
		}
	}
	return User{}, false
}

// Maildir returns the Maildir of an account (readable by root).
func (s *Servers) Maildir(address string) string {
	u := User{Address: strings.ToLower(address)}
	return filepath.Join(s.Dir, "mail", u.Domain(), u.Local(), "Maildir")
}

// --- start-up ------------------------------------------------------------

// StartServers starts Dovecot and Postfix without a testing.TB (e.g. from
// TestMain). The caller must call Stop.
func StartServers(opts Options) (s *Servers, err error) {
	if err := preflight(); err != nil {
		return nil, err
	}
	base := runBase()
	janitor(base)

	dir, err := os.MkdirTemp(base, runDirPrefix)
	if err != nil {
		return nil, err
	}
	s = &Servers{Dir: dir, LogDir: filepath.Join(dir, "log"), Host: "127.0.0.1", opts: opts}
	if os.Getenv("FOI_E2E_KEEP") == "1" {
		s.opts.KeepDir = true
	}
	if s.opts.KeepDir {
		// Tells the watchdog and the janitor not to delete it.
		os.WriteFile(filepath.Join(dir, keepMarker), nil, 0o644)
	}
	defer func() {
		if err != nil {
			logs := s.Logs(80)
			s.Stop()
			s = nil
			err = fmt.Errorf("e2e mail servers failed to start: %w\n--- logs (%s) ---\n%s", err, dir, logs)
		}
	}()
	t0 := time.Now()
	if err := s.prepare(); err != nil {
		return s, err
	}
	// The watchdog first: it cleans up whatever gets started if this
	// process dies without Stop.
	if err := s.startWatchdog(); err != nil {
		return s, err
	}
	t1 := time.Now()
	if err := s.startDovecotLocked(); err != nil {
		return s, err
	}
	t2 := time.Now()
	if err := s.startPostfix(); err != nil {
		return s, err
	}
	t3 := time.Now()
	s.logf("started: prepare %v, dovecot %v, postfix %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2))
	registerLive(s)
	touchRunStamp()
	return s, nil
}

// runBase picks the parent of the run directory: $TMPDIR unless its path is
// too long for unix socket names (107 bytes) or not traversable by the
// daemons' unprivileged users (dovenull, postfix), else /tmp.
func runBase() string {
	base := filepath.Clean(os.TempDir())
	if len(base) > 40 {
		return "/tmp"
	}
	for p := base; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if p == "/" {
			return base
		}
	}
}

const (
	runDirPrefix = "foi-e2e-"
	keepMarker   = "KEEP" // in a run directory: never delete it
)

func (s *Servers) prepare() error {
	dir := s.Dir
	// Dovecot's login processes (user dovenull) and Postfix (user postfix)
	// must traverse the run directory.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner"),
		[]byte(fmt.Sprintf("%d %s\n", os.Getpid(), processStartTime(os.Getpid()))), 0o644); err != nil {
		return err
	}

	mailUID, mailGID, err := mailOwner()
	if err != nil {
		return err
	}
	postfixUID, err := lookupUser("postfix")
	if err != nil {
		return err
	}

	for _, d := range []string{"log", "tls", "dovecot", "postfix", "postfix-spool"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := mkdirOwned(filepath.Join(dir, "mail"), 0o755, mailUID, mailGID); err != nil {
		return err
	}
	if err := mkdirOwned(filepath.Join(dir, "postfix-data"), 0o700, postfixUID, -1); err != nil {
		return err
	}
	// postlogd (user postfix) appends to the log, which must exist first.
	for _, f := range []string{"postfix.log", "dovecot.log"} {
		p := filepath.Join(s.LogDir, f)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
	}
	os.Chown(filepath.Join(s.LogDir, "postfix.log"), postfixUID, -1)

	pki, err := makePKI(filepath.Join(dir, "tls"))
	if err != nil {
		return err
	}
	s.pki = pki
	s.CAFile, s.CABundleFile, s.CertPool = pki.caFile, pki.bundleFile, pki.pool

	// Accounts and domains.
	s.Campaign = DefaultCampaign
	s.Authorities = append([]User(nil), DefaultAuthorities...)
	s.Users = append([]User{s.Campaign}, s.Authorities...)
	for _, u := range s.opts.ExtraUsers {
		u.Address = strings.ToLower(u.Address)
		if u.Local() == "" || u.Domain() == "" || strings.ContainsAny(u.Address+u.Password, ": \t\r\n") {
			return fmt.Errorf("invalid extra user %q", u.Address)
		}
		s.Users = append(s.Users, u)
	}
	domains := map[string]bool{}
	for _, d := range DefaultDomains {
		domains[d] = true
	}
	for _, d := range s.opts.ExtraDomains {
		domains[strings.ToLower(d)] = true
	}
	for _, u := range s.Users {
		domains[u.Domain()] = true
	}
	for d := range domains {
		s.Domains = append(s.Domains, d)
	}
	sort.Strings(s.Domains)

	// Ports: the IMAP proxy keeps its listener; the others are closed right
	// before the daemons bind them.
	ls, err := freePorts(6)
	if err != nil {
		return err
	}
	proxyLn := ls[0]
	for _, l := range ls[1:] {
		l.Close()
	}
	s.IMAPPort = portOf(proxyLn)
	s.cfg = configData{
		Dir:             dir,
		InstanceName:    "foi-e2e-" + strings.TrimPrefix(filepath.Base(dir), runDirPrefix),
		DovecotConf:     filepath.Join(dir, "dovecot", "dovecot.conf"),
		DovecotRun:      filepath.Join(dir, "dovecot", "run"),
		DovecotState:    filepath.Join(dir, "dovecot", "state"),
		DovecotLog:      filepath.Join(s.LogDir, "dovecot.log"),
		PasswdFile:      filepath.Join(dir, "dovecot", "passwd"),
		MailUID:         mailUID,
		MailGID:         mailGID,
		IMAPPort:        portOf(ls[1]),
		IMAPSPort:       portOf(ls[2]),
		LMTPSocket:      filepath.Join(dir, "dovecot", "run", "lmtp"),
		AuthSocket:      filepath.Join(dir, "dovecot", "run", "auth-postfix"),
		CertChainFile:   pki.chainFile,
		KeyFile:         pki.keyFile,
		PostfixConf:     filepath.Join(dir, "postfix"),
		PostfixSpool:    filepath.Join(dir, "postfix-spool"),
		PostfixData:     filepath.Join(dir, "postfix-data"),
		PostfixLog:      filepath.Join(s.LogDir, "postfix.log"),
		VMailboxFile:    filepath.Join(dir, "postfix", "vmailbox"),
		Hostname:        "mx.foi.test",
		Domains:         s.Domains,
		SubmissionPort:  portOf(ls[3]),
		SubmissionsPort: portOf(ls[4]),
		SMTPPort:        portOf(ls[5]),
	}
	c := s.cfg
	addr := func(p int) string { return net.JoinHostPort(s.Host, strconv.Itoa(p)) }
	s.IMAPAddr = addr(s.IMAPPort)
	s.IMAPSPort, s.IMAPSAddr = c.IMAPSPort, addr(c.IMAPSPort)
	s.DovecotIMAPAddr = addr(c.IMAPPort)
	s.SubmissionPort, s.SubmissionAddr = c.SubmissionPort, addr(c.SubmissionPort)
	s.SubmissionsPort, s.SubmissionsAddr = c.SubmissionsPort, addr(c.SubmissionsPort)
	s.SMTPPort, s.SMTPAddr = c.SMTPPort, addr(c.SMTPPort)
	s.proxy = newTCPProxy(proxyLn, s.DovecotIMAPAddr)
	if !s.proxy.enforcesTLS() {
		s.logf("warning: cannot bind %s; Dovecot will allow plaintext LOGIN before STARTTLS on IMAPAddr", proxySourceIP)
	}

	// Dovecot passwd-file: user:{PLAIN}pass:uid:gid::home
	var pw, vm strings.Builder
	for _, u := range s.Users {
		home := filepath.Join(dir, "mail", u.Domain(), u.Local())
		fmt.Fprintf(&pw, "%s:{PLAIN}%s:%d:%d::%s\n", u.Address, u.Password, mailUID, mailGID, home)
		fmt.Fprintf(&vm, "%s OK\n", u.Address)
	}
	if err := os.WriteFile(c.PasswdFile, []byte(pw.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(c.VMailboxFile, []byte(vm.String()), 0o644); err != nil {
		return err
	}
	if err := renderTo(c.DovecotConf, dovecotTmpl, c, 0o644); err != nil {
		return err
	}
	if err := renderTo(filepath.Join(c.PostfixConf, "main.cf"), postfixMainTmpl, c, 0o644); err != nil {
		return err
	}
	if err := renderTo(filepath.Join(c.PostfixConf, "master.cf"), postfixMasterTmpl, c, 0o644); err != nil {
		return err
	}
	// Only Postfix's set-gid tools run by non-root users (postqueue,
	// sendmail) insist on this; as root it is a courtesy, so a read-only
	// /etc/postfix is not fatal.
	if err := registerAltConfigDir(c.PostfixConf, true); err != nil {
		s.logf("warning: cannot list %s in %s: %v", c.PostfixConf, systemMainCF, err)
	}
	s.altConf = true

	return nil
}

func mailOwner() (uid, gid int, err error) {
	// The virtual mail user: Debian's "mail" account (uid 8), else nobody.
	for _, name := range []string{"mail", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if uid > 0 {
			return uid, gid, nil
		}
	}
	return 0, 0, errors.New("neither user mail nor nobody exists to own the Maildirs")
}

func lookupUser(name string) (int, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(u.Uid)
}

func lookupGroup(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(g.Gid)
}

func mkdirOwned(path string, mode os.FileMode, uid, gid int) error {
	if err := os.MkdirAll(path, mode); err != nil {
		return err
	}
	if err := os.Chmod(path, mode); err != nil {
		return err
	}
	return os.Chown(path, uid, gid)
}

// --- Dovecot -------------------------------------------------------------

// startDovecotLocked starts "dovecot -F" and waits for its listeners. Call
// with s.mu held (or before s is shared).
func (s *Servers) startDovecotLocked() error {
	c := s.cfg
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		out, err := os.OpenFile(filepath.Join(s.LogDir, "dovecot.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		cmd := exec.Command("/usr/sbin/dovecot", "-F", "-c", c.DovecotConf)
		cmd.Env = sbinEnv()
		cmd.Stdout, cmd.Stderr = out, out // a file, so that nothing waits on a pipe
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		err = cmd.Start()
		out.Close()
		if err != nil {
			return fmt.Errorf("start dovecot: %w", err)
		}
		done := make(chan struct{})
		s.dovecot, s.dovecotDone = cmd, done
		go func() {
			cmd.Wait() // never take s.mu here: killDovecotLocked waits for done with it held
			close(done)
		}()
		alive := func() error {
			select {
			case <-done:
				return fmt.Errorf("dovecot exited during start-up (%v)", cmd.ProcessState)
			default:
				return nil
			}
		}
		lastErr = func() error {
			for _, a := range []string{s.DovecotIMAPAddr, s.IMAPSAddr} {
				if err := waitPort(a, 20*time.Second, alive); err != nil {
					return err
				}
			}
			for _, f := range []string{c.LMTPSocket, c.AuthSocket} {
				if err := waitFile(f, 10*time.Second, alive); err != nil {
					return err
				}
			}
			return nil
		}()
		if lastErr == nil {
			return nil
		}
		s.killDovecotLocked()
		// Only a lost race for a port is worth retrying.
		log, _ := os.ReadFile(c.DovecotLog)
		out2, _ := os.ReadFile(filepath.Join(s.LogDir, "dovecot.out"))
		if !strings.Contains(string(log)+string(out2), "in use") {
			break
		}
	}
	return lastErr
}

// killDovecotLocked stops Dovecot: SIGTERM to the master (which also ends
// the imap/lmtp/auth processes), SIGKILL to its process group if that is too
// slow, then waits until the ports are free.
func (s *Servers) killDovecotLocked() {
	cmd, done := s.dovecot, s.dovecotDone
	if cmd == nil {
		return
	}
	pid := cmd.Process.Pid
	t0 := time.Now()
	syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(1500 * time.Millisecond):
		// A normal shutdown takes about 1.1 s. Dovecot's master waits for children that may be stuck (e.g. a
		// login process still connecting to the stats service); a crash
		// is as good as a shutdown here: Maildir is crash-safe and Postfix
		// retries an interrupted LMTP delivery.
		syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	t1 := time.Now()
	// Sweep anything left in the process group (login processes that did
	// not notice the master's death yet).
	syscall.Kill(-pid, syscall.SIGKILL)
	s.dovecot, s.dovecotDone = nil, nil
	waitPortClosed(s.DovecotIMAPAddr, 5*time.Second)
	waitPortClosed(s.IMAPSAddr, 5*time.Second)
	s.logf("dovecot pid %d stopped: master exit %v, ports closed %v", pid, t1.Sub(t0), time.Since(t1))
}

// logf appends a line to LogDir/harness.log.
func (s *Servers) logf(format string, args ...any) {
	appendFile(filepath.Join(s.LogDir, "harness.log"),
		time.Now().Format("15:04:05.000 ")+fmt.Sprintf(format, args...)+"\n")
}

// StopDovecot stops the Dovecot instance (connected IMAP clients are
// disconnected, new connections are refused, Postfix queues mail for it).
func (s *Servers) StopDovecot() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("servers are stopped")
	}
	if s.dovecot == nil {
		return errors.New("dovecot is not running")
	}
	// Refuse new connections, let Dovecot say BYE to the connected clients
	// (relayed by the proxy), then drop whatever is left.
	s.proxy.closeListener()
	s.killDovecotLocked()
	s.proxy.stop()
	return nil
}

// StartDovecot starts Dovecot again after StopDovecot and asks Postfix to
// deliver what it queued meanwhile.
func (s *Servers) StartDovecot() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("servers are stopped")
	}
	if s.dovecot != nil {
		return errors.New("dovecot is already running")
	}
	if err := s.startDovecotLocked(); err != nil {
		return fmt.Errorf("restart dovecot: %w\n%s", err, s.Logs(40))
	}
	if err := s.proxy.restart(); err != nil {
		return fmt.Errorf("re-listen on %s: %w", s.IMAPAddr, err)
	}
	// Deferred LMTP deliveries: retry now rather than at the next queue run.
	runLogged(filepath.Join(s.LogDir, "postfix.out"), "/usr/sbin/postqueue", "-c", s.cfg.PostfixConf, "-f")
	return nil
}

// RestartDovecot stops and starts Dovecot; IMAP clients connected at that
// moment lose their connection and must reconnect.
func (s *Servers) RestartDovecot() error {
	if err := s.StopDovecot(); err != nil {
		return err
	}
	return s.StartDovecot()
}

// --- Postfix ---------------------------------------------------------------

func (s *Servers) postfixOut() string { return filepath.Join(s.LogDir, "postfix.out") }

func (s *Servers) startPostfix() error {
	conf := s.cfg.PostfixConf
	// "start" runs the checks of "postfix check" (creating the queue
	// directories; reasons for failure land in postfix.log via postlog),
	// then "master -w", which returns once the master has bound its
	// listeners (or failed). The master's stdio goes to /dev/null.
	if err := runLogged(s.postfixOut(), "/usr/sbin/postfix", "-c", conf, "start"); err != nil {
		return fmt.Errorf("postfix start: %w\n%s", err, s.postfixDiagnose())
	}
	pid := s.postfixPid()
	alive := func() error {
		if !processExists(pid) {
			return fmt.Errorf("postfix master (pid %d) exited during start-up\n%s", pid, s.postfixDiagnose())
		}
		return nil
	}
	for _, a := range []string{s.SubmissionAddr, s.SubmissionsAddr, s.SMTPAddr} {
		if err := waitPort(a, 20*time.Second, alive); err != nil {
			return err
		}
	}
	return nil
}

// postfixDiagnose runs "postfix check" on a pseudo-terminal: Postfix's
// commands print their errors to stderr only when it is a terminal (else
// only to syslog, which may not run, or to maillog_file via postlogd, which
// does not run before the master).
func (s *Servers) postfixDiagnose() string {
	script, err := exec.LookPath("script")
	if err != nil {
		script = "/usr/bin/script"
	}
	cmd := exec.Command(script, "-qec", "/usr/sbin/postfix -c "+s.cfg.PostfixConf+" check", "/dev/null")
	cmd.Env = sbinEnv()
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	res := strings.TrimSpace(strings.ReplaceAll(string(out), "\r", ""))
	appendFile(s.postfixOut(), "$ script -qec 'postfix check'\n"+res+"\n")
	if res == "" {
		return fmt.Sprintf("(postfix check on a pty: %v, no output)", err)
	}
	return "postfix check says:\n" + res
}

func (s *Servers) postfixPid() int {
	return readPidFile(filepath.Join(s.cfg.PostfixSpool, "pid", "master.pid"))
}

func (s *Servers) stopPostfix() {
	pid := s.postfixPid()
	if pid <= 0 || !processExists(pid) {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	if !waitGone(pid, 10*time.Second) {
		syscall.Kill(-pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
	syscall.Kill(-pid, syscall.SIGKILL) // children in the master's session
}

// FlushQueue asks Postfix to retry all deferred mail now (postqueue -f).
func (s *Servers) FlushQueue() error {
	return runLogged(s.postfixOut(), "/usr/sbin/postqueue", "-c", s.cfg.PostfixConf, "-f")
}

// Queue returns Postfix's queue listing (postqueue -p).
func (s *Servers) Queue() (string, error) {
	out, err := exec.Command("/usr/sbin/postqueue", "-c", s.cfg.PostfixConf, "-p").CombinedOutput()
	return string(out), err
}

// --- stop ------------------------------------------------------------------

// Stop kills both daemons and removes the run directory (kept with
// Options.KeepDir or FOI_E2E_KEEP=1). It is safe to call more than once.
func (s *Servers) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	if s.proxy != nil {
		s.proxy.closeListener()
	}
	s.killDovecotLocked()
	if s.proxy != nil {
		s.proxy.stop()
	}
	s.mu.Unlock()

	if s.cfg.PostfixSpool != "" {
		s.stopPostfix()
	}
	killReferencing(s.Dir)
	if s.watchdog != nil {
		syscall.Kill(-s.watchdog.Process.Pid, syscall.SIGKILL)
		s.watchdog.Wait()
	}
	if s.altConf {
		if err := registerAltConfigDir(s.cfg.PostfixConf, false); err != nil {
			s.logf("unregister alternate_config_directories: %v", err)
		}
	}
	unregisterLive(s)
	touchRunStamp()
	if s.opts.KeepDir {
		fmt.Fprintf(os.Stderr, "e2e: kept mail server run directory %s\n", s.Dir)
		return
	}
	os.RemoveAll(s.Dir)
}

// startWatchdog starts a detached shell that kills the daemons and removes
// the run directory if this process dies without calling Stop (test
// timeout, panic, SIGKILL). Stop kills the watchdog first.
func (s *Servers) startWatchdog() error {
	script := `owner=$1; dir=$2
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
if read pid < "$dir/postfix-spool/pid/master.pid"; then kill -TERM $pid; sleep 1; kill -KILL -- -$pid; fi
if read pid < "$dir/dovecot/run/master.pid"; then kill -KILL -- -$pid; fi
[ -e "$dir/` + keepMarker + `" ] || case "$dir" in */` + runDirPrefix + `*) rm -rf "$dir";; esac
`
	cmd := exec.Command("/bin/sh", "-c", script, "foi-e2e-watchdog", strconv.Itoa(os.Getpid()), s.Dir)
	cmd.Env = sbinEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start watchdog: %w", err)
	}
	s.watchdog = cmd
	return nil
}

// janitor removes run directories (and kills daemons) left by test
// processes that died without Stop and without their watchdog.
func janitor(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, runDirPrefix+"*"))
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "owner"))
		if err != nil {
			if time.Since(fi.ModTime()) < time.Minute {
				continue // being created right now
			}
		} else {
			f := strings.Fields(string(b))
			if len(f) == 2 {
				pid, _ := strconv.Atoi(f[0])
				if processExists(pid) && processStartTime(pid) == f[1] {
					continue // owner alive
				}
			}
		}
		killReferencing(d)
		if pid := readPidFile(filepath.Join(d, "postfix-spool", "pid", "master.pid")); pid > 0 {
			if env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid)); err == nil && strings.Contains(string(env), d+"/") {
				syscall.Kill(-pid, syscall.SIGKILL)
			}
		}
		if _, err := os.Stat(filepath.Join(d, keepMarker)); err == nil {
			continue
		}
		os.RemoveAll(d)
	}
}

// touchRunStamp keeps "go test" from caching results of tests that ran real
// servers: they depend on the installed packages, not just on the code.
// cmd/go refuses to cache a run that opened a file inside the module which
// is less than 2 s old when the run ends. Start writes such a file
// (e2e/.last-run, git-ignored) so that the test log records it, and Stop
// rewrites it right before the test binary exits.
func touchRunStamp() {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return // -trimpath: nothing to do
	}
	os.WriteFile(filepath.Join(filepath.Dir(file), ".last-run"),
		[]byte(time.Now().Format(time.RFC3339Nano)+"\n"), 0o644)
}

// --- SSL_CERT_FILE --------------------------------------------------------

// origSSLCertFile is SSL_CERT_FILE as the process started with it. The CA
// bundle starts with that file's certificates (else the system bundle), so
// pointing SSL_CERT_FILE at the bundle only ever adds the test CA.
var origSSLCertFile, origSSLCertFileSet = os.LookupEnv("SSL_CERT_FILE")

var live struct {
	mu      sync.Mutex
	servers []*Servers
}

// registerLive records a running instance and, unless NoSetenv, points
// SSL_CERT_FILE at its bundle. Go reads SSL_CERT_FILE once per process
// (when it first needs the system roots); that is why all instances of one
// process share one CA, so whichever bundle was read stays valid.
func registerLive(s *Servers) {
	live.mu.Lock()
	defer live.mu.Unlock()
	live.servers = append(live.servers, s)
	if !s.opts.NoSetenv {
		os.Setenv("SSL_CERT_FILE", s.CABundleFile)
	}
}

// unregisterLive forgets s. If SSL_CERT_FILE points at its bundle (about to
// be deleted) it is moved to another live instance's bundle, or restored.
func unregisterLive(s *Servers) {
	live.mu.Lock()
	defer live.mu.Unlock()
	for i, x := range live.servers {
		if x == s {
			live.servers = append(live.servers[:i], live.servers[i+1:]...)
			break
		}
	}
	if s.CABundleFile == "" || os.Getenv("SSL_CERT_FILE") != s.CABundleFile {
		return
	}
	for _, x := range live.servers {
		if !x.opts.NoSetenv {
			os.Setenv("SSL_CERT_FILE", x.CABundleFile)
			return
		}
	}
	if origSSLCertFileSet {
		os.Setenv("SSL_CERT_FILE", origSSLCertFile)
	} else {
		os.Unsetenv("SSL_CERT_FILE")
	}
}
