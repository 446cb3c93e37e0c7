package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"foi/localmail"
	"foi/store"
)

// env is one test's world: in-process mail servers, a config file and a
// data folder, and a way to run foi's command line against them.
type env struct {
	t    *testing.T
	dir  string
	cfg  string
	mail *localmail.Server
}

type envOptions struct {
	fileSent bool
	sentCopy string
	rate     string
	extra    string // appended to the config
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	srv, err := localmail.Start(localmail.Options{Dir: dir, FileSent: o.fileSent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{t: t, dir: dir, cfg: filepath.Join(dir, "foi.yaml"), mail: srv}
	e.writeConfig(o)
	return e
}

func (e *env) writeConfig(o envOptions) {
	if o.sentCopy == "" {
		o.sentCopy = "always"
	}
	if o.rate == "" {
		o.rate = "0s"
	}
	// foi serve's dashboard on a port of its own for each test.
	if strings.Contains(o.extra, "web:\n") {
		o.extra = strings.Replace(o.extra, "web:\n", "web:\n  listen: \"127.0.0.1:0\"\n", 1)
	} else {
		o.extra += "\nweb:\n  listen: \"127.0.0.1:0\"\n"
	}
	if err := os.WriteFile(filepath.Join(e.dir, "password"), []byte(e.mail.Password+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	cfg := fmt.Sprintf(`requester:
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
  rate: %s
  retry_backoff: 20ms
  retry_max: 100ms
  max_attempts: 5
  timeout: 10s
imap:
  host: 127.0.0.1
  port: %d
  security: starttls
  auth: plain
  username: %q
  password_file: password
  ca_file: %q
  sent_copy: %s
storage:
  data_dir: data
%s`, e.mail.User, e.mail.SMTPPort(), e.mail.User, e.mail.CAFile, o.rate, e.mail.IMAPPort(), e.mail.User, e.mail.CAFile, o.sentCopy, o.extra)
	if err := os.WriteFile(e.cfg, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	if err := initDataDir(context.Background(), filepath.Join(e.dir, "data")); err != nil { // as `foi init` does
		e.t.Fatal(err)
	}
}

// foi runs one command line in-process and returns its exit status and
// output. Tests drive time with --now and opt in to sending under it.
func (e *env) foi(args ...string) (int, string, string) {
	e.t.Helper()
	return e.foiAsUser(append([]string{"--really-send-at-fake-time"}, args...)...)
}

// foiAsUser runs a command line exactly as given, as a user would type it.
func (e *env) foiAsUser(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"--config", e.cfg}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// must runs a command line that must succeed.
func (e *env) must(args ...string) string {
	e.t.Helper()
	code, out, errOut := e.foi(args...)
	if code != 0 {
		e.t.Fatalf("foi %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// writeFile writes a file in the test folder and returns its path.
func (e *env) writeFile(name, content string) string {
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// trustsCSV makes an authorities file of n trusts, tagged alternately.
func trustsCSV(n int) string {
	var b strings.Builder
	b.WriteString("name,email,jurisdiction,tags,short_name\n")
	for i := 1; i <= n; i++ {
		tag := "applied"
		if i%2 == 0 {
			tag = "did-not-apply"
		}
		fmt.Fprintf(&b, "Trust %02d NHS Foundation Trust,foi@trust%02d.nhs.test,foia,mental-health;%s,Trust %02d\n", i, i, tag, i)
	}
	return b.String()
}

// fetchFolder reads every message of a folder over IMAP, as a mail client
// would.
func fetchFolder(t *testing.T, srv *localmail.Server, folder string) [][]byte {
	t.Helper()
	c, err := imapclient.DialStartTLS(srv.IMAPAddr, &imapclient.Options{TLSConfig: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(srv.User, srv.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var out [][]byte
	var all imap.SeqSet
	all.AddRange(1, sel.NumMessages)
	cmd := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if b, ok := item.(imapclient.FetchItemDataBodySection); ok {
				data, _ := io.ReadAll(b.Literal)
				out = append(out, data)
			}
		}
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func header(t *testing.T, raw []byte, key string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse sent message: %v", err)
	}
	v := m.Header.Get(key)
	if dec, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return dec
	}
	return v
}

func body(t *testing.T, raw []byte) string {
	t.Helper()
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatalf("no body in %q", raw)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw[i+4:])))
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	return string(b)
}

func waitFor(t *testing.T, d time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func openStore(t *testing.T, e *env) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(e.dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
