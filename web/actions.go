package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"foi/calendar"
	"foi/campaign"
	"foi/inbox"
	"foi/lifecycle"
	"foi/report"
	"foi/store"
)

// Every action parses its form, calls what the command line calls, and
// says what happened. The person's name goes with it (store.WithActor in
// the context, set by Server.action).

func reqURL(ref string) string { return "/requests/" + ref }

func (s *Server) name(r *http.Request) string { return whoOf(r.Context()).Name }

// mark records what a request's state is (foi mark).
func (s *Server) mark(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ref := strings.ToUpper(r.PathValue("ref"))
	state, err := lifecycle.ParseState(r.PostForm.Get("state"))
	if err != nil {
		return reqURL(ref), "", badInput("Choose what the reply was from the list.")
	}
	if err := s.opt.Store.SetState(r.Context(), ref, state, s.name(r), strings.TrimSpace(r.PostForm.Get("note")), s.opt.Now()); err != nil {
		return reqURL(ref), "", err
	}
	return "", fmt.Sprintf("%s is now marked %s.", ref, stateWords(state)), nil
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ref := strings.ToUpper(r.PathValue("ref"))
	note := strings.TrimSpace(r.PostForm.Get("note"))
	if err := s.opt.Store.SetState(r.Context(), ref, lifecycle.Withdrawn, s.name(r), note, s.opt.Now()); err != nil {
		return reqURL(ref), "", err
	}
	return reqURL(ref), ref + " is withdrawn: foi will send nothing more for it.", nil
}

// reply queues a letter written from a template, as the person edited it
// (foi reply --template NAME --edit), or keeps it as a draft.
func (s *Server) reply(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	ref := strings.ToUpper(r.PathValue("ref"))
	name := r.PostForm.Get("template")
	if !validTemplate(name) {
		return reqURL(ref), "", badInput("Choose which letter to write.")
	}
	f, err := s.requestFacts(ctx, ref)
	if err != nil {
		return reqURL(ref), "", err
	}
	l, err := s.opt.Scheduler.Letter(f, name, "", s.opt.Now())
	if err != nil {
		return reqURL(ref), "", err
	}
	if body := strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n"); strings.TrimSpace(body) != "" {
		l.Body = body
	}
	draft := r.PostForm.Get("how") == "draft"
	q, err := s.opt.Scheduler.QueueReply(ctx, f, name, l, draft, s.opt.Now())
	if err != nil {
		return "/requests/" + ref + "/reply?template=" + name, "", err
	}
	if draft {
		return fmt.Sprintf("/drafts/%d", q.ID), "The letter is kept as a draft: approve it when it is ready.", nil
	}
	return reqURL(ref), fmt.Sprintf("The letter is queued: it goes %s.", q.NotBefore.In(london).Format("Mon 2 Jan at 15:04")), nil
}

// review asks for an internal review with the person's grounds.
func (s *Server) review(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	ref := strings.ToUpper(r.PathValue("ref"))
	grounds := strings.TrimSpace(r.PostForm.Get("grounds"))
	if grounds == "" {
		return reqURL(ref), "", badInput("Write why the answer is wrong or incomplete: the review letter needs your grounds.")
	}
	f, err := s.requestFacts(ctx, ref)
	if err != nil {
		return reqURL(ref), "", err
	}
	row := report.RowOf(s.opt.Scheduler, f, s.opt.Now())
	name := reviewTemplate(row, f.Request.Law)
	l, err := s.opt.Scheduler.Letter(f, name, grounds, s.opt.Now())
	if err != nil {
		return reqURL(ref), "", err
	}
	q, err := s.opt.Scheduler.QueueReply(ctx, f, name, l, false, s.opt.Now())
	if err != nil {
		return reqURL(ref), "", err
	}
	return reqURL(ref), fmt.Sprintf("The request for an internal review is queued: it goes %s.", q.NotBefore.In(london).Format("Mon 2 Jan at 15:04")), nil
}

// resend is a person's decision that a letter in doubt did not arrive
// (foi resend): it goes again now, with the same Message-ID.
func (s *Server) resend(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	ref := strings.ToUpper(r.PathValue("ref"))
	it, err := s.opt.Store.InDoubt(ctx, ref)
	if err != nil {
		return "", "", err
	}
	if err := s.opt.Store.Resend(ctx, it.ID, s.opt.Now()); err != nil {
		return "", "", err
	}
	if s.opt.Kick != nil {
		s.opt.Kick()
	}
	return "", ref + ": the letter will be sent again in a moment, with the same Message-ID.", nil
}

// markSent is a person's decision that a letter in doubt did arrive.
func (s *Server) markSent(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	ref := strings.ToUpper(r.PathValue("ref"))
	it, err := s.opt.Store.InDoubt(ctx, ref)
	if err != nil {
		return "", "", err
	}
	if err := s.opt.Store.MarkSentByHand(ctx, it.ID, s.opt.Now()); err != nil {
		return "", "", err
	}
	return "", ref + ": the letter is recorded as sent.", nil
}

func (s *Server) editDraft(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return "", "", err
	}
	back := fmt.Sprintf("/drafts/%d", id)
	body := strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n")
	if strings.TrimSpace(body) == "" {
		return back, "", badInput("The letter is empty: nothing was changed.")
	}
	it, err := s.opt.Store.OutboxItem(ctx, id)
	if err != nil {
		return back, "", err
	}
	if err := s.opt.Scheduler.EditDraft(ctx, it, body, s.opt.Now()); err != nil {
		return back, "", err
	}
	return back, "Your changes to the letter are saved (it keeps its Message-ID).", nil
}

// approve releases a draft (foi approve ID [--grounds T]).
func (s *Server) approve(w http.ResponseWriter, r *http.Request) (string, string, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", err
	}
	next, err := s.opt.Scheduler.Approve(r.Context(), id, strings.TrimSpace(r.PostForm.Get("grounds")), s.opt.Now())
	if err != nil {
		return fmt.Sprintf("/drafts/%d", id), "", err
	}
	return "", fmt.Sprintf("Letter %d is approved: it goes %s.", id, next.In(london).Format("Mon 2 Jan at 15:04")), nil
}

func (s *Server) discard(w http.ResponseWriter, r *http.Request) (string, string, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", err
	}
	if err := s.opt.Store.Discard(r.Context(), id, s.opt.Now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return "/drafts", "", fmt.Errorf("letter %d is no longer a draft: %w", id, err)
		}
		return "", "", err
	}
	return "/drafts", fmt.Sprintf("Letter %d is discarded: it will not be sent.", id), nil
}

// assign files an unmatched reply under a request (foi assign).
func (s *Server) assign(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return "", "", err
	}
	ref := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("ref")))
	if ref == "" {
		return "", "", badInput("Write the reference of the request the reply belongs to (like LXP7N-004).")
	}
	m, err := s.opt.Store.MessageByID(ctx, id)
	if err != nil {
		return "", "", err
	}
	if err := s.opt.Store.Assign(ctx, id, ref, inbox.StoredEffect(m), s.opt.Now()); err != nil {
		return "", "", err
	}
	return "", fmt.Sprintf("The reply is filed under %s.", ref), nil
}

// address makes a new address the authority's, and that of its open
// requests in every campaign (store.ApplyRedirect, as foi redirect --yes).
func (s *Server) address(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ref := strings.ToUpper(r.PathValue("ref"))
	addr := strings.TrimSpace(r.PostForm.Get("address"))
	done, err := s.opt.Store.ApplyRedirect(r.Context(), ref, addr, s.name(r), s.opt.Now())
	if err != nil {
		return reqURL(ref), "", err
	}
	if len(done.Refs) == 0 {
		return reqURL(ref), fmt.Sprintf("%s's address is now %s; no open request needed changing.", done.Authority, done.To), nil
	}
	return reqURL(ref), fmt.Sprintf("Letters to %s now go to %s, for %s (%s).", done.Authority, done.To,
		plural(len(done.Refs), "open request", "open requests"), strings.Join(done.Refs, ", ")), nil
}

// reissue sends a bounced request again to a corrected address
// (campaign.Reissue): same reference, new Message-ID, the bounced attempt
// kept; with "others", the address becomes the authority's and that of its
// other open requests first (store.ApplyRedirect).
func (s *Server) reissue(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	ref := strings.ToUpper(r.PathValue("ref"))
	addr := strings.TrimSpace(r.PostForm.Get("address"))
	if addr == "" {
		return reqURL(ref), "", badInput("Write the address the request should go to.")
	}
	req, err := s.opt.Store.Request(ctx, ref)
	if err != nil {
		return "", "", err
	}
	now := s.opt.Now()
	env := campaign.Env{Now: now, PlusSecret: s.opt.Scheduler.PlusSecret}
	next := s.opt.Scheduler.NextSendTime(calendar.Law(req.Law), now)
	also, err := campaign.Correct(ctx, s.opt.Store, ref, addr, r.PostForm.Get("others") == "1", s.name(r), env, next, rand.Reader)
	if err != nil {
		return reqURL(ref), "", err
	}
	others := ""
	if len(also) > 0 {
		others = fmt.Sprintf(" The new address is also used for %s.", strings.Join(also, ", "))
	}
	if s.opt.Kick != nil {
		s.opt.Kick()
	}
	return reqURL(ref), fmt.Sprintf("%s goes again to %s, %s, with a new Message-ID; the bounced letter stays in its history.%s",
		ref, addr, next.In(london).Format("Mon 2 Jan at 15:04"), others), nil
}

// hold takes a queued letter back to a draft, to go only once approved.
func (s *Server) hold(w http.ResponseWriter, r *http.Request) (string, string, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", err
	}
	if err := s.opt.Store.Hold(r.Context(), id, s.opt.Now()); err != nil {
		return "", "", err
	}
	return "", fmt.Sprintf("Letter %d is held: it is a draft again and goes only once approved.", id), nil
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) (string, string, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", err
	}
	if err := s.opt.Store.Cancel(r.Context(), id, "cancelled by "+s.name(r), s.opt.Now()); err != nil {
		return "", "", err
	}
	return "", fmt.Sprintf("Letter %d is cancelled: it will not be sent.", id), nil
}

// bulk acts on the rows selected on a board: confirm their suggestions,
// mark a state, approve their drafts or withdraw them. Each row is done on
// its own; what could not be done is said, by reference.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request) (string, string, error) {
	ctx := r.Context()
	slug := strings.ToUpper(r.PathValue("slug"))
	refs := r.PostForm["ref"]
	if len(refs) == 0 {
		return "", "", badInput("Select at least one row first (the boxes on the left).")
	}
	action := r.PostForm.Get("action")
	var state lifecycle.State
	if action == "mark" {
		var err error
		if state, err = lifecycle.ParseState(r.PostForm.Get("state")); err != nil {
			return "", "", badInput("Choose the state to mark the selected rows with.")
		}
	}
	switch action {
	case "confirm", "mark", "approve", "withdraw":
	default:
		return "", "", badInput("Choose what to do with the selected rows.")
	}
	rows, _, err := s.rows(ctx, slug)
	if err != nil {
		return "", "", err
	}
	byRef := map[string]boardRow{}
	for _, row := range rows {
		byRef[row.Ref] = row
	}
	now := s.opt.Now()
	done := 0
	var skipped []string
	for _, ref := range refs {
		row, ok := byRef[strings.ToUpper(ref)]
		if !ok {
			skipped = append(skipped, ref+" (not in this campaign)")
			continue
		}
		var err error
		switch action {
		case "confirm":
			if row.Suggested == nil || row.Suggested.Outcome == "" {
				skipped = append(skipped, ref+" (nothing to confirm)")
				continue
			}
			err = s.opt.Store.SetState(ctx, row.Ref, row.Suggested.Outcome, s.name(r), "confirmed foi's reading: "+row.Suggested.Words, now)
		case "mark":
			err = s.opt.Store.SetState(ctx, row.Ref, state, s.name(r), "", now)
		case "withdraw":
			err = s.opt.Store.SetState(ctx, row.Ref, lifecycle.Withdrawn, s.name(r), "", now)
		case "approve":
			if row.Next == nil || row.Next.Draft == 0 {
				skipped = append(skipped, ref+" (no draft)")
				continue
			}
			_, err = s.opt.Scheduler.Approve(ctx, row.Next.Draft, "", now)
		}
		if err != nil {
			skipped = append(skipped, ref+" ("+sayError(err)+")")
			continue
		}
		done++
	}
	msg := fmt.Sprintf("Done for %s.", plural(done, "request", "requests"))
	if len(skipped) > 0 {
		msg += " Not done: " + strings.Join(skipped, "; ") + "."
	}
	return "", msg, nil
}
