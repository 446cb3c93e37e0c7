package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"foi/calendar"
	"foi/campaign"
	"foi/demo"
	"foi/inbox"
	"foi/lifecycle"
	"foi/report"
	"foi/store"
	"foi/templates"
)

// demoVolunteer is the name the scripted volunteer's actions carry in the
// event log, as a dashboard user's do.
const demoVolunteer = "Robin"

// volunteer plays the campaign's volunteer between the demo's mail runs:
// it answers a request for clarification, confirms the outcome each reply
// suggests, approves the letters the schedule drafts (with grounds for a
// review), corrects a bounced address and files unmatched mail — with the
// functions the dashboard's actions call, never the command line — except
// the chores demo.LeftForYou keeps for the person trying the demo.
type volunteer struct {
	q *app
	// did is what the volunteer did last, in words, for the board.
	did string
}

func (v *volunteer) work(ctx context.Context) error {
	cfg, st, err := v.q.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, v.q)
	if err != nil {
		return err
	}
	ctx = store.WithActor(ctx, demoVolunteer)
	now := v.q.now()
	facts, err := sch.AllFacts(ctx, "")
	if err != nil {
		return err
	}
	for _, f := range facts {
		r := f.Request
		row := report.RowOf(sch, f, now)
		switch {
		case r.State == lifecycle.AwaitingClarification && !waitingLetter(f.Outbox, lifecycle.KindClarification):
			l, err := sch.Letter(f, "clarification", "", now)
			if err != nil {
				return fmt.Errorf("demo: clarify %s: %w", r.Ref, err)
			}
			l.Body = templates.FillPlaceholders(l.Body, "By senior posts we mean Band 7 and above.")
			if _, err := sch.QueueReply(ctx, f, "clarification", l, false, now); err != nil {
				return fmt.Errorf("demo: clarify %s: %w", r.Ref, err)
			}
			v.done(now, "answered "+r.Ref+"'s question")
		case r.State == lifecycle.DeliveryFailed && row.LastReply != nil && now.Sub(row.LastReply.At) >= bounceDelay && !demo.Leaves(r.Ref, "fix"):
			// The trust's website gives its real address: the request goes
			// again there, as the dashboard's form on a bounced request does.
			addr := demo.CorrectedAddress(r.ToAddress)
			env := campaign.Env{Now: now, PlusSecret: sch.PlusSecret}
			next := sch.NextSendTime(calendar.Law(r.Law), now)
			if _, err := campaign.Correct(ctx, st, r.Ref, addr, true, demoVolunteer, env, next, rand.Reader); err != nil {
				return fmt.Errorf("demo: send %s again to its corrected address: %w", r.Ref, err)
			}
			v.done(now, "sent "+r.Ref+" again to "+addr)
		case row.Suggested != nil && row.Suggested.Outcome != "" && !demo.Leaves(r.Ref, "confirm"):
			note := "confirmed the suggestion: " + row.Suggested.Words
			if err := st.SetState(ctx, r.Ref, row.Suggested.Outcome, demoVolunteer, note, now); err != nil {
				return fmt.Errorf("demo: confirm %s: %w", r.Ref, err)
			}
			v.done(now, "confirmed "+r.Ref+" "+standing(report.Row{State: row.Suggested.Outcome}))
		}
		for _, it := range f.Outbox {
			if it.State != lifecycle.OutboxDraft {
				continue
			}
			switch {
			case it.Step == lifecycle.StepReviewRefusal && r.State == lifecycle.PartiallySuccessful:
				// The group accepts that the names of the staff are withheld.
				if err := st.Discard(ctx, it.ID, now); err != nil {
					return fmt.Errorf("demo: discard %d: %w", it.ID, err)
				}
				v.done(now, "kept "+r.Ref+"'s partial answer: no review")
			case it.Step == lifecycle.StepReviewRefusal:
				if _, err := sch.Approve(ctx, it.ID, reviewGrounds, now); err != nil {
					return fmt.Errorf("demo: approve %d: %w", it.ID, err)
				}
				v.done(now, "asked for a review of "+r.Ref+", with grounds")
			case it.Step == lifecycle.StepFinalChaser && !demo.Leaves(r.Ref, "approve"):
				if _, err := sch.Approve(ctx, it.ID, "", now); err != nil {
					return fmt.Errorf("demo: approve %d: %w", it.ID, err)
				}
				v.done(now, "approved "+r.Ref+"'s final chaser")
			}
		}
	}
	unmatched, err := st.Unmatched(ctx)
	if err != nil {
		return err
	}
	for _, m := range unmatched {
		if len(m.Suggested) != 1 || demo.Leaves(m.Suggested[0].Ref, "file") {
			continue
		}
		if err := st.Assign(ctx, m.ID, m.Suggested[0].Ref, inbox.StoredEffect(m), now); err != nil {
			return fmt.Errorf("demo: file message %d under %s: %w", m.ID, m.Suggested[0].Ref, err)
		}
		v.done(now, "filed a reply under "+m.Suggested[0].Ref)
	}
	return nil
}

// done records an action for the board.
func (v *volunteer) done(now time.Time, what string) {
	v.did = now.In(londonLoc()).Format("Mon 2 Jan") + ": " + what
}

// bounceDelay is how long the volunteer takes to find a bounced trust's
// real address.
const bounceDelay = 3 * 24 * time.Hour

const reviewGrounds = "A narrower search of the workforce records would fall well within the cost limit; please advise and assist under section 16."

// waitingLetter reports whether a letter of kind k is waiting to go.
func waitingLetter(items []store.OutboxItem, k lifecycle.Kind) bool {
	for _, it := range items {
		if it.Kind == k && (it.State.Due() || it.State == lifecycle.OutboxDraft) {
			return true
		}
	}
	return false
}
