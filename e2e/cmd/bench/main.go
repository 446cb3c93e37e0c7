// Command bench times foi against the tools a user would script instead,
// on the e2e harness's real Dovecot and Postfix, in the same run (issue 12).
// Run as root from the repository:
//
//	go run ./e2e/cmd/bench sync -n 2000 -runs 3   # foi sync vs mbsync + ripmime
//	go run ./e2e/cmd/bench send -n 300,3000        # foi send, rate 0, to Postfix
//	go run ./e2e/cmd/bench idle -n 20              # IDLE: Dovecot accepts -> foi files
//
// sync fills the campaign mailbox with N replies synthesised from
// inbox/testdata/corpus (each with its own subject reference, and real
// attachments from inbox/testdata/files and a generated spreadsheet), then,
// run after run, times `foi sync` into a fresh copy of a data folder that
// has sent the campaign's 10 letters, against `mbsync` pulling the same
// folder into an empty Maildir followed by `ripmime` on every message, and
// prints each run's wall time, peak RSS and the ratios. The Debian packages
// isync and ripmime are installed with apt-get if they are missing.
//
// Figures are whole-process: wall clock from start to exit, and the peak
// resident set of the largest process (getrusage).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"

	"foi/e2e"
	"foi/store"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench sync|send|idle|tick [-n N] [-runs R]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	ns := fs.String("n", "", "sizes (comma-separated)")
	runs := fs.Int("runs", 3, "runs of each side")
	keep := fs.Bool("keep", false, "keep the work folder")
	fs.StringVar(&foiBinary, "foi", "", "time this foi binary (default: build ./cmd/foi)")
	fs.BoolVar(&profile, "profile", false, "sync: print each side's CPU time and write foi's CPU profiles to the work folder")
	fs.BoolVar(&oldBinary, "old", false, "the -foi binary is from before smtp.per_domain_rate")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "sync":
		err = benchSync(sizes(*ns, "2000"), *runs, *keep)
	case "send":
		err = benchSend(sizes(*ns, "300,3000"), *keep)
	case "idle":
		err = benchIdle(sizes(*ns, "20")[0], *keep)
	case "tick":
		err = benchTick(sizes(*ns, "300,3000,20000"), *keep)
	default:
		err = fmt.Errorf("unknown benchmark %q: sync, send, idle or tick", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func sizes(s, def string) []int {
	if s == "" {
		s = def
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench: -n %q: want positive numbers\n", s)
			os.Exit(2)
		}
		out = append(out, n)
	}
	return out
}

// foiBinary is the -foi flag: another build of foi to time (an older one,
// to compare).
var foiBinary string

// oldBinary is the -old flag: the binary does not know smtp.per_domain_rate.
var oldBinary bool

// profile makes sync print CPU times and write foi's CPU profiles.
var profile bool

// bench is one work folder with running servers and a foi binary.
type bench struct {
	s    *e2e.Servers
	dir  string
	foi  string
	root string // the repository
}

func start(keep bool) (*bench, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, "inbox", "testdata", "corpus")); err != nil {
		return nil, fmt.Errorf("run from the repository's top folder: %w", err)
	}
	dir, err := os.MkdirTemp("", "foi-bench-*")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir, root: root, foi: filepath.Join(dir, "foi")}
	fmt.Printf("work folder: %s\n", dir)
	if foiBinary != "" {
		b.foi = foiBinary
	} else if out, err := exec.Command("go", "build", "-o", b.foi, "./cmd/foi").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/foi: %v\n%s", err, out)
	}
	s, err := e2e.StartServers(e2e.Options{KeepDir: keep})
	if err != nil {
		return nil, err
	}
	b.s = s
	return b, nil
}

func (b *bench) stop(keep bool) {
	b.s.Stop()
	if !keep {
		os.RemoveAll(b.dir)
	}
}

// config writes foi.yaml for a data folder under dir.
func (b *bench) config(dir string) error {
	s := b.s
	if err := os.WriteFile(filepath.Join(dir, "password"), []byte(s.Campaign.Password), 0o600); err != nil {
		return err
	}
	// Builds from before smtp.per_domain_rate (-foi) refuse the key.
	perDomain := "  per_domain_rate: 0s\n"
	if oldBinary {
		perDomain = ""
	}
	cfg := fmt.Sprintf(`requester:
  name: "LXP Revolution"
  email: %q
smtp:
  host: %s
  port: %d
  security: starttls
  username: %q
  password_file: password
  ca_file: %q
  rate: 0s
%simap:
  host: %s
  port: %d
  security: starttls
  username: %q
  password_file: password
  ca_file: %q
  sent_copy: auto
storage:
  data_dir: data
`, s.Campaign.Address, s.Host, s.SubmissionPort, s.Campaign.Address, s.CAFile, perDomain, s.Host, s.IMAPPort, s.Campaign.Address, s.CAFile)
	if err := os.WriteFile(filepath.Join(dir, "foi.yaml"), []byte(cfg), 0o600); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(dir, "data"), 0o700)
}

// run runs foi in dir and returns what it printed.
func (b *bench) run(dir string, args ...string) (string, error) {
	full := append([]string{"--config", filepath.Join(dir, "foi.yaml"), "--now", "2026-03-02T10:00", "--really-send-at-fake-time"}, args...)
	cmd := exec.Command(b.foi, full...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), b.s.Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("foi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// campaign makes a data folder in dir whose campaign LXP7 has n requests,
// to the harness's three authorities in turn.
func (b *bench) campaign(dir string, n int) error {
	if err := b.config(dir); err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString("name,email,tags\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "Trust %05d,%s,mental-health\n", i, b.s.Authorities[(i-1)%len(b.s.Authorities)].Address)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorities.csv"), []byte(csv.String()), 0o600); err != nil {
		return err
	}
	letter := "Dear {{.Authority.Name}},\n\nPlease tell us about Band 7 roles.\n\nOur reference: {{.Request.Ref}}\n\nYours faithfully,\n{{.Requester.Name}}\n"
	if err := os.WriteFile(filepath.Join(dir, "letter.txt"), []byte(letter), 0o600); err != nil {
		return err
	}
	if _, err := b.run(dir, "authorities", "import", filepath.Join(dir, "authorities.csv")); err != nil {
		return err
	}
	_, err := b.run(dir, "campaign", "new", "LXP7", "--title", "Band 7 roles", "--letter", filepath.Join(dir, "letter.txt"), "--authorities", "all")
	return err
}

// timing is one whole-process measurement.
type timing struct {
	wall time.Duration
	rss  int64         // peak resident set of the largest process, KB
	cpu  time.Duration // user + system time of the process
}

func (t timing) String() string {
	return fmt.Sprintf("%6.2f s  %4d MB", t.wall.Seconds(), t.rss/1024)
}

// timed runs cmd and measures it.
func timed(cmd *exec.Cmd) (timing, error) {
	var out bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &out
	}
	start := time.Now()
	err := cmd.Run()
	t := timing{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		t.rss = ru.Maxrss
		t.cpu = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	}
	if err != nil {
		return t, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out.String())
	}
	return t, nil
}

// --- sync -------------------------------------------------------------------

func benchSync(ns []int, runs int, keep bool) error {
	if err := ensurePackages(); err != nil {
		return err
	}
	b, err := start(keep)
	if err != nil {
		return err
	}
	defer b.stop(keep)
	for _, n := range ns {
		if err := b.syncOnce(n, runs); err != nil {
			return err
		}
	}
	return nil
}

func ensurePackages() error {
	var missing []string
	for bin, pkg := range map[string]string{"mbsync": "isync", "ripmime": "ripmime"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	fmt.Printf("installing %s\n", strings.Join(missing, " "))
	cmd := exec.Command("apt-get", append([]string{"install", "-y"}, missing...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

func (b *bench) syncOnce(n, runs int) error {
	// A data folder that has sent the campaign's 10 letters.
	tmpl := filepath.Join(b.dir, fmt.Sprintf("sync-%d", n))
	if err := os.MkdirAll(tmpl, 0o700); err != nil {
		return err
	}
	if err := b.campaign(tmpl, 10); err != nil {
		return err
	}
	if _, err := b.run(tmpl, "send", "LXP7"); err != nil {
		return err
	}
	// The mailbox: the Sent copies, then n replies.
	c, err := b.s.DialIMAP(b.s.Campaign, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	folder := "Bench" + strconv.Itoa(n)
	if err := c.Create(folder, nil).Wait(); err != nil {
		return fmt.Errorf("create %s: %w", folder, err)
	}
	gen, err := newGenerator(b.root)
	if err != nil {
		return err
	}
	var total int64
	for i := 0; i < n; i++ {
		raw := gen.reply(i, fmt.Sprintf("LXP7-%03d", i%10+1))
		total += int64(len(raw))
		cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)})
		if _, err := cmd.Write(raw); err != nil {
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if _, err := cmd.Wait(); err != nil {
			return fmt.Errorf("append reply %d: %w", i, err)
		}
	}
	fmt.Printf("\nsync: %d replies, %.1f MB, in folder %s of %s\n", n, float64(total)/(1<<20), folder, b.s.Campaign.Address)
	cfg, err := os.ReadFile(filepath.Join(tmpl, "foi.yaml"))
	if err != nil {
		return err
	}
	cfg = bytes.Replace(cfg, []byte("  sent_copy: auto\n"), []byte("  sent_copy: auto\n  folder: "+folder+"\n"), 1)
	if err := os.WriteFile(filepath.Join(tmpl, "foi.yaml"), cfg, 0o600); err != nil {
		return err
	}
	fmt.Printf("%-4s %-18s %-18s %-18s %-18s %s\n", "run", "foi sync", "mbsync", "ripmime (each)", "mbsync+ripmime", "foi/(mbsync+ripmime)  foi/mbsync")
	for run := 1; run <= runs+1; run++ {
		// A fresh data folder for foi, an empty Maildir for mbsync, each
		// new for the run. Nothing is deleted until the benchmark ends:
		// on a file system without a journal, ext4 skips inodes freed in
		// the last minutes when it makes a file (recently_deleted), and
		// files deleted just before a run made every file created in it
		// several times dearer, for both sides.
		work := filepath.Join(b.dir, fmt.Sprintf("run-%d", run))
		if out, err := exec.Command("cp", "-a", tmpl, work).CombinedOutput(); err != nil {
			return fmt.Errorf("copy data folder: %v %s", err, out)
		}
		maildir := filepath.Join(b.dir, fmt.Sprintf("maildir-%d", run))
		parts := filepath.Join(b.dir, fmt.Sprintf("parts-%d", run))
		os.MkdirAll(maildir, 0o700)
		mbsyncrc := filepath.Join(b.dir, fmt.Sprintf("mbsyncrc-%d", run))
		// The harness's certificate names localhost.
		rc := fmt.Sprintf(`IMAPAccount bench
Host localhost
Port %d
User %s
Pass %s
SSLType IMAPS
CertificateFile %s

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path %s/
Inbox %s/INBOX

Channel bench
Far :bench-far:%s
Near :bench-near:%s
Create Near
SyncState *
Sync Pull
`, b.s.IMAPSPort, b.s.Campaign.Address, b.s.Campaign.Password, b.s.CAFile, maildir, maildir, folder, folder)
		if err := os.WriteFile(mbsyncrc, []byte(rc), 0o600); err != nil {
			return err
		}

		cmd := exec.Command(b.foi, "--config", filepath.Join(work, "foi.yaml"), "--json", "sync")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), b.s.Env()...)
		if profile {
			cmd.Env = append(cmd.Env, "FOI_CPUPROFILE="+filepath.Join(b.dir, fmt.Sprintf("cpu-%d-run%d.prof", n, run)))
		}
		if os.Getenv("FOI_LOG") != "" {
			logf, _ := os.Create(filepath.Join(b.dir, fmt.Sprintf("sync-%d-run%d.log", n, run)))
			defer logf.Close()
			cmd.Stderr = logf
		}
		// Each side starts with nothing of the other's waiting to be
		// written to disk: foi flushes its files with syncfs(2), which
		// writes whatever the file system holds unwritten, and would
		// otherwise pay for ripmime's files of the run before (which it
		// never flushes) or for the copy of the data folder.
		syscall.Sync()
		foiT, err := timed(cmd)
		if err != nil {
			return err
		}
		syscall.Sync()
		mb, err := timed(exec.Command("mbsync", "-q", "-c", mbsyncrc, "bench"))
		if err != nil {
			return err
		}
		syscall.Sync()
		rip, err := ripAll(filepath.Join(maildir, folder), parts)
		if err != nil {
			return err
		}
		peer := timing{wall: mb.wall + rip.wall, rss: max(mb.rss, rip.rss)}
		label := strconv.Itoa(run - 1)
		if run == 1 {
			label = "warm"
		}
		fmt.Printf("%-4s %-18s %-18s %-18s %-18s %.2f                  %.2f\n", label, foiT, mb, rip, peer,
			foiT.wall.Seconds()/peer.wall.Seconds(), foiT.wall.Seconds()/mb.wall.Seconds())
		if profile {
			fmt.Printf("     cpu: foi %.2f s, mbsync %.2f s, ripmime %.2f s\n", foiT.cpu.Seconds(), mb.cpu.Seconds(), rip.cpu.Seconds())
		}
		if run == runs+1 {
			if err := b.checkStored(work, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkStored says what foi stored, so a fast run is known to be complete.
func (b *bench) checkStored(work string, n int) error {
	st, err := store.OpenExisting(context.Background(), filepath.Join(work, "data"))
	if err != nil {
		return err
	}
	defer st.Close()
	var in, files int
	if err := st.DB().QueryRow(`SELECT count(*) FROM messages WHERE direction = 'in'`).Scan(&in); err != nil {
		return err
	}
	if err := st.DB().QueryRow(`SELECT count(*) FROM attachments`).Scan(&files); err != nil {
		return err
	}
	fmt.Printf("foi stored %d replies with %d attachments\n", in, files)
	if in != n {
		return fmt.Errorf("foi stored %d replies, want %d", in, n)
	}
	return nil
}

// ripAll runs ripmime on every message of a Maildir, one process each, as
// a script would.
func ripAll(maildir, out string) (timing, error) {
	var files []string
	for _, sub := range []string{"cur", "new"} {
		entries, _ := os.ReadDir(filepath.Join(maildir, sub))
		for _, e := range entries {
			files = append(files, filepath.Join(maildir, sub, e.Name()))
		}
	}
	if len(files) == 0 {
		return timing{}, fmt.Errorf("mbsync left no messages in %s", maildir)
	}
	var t timing
	start := time.Now()
	for i, f := range files {
		d := filepath.Join(out, strconv.Itoa(i))
		if err := os.MkdirAll(d, 0o700); err != nil {
			return t, err
		}
		one, err := timed(exec.Command("ripmime", "-i", f, "-d", d))
		if err != nil {
			return t, err
		}
		t.rss = max(t.rss, one.rss)
		t.cpu += one.cpu
	}
	t.wall = time.Since(start)
	return t, nil
}

// generator makes replies from the test corpus.
type generator struct {
	corpus [][]byte
	files  []namedFile
	rng    *rand.Rand
}

type namedFile struct {
	name, ctype string
	data        []byte
}

func newGenerator(root string) (*generator, error) {
	g := &generator{rng: rand.New(rand.NewPCG(12, 34))}
	names, err := filepath.Glob(filepath.Join(root, "inbox", "testdata", "corpus", "*.eml"))
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no corpus under inbox/testdata/corpus: %v", err)
	}
	sort.Strings(names)
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		g.corpus = append(g.corpus, raw)
	}
	types := map[string]string{".pdf": "application/pdf", ".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".zip": "application/zip", ".png": "image/png", ".dat": "application/ms-tnef", ".msg": "application/vnd.ms-outlook"}
	files, _ := filepath.Glob(filepath.Join(root, "inbox", "testdata", "files", "*"))
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ct := types[filepath.Ext(f)]
		if ct == "" {
			ct = "application/octet-stream"
		}
		g.files = append(g.files, namedFile{name: filepath.Base(f), ctype: ct, data: data})
	}
	return g, nil
}

// reply is message i, about request ref: every other one a corpus message
// with its subject and Message-ID made its own; the others a reply with
// two or three real files and a spreadsheet of posts.
func (g *generator) reply(i int, ref string) []byte {
	subject := fmt.Sprintf("RE: Freedom of Information request [%s]: Band 7 roles (%d)", ref, i)
	id := fmt.Sprintf("bench-%d-%d@trust.nhs.test", i, g.rng.Uint64())
	if i%2 == 0 {
		raw := g.corpus[(i/2)%len(g.corpus)]
		return rehead(raw, subject, id)
	}
	var b bytes.Buffer
	boundary := fmt.Sprintf("=_bench_%d", i)
	fmt.Fprintf(&b, "From: FOI Team <foi@trust%d.test>\r\nTo: campaign@foi.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"+
		"Date: Tue, 3 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
		i%3+1, subject, id, boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear LXP Revolution,\r\n\r\nPlease find attached our response to your request %s.\r\n"+
		"Section 1(1)(a): we hold the information. Section 1(1)(b): it is attached.\r\n\r\nInformation Governance\r\n", boundary, ref)
	pick := []namedFile{g.files[i%len(g.files)], g.files[(i*7+3)%len(g.files)]}
	var csv strings.Builder
	csv.WriteString("post,band,directorate,wte,lived experience required\r\n")
	for r := 0; r < 300+g.rng.IntN(400); r++ {
		fmt.Fprintf(&csv, "Peer Support Worker %d,%d,Adult Mental Health,%.1f,yes\r\n", r, 3+r%5, 0.5+float64(r%3)/2)
	}
	pick = append(pick, namedFile{name: "posts-" + ref + ".csv", ctype: "text/csv", data: []byte(csv.String())})
	for _, f := range pick {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			boundary, f.ctype, f.name, f.name)
		writeBase64(&b, f.data)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// rehead replaces the Subject and Message-ID of a message (adding them if
// missing), keeping the rest of its header and body as they are.
func rehead(raw []byte, subject, id string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	sep := "\r\n"
	if end < 0 {
		end = bytes.Index(raw, []byte("\n\n"))
		sep = "\n"
	}
	if end < 0 {
		end = len(raw)
	}
	head, body := raw[:end], raw[end:]
	var out bytes.Buffer
	lines := strings.Split(string(head), sep)
	skip := false
	for _, l := range lines {
		if skip && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			continue
		}
		low := strings.ToLower(l)
		skip = strings.HasPrefix(low, "subject:") || strings.HasPrefix(low, "message-id:")
		if skip {
			continue
		}
		out.WriteString(l + sep)
	}
	fmt.Fprintf(&out, "Subject: %s%sMessage-ID: <%s>", subject, sep, id)
	out.Write(body)
	return out.Bytes()
}

func writeBase64(w io.Writer, data []byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var line []byte
	for i := 0; i < len(data); i += 3 {
		var v uint32
		n := min(3, len(data)-i)
		for j := 0; j < 3; j++ {
			v <<= 8
			if j < n {
				v |= uint32(data[i+j])
			}
		}
		chunk := []byte{alphabet[v>>18&63], alphabet[v>>12&63], alphabet[v>>6&63], alphabet[v&63]}
		if n < 3 {
			chunk[3] = '='
		}
		if n < 2 {
			chunk[2] = '='
		}
		line = append(line, chunk...)
		if len(line) >= 76 {
			w.Write(append(line, '\r', '\n'))
			line = line[:0]
		}
	}
	if len(line) > 0 {
		w.Write(append(line, '\r', '\n'))
	}
}

// --- send -------------------------------------------------------------------

func benchSend(ns []int, keep bool) error {
	b, err := start(keep)
	if err != nil {
		return err
	}
	defer b.stop(keep)
	fmt.Printf("\nsend: foi send LXP7, rate 0, to the harness's Postfix (submission, STARTTLS, AUTH), Sent copy appended to Dovecot\n")
	fmt.Printf("%-8s %-18s %s\n", "letters", "foi send", "letters/s")
	var first timing
	for i, n := range ns {
		dir := filepath.Join(b.dir, fmt.Sprintf("send-%d", n))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := b.campaign(dir, n); err != nil {
			return err
		}
		cmd := exec.Command(b.foi, "--config", filepath.Join(dir, "foi.yaml"), "--now", "2026-03-02T10:00", "--really-send-at-fake-time", "send", "LXP7")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), b.s.Env()...)
		// The outbox logs where each letter's time goes at debug level.
		cmd.Env = append(cmd.Env, "FOI_LOG=debug")
		var logBuf bytes.Buffer
		cmd.Stderr = &logBuf
		t, err := timed(cmd)
		if err != nil {
			return fmt.Errorf("%v\n%s", err, tail(logBuf.String(), 2000))
		}

		note := ""
		if i == 0 {
			first = t
		} else {
			note = fmt.Sprintf("  %.1fx the time of %d for %.0fx the letters", t.wall.Seconds()/first.wall.Seconds(), ns[0], float64(n)/float64(ns[0]))
		}
		fmt.Printf("%-8d %-18s %.0f%s\n", n, t, float64(n)/t.wall.Seconds(), note)
		fmt.Printf("         a letter's time: %s\n", letterTimings(logBuf.String()))
	}
	return nil
}

// --- idle -------------------------------------------------------------------

// benchIdle runs foi serve's watcher (foi serve) against Dovecot and
// delivers n replies through Postfix one by one, timing each from Postfix
// accepting it (the end of the SMTP transaction; Dovecot gets it over LMTP
// at once) to foi having filed it.
func benchIdle(n int, keep bool) error {
	b, err := start(keep)
	if err != nil {
		return err
	}
	defer b.stop(keep)
	dir := filepath.Join(b.dir, "idle")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := b.campaign(dir, 3); err != nil {
		return err
	}
	if _, err := b.run(dir, "send", "LXP7"); err != nil {
		return err
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "foi.yaml"))
	cfg = append(cfg, []byte("web:\n  listen: 127.0.0.1:0\n")...)
	os.WriteFile(filepath.Join(dir, "foi.yaml"), cfg, 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve := exec.CommandContext(ctx, b.foi, "--config", filepath.Join(dir, "foi.yaml"), "serve")
	serve.Dir = dir
	serve.Env = append(os.Environ(), b.s.Env()...)
	var log bytes.Buffer
	serve.Stdout, serve.Stderr = &log, &log
	if err := serve.Start(); err != nil {
		return err
	}
	defer func() { serve.Process.Signal(syscall.SIGTERM); serve.Wait() }()
	time.Sleep(2 * time.Second) // first pass done, in IDLE
	st, err := store.OpenExisting(ctx, filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	defer st.Close()
	var lat []time.Duration
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("idle-%d-%d@trust1.test", i, time.Now().UnixNano())
		raw := fmt.Sprintf("From: FOI Team <foi@trust1.test>\r\nTo: %s\r\nSubject: RE: Freedom of Information request [LXP7-001]: Band 7 roles\r\n"+
			"Message-ID: <%s>\r\nDate: %s\r\n\r\nWe acknowledge receipt of your request.\r\n", b.s.Campaign.Address, id, time.Now().Format(time.RFC1123Z))
		if err := b.s.SendSMTP("foi@trust1.test", []string{b.s.Campaign.Address}, []byte(raw)); err != nil {
			return err
		}
		accepted := time.Now()
		deadline := accepted.Add(10 * time.Second)
		for {
			var n int
			if err := st.DB().QueryRow(`SELECT count(*) FROM messages WHERE message_id = ?`, id).Scan(&n); err == nil && n > 0 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("reply %d not filed within 10 s; foi serve said:\n%s", i, log.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(accepted))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("\nidle: %d replies, Postfix accepted -> foi filed: min %s, median %s, max %s\n", n,
		lat[0].Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// letterTimings averages the outbox's "letter timings" log lines.
func letterTimings(log string) string {
	keys := []string{"claim", "smtp", "record", "sent_copy"}
	sums := map[string]time.Duration{}
	n := 0
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="letter timings"`) {
			continue
		}
		n++
		for _, f := range strings.Fields(line) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				continue
			}
			if d, err := time.ParseDuration(v); err == nil {
				sums[k] += d
			}
		}
	}
	if n == 0 {
		return "no timings logged"
	}
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.1f ms", k, float64(sums[k].Microseconds())/1000/float64(n)))
	}
	return strings.Join(parts, ", ")
}

// --- status and tick ----------------------------------------------------------

// benchTick times `foi status` and the scheduler's planning (`foi tick
// --dry-run`) for campaigns of n requests, every one sent on Mon 2 Mar 2026
// and silent since, on Fri 3 Apr 2026 (the first chasers are due: the
// answer was due on Tue 31 Mar). The letters are recorded as sent in the
// store directly (one transaction), not sent: sending 20,000 letters would
// time the mail server, not the schedule.
func benchTick(ns []int, keep bool) error {
	b, err := start(keep)
	if err != nil {
		return err
	}
	defer b.stop(keep)
	fmt.Printf("\nstatus and tick --dry-run, every request sent on 2 Mar 2026, run on 3 Apr 2026 (first chasers due)\n")
	fmt.Printf("%-9s %-18s %-18s %s\n", "requests", "foi status", "foi tick --dry-run", "planned")
	for _, n := range ns {
		dir := filepath.Join(b.dir, fmt.Sprintf("tick-%d", n))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := b.campaign(dir, n); err != nil {
			return err
		}
		// Queue every letter with foi send against a server that is not
		// there (each waits, pending), then record them all as sent.
		cfgPath := filepath.Join(dir, "foi.yaml")
		cfg, _ := os.ReadFile(cfgPath)
		noServer := bytes.Replace(cfg, []byte(fmt.Sprintf("port: %d\n", b.s.SubmissionPort)), []byte("port: 1\n"), 1)
		noServer = bytes.Replace(noServer, []byte("  rate: 0s\n"), []byte("  rate: 0s\n  retry_backoff: 1ms\n  retry_max: 1ms\n  max_attempts: 1\n"), 1)
		os.WriteFile(cfgPath, noServer, 0o600)
		b.run(dir, "send", "LXP7") // fails: the server is not there
		os.WriteFile(cfgPath, cfg, 0o600)
		if err := markAllSent(filepath.Join(dir, "data"), time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)); err != nil {
			return err
		}
		var row []string
		planned := 0
		for _, args := range [][]string{{"status", "LXP7"}, {"tick", "--dry-run"}} {
			full := append([]string{"--config", filepath.Join(dir, "foi.yaml"), "--now", "2026-04-03T10:00", "--json"}, args...)
			cmd := exec.Command(b.foi, full...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), b.s.Env()...)
			var out bytes.Buffer
			cmd.Stdout = &out
			t, err := timed(cmd)
			if err != nil {
				return err
			}
			row = append(row, t.String())
			if args[0] == "tick" {
				planned = bytes.Count(out.Bytes(), []byte(`"ref"`))
			}
		}
		fmt.Printf("%-9d %-18s %-18s %d\n", n, row[0], row[1], planned)
	}
	return nil
}

// markAllSent records every queued first letter as sent at sent, in one
// transaction, as a run of foi send would have left it.
func markAllSent(data string, sent time.Time) error {
	st, err := store.OpenExisting(context.Background(), data)
	if err != nil {
		return err
	}
	defer st.Close()
	at := sent.UTC().Format(time.RFC3339Nano)
	tx, err := st.DB().Begin()
	if err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE outbox SET state = 'sent', sent_at = ?, sent_copy = 'skipped' WHERE state IN ('pending', 'temp_failed')`,
		`UPDATE requests SET state = 'sent', sent_at = ? WHERE state IN ('queued', 'draft')`,
	} {
		if _, err := tx.Exec(q, at); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}
