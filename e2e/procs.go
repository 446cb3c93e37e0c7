package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Binaries and the Debian packages that ship them.
var requiredFiles = []struct{ path, pkg string }{
	{"/usr/sbin/dovecot", "dovecot-core"},
	{"/usr/bin/doveconf", "dovecot-core"},
	{"/usr/lib/dovecot/imap", "dovecot-imapd"},
	{"/usr/lib/dovecot/imap-login", "dovecot-imapd"},
	{"/usr/lib/dovecot/lmtp", "dovecot-lmtpd"},
	{"/usr/sbin/postfix", "postfix"},
	{"/usr/sbin/postconf", "postfix"},
	{"/usr/sbin/postqueue", "postfix"},
	{"/usr/lib/postfix/sbin/master", "postfix"},
	{"/usr/lib/postfix/sbin/smtpd", "postfix"},
	{"/usr/lib/postfix/sbin/lmtp", "postfix"},
}

const installHint = "install them with: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd dovecot-lmtpd postfix openssl"

// preflight checks everything the harness needs from the machine and names
// the package to install for anything missing.
func preflight() error {
	var missing []string
	pkgs := map[string]bool{}
	for _, f := range requiredFiles {
		if _, err := os.Stat(f.path); err != nil {
			missing = append(missing, fmt.Sprintf("%s (package %s)", f.path, f.pkg))
			pkgs[f.pkg] = true
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("e2e mail servers: missing %s; %s", strings.Join(missing, ", "), installHint)
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("e2e mail servers: must run as root (the Postfix master daemon and Dovecot's privilege separation need it); euid is %d", os.Geteuid())
	}
	for _, u := range []string{"postfix", "dovecot", "dovenull"} {
		if _, err := lookupUser(u); err != nil {
			return fmt.Errorf("e2e mail servers: system user %q missing (%v); reinstall the postfix/dovecot-core packages; %s", u, err, installHint)
		}
	}
	if _, err := lookupGroup("postdrop"); err != nil {
		return fmt.Errorf("e2e mail servers: group postdrop missing (%v); reinstall postfix; %s", err, installHint)
	}
	return nil
}

// sbinEnv is the environment for the daemons and Postfix's commands: PATH
// with /usr/sbin and /sbin even if the caller's lacks them.
func sbinEnv() []string {
	env := os.Environ()
	path := os.Getenv("PATH")
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		if !strings.Contains(":"+path+":", ":"+d+":") {
			path += ":" + d
		}
	}
	out := env[:0:0]
	for _, e := range env {
		// Also drop SSL_CERT_FILE etc. pointing into another instance's
		// run directory: the daemons need none of it.
		if !strings.HasPrefix(e, "PATH=") && !strings.Contains(e, "/"+runDirPrefix) {
			out = append(out, e)
		}
	}
	return append(out, "PATH="+strings.TrimPrefix(path, ":"))
}

// runLogged runs a short command with its output appended to logFile and
// returns an error that quotes the output.
func runLogged(logFile string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = sbinEnv()
	cmd.Stdin = nil
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	cmd.WaitDelay = 5 * time.Second // never hang on a daemon that kept the pipe
	err := cmd.Run()
	appendFile(logFile, fmt.Sprintf("$ %s %s\n%s", name, strings.Join(args, " "), buf.String()))
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(buf.String()))
	}
	return nil
}

func appendFile(name, s string) {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(s)
}

// freePorts reserves n distinct loopback ports. The listeners are returned
// open; the caller closes them right before a daemon binds the port.
func freePorts(n int) ([]net.Listener, error) {
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}

func portOf(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }

// waitPort waits until addr accepts TCP connections; alive, if not nil, is
// polled to give up early when the daemon died.
func waitPort(addr string, timeout time.Duration, alive func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if alive != nil {
			if aerr := alive(); aerr != nil {
				return aerr
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not accept connections after %v: %v", addr, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPortClosed waits until nothing listens on addr any more.
func waitPortClosed(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return nil
		}
		c.Close()
		if time.Now().After(deadline) {
			return fmt.Errorf("%s still accepts connections after %v", addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitFile(path string, timeout time.Duration, alive func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if alive != nil {
			if aerr := alive(); aerr != nil {
				return aerr
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %v", path, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func processExists(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err == nil || err == syscall.EPERM {
		// A zombie still "exists"; treat it as gone.
		b, rerr := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if rerr == nil {
			if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && b[i+2] == 'Z' {
				return false
			}
		}
		return true
	}
	return false
}

// processStartTime is field 22 of /proc/PID/stat (clock ticks since boot), used
// to tell a live owner from a reused pid.
func processStartTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// readPidFile reads a pid file such as Postfix's "pid/master.pid" (padded
// with blanks) or Dovecot's "master.pid".
func readPidFile(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// waitGone waits for pid to exit.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for processExists(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(25 * time.Millisecond)
	}
	return true
}

// processesReferencing lists the daemons of the run directory dir: pids
// whose command line mentions dir (Dovecot's "-c DIR/dovecot/dovecot.conf",
// the watchdog) or whose environment has MAIL_CONFIG=DIR/postfix (Postfix's
// master and its children). Nothing else: a shell that merely exported
// SSL_CERT_FILE=DIR/... is left alone.
func processesReferencing(dir string) []int {
	ents, _ := os.ReadDir("/proc")
	inCmdline := []byte(dir + "/")
	inEnviron := []byte("\x00MAIL_CONFIG=" + filepath.Join(dir, "postfix") + "\x00")
	self := os.Getpid()
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && bytes.Contains(b, inCmdline) {
			pids = append(pids, pid)
			continue
		}
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ")); err == nil &&
			bytes.Contains(append(append([]byte{0}, b...), 0), inEnviron) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killReferencing SIGKILLs every process that mentions dir.
func killReferencing(dir string) {
	for i := 0; i < 3; i++ {
		pids := processesReferencing(dir)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		for _, pid := range pids {
			waitGone(pid, 2*time.Second)
		}
	}
}

// lockFile takes an exclusive flock on path and returns the unlock function.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
