package main

import (
	"context"
	"errors"
	"fmt"

	"foi/inbox"
	"foi/mailer"
	"foi/schedule"
)

// cmdServe runs the mailbox watcher and the scheduler with its outbox
// until interrupted. The scheduler's loop is "the database is the queue, a
// timer to the next due item and a kick channel": it wakes when a step or a
// letter is due, or when the watcher files new mail.
func (a *app) cmdServe(ctx context.Context, args []string) error {
	fs := a.flags("serve")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	a.serveLog()
	unlock, err := mailer.Lock(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	w, err := newWatcher(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	runDigest, kickDigest, err := a.serveDigest(ctx, cfg, st)
	if err != nil {
		return err
	}
	kick := make(chan struct{}, 1)
	w.OnPass = func(s inbox.Stats) {
		if s.Filed+s.Unmatched > 0 {
			select {
			case kick <- struct{}{}:
			default:
			}
			kickDigest()
		}
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	loop := &schedule.Loop{
		Scheduler: sch, Now: a.now, Kick: kick, Log: a.log,
		Send: func(ctx context.Context) error {
			_, err := a.drainDue(ctx, cfg, st, sch)
			return err
		},
	}
	// The dashboard is checked (web.listen against the accounts) and its
	// port taken before anything starts, so that a refusal is the only thing
	// said.
	runWeb, url, err := a.dashboard(ctx, cfg, st, sch, func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "foi is watching %s on %s and keeping the schedule; the dashboard is at %s. Stop with Ctrl-C.\n", cfg.IMAP.Folder, cfg.IMAP.Host, url)
	return runParts(ctx, []part{
		{"watcher", w.Run},
		{"scheduler", func(ctx context.Context) error {
			if err := loop.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		}},
		{"digest", runDigest},
		{"dashboard", runWeb},
	})
}

// part is one long-running piece of foi serve.
type part struct {
	name string
	run  func(context.Context) error
}

// runParts starts the parts in order, each under its own context, and
// runs them until ctx ends or one of them fails; then it stops them in the
// reverse order, waiting for each before stopping the next (the dashboard
// first, the watcher last), and returns the first failure.
func runParts(ctx context.Context, parts []part) error {
	type running struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	failed := make(chan error, len(parts))
	var list []running
	for _, p := range parts {
		pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r := running{cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(r.done)
			if err := p.run(pctx); err != nil && pctx.Err() == nil {
				failed <- fmt.Errorf("%s: %w", p.name, err)
			}
		}()
		list = append(list, r)
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-failed:
	}
	for i := len(list) - 1; i >= 0; i-- {
		list[i].cancel()
		<-list[i].done
	}
	return first
}
