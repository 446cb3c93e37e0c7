package main

import (
	"context"
	"fmt"

	"foi/lifecycle"
	"foi/mailbox"
	"foi/mailer"
)

// cmdResend is a person's decision that a letter in doubt did not arrive:
// it is sent again now, alone, with the same Message-ID.
func (a *app) cmdResend(ctx context.Context, args []string) error {
	fs := a.flags("resend")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("resend REF")
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
