package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"foi"
	"foi/localmail"
)

// cmdDemo runs the example campaign against mail servers inside the
// process, in a fresh folder, so that anyone can watch foi work without a
// mail account.
func (a *app) cmdDemo(ctx context.Context, args []string) error {
	fs := a.flags("demo")
	dir := fs.String("dir", "", "folder for the demo's data (default: a new temporary folder)")
	headless := fs.Bool("headless", false, "no live output, just the final state")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := a.setup(); err != nil {
		return err
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
	cfgPath := filepath.Join(*dir, "foi.yaml")
	if err := os.WriteFile(filepath.Join(*dir, "password"), []byte(srv.Password), 0o600); err != nil {
		return err
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
  rate: 100ms
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
`, srv.User, srv.SMTPPort(), srv.User, srv.CAFile, srv.IMAPPort(), srv.User, srv.CAFile)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	for _, name := range []string{"trusts.csv", "stage2-did-not-apply.txt", "stage3-applied.txt"} {
		b, err := foi.Examples.ReadFile("examples/" + name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, name), b, 0o600); err != nil {
			return err
		}
	}
	sub := &app{stdout: a.stdout, stderr: a.stderr, cfgPath: cfgPath, now: a.now, log: a.log, json: a.json}
	quiet := &app{stdout: discard{}, stderr: a.stderr, cfgPath: cfgPath, now: a.now, log: a.log}
	if *headless {
		sub.stdout = discard{}
	}
	steps := [][]string{
		{"authorities", "import", filepath.Join(*dir, "trusts.csv")},
		{"campaign", "new", "LXP7N", "--title", "Band 7 Lived Experience Professional roles: why not apply?",
			"--letter", filepath.Join(*dir, "stage2-did-not-apply.txt"), "--authorities", "tag:did-not-apply"},
		{"campaign", "new", "LXP7A", "--title", "Band 7 Lived Experience Professional roles: the funded posts",
			"--letter", filepath.Join(*dir, "stage3-applied.txt"), "--authorities", "tag:applied"},
	}
	for _, s := range steps {
		if err := quiet.dispatch(ctx, s); err != nil {
			return fmt.Errorf("demo: foi %v: %w", s, err)
		}
	}
	if !*headless {
		fmt.Fprintf(a.stdout, "foi demo: sending the example campaign (55 NHS mental-health trusts) to mail servers inside this process.\n\n")
	}
	for _, slug := range []string{"LXP7N", "LXP7A"} {
		if err := sub.dispatch(ctx, []string{"send", slug}); err != nil {
			return err
		}
	}
	if a.json {
		return quietJSON(ctx, a, cfgPath)
	}
	if err := sub.dispatch(ctx, []string{"status"}); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nThe demo's data is in %s. Try:\n  go run ./cmd/foi --config %s status LXP7N\n  go run ./cmd/foi --config %s campaign preview LXP7A LXP7A-001\n",
		*dir, cfgPath, cfgPath)
	return nil
}

func quietJSON(ctx context.Context, a *app, cfgPath string) error {
	sub := &app{stdout: a.stdout, stderr: a.stderr, cfgPath: cfgPath, now: a.now, log: a.log, json: true}
	return sub.dispatch(ctx, []string{"status"})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
