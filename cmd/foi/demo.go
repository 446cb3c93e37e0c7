package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"foi"
	"foi/demo"
	"foi/lifecycle"
	"foi/localmail"
	"foi/report"
)

// cmdDemo runs the example campaign against mail servers inside the
// process, in a fresh folder, with simulated authorities and a fast clock,
// so that anyone can watch foi work without a mail account.
func (a *app) cmdDemo(ctx context.Context, args []string) error {
	fs := a.flags("demo")
	dir := fs.String("dir", "", "folder for the demo's data (default: a new temporary folder)")
	headless := fs.Bool("headless", false, "no live board, just the final state")
	speed := fs.Duration("day", 200*time.Millisecond, "real time per simulated day, beyond the work itself")
	days := fs.Int("days", 125, "simulated days to run")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := a.setup(); err != nil {
		return err
	}
	if *headless {
		*speed = 0
	}
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
	quiet := &app{stdout: io.Discard, stderr: a.stderr, cfgPath: cfgPath, now: clock.Now, log: a.log}
	auth := demo.NewAuthorities(srv, clock)
	srv.OnDeliver(auth.Receive)

	steps := [][]string{
		{"authorities", "import", filepath.Join(*dir, "trusts.csv")},
		{"campaign", "new", "LXP7N", "--title", "Band 7 Lived Experience Professional roles: why not apply?",
			"--letter", filepath.Join(*dir, "stage2-did-not-apply.txt"), "--authorities", "tag:did-not-apply"},
		{"campaign", "new", "LXP7A", "--title", "Band 7 Lived Experience Professional roles: the funded posts",
			"--letter", filepath.Join(*dir, "stage3-applied.txt"), "--authorities", "tag:applied"},
		{"send", "LXP7N"},
		{"send", "LXP7A"},
	}
	for _, s := range steps {
		if err := quiet.dispatch(ctx, s); err != nil {
			return fmt.Errorf("demo: foi %s: %w", strings.Join(s, " "), err)
		}
	}
	live := !*headless && !a.json
	for day := 0; day < *days; day++ {
		if err := ctx.Err(); err != nil {
			break
		}
		for _, hour := range []int{9, 12, 15} {
			clock.Set(start.AddDate(0, 0, day).Add(time.Duration(hour-9) * time.Hour))
			auth.DeliverDue(clock.Now())
			if err := quiet.dispatch(ctx, []string{"sync"}); err != nil {
				return fmt.Errorf("demo: sync: %w", err)
			}
			if err := a.demoUser(ctx, quiet, auth); err != nil {
				return err
			}
			if err := quiet.dispatch(ctx, []string{"tick"}); err != nil {
				return fmt.Errorf("demo: tick: %w", err)
			}
		}
		if live {
			a.board(ctx, quiet, clock.Now(), day, *days)
			time.Sleep(*speed)
		}
	}
	final, err := demoStatus(ctx, quiet)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"dir": *dir, "config": cfgPath, "now": clock.Now(), "requests": final, "roles": demo.Roles, "expect": demo.Expect})
	}
	if live {
		a.board(ctx, quiet, clock.Now(), *days, *days)
	}
	fmt.Fprintf(a.stdout, "\nThe demo ran the example campaign from %s to %s. Its data is in %s. Try:\n",
		start.Format("2 January 2006"), clock.Now().Format("2 January 2006"), *dir)
	now := clock.Now().Format("2006-01-02T15:04")
	for _, c := range []string{"status LXP7N", "show LXP7N-001", "show LXP7N-004", "drafts",
		"ico-pack LXP7N-005 --out " + filepath.Join(*dir, "LXP7N-005-ico.zip"), "attachments LXP7N-001 --out " + filepath.Join(*dir, "files")} {
		fmt.Fprintf(a.stdout, "  go run ./cmd/foi --config %s --now %s %s\n", cfgPath, now, c)
	}
	return nil
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
  final_chaser: auto
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

// demoUser plays the campaign's volunteer: answers a clarification
// request, confirms refusals and approves the review drafts with grounds.
func (a *app) demoUser(ctx context.Context, q *app, auth *demo.Authorities) error {
	rows, err := demoStatus(ctx, q)
	if err != nil {
		return err
	}
	for _, r := range rows {
		role := demo.Roles[r.Ref]
		switch {
		case r.State == lifecycle.AwaitingClarification:
			if err := q.dispatch(ctx, []string{"reply", r.Ref, "--template", "clarification",
				"--fill", "By senior posts we mean Band 7 and above."}); err != nil {
				return fmt.Errorf("demo: clarify %s: %w", r.Ref, err)
			}
		case r.State == lifecycle.Responded && role == "refuse-s12":
			if err := q.dispatch(ctx, []string{"mark", r.Ref, "refused", "--note", "cost limit (s.12) cited"}); err != nil {
				return err
			}
		}
	}
	_, st, err := q.open(ctx)
	if err != nil {
		return err
	}
	drafts, err := st.Drafts(ctx)
	st.Close()
	if err != nil {
		return err
	}
	for _, d := range drafts {
		if d.Step == lifecycle.StepReviewRefusal {
			if err := q.dispatch(ctx, []string{"approve", fmt.Sprint(d.ID), "--grounds",
				"A narrower search of the workforce records would fall well within the cost limit; please advise and assist under section 16."}); err != nil {
				return fmt.Errorf("demo: approve %d: %w", d.ID, err)
			}
		}
	}
	return nil
}

func demoStatus(ctx context.Context, q *app) ([]report.Row, error) {
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

// board draws the live view of the campaign.
func (a *app) board(ctx context.Context, q *app, now time.Time, day, days int) {
	rows, err := demoStatus(ctx, q)
	if err != nil {
		return
	}
	counts := map[lifecycle.State]int{}
	for _, r := range rows {
		counts[r.State]++
	}
	var b strings.Builder
	b.WriteString("\033[H\033[2J")
	fmt.Fprintf(&b, "foi demo — %s (day %d of %d)   %d requests\n", now.Format("Mon 2 Jan 2006"), day, days, len(rows))
	var states []string
	for s, n := range counts {
		states = append(states, fmt.Sprintf("%s %d", s, n))
	}
	sort.Strings(states)
	fmt.Fprintf(&b, "%s\n\n", strings.Join(states, " · "))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tAUTHORITY\tSTATE\tCLOCK\tSCRIPT")
	for _, r := range rows {
		role, ok := demo.Roles[r.Ref]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Ref, truncate(r.Authority, 40), r.State, r.Clock, role)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n(and %d more requests answering on time; Ctrl-C stops)\n", len(rows)-len(demo.Roles))
	fmt.Fprint(a.stdout, b.String())
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
