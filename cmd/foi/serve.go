package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(3)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); err != nil {
			errs <- fmt.Errorf("watcher: %w", err)
			cancel()
		}
	}()
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
	go func() {
		defer wg.Done()
		if err := loop.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			errs <- fmt.Errorf("scheduler: %w", err)
			cancel()
		}
	}()
	go func() {
		defer wg.Done()
		if err := runDigest(ctx); err != nil {
			errs <- fmt.Errorf("digest: %w", err)
			cancel()
		}
	}()
	fmt.Fprintf(a.stdout, "foi is watching %s on %s and keeping the schedule. Stop with Ctrl-C.\n", cfg.IMAP.Folder, cfg.IMAP.Host)
	wg.Wait()
	close(errs)
	return <-errs
}
