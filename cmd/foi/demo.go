package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"foi"
	"foi/demo"
	"foi/localmail"
	"foi/report"
)

// cmdDemo runs the example campaign against mail servers inside the
// process, in a fresh folder, with simulated authorities, a scripted
// volunteer and a fast clock, and serves the dashboard on loopback, so
// that anyone can watch foi work without a mail account.
func (a *app) cmdDemo(ctx context.Context, args []string) error {
	fs := a.flags("demo")
	dir := fs.String("dir", "", "folder for the demo's data (default: a new temporary folder)")
	headless := fs.Bool("headless", false, "no live board and no waiting: run at full speed, print the final state and exit")
	stay := fs.Bool("stay", false, "with --headless: keep the dashboard up after the run, until Ctrl-C")
	listen := fs.String("listen", "127.0.0.1:0", "loopback address for the dashboard (port 0: any free port)")
	speed := fs.Duration("day", 200*time.Millisecond, "real time per simulated day, beyond the work itself")
	days := fs.Int("days", 125, "simulated days to run")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := a.setup(); err != nil {
		return err
	}
	if *days < 1 {
		return usagef("--days must be at least 1")
	}
	if host, _, err := net.SplitHostPort(*listen); err != nil || !net.ParseIP(host).IsLoopback() {
		return usagef("demo --listen %s: the demo's dashboard listens only on a loopback address such as 127.0.0.1:8025", *listen)
	}
	width, height := terminalSize(a.stdout)
	if !a.json {
		// The only words a first `go run ./cmd/foi demo` can say about the
		// minute of silence before them (issue 14, finding 9).
		a.say(width, "foi demo — if this is the first run, Go spent about a minute compiling foi before this line. The demo itself takes about a minute.")
	}
	if *headless {
		*speed = 0
	}
	wait := !*headless || *stay
	if *dir == "" {
		d, err := os.MkdirTemp("", "foi-demo-")
		if err != nil {
			return err
		}
		*dir = d
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	srv, err := localmail.Start(localmail.Options{Dir: *dir})
	if err != nil {
		return fmt.Errorf("start the demo mail servers: %w", err)
	}
	defer srv.Close()
	cfgPath, err := writeDemoConfig(*dir, srv)
	if err != nil {
		return err
	}
	if err := initDataDir(ctx, filepath.Join(*dir, "data")); err != nil {
		return err
	}
	loc := londonLoc()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, loc)
	clock := demo.NewClock(start)
	// The demo's own commands speak only through the board: their log
	// lines would scroll it away. Errors still come back to stop the demo.
	quiet := &app{stdout: io.Discard, stderr: a.stderr, cfgPath: cfgPath, now: clock.Now,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	auth := demo.NewAuthorities(srv, clock)
	srv.OnDeliver(auth.Receive)

	steps := [][]string{
		{"authorities", "import", filepath.Join(*dir, "trusts.csv")},
		{"campaign", "new", "LXP7N", "--title", "Band 7 Lived Experience Professional roles: why not apply?",
			"--letter", filepath.Join(*dir, "stage2-did-not-apply.txt"), "--authorities", "tag:did-not-apply"},
		{"campaign", "new", "LXP7A", "--title", "Band 7 Lived Experience Professional roles: the funded posts",
			"--letter", filepath.Join(*dir, "stage3-applied.txt"), "--authorities", "tag:applied"},
		{"send", "LXP7N"},
	}
	for _, s := range steps {
		if err := quiet.dispatch(ctx, s); err != nil {
			return fmt.Errorf("demo: foi %s: %w", strings.Join(s, " "), err)
		}
	}
	dash, err := a.startDemoDashboard(ctx, quiet, *listen)
	if err != nil {
		return err
	}
	defer dash.stop()
	if !a.json {
		a.say(width, fmt.Sprintf("The dashboard: %s — open it in a browser; it follows the campaign as it runs.", dash.url))
	}
	vol := &volunteer{q: quiet}
	live := !*headless && !a.json
	day := 0
	for ; day < *days && ctx.Err() == nil; day++ {
		if err := a.demoDay(ctx, quiet, auth, vol, clock, start, day); err != nil {
			if ctx.Err() != nil {
				break // Ctrl-C in the middle of a step: stop there
			}
			return err
		}
		if live {
			if b, err := demoBoard(ctx, quiet, dash.url, day+1, *days, width, height, vol.did); err == nil {
				fmt.Fprint(a.stdout, "\033[H\033[2J", b)
			}
			select {
			case <-time.After(*speed):
			case <-ctx.Done():
			}
		}
	}
	if ctx.Err() != nil {
		// Ctrl-C: what has happened so far stays, and can be looked at.
		if !a.json {
			a.say(width, fmt.Sprintf("\nStopped on %s, day %d of %d. The data so far is in %s: go run ./cmd/foi --config %s --now %s status",
				clock.Now().Format("Mon 2 January 2006"), day, *days, *dir, cfgPath, clock.Now().Format("2006-01-02T15:04")))
		}
		return nil
	}
	final, err := demoRows(ctx, quiet)
	if err != nil {
		return err
	}
	if a.json {
		if err := a.printJSON(map[string]any{"dir": *dir, "config": cfgPath, "now": clock.Now(), "dashboard": dash.url,
			"requests": final, "roles": demo.Roles, "expect": demo.Expect, "left_for_you": demo.LeftForYou}); err != nil {
			return err
		}
	} else {
		if live {
			b, err := demoBoard(ctx, quiet, dash.url, *days, *days, width, height, vol.did)
			if err != nil {
				return err
			}
			fmt.Fprint(a.stdout, "\033[H\033[2J", b)
		}
		a.demoEnd(final, start, clock.Now(), *dir, cfgPath, dash.url, width)
	}
	if wait {
		if !a.json {
			a.say(width, fmt.Sprintf("\nThe dashboard stays up at %s until you press Ctrl-C.", dash.url))
		}
		<-ctx.Done()
	}
	return nil
}

// demoDay runs one simulated day: LXP7A's letters on their day, then at
// 9:00, 12:00 and 15:00 the authorities' replies arrive, foi files them,
// the volunteer works, and the schedule sends what is due.
func (a *app) demoDay(ctx context.Context, quiet *app, auth *demo.Authorities, vol *volunteer, clock *demo.Clock, start time.Time, day int) error {
	if day == demo.SendLXP7A {
		clock.Set(start.AddDate(0, 0, day))
		if err := quiet.dispatch(ctx, []string{"send", "LXP7A"}); err != nil {
			return fmt.Errorf("demo: foi send LXP7A: %w", err)
		}
	}
	for _, hour := range []int{9, 12, 15} {
		clock.Set(start.AddDate(0, 0, day).Add(time.Duration(hour-9) * time.Hour))
		auth.DeliverDue(clock.Now())
		if err := quiet.dispatch(ctx, []string{"sync"}); err != nil {
			return fmt.Errorf("demo: sync: %w", err)
		}
		if err := vol.work(ctx); err != nil {
			return err
		}
		if err := quiet.dispatch(ctx, []string{"tick"}); err != nil {
			return fmt.Errorf("demo: tick: %w", err)
		}
	}
	return nil
}

// demoEnd says what the demo did, names every campaign, and says where to
// look closer.
func (a *app) demoEnd(rows []report.Row, start, end time.Time, dir, cfgPath, url string, width int) {
	a.say(width, fmt.Sprintf("\nThe demo ran from %s to %s. Its data is in %s.\n",
		start.Format("Mon 2 January 2006"), end.Format("Mon 2 January 2006"), dir))
	for _, c := range demoCampaigns(rows) {
		a.say(width, c.slug+": "+c.summary())
	}
	a.say(width, fmt.Sprintf("\n%s, the demo's volunteer, confirmed what the replies said and approved the letters, but left you these to do on the dashboard, %s:", demoVolunteer, url))
	for _, ref := range demoKeys(demo.LeftForYou) {
		a.say(width, fmt.Sprintf("  %s: %s", ref, demo.LeftForYou[ref]))
	}
	a.say(width, "\nOr look closer from the command line:")
	now := end.Format("2006-01-02T15:04")
	cmds := []string{}
	for _, c := range demoCampaigns(rows) {
		cmds = append(cmds, "status "+c.slug)
	}
	cmds = append(cmds, "show LXP7N-004", "drafts",
		"ico-pack LXP7N-005 --out "+filepath.Join(dir, "LXP7N-005-ico.zip"),
		"attachments LXP7N-001 --out "+filepath.Join(dir, "files"))
	for _, c := range cmds {
		// A command is not wrapped: it is to be copied whole.
		fmt.Fprintf(a.stdout, "  go run ./cmd/foi --config %s --now %s %s\n", cfgPath, now, c)
	}
}

// say writes text wrapped to width, each paragraph's later lines indented
// as its first.
func (a *app) say(width int, text string) {
	for _, para := range strings.Split(text, "\n") {
		if para == "" {
			fmt.Fprintln(a.stdout)
			continue
		}
		indent := para[:len(para)-len(strings.TrimLeft(para, " "))]
		for _, line := range wrapWidth(para, width, indent, indent+"  ") {
			fmt.Fprintln(a.stdout, line)
		}
	}
}

func writeDemoConfig(dir string, srv *localmail.Server) (string, error) {
	cfgPath := filepath.Join(dir, "foi.yaml")
	if err := os.WriteFile(filepath.Join(dir, "password"), []byte(srv.Password), 0o600); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`# Written by foi demo: mail servers inside the demo process on loopback.
requester:
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
  rate: 0s
imap:
  host: 127.0.0.1
  port: %d
  security: starttls
  auth: plain
  username: %q
  password_file: password
  ca_file: %q
storage:
  data_dir: data
schedule:
  first_chaser: auto
  final_chaser: draft
  review_on_silence: auto
  review_after_refusal: draft
  ico_complaint: draft
`, srv.User, srv.SMTPPort(), srv.User, srv.CAFile, srv.IMAPPort(), srv.User, srv.CAFile)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return "", err
	}
	for _, name := range []string{"trusts.csv", "stage2-did-not-apply.txt", "stage3-applied.txt"} {
		b, err := foi.Examples.ReadFile("examples/" + name)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return "", err
		}
	}
	return cfgPath, nil
}

// demoRows is every request's row at the demo's now.
func demoRows(ctx context.Context, q *app) ([]report.Row, error) {
	cfg, st, err := q.open(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, q)
	if err != nil {
		return nil, err
	}
	return report.Board(ctx, sch, "", q.now())
}

// zipNames lists a zip file's entries (for the demo's test).
func zipNames(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var n []string
	for _, f := range zr.File {
		n = append(n, f.Name)
	}
	return n, nil
}
