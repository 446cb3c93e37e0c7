package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"foi/campaign"
	"foi/config"
	"foi/digest"
	"foi/mailer"
	"foi/schedule"
	"foi/store"
)

// newNotifier wires the volunteers' digest: the campaign's own SMTP
// account, the requester's address as From, notify.to as To.
func newNotifier(cfg *config.Config, sch *schedule.Scheduler, a *app) (*digest.Notifier, error) {
	zone, err := time.LoadLocation(cfg.Schedule.Timezone)
	if err != nil {
		zone = campaign.London()
	}
	at, err := config.ParseClock(cfg.Notify.DailyAt)
	if err != nil {
		return nil, fmt.Errorf("notify.daily_at: %w", err)
	}
	name := cfg.Requester.Organisation
	if name == "" {
		name = cfg.Requester.Name
	}
	return &digest.Notifier{
		Scheduler: sch,
		Sender:    mailer.NewSMTP(cfg.SMTP, cfg.Dir),
		Envelope:  digest.Envelope{FromName: "foi for " + name, From: cfg.Requester.Email, To: cfg.Notify.To},
		Links:     digest.Links{Base: cfg.Web.PublicURL},
		Zone:      zone,
		DailyAt:   time.Duration(at) * time.Minute,
		Now:       a.now,
		Log:       a.log,
	}, nil
}

// cmdDigest sends the day's digest to notify.to now (for cron, or to see
// it); --dry-run prints it instead. foi serve sends it by itself.
func (a *app) cmdDigest(ctx context.Context, args []string) error {
	fs := a.flags("digest")
	dry := fs.Bool("dry-run", false, "print the digest; send and record nothing")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usagef("digest takes no arguments")
	}
	if a.nowFlag != "" && !a.reallySend && !*dry {
		// With --now nothing is ever sent (SPEC section 8).
		fmt.Fprintln(a.stderr, "foi: --now is set: showing the digest; nothing is sent.")
		*dry = true
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(cfg.Notify.To) == 0 && !*dry {
		return fmt.Errorf("no digest: notify.to in %s is empty; add the volunteers' addresses there (see config.example.yaml), or preview one with foi digest --dry-run", a.configPath())
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	n, err := newNotifier(cfg, sch, a)
	if err != nil {
		return err
	}
	if !*dry {
		// serve sends the digests itself; one sender at a time.
		unlock, err := mailer.Lock(cfg.DataDir())
		if err != nil {
			return fmt.Errorf("%w (foi serve sends the digest by itself)", err)
		}
		defer unlock()
	}
	d, sent, already, err := n.Daily(ctx, a.now(), *dry)
	if err != nil {
		return err
	}
	switch {
	case already && !*dry:
		last, _, err := st.LastDigest(ctx, store.DigestDaily)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Today's digest went already, at %s, to %s; the next goes tomorrow.\n", last.SentAt.In(n.Zone).Format("15:04"), strings.Join(last.Recipients, ", "))
	case *dry:
		if already {
			fmt.Fprintln(a.stdout, "(Today's digest went already; this is what one would say now.)")
		}
		if d.Empty() {
			fmt.Fprintln(a.stdout, "Nothing arrived and nothing needs a person: no digest would be sent.")
			return nil
		}
		to := strings.Join(cfg.Notify.To, ", ")
		if to == "" {
			to = "nobody yet: add the volunteers' addresses to notify.to in " + a.configPath()
		}
		fmt.Fprintf(a.stdout, "To: %s\nSubject: %s\n\n%s", to, d.Subject(n.Zone), d.Text(n.Zone, n.Links))
	case !sent:
		fmt.Fprintln(a.stdout, "Nothing arrived and nothing needs a person: no digest sent.")
	default:
		fmt.Fprintf(a.stdout, "Digest sent to %s: %s.\n", strings.Join(cfg.Notify.To, ", "), d.Subject(n.Zone))
	}
	return nil
}

// serveDigest is the digest's part of foi serve: run sends the digests
// until ctx ends, kick wakes it when the watcher filed mail. Without
// notify.to, run returns at once and kick does nothing.
func (a *app) serveDigest(ctx context.Context, cfg *config.Config, st *store.Store) (run func(context.Context) error, kick func(), err error) {
	if len(cfg.Notify.To) == 0 {
		return func(context.Context) error { return nil }, func() {}, nil
	}
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return nil, nil, err
	}
	n, err := newNotifier(cfg, sch, a)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan struct{}, 1)
	n.Kick = ch
	kick = func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return n.Run, kick, nil
}

const usageDigest = `digest [--dry-run]
Send the volunteers' digest to notify.to now: the replies that arrived since
the last one and what needs a person, through the campaign's own SMTP
account. At most one a day: a second run the same day says when it went.
foi serve sends it by itself every day at notify.daily_at, and at once when
a letter bounces or an authority asks for the applicant's real name; use
this from cron instead of serve, or --dry-run to see it.

Examples:
  foi digest --dry-run
  foi digest`
