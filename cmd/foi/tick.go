package main

import (
	"context"
	"fmt"
	"foi/config"
	"foi/mailbox"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// requestFacts opens the store and the scheduler and reads what is known
// about one request. The caller closes the store.
func (a *app) requestFacts(ctx context.Context, ref string) (*store.Store, *schedule.Scheduler, schedule.Facts, error) {
	cfg, st, err := a.open(ctx)
	if err != nil {
		return nil, nil, schedule.Facts{}, err
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err == nil {
		var r store.Request
		if r, err = st.Request(ctx, ref); err == nil {
			var f schedule.Facts
			if f, err = sch.Facts(ctx, r); err == nil {
				return st, sch, f, nil
			}
		}
	}
	st.Close()
	return nil, nil, schedule.Facts{}, err
}

func newScheduler(ctx context.Context, cfg *config.Config, st *store.Store, a *app) (*schedule.Scheduler, error) {
	pol, err := schedule.PolicyFrom(cfg.Schedule)
	if err != nil {
		return nil, err
	}
	cal, err := loadCalendar(cfg.DataDir())
	if err != nil {
		return nil, err
	}
	s := &schedule.Scheduler{Store: st, Cal: cal, Letters: templates.New(cfg.TemplatesDir()), Policy: pol, Log: a.log}
	if cfg.Requester.PlusAddressing {
		if s.PlusSecret, err = st.Secret(ctx, "plus-address"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// cmdTick runs one pass of the scheduler, then sends what is due.
func (a *app) cmdTick(ctx context.Context, args []string) error {
	fs := a.flags("tick")
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
	planned, sum, err := a.tick(ctx, cfg, st)
	if err != nil {
		return err
	}
	if a.json {
		if planned == nil {
			planned = []schedule.Planned{}
		}
		return a.printJSON(map[string]any{"planned": planned, "sent": sum})
	}
	for _, p := range planned {
		what := "queued"
		if p.Draft {
			what = "drafted (see foi drafts)"
		}
		fmt.Fprintf(a.stdout, "%s: %s %s\n", p.Ref, p.Step, what)
	}
	fmt.Fprintf(a.stdout, "%d planned; %d sent, %d failed, %d waiting\n", len(planned), sum.Sent, sum.Failed, sum.Waiting)
	return nil
}

// tick plans due steps and sends the outbox's due letters without waiting.
func (a *app) tick(ctx context.Context, cfg *config.Config, st *store.Store) ([]schedule.Planned, mailer.Summary, error) {
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return nil, mailer.Summary{}, err
	}
	planned, err := sch.Tick(ctx, a.now())
	if err != nil {
		return planned, mailer.Summary{}, err
	}
	ob := newOutbox(cfg, st, a)
	sent := mailbox.NewSent(cfg.IMAP, mailbox.Options{Dir: cfg.Dir})
	defer sent.Close()
	ob.Sent, ob.NoWait, ob.Guard = sent, true, sch.Guard(a.now)
	sum, err := ob.Drain(ctx, "", 0)
	return planned, sum, err
}
