package e2e

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// foiRun is the built foi binary, driven as a user would drive it.
type foiRun struct {
	t   *testing.T
	bin string
	cfg string
	dir string
}

func buildFoi(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "foi")
	out, err := exec.Command("go", "build", "-o", bin, "foi/cmd/foi").CombinedOutput()
	if err != nil {
		t.Fatalf("go build foi: %v\n%s", err, out)
	}
	return bin
}

func (f *foiRun) run(now string, args ...string) string {
	f.t.Helper()
	full := append([]string{"--config", f.cfg}, args...)
	if now != "" {
		// The tests drive time and opt in to sending under it.
		full = append([]string{"--now", now, "--really-send-at-fake-time"}, full...)
	}
	cmd := exec.Command(f.bin, full...)
	cmd.Dir = f.dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		f.t.Fatalf("foi %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

type requestStatus struct {
	Ref       string `json:"ref"`
	State     string `json:"state"`
	LastReply *struct {
		Kind string `json:"kind"`
	} `json:"last_reply"`
}

func (f *foiRun) status(now string) map[string]requestStatus {
	f.t.Helper()
	var rows []requestStatus
	if err := json.Unmarshal([]byte(f.run(now, "status", "--json")), &rows); err != nil {
		f.t.Fatal(err)
	}
	out := map[string]requestStatus{}
	for _, r := range rows {
		out[r.Ref] = r
	}
	return out
}

func headerOf(t *testing.T, raw []byte, key string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return m.Header.Get(key)
}

// TestLifecycleAgainstPostfixAndDovecot runs a small campaign through real
// mail servers: letters submitted to Postfix with STARTTLS and SASL, copies in
// Dovecot's Sent folder, replies from the authorities through Postfix with
// real attachments, a real Postfix bounce, an auto-reply, months of schedule
// with --now, the complaint pack, and `foi serve` surviving a Dovecot
// restart.
func TestLifecycleAgainstPostfixAndDovecot(t *testing.T) {
	s := StartWithOptions(t, Options{})
	s.LogOnFailure(t)
	dir := t.TempDir()
	f := &foiRun{t: t, bin: buildFoi(t), cfg: filepath.Join(dir, "foi.yaml"), dir: dir}
	os.WriteFile(filepath.Join(dir, "password"), []byte(s.Campaign.Password), 0o600)
	cfg := fmt.Sprintf(`requester:
  name: "LXP Revolution"
  email: %q
smtp:
  host: %s
  port: %d
  security: starttls
  auth: plain
  username: %q
  password_file: password
  ca_file: %q
  rate: 0s
  retry_backoff: 100ms
  retry_max: 500ms
imap:
  host: %s
  port: %d
  security: starttls
  auth: plain
  username: %q
  password_file: password
  ca_file: %q
  sent_copy: auto
  poll_interval: 1s
storage:
  data_dir: data
schedule:
  review_on_silence: auto
web:
  # foi serve's dashboard, on a port of its own.
  listen: "127.0.0.1:0"
`, s.Campaign.Address, s.Host, s.SubmissionPort, s.Campaign.Address, s.CAFile,
		s.Host, s.IMAPPort, s.Campaign.Address, s.CAFile)
	os.WriteFile(f.cfg, []byte(cfg), 0o600)
	os.Mkdir(filepath.Join(dir, "data"), 0o700) // commands refuse a missing data folder; foi starts a store in an empty one
	os.WriteFile(filepath.Join(dir, "authorities.csv"), []byte("name,email,tags\n"+
		"Trust 1,foi@trust1.test,mental-health\nTrust 2,foi@trust2.test,mental-health\n"+
		"Trust 3,foi@trust3.test,mental-health\nTrust 9,nobody@trust9.test,mental-health\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "letter.txt"), []byte("Dear {{.Authority.Name}},\n\nPlease tell us about Band 7 roles.\n\nOur reference: {{.Request.Ref}}\n\nYours faithfully,\n{{.Requester.Name}}\n"), 0o600)

	f.run("", "check-config", "--connect")
	f.run("", "authorities", "import", filepath.Join(dir, "authorities.csv"))
	f.run("", "campaign", "new", "LXP7", "--title", "Band 7 roles", "--letter", filepath.Join(dir, "letter.txt"), "--authorities", "all")
	day0 := "2026-03-02T10:00"
	f.run(day0, "send", "LXP7")

	// Each authority got its letter; the campaign's Sent folder has all four.
	letters := map[string][]byte{}
	for i, a := range s.Authorities {
		msgs, err := s.WaitForMessages(a, "INBOX", nil, 20*time.Second)
		if err != nil {
			t.Fatalf("letter to %s: %v", a.Address, err)
		}
		letters[a.Address] = msgs[0].Raw
		if want := fmt.Sprintf("[LXP7-00%d]", i+1); !strings.Contains(headerOf(t, msgs[0].Raw, "Subject"), want) {
			t.Errorf("letter to %s has subject %q, want %s", a.Address, headerOf(t, msgs[0].Raw, "Subject"), want)
		}
	}
	sent, err := s.WaitForMessages(s.Campaign, "Sent", nil, 10*time.Second)
	if err != nil || len(sent) != 4 {
		t.Fatalf("Sent folder: %d messages, %v; want 4", len(sent), err)
	}

	// Trust One answers with a PDF and a spreadsheet; Trust Two is out of
	// the office, then answers; Trust Three never answers. Postfix bounces
	// the letter to trust9.
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	csv := []byte("band,posts\n7,2\n")
	reply := func(from string, letter []byte, subject, extra, body string, files map[string][]byte) []byte {
		var b bytes.Buffer
		id := headerOf(t, letter, "Message-Id")
		fmt.Fprintf(&b, "From: FOI Team <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%d@%s>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nDate: %s\r\n%sMIME-Version: 1.0\r\n",
			from, s.Campaign.Address, subject, time.Now().UnixNano(), strings.Split(from, "@")[1], id, id, time.Now().Format(time.RFC1123Z), extra)
		if len(files) == 0 {
			fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body)
			return b.Bytes()
		}
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n%s\r\n", body)
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n", n, base64.StdEncoding.EncodeToString(files[n]))
		}
		b.WriteString("--b1--\r\n")
		return b.Bytes()
	}
	one, two := s.Authorities[0].Address, s.Authorities[1].Address
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SendSMTP(one, []string{s.Campaign.Address}, reply(one, letters[one], "RE: your request", "",
		"Please find attached the information you requested.", map[string][]byte{"job description.pdf": pdf, "posts.csv": csv})))
	must(s.SendSMTP(two, []string{s.Campaign.Address}, reply(two, letters[two], "Automatic reply: your request",
		"Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n", "I am out of the office until Monday.", nil)))
	inbox, err := s.WaitForMessages(s.Campaign, "INBOX", &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Content-Type", Value: "report"}}}, 30*time.Second)
	if err != nil {
		t.Fatalf("no Postfix bounce for nobody@trust9.test: %v", err)
	}
	_ = inbox
	if _, err := s.WaitForMessages(s.Campaign, "INBOX", &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "X-Autoreply", Value: "yes"}}}, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	f.run("2026-03-03T11:00", "sync")
	st := f.status("2026-03-03T11:00")
	for ref, want := range map[string]string{"LXP7-001": "responded", "LXP7-002": "sent", "LXP7-003": "sent", "LXP7-004": "delivery_failed"} {
		if st[ref].State != want {
			t.Errorf("after sync: %s is %s, want %s", ref, st[ref].State, want)
		}
	}
	if st["LXP7-002"].LastReply == nil || st["LXP7-002"].LastReply.Kind != "auto_reply" {
		t.Errorf("LXP7-002's out-of-office was not filed as an auto-reply: %+v", st["LXP7-002"].LastReply)
	}
	show := f.run("2026-03-03T11:00", "show", "LXP7-001")
	if !strings.Contains(show, "Matched by: in-reply-to") {
		t.Errorf("the reply from Trust One was not threaded by In-Reply-To:\n%s", show)
	}
	files := filepath.Join(dir, "files")
	f.run("2026-03-03T11:00", "attachments", "LXP7-001", "--out", files)
	// Each request's files are saved in a folder of their own.
	folders, _ := filepath.Glob(filepath.Join(files, "LXP7-001 *"))
	if len(folders) != 1 {
		t.Fatalf("attachments saved in %v, want one folder for LXP7-001", folders)
	}
	for name, want := range map[string][]byte{"job description.pdf": pdf, "posts.csv": csv} {
		got, err := os.ReadFile(filepath.Join(folders[0], name))
		if err != nil || sha256.Sum256(got) != sha256.Sum256(want) {
			t.Errorf("attachment %s: %v, bytes differ from what the authority sent", name, err)
		}
	}

	// Trust Two answers after its holiday.
	must(s.SendSMTP(two, []string{s.Campaign.Address}, reply(two, letters[two], "RE: your request", "",
		"Please find below the information you requested: we have one Band 7 post.", nil)))
	if _, err := s.WaitForMessages(s.Campaign, "INBOX", &imap.SearchCriteria{Body: []string{"one Band 7 post"}}, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	f.run("2026-03-10T11:00", "sync")

	// Months pass for silent Trust Three: first chaser, final chaser,
	// internal review, then the complaint is drafted.
	for _, day := range []string{"2026-03-31", "2026-04-01", "2026-04-16", "2026-04-17", "2026-04-30", "2026-05-01", "2026-06-30", "2026-07-01"} {
		f.run(day+"T12:00", "tick")
		f.run(day+"T12:05", "tick")
	}
	three := s.Authorities[2]
	msgs, err := s.WaitForMessages(three, "INBOX", nil, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(msgs) < 4 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		msgs, _ = s.WaitForMessages(three, "INBOX", nil, time.Second)
	}
	if len(msgs) != 4 {
		t.Fatalf("Trust Three received %d letters, want 4 (request, two chasers, review request)", len(msgs))
	}
	first := headerOf(t, msgs[0].Raw, "Message-Id")
	for _, m := range msgs[1:] {
		if !strings.Contains(headerOf(t, m.Raw, "References"), first) || headerOf(t, m.Raw, "In-Reply-To") == "" {
			t.Errorf("follow-up %q is not threaded to the request %s", headerOf(t, m.Raw, "Subject"), first)
		}
	}
	st = f.status("2026-07-01T13:00")
	if st["LXP7-003"].State != "ico_complaint_ready" || st["LXP7-002"].State != "responded" || st["LXP7-004"].State != "delivery_failed" {
		t.Errorf("after the months: %+v", st)
	}
	sent, _ = s.WaitForMessages(s.Campaign, "Sent", nil, 5*time.Second)
	if len(sent) != 7 {
		t.Errorf("Sent folder holds %d letters, want 7 (4 requests, 2 chasers, 1 review)", len(sent))
	}
	pack := filepath.Join(dir, "LXP7-003.zip")
	f.run("2026-07-01T13:00", "ico-pack", "LXP7-003", "--out", pack)
	zr, err := zip.OpenReader(pack)
	if err != nil {
		t.Fatal(err)
	}
	emls := 0
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, ".eml") {
			emls++
		}
	}
	zr.Close()
	if emls != 4 {
		t.Errorf("ICO pack has %d messages, want 4", emls)
	}

	// foi serve keeps watching through a Dovecot restart.
	serve := exec.Command(f.bin, "--config", f.cfg, "--now", "2026-07-02T10:00", "--really-send-at-fake-time", "serve")
	serve.Dir = dir
	var serveErr bytes.Buffer
	serve.Stdout, serve.Stderr = &serveErr, &serveErr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Kill()
		serve.Wait()
	}()
	time.Sleep(time.Second)
	if err := s.RestartDovecot(); err != nil {
		t.Fatal(err)
	}
	must(s.SendSMTP(three.Address, []string{s.Campaign.Address}, reply(three.Address, msgs[0].Raw, "RE: your request", "",
		"We apologise for the delay. Please find below the information you requested.", nil)))
	deadline = time.Now().Add(45 * time.Second)
	for {
		if f.status("2026-07-02T10:30")["LXP7-003"].LastReply != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("foi serve did not file the reply sent after the Dovecot restart; its output:\n%s", serveErr.String())
		}
		time.Sleep(300 * time.Millisecond)
	}
}
