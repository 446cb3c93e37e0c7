package main

import (
	"context"
	"fmt"
	"strings"

	"foi/lifecycle"
	"foi/report"
	"foi/schedule"
	"foi/store"
)

const usageRedirect = `redirect REF [ADDRESS] [--yes]
Write to a new address: the one a reply asked for ("this mailbox is no
longer monitored, please write to ..."), or ADDRESS. Without --yes it says
which of the authority's open requests would change; with --yes their
letters, and the authority's, go to the new address from now on.

Example:
  foi redirect LXP7-004
  foi redirect LXP7-004 --yes
  foi redirect LXP7-004 information.requests@trust.nhs.uk --yes`

// cmdRedirect shows and, once confirmed, applies a redirect
// (store.OfferedRedirect, store.ApplyRedirect).
func (a *app) cmdRedirect(ctx context.Context, args []string) error {
	fs := a.flags("redirect")
	yes := fs.Bool("yes", false, "apply it (without: only say what would change)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return usagef("redirect REF [ADDRESS] [--yes]")
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Request(ctx, pos[0])
	if err != nil {
		return err
	}
	addr, why := "", ""
	if len(pos) == 2 {
		addr, why = pos[1], "as you asked"
	} else {
		offer, ok, err := st.OfferedRedirect(ctx, r.Ref)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s: no reply asks us to write elsewhere; give the address: foi redirect %s ADDRESS", r.Ref, r.Ref)
		}
		addr, why = offer.Address, fmt.Sprintf("as the reply of %s asks (message #%d)", offer.At.In(londonLoc()).Format("2 January 2006"), offer.MessageID)
	}
	if !*yes {
		plan, err := st.PlanRedirect(ctx, r.Ref, addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s: write to %s instead of %s, %s.\n", plan.Authority, plan.To, plan.From, why)
		if len(plan.Refs) == 0 {
			fmt.Fprintf(a.stdout, "No open request would change; the authority's address would.\n")
		} else {
			fmt.Fprintf(a.stdout, "Open requests whose letters would go there: %s.\n", strings.Join(plan.Refs, ", "))
		}
		fmt.Fprintf(a.stdout, "To apply it: foi redirect %s %s --yes\n", r.Ref, plan.To)
		return nil
	}
	done, err := st.ApplyRedirect(ctx, r.Ref, addr, "user", a.now())
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(done)
	}
	if len(done.Refs) == 0 {
		fmt.Fprintf(a.stdout, "%s: its address is now %s; no open request had to change.\n", done.Authority, done.To)
		return nil
	}
	fmt.Fprintf(a.stdout, "%s: letters now go to %s (was %s) for %s.\n", done.Authority, done.To, done.From, strings.Join(done.Refs, ", "))
	return nil
}

// learned are the lines foi show prints under a request's state about what
// its replies taught: a new address offered, an identity challenge, and
// the time for asking for a review beside the statutory one.
func learned(ctx context.Context, st *store.Store, sch *schedule.Scheduler, f schedule.Facts) ([]string, error) {
	var out []string
	r := f.Request
	if offer, ok, err := st.OfferedRedirect(ctx, r.Ref); err != nil {
		return nil, err
	} else if ok {
		out = append(out, fmt.Sprintf("A reply asks us to write to %s instead of %s: foi redirect %s (then --yes) applies it to %s's open requests.",
			offer.Address, r.ToAddress, r.Ref, r.Authority.Name))
	}
	for _, m := range f.Thread {
		if m.Direction == "in" && m.Kind == lifecycle.KindIdentity {
			out = append(out, fmt.Sprintf("The authority asked for a real name (an identity challenge): the clock keeps running, as a request in an organisation's own name is valid (FOIA s.8(1)(b)). Answer with: foi reply %s --template identity", r.Ref))
			break
		}
	}
	stated, ok, err := st.StatedReviewDeadline(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if w, has := report.ReviewWindowOf(sch, f, stated, ok); has {
		out = append(out, w.Text())
	}
	return out, nil
}
