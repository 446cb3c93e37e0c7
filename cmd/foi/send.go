package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"foi/campaign"
	"foi/config"
	"foi/lifecycle"
	"foi/mailbox"
	"foi/mailer"
	"foi/store"
)

func (a *app) cmdSend(ctx context.Context, args []string) error {
	fs := a.flags("send")
	dry := fs.Bool("dry-run", false, "show what would be sent; send and store nothing")
	limit := fs.Int("limit", 0, "send at most N letters")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("send SLUG [--dry-run] [--limit N]")
	}
	if *limit < 0 {
		return usagef("--limit must not be negative")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := st.Campaign(ctx, strings.ToUpper(pos[0]))
	if err != nil {
		return err
	}
	env, err := letterEnv(ctx, cfg.Requester.PlusAddressing, st, a.now())
	if err != nil {
		return err
	}
	if *dry {
		return a.dryRun(ctx, st, c, env, *limit)
	}
	unlock, err := mailer.Lock(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	queued, err := campaign.Queue(ctx, st, c.Slug, env, *limit)
	if err != nil {
		return err
	}
	a.log.Info("queued", "campaign", c.Slug, "letters", queued)
	ob := newOutbox(cfg, st, a)
	sent := mailbox.NewSent(cfg.IMAP, mailbox.Options{Dir: cfg.Dir})
	defer sent.Close()
	ob.Sent = sent
	// Wait out a retry, but not a letter planned for a later sending
	// window: foi serve sends it then.
	ob.WaitAtMost = 15 * time.Minute
	bar := a.newBar()
	ob.Progress = func(s mailer.Summary, total int) {
		bar.show(s.Sent+s.Failed, total, fmt.Sprintf("letters: %d sent, %d failed", s.Sent, s.Failed))
	}
	sum, err := ob.Drain(ctx, c.Slug, *limit)
	bar.end()
	if err != nil {
		return blockedWords(err, sum)
	}
	if a.json {
		if sum.Failures == nil {
			sum.Failures = []mailer.Failure{}
		}
		if err := a.printJSON(sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.stdout, "%s: %d sent (%d after a retry), %d failed, %d waiting to retry, %d in doubt\n",
			c.Slug, sum.Sent, sum.Retried, sum.Failed, sum.Waiting, sum.InDoubt)
		for _, f := range sum.Failures {
			kind := "will retry"
			if f.Final {
				kind = "refused"
			}
			fmt.Fprintf(a.stdout, "  %s to %s %s: %s\n", f.Ref, f.To, kind, f.Reason)
		}
		if sum.Waiting > 0 {
			fmt.Fprintln(a.stdout, "Run `foi send` again later to retry the letters still waiting.")
		}
		if sum.Later > 0 {
			zone, err := time.LoadLocation(cfg.Schedule.Timezone)
			if err != nil {
				zone = time.UTC
			}
			it := "it"
			if sum.Later > 1 {
				it = "them"
			}
			fmt.Fprintf(a.stdout, "%s due later, from %s: foi serve sends %s then, or run `foi send %s` again then.\n",
				plural(sum.Later, "letter"), sum.LaterFrom.In(zone).Format("Mon 2 Jan 15:04"), it, c.Slug)
		}
		if sum.InDoubt > 0 {
			fmt.Fprintln(a.stdout, "Letters in doubt were interrupted after their text went to the server and may have been delivered; foi never resends them by itself. `foi status` lists them: check, then `foi resend REF` or `foi mark-sent REF`.")
		}
	}
	return nil
}

// newOutbox builds the outbox from the configuration.
func newOutbox(cfg *config.Config, st *store.Store, a *app) *mailer.Outbox {
	zone, err := time.LoadLocation(cfg.Schedule.Timezone)
	if err != nil {
		zone = campaign.London()
	}
	return &mailer.Outbox{
		Store:         st,
		Transport:     mailer.NewSMTP(cfg.SMTP, cfg.Dir),
		SentCopy:      cfg.IMAP.SentCopy,
		ProviderFiles: mailbox.ProviderFilesSent(cfg.SMTP.Host),
		Rate:          cfg.SMTP.Rate,
		DomainRate:    cfg.SMTP.PerDomainRate,
		Backoff:       cfg.SMTP.RetryBackoff,
		BackoffMax:    cfg.SMTP.RetryMax,
		MaxAttempts:   cfg.SMTP.MaxAttempts,
		Now:           a.now,
		Zone:          zone,
		Log:           a.log,
	}
}

// dryRun renders the letters that would be queued, checks them, and says
// what would happen; it stores and sends nothing.
func (a *app) dryRun(ctx context.Context, st *store.Store, c store.Campaign, env campaign.Env, limit int) error {
	reqs, err := st.Requests(ctx, c.Slug)
	if err != nil {
		return err
	}
	type row struct {
		Ref     string `json:"ref"`
		To      string `json:"to"`
		Subject string `json:"subject"`
		Bytes   int    `json:"bytes"`
	}
	rows := []row{}
	for _, r := range reqs {
		if r.State != lifecycle.Draft && r.State != lifecycle.Queued {
			continue
		}
		if limit > 0 && len(rows) >= limit {
			break
		}
		raw, err := previewBytes(ctx, st, c, r, env)
		if err != nil {
			return err
		}
		l, _ := campaign.FirstLetter(c, r, env)
		rows = append(rows, row{r.Ref, r.ToAddress, l.Subject, len(raw)})
	}
	if a.json {
		return a.printJSON(map[string]any{"dry_run": true, "would_send": rows})
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tTO\tSUBJECT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Ref, r.To, r.Subject)
	}
	tw.Flush()
	fmt.Fprintf(a.stdout, "Dry run: %d letters would be sent; nothing was stored or sent.\n", len(rows))
	return nil
}

// blockedWords ends a drain's error with what became of the letters: a
// fault of ours fails none, and every letter waits for the fix.
func blockedWords(err error, sum mailer.Summary) error {
	var blocked *mailer.BlockedError
	if !errors.As(err, &blocked) {
		return err
	}
	if sum.Sent == 0 {
		return fmt.Errorf("%w; no letter was sent and all %d wait", blocked, blocked.Waiting)
	}
	return fmt.Errorf("%w; %d sent before it stopped, and the other %d wait", blocked, sum.Sent, blocked.Waiting)
}
