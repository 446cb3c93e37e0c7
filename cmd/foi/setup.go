package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"foi"
	"foi/config"
	"foi/mailbox"
	"foi/mailer"
	"foi/store"
)

func (a *app) cmdInit(ctx context.Context, args []string) error {
	fs := a.flags("init")
	force := fs.Bool("force", false, "overwrite an existing foi.yaml")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := a.setup(); err != nil {
		return err
	}
	path := a.configPath()
	if _, err := os.Stat(path); err == nil && !*force {
		return fmt.Errorf("%s already exists; edit it, or run `foi init --force` to start again", path)
	}
	if err := os.WriteFile(path, foi.ConfigExample, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dataDir := filepath.Join(filepath.Dir(path), config.Default().Storage.DataDir)
	if err := initDataDir(ctx, dataDir); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Wrote %s and the data folder %s.\n", path, dataDir)
	fmt.Fprintf(a.stdout, "Next: edit the lines marked CHANGE ME, set FOI_SMTP_PASSWORD and FOI_IMAP_PASSWORD,\nthen run `foi check-config --connect`.\n")
	return nil
}

// initDataDir makes the data folder dir and its database, or brings an
// existing one up to date. It is the only way a data folder comes into
// being (`foi init`, and the demo for its own): every other command opens
// the store with store.OpenExisting, which refuses a missing one.
func initDataDir(ctx context.Context, dir string) error {
	st, err := store.Open(ctx, dir)
	if err != nil {
		return err
	}
	return st.Close()
}

func (a *app) cmdCheckConfig(ctx context.Context, args []string) error {
	fs := a.flags("check-config")
	connect := fs.Bool("connect", false, "log in to SMTP and IMAP")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	type result struct {
		Server string `json:"server"`
		OK     bool   `json:"ok"`
		Said   string `json:"said"`
	}
	problems := cfg.Check(foi.ConfigExample)
	// A server whose own settings are wrong is not tried: its error would
	// only repeat the problem, or wait for a host that does not exist.
	broken := func(section string) bool {
		for _, p := range problems {
			if strings.HasPrefix(p, section+".") || strings.HasPrefix(p, "requester.") && section == "smtp" {
				return true
			}
		}
		return false
	}
	results := []result{}
	if *connect && (broken("smtp") || broken("imap")) {
		defer fmt.Fprintln(a.stdout, "--connect: fix the problems above first; the servers were not tried.")
	}
	if *connect && !broken("smtp") && !broken("imap") {
		smtp := mailer.NewSMTP(cfg.SMTP, cfg.Dir)
		addr := fmt.Sprintf("smtp %s:%d (%s, auth %s)", cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.Security, cfg.SMTP.Auth)
		if err := smtp.Dial(ctx); err != nil {
			results = append(results, result{addr, false, err.Error()})
		} else {
			results = append(results, result{addr, true, "connected and logged in"})
			smtp.Close()
		}
		addr = fmt.Sprintf("imap %s:%d (%s, auth %s)", cfg.IMAP.Host, cfg.IMAP.Port, cfg.IMAP.Security, cfg.IMAP.Auth)
		c, err := mailbox.Dial(ctx, cfg.IMAP, mailbox.Options{Dir: cfg.Dir})
		if err != nil {
			results = append(results, result{addr, false, err.Error()})
		} else {
			said := "logged in"
			if sent, err := c.SentFolder(); err != nil {
				said += "; " + err.Error()
			} else {
				said += "; Sent folder: " + sent
			}
			results = append(results, result{addr, true, said})
			c.Logout()
		}
	}
	failed := false
	for _, r := range results {
		failed = failed || !r.OK
	}
	if a.json {
		json.NewEncoder(a.stdout).Encode(map[string]any{"config": a.configPath(), "valid": len(problems) == 0, "problems": append([]string{}, problems...), "connections": results})
	} else if len(problems) > 0 {
		fmt.Fprintf(a.stdout, "%s: %v\n", a.configPath(), problems)
	} else {
		fmt.Fprintf(a.stdout, "%s: valid\n", a.configPath())
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		for _, r := range results {
			status := "OK"
			if !r.OK {
				status = "FAILED"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Server, status, r.Said)
		}
		tw.Flush()
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s is not ready: %s above", a.configPath(), plural(len(problems), "problem"))
	}
	if failed {
		return errors.New("a server could not be reached or refused the login (see above)")
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
