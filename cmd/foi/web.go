package main

import (
	"context"
	"errors"
	"fmt"
	"net"

	"foi/config"
	"foi/schedule"
	"foi/store"
	"foi/web"
)

const usageWeb = `web
The dashboard alone, on web.listen (default http://127.0.0.1:8025/), until
Ctrl-C: the board, the requests and their actions, without watching the
mailbox or sending (foi serve does both, with the dashboard). Letters you
approve there wait for the next foi serve, foi tick or foi send.

Example:
  foi web`

// cmdWeb serves the dashboard alone until interrupted.
func (a *app) cmdWeb(ctx context.Context, args []string) error {
	fs := a.flags("web")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usagef("web takes no arguments")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	run, url, err := a.dashboard(ctx, cfg, st, sch, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "The dashboard is at %s (stop with Ctrl-C).\n", url)
	return run(ctx)
}

// dashboard checks web.listen against the volunteer accounts, listens, and
// returns the dashboard's Run and its address. kick wakes the outbox (nil
// for none).
func (a *app) dashboard(ctx context.Context, cfg *config.Config, st *store.Store, sch *schedule.Scheduler, kick func()) (func(context.Context) error, string, error) {
	if err := web.CheckListen(ctx, st, cfg.Web.Listen); err != nil {
		if errors.Is(err, web.ErrNoAccounts) {
			return nil, "", fmt.Errorf("%v (web.listen in %s)", err, a.configPath())
		}
		return nil, "", err
	}
	cert, key := cfg.WebTLS()
	srv, err := web.New(web.Options{Store: st, Scheduler: sch, Now: a.now, Log: a.log, Listen: cfg.Web.Listen,
		LocalUser: cfg.Web.LocalUser, Secure: cert != "", Kick: kick})
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", cfg.Web.Listen)
	if err != nil {
		return nil, "", fmt.Errorf("the dashboard cannot listen on %s (web.listen): %w", cfg.Web.Listen, err)
	}
	scheme := "http"
	if cert != "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s/", scheme, ln.Addr())
	run := func(ctx context.Context) error {
		err := srv.Run(ctx, ln, cert, key)
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("dashboard: %w", err)
		}
		return nil
	}
	return run, url, nil
}
