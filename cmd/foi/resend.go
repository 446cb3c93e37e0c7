package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"foi/campaign"
	"foi/config"
	"foi/store"

	"foi/lifecycle"
	"foi/mailbox"
	"foi/mailer"
)

// cmdResend is a person's decision that a letter in doubt did not arrive:
// it is sent again now, alone, with the same Message-ID.
func (a *app) cmdResend(ctx context.Context, args []string) error {
	fs := a.flags("resend")
	to := fs.String("to", "", "a bounced request: send its letter again to this corrected address")
	others := fs.Bool("others", false, "with --to: the address becomes the authority's, for its other open requests too")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("resend REF [--to ADDRESS [--others]]")
	}
	if *others && *to == "" {
		return usagef("resend: --others goes with --to ADDRESS")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *to != "" {
		return a.reissue(ctx, cfg, st, pos[0], *to, *others)
	}
	unlock, err := mailer.Lock(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	it, err := st.InDoubt(ctx, pos[0])
	if err != nil {
		return err
	}
	if err := st.Resend(ctx, it.ID, a.now()); err != nil {
		return err
	}
	ob := newOutbox(cfg, st, a)
	sent := mailbox.NewSent(cfg.IMAP, mailbox.Options{Dir: cfg.Dir})
	defer sent.Close()
	ob.Sent, ob.Only, ob.NoWait = sent, it.ID, true
	_, err = ob.Drain(ctx, it.Campaign, 0)
	if err != nil {
		return fmt.Errorf("resend %s: %w; it waits to be sent with the next foi send %s", it.Ref, err, it.Campaign)
	}
	now, err := st.OutboxItem(ctx, it.ID)
	if err != nil {
		return err
	}
	switch now.State {
	case lifecycle.OutboxSent:
		fmt.Fprintf(a.stdout, "%s: sent again to %s (Message-ID <%s>)\n", it.Ref, it.To, it.MessageID)
	case lifecycle.OutboxFailed:
		return fmt.Errorf("%s: the server refused it: %s", it.Ref, now.LastError)
	case lifecycle.OutboxInDoubt:
		return fmt.Errorf("%s: in doubt again: %s", it.Ref, now.LastError)
	default:
		fmt.Fprintf(a.stdout, "%s: not sent yet (%s); it goes with the next foi send %s\n", it.Ref, now.LastError, it.Campaign)
	}
	return nil
}

// cmdMarkSent is a person's decision that a letter in doubt did arrive.
func (a *app) cmdMarkSent(ctx context.Context, args []string) error {
	fs := a.flags("mark-sent")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("mark-sent REF")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	unlock, err := mailer.Lock(cfg.DataDir())
	if err != nil {
		return err
	}
	defer unlock()
	it, err := st.InDoubt(ctx, pos[0])
	if err != nil {
		return err
	}
	if err := st.MarkSentByHand(ctx, it.ID, a.now()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: recorded as sent to %s\n", it.Ref, it.To)
	return nil
}

// reissue queues a bounced request's letter again to a corrected address
// (campaign.Reissue, as the dashboard's form does): same reference, a new
// Message-ID, the bounced attempt kept in the thread. A person asked for
// it, so it is due at once, like a campaign's first letters: the next foi
// send (or foi serve) sends it.
func (a *app) reissue(ctx context.Context, cfg *config.Config, st *store.Store, ref, addr string, others bool) error {
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	req, err := st.Request(ctx, ref)
	if err != nil {
		return err
	}
	now := a.now()
	env := campaign.Env{Now: now, PlusSecret: sch.PlusSecret}
	also, err := campaign.Correct(ctx, st, req.Ref, addr, others, "user", env, now, rand.Reader)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: its letter goes again to %s with a new Message-ID when you run `foi send %s` (or foi serve sends it); the bounced letter stays in its history.\n",
		req.Ref, addr, req.Campaign)
	if len(also) > 0 {
		fmt.Fprintf(a.stdout, "The new address is also used for %s.\n", strings.Join(also, ", "))
	}
	return nil
}
