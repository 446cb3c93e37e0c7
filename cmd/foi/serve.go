package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"foi/config"
	"foi/inbox"
	"foi/lifecycle"
	"foi/store"
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
	unlock, err := lockOutbox(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	w, err := newWatcher(ctx, cfg, st, a)
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
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); err != nil {
			errs <- fmt.Errorf("watcher: %w", err)
			cancel()
		}
	}()
	go func() {
		defer wg.Done()
		if err := a.scheduleLoop(ctx, cfg, st, kick); err != nil && !errors.Is(err, context.Canceled) {
			errs <- fmt.Errorf("scheduler: %w", err)
			cancel()
		}
	}()
	fmt.Fprintf(a.stdout, "foi is watching %s on %s and keeping the schedule. Stop with Ctrl-C.\n", cfg.IMAP.Folder, cfg.IMAP.Host)
	wg.Wait()
	close(errs)
	return <-errs
}

// scheduleLoop ticks, then sleeps until the next due moment or a kick.
func (a *app) scheduleLoop(ctx context.Context, cfg *config.Config, st *store.Store, kick <-chan struct{}) error {
	for {
		if _, _, err := a.tick(ctx, cfg, st); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A database that cannot be written stops the service rather
			// than losing track (SPEC section 10); a mail server that cannot
			// be reached is retried by the outbox itself.
			return err
		}
		wait := a.untilNext(ctx, cfg, st)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// untilNext is how long to sleep: until the next scheduled step or the
// next letter's attempt, at most an hour (the clock moves on by itself).
func (a *app) untilNext(ctx context.Context, cfg *config.Config, st *store.Store) time.Duration {
	now := a.now()
	next := now.Add(time.Hour)
	if sch, err := newScheduler(ctx, cfg, st, a); err == nil {
		if reqs, err := st.Requests(ctx, ""); err == nil {
			for _, r := range reqs {
				if f, err := sch.Facts(ctx, r); err == nil {
					if act, ok := sch.Next(f); ok && act.On.Before(next) {
						next = act.On
					}
				}
			}
		}
	}
	if items, err := st.Outbox(ctx, ""); err == nil {
		for _, it := range items {
			if (it.State == lifecycle.OutboxPending || it.State == lifecycle.OutboxTempFailed) && it.NextAttemptAt.Before(next) {
				next = it.NextAttemptAt
			}
		}
	}
	d := next.Sub(now)
	if d < time.Second {
		d = time.Second
	}
	return d
}
