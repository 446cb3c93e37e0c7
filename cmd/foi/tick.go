package main

import (
	"context"
	"fmt"
	"foi/calendar"
	"foi/config"
	"foi/lifecycle"
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
	cal, err := calendar.Load(cfg.DataDir())
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

// cmdTick runs one pass of the scheduler, then sends what is due; with
// --dry-run it shows what it would plan and send, and changes nothing.
func (a *app) cmdTick(ctx context.Context, args []string) error {
	fs := a.flags("tick")
	dry := fs.Bool("dry-run", false, "show what would be planned and sent; plan and send nothing")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *dry {
		return a.tickDryRun(ctx, cfg, st)
	}
	unlock, err := mailer.Lock(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	planned, sum, err := a.tick(ctx, cfg, st)
	if err != nil {
		err = blockedWords(err, sum)
	}
	if err != nil && planned == nil {
		return err
	}
	if a.json {
		if planned == nil {
			planned = []schedule.Planned{}
		}
		if perr := a.printJSON(map[string]any{"planned": planned, "sent": sum}); perr != nil {
			return perr
		}
		return err
	}
	for _, p := range planned {
		what := "queued"
		if p.Draft {
			what = "drafted (see foi drafts)"
		}
		fmt.Fprintf(a.stdout, "%s: %s %s\n", p.Ref, p.Step, what)
	}
	fmt.Fprintf(a.stdout, "%d planned; %d sent, %d failed, %d waiting\n", len(planned), sum.Sent, sum.Failed, sum.Waiting)
	return err
}

// tickDryRun prints what a tick at now would plan and which letters would
// go, writing nothing.
func (a *app) tickDryRun(ctx context.Context, cfg *config.Config, st *store.Store) error {
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	now := a.now()
	plan, err := sch.Plan(ctx, now)
	if err != nil {
		return err
	}
	items, err := st.Outbox(ctx, "")
	if err != nil {
		return err
	}
	var due []store.OutboxItem
	for _, it := range items {
		if it.State.Due() && !it.NextAttemptAt.After(now) {
			due = append(due, it)
		}
	}
	if a.json {
		if plan == nil {
			plan = []schedule.Action{}
		}
		if due == nil {
			due = []store.OutboxItem{}
		}
		return a.printJSON(map[string]any{"dry_run": true, "now": now, "would_plan": plan, "would_send": due})
	}
	loc := londonLoc()
	fmt.Fprintf(a.stdout, "At %s:\n", now.In(loc).Format("Mon 2 Jan 2006 15:04"))
	for _, p := range plan {
		how := "queue it to be sent"
		if p.Mode == lifecycle.Drafted || p.Step == lifecycle.StepComplaint {
			how = "draft it for approval"
		}
		fmt.Fprintf(a.stdout, "  %s: %s due since %s: would %s\n", p.Ref, p.Step, p.On.In(loc).Format("Mon 2 Jan 15:04"), how)
	}
	for _, it := range due {
		fmt.Fprintf(a.stdout, "  %s: %s to %s would be sent (if still due then)\n", it.Ref, it.Kind, it.To)
	}
	fmt.Fprintf(a.stdout, "Dry run: %s would be planned and %s sent; nothing was written or sent.\n", count(len(plan), "step", "steps"), count(len(due), "letter", "letters"))
	return nil
}

// tick plans due steps and sends the outbox's due letters without waiting.
func (a *app) tick(ctx context.Context, cfg *config.Config, st *store.Store) ([]schedule.Planned, mailer.Summary, error) {
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return nil, mailer.Summary{}, err
	}
	planned, _, err := sch.Tick(ctx, a.now())
	if err != nil {
		return planned, mailer.Summary{}, err
	}
	sum, err := a.drainDue(ctx, cfg, st, sch)
	return planned, sum, err
}

// drainDue sends the outbox's due letters, asking the schedule's guard
// first, without waiting out temporary failures.
func (a *app) drainDue(ctx context.Context, cfg *config.Config, st *store.Store, sch *schedule.Scheduler) (mailer.Summary, error) {
	ob := newOutbox(cfg, st, a)
	sent := mailbox.NewSent(cfg.IMAP, mailbox.Options{Dir: cfg.Dir})
	defer sent.Close()
	ob.Sent, ob.NoWait, ob.Guard = sent, true, sch.Guard()
	return ob.Drain(ctx, "", 0)
}
