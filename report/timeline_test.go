package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"foi/calendar"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// on is a moment in London: "2026-03-02 10:04".
func on(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, london)
	if err != nil {
		panic(err)
	}
	return t
}

// history builds a request's facts the way the store records them: each
// call appends the rows and events the store writes for that happening.
type history struct {
	f    schedule.Facts
	next int64
}

func newHistory(law string) *history {
	return &history{f: schedule.Facts{
		Request: store.Request{Ref: "LXP7-001", Campaign: "LXP7", State: lifecycle.Draft, Law: law,
			Authority: store.Authority{Name: "Alpha NHS Trust", Jurisdiction: law}, ToAddress: "foi@alpha.nhs.uk"},
		Campaign: store.Campaign{Slug: "LXP7", Title: "Band 7 roles"},
	}}
}

func (h *history) id() int64 { h.next++; return h.next }

func (h *history) event(kind lifecycle.EventKind, actor, detail, at string, msg int64) {
	h.f.Events = append(h.f.Events, store.Event{ID: h.id(), At: on(at), Kind: kind, Actor: actor, Detail: detail, MessageID: msg})
}

func (h *history) state(to lifecycle.State, actor, note, at string) {
	detail := fmt.Sprintf("%s → %s", h.f.Request.State, to)
	if note != "" {
		detail += ": " + note
	}
	h.f.Request.State, h.f.Request.UpdatedAt = to, on(at)
	h.event(lifecycle.EventState, actor, detail, at, 0)
}

// letter is one of our letters: queued (or drafted), then sent unless at
// is "".
func (h *history) letter(step lifecycle.Step, kind lifecycle.Kind, queued, at string) int64 {
	if kind == "" {
		kind = step.Kind()
	}
	mid := h.id()
	msgID := fmt.Sprintf("lxp7-001.%d@foi.test", mid)
	h.f.Thread = append(h.f.Thread, store.Message{ID: mid, Direction: "out", MessageID: msgID, Kind: kind, To: h.f.Request.ToAddress,
		Subject: "Freedom of Information request [LXP7-001]: Band 7 roles", CreatedAt: on(queued)})
	it := store.OutboxItem{ID: h.id(), Ref: "LXP7-001", Step: step, Kind: kind, State: lifecycle.OutboxDraft, MessageRowID: mid, MessageID: msgID, CreatedAt: on(queued)}
	if step == lifecycle.StepComplaint || at == "" {
		h.event(lifecycle.EventDrafted, "foi", fmt.Sprintf("%s drafted for approval as %s", kind, msgID), queued, mid)
	} else {
		h.event(lifecycle.EventQueued, "foi", fmt.Sprintf("%s queued as %s", kind, msgID), queued, mid)
	}
	if at != "" && step != lifecycle.StepComplaint {
		it.State, it.SentAt = lifecycle.OutboxSent, on(at)
		if step == lifecycle.StepLetter {
			h.f.Request.SentAt, h.f.Request.State = on(at), lifecycle.Sent
		} else if mv, ok := lifecycle.OnSent(step, kind, h.f.Request.State); ok {
			h.state(mv.To, "foi", mv.Note, at)
		}
		h.event(lifecycle.EventSent, "foi", string(kind)+" sent", at, mid)
	}
	h.f.Outbox = append(h.f.Outbox, it)
	return mid
}

// reply is a message from the authority, filed with its classification.
func (h *history) reply(v store.Verdict, at string) int64 {
	mid := h.id()
	h.f.Thread = append(h.f.Thread, store.Message{ID: mid, Direction: "in", MessageID: fmt.Sprintf("r%d@alpha.nhs.uk", mid),
		From: "foi@alpha.nhs.uk", Kind: v.Kind, Verdict: &v, CreatedAt: on(at), Date: on(at), MatchRule: "in-reply-to"})
	h.event(lifecycle.EventReply, "foi", fmt.Sprintf("reply r%d@alpha.nhs.uk from foi@alpha.nhs.uk matched by in-reply-to", mid), at, mid)
	h.event(lifecycle.EventClassified, "foi", fmt.Sprintf("looks like %s: %s", v.Kind, strings.Join(v.Evidence, "; ")), at, mid)
	if mv, ok := lifecycle.OnReply(v.Kind, h.f.Request.State); ok {
		h.state(mv.To, "foi", mv.Note, at)
	}
	return mid
}

func (h *history) learnRef(ref, at string, msg int64) {
	h.f.Request.AuthorityRef = ref
	h.event(lifecycle.EventAuthorityRef, "foi", "the authority's reference is "+ref, at, msg)
}

// TestTimeline: the history reads as a person tells it, with dates, and
// none of the bookkeeping (queued-as lines, Message-IDs, the evidence of a
// classification, state changes a letter or reply already says).
func TestTimeline(t *testing.T) {
	t.Parallel()
	refusal := store.Verdict{Kind: lifecycle.KindSubstantive, Evidence: []string{`cost limit: "appropriate limit"`}, Sections: []string{"s.12"}, Outcome: lifecycle.Refused}
	for _, tc := range []struct {
		name  string
		law   string
		build func(h *history)
		want  []string
	}{{
		name: "sent, acknowledged with their reference, chased",
		law:  "foia",
		build: func(h *history) {
			h.event(lifecycle.EventCreated, "user", "request created in campaign LXP7", "2026-02-27 16:00", 0)
			h.letter(lifecycle.StepLetter, lifecycle.KindLetter, "2026-03-02 10:00", "2026-03-02 10:04")
			ack := h.reply(store.Verdict{Kind: lifecycle.KindAcknowledgement, Evidence: []string{`"has been logged"`}}, "2026-03-03 09:12")
			h.learnRef("FOI/26/123", "2026-03-03 09:12", ack)
			h.letter(lifecycle.StepFirstChaser, "", "2026-04-01 09:30", "2026-04-01 09:31")
			h.letter(lifecycle.StepFinalChaser, "", "2026-04-16 09:30", "2026-04-16 09:30")
		},
		want: []string{
			"Fri 27 Feb 2026 16:00  The request was written (campaign LXP7).",
			"Mon 2 Mar 2026 10:04  We sent the request to Alpha NHS Trust (foi@alpha.nhs.uk).",
			"Tue 3 Mar 2026 09:12  Alpha NHS Trust acknowledged the request (their reference FOI/26/123).",
			// Due on the 20th working day after Mon 2 Mar (FOIA s.10(1)), St
			// Patrick's Day not counted (s.10(6)).
			"Wed 1 Apr 2026 09:31  We sent a first chaser: the response was due on 31 Mar 2026.",
			"Thu 16 Apr 2026 09:30  We sent a final chaser: the response was due on 31 Mar 2026.",
		},
	}, {
		name: "a public-interest extension moves the due date",
		law:  "foia",
		build: func(h *history) {
			h.letter(lifecycle.StepLetter, lifecycle.KindLetter, "2026-03-02 10:00", "2026-03-02 10:04")
			h.reply(store.Verdict{Kind: lifecycle.KindExtension}, "2026-03-27 11:00")
		},
		want: []string{
			"Mon 2 Mar 2026 10:04  We sent the request to Alpha NHS Trust (foi@alpha.nhs.uk).",
			// 40 working days (ICO guidance on s.10(3)): St Patrick's Day,
			// Good Friday and Easter Monday skipped.
			"Fri 27 Mar 2026 11:00  Alpha NHS Trust said it needs more time to consider the public interest (section 10(3)): the response is now due on 30 Apr 2026.",
		},
	}, {
		name: "refused, confirmed, reviewed, upheld; the complaint drafted",
		law:  "foia",
		build: func(h *history) {
			h.letter(lifecycle.StepLetter, lifecycle.KindLetter, "2026-03-02 10:00", "2026-03-02 10:04")
			h.reply(refusal, "2026-03-20 09:00")
			h.state(lifecycle.Refused, "user", "cost limit (s.12) cited", "2026-03-20 10:00")
			id := h.letter(lifecycle.StepReviewRefusal, "", "2026-03-20 12:00", "")
			h.event(lifecycle.EventApproved, "user", "review_after_refusal approved", "2026-03-20 15:00", 0)
			for i := range h.f.Outbox {
				if h.f.Outbox[i].MessageRowID == id {
					h.f.Outbox[i].State, h.f.Outbox[i].SentAt = lifecycle.OutboxSent, on("2026-03-20 15:01")
				}
			}
			h.state(lifecycle.ReviewRequested, "foi", "internal review requested", "2026-03-20 15:01")
			h.event(lifecycle.EventSent, "foi", "review_after_refusal sent", "2026-03-20 15:01", id)
			h.reply(store.Verdict{Kind: lifecycle.KindSubstantive, Sections: []string{"s.12"}, Outcome: lifecycle.Refused}, "2026-04-14 16:00")
			complaint := h.letter(lifecycle.StepComplaint, "", "2026-07-01 12:00", "")
			h.state(lifecycle.ICOReady, "foi", "complaint drafted: build the pack with foi ico-pack LXP7-001", "2026-07-01 12:00")
			h.event(lifecycle.EventEdited, "user", "ico_complaint draft 9 edited", "2026-07-02 10:00", complaint)
		},
		want: []string{
			"Mon 2 Mar 2026 10:04  We sent the request to Alpha NHS Trust (foi@alpha.nhs.uk).",
			"Fri 20 Mar 2026 09:00  Alpha NHS Trust replied: it looks like a refusal citing s.12 (suggested).",
			"Fri 20 Mar 2026 10:00  You marked the request refused: cost limit (s.12) cited.",
			"Fri 20 Mar 2026 12:00  foi drafted a request for an internal review of the refusal, for you to give the grounds and approve.",
			"Fri 20 Mar 2026 15:00  You approved the internal review request.",
			// 20 working days after Fri 20 Mar, over Easter.
			"Fri 20 Mar 2026 15:01  We asked for an internal review of the refusal: the authority should answer by 21 Apr 2026.",
			"Tue 14 Apr 2026 16:00  Alpha NHS Trust answered the internal review: it looks like the refusal was upheld citing s.12 (suggested; not yet confirmed).",
			"Wed 1 Jul 2026 12:00  foi drafted the complaint to the Information Commissioner.",
			"Thu 2 Jul 2026 10:00  You edited the draft complaint to the Commissioner.",
		},
	}, {
		name: "bounced; a chaser cancelled; a fee paid; withdrawn",
		law:  "foia",
		build: func(h *history) {
			h.letter(lifecycle.StepLetter, lifecycle.KindLetter, "2026-03-02 10:00", "2026-03-02 10:04")
			h.reply(store.Verdict{Kind: lifecycle.KindFeeNotice}, "2026-03-09 10:00")
			h.event(lifecycle.EventFeeNotice, "foi", "fees notice: the clock is stopped until paid", "2026-03-09 10:00", 0)
			h.event(lifecycle.EventFeePaid, "user", "fee paid: the clock runs again (by cheque)", "2026-03-16 10:00", 0)
			h.event(lifecycle.EventCancelled, "foi", "first_chaser not sent: the authority has answered", "2026-04-01 09:30", 0)
			h.reply(store.Verdict{Kind: lifecycle.KindBounce, FailedRecipients: []string{"foi@alpha.nhs.uk"}, Status: "5.1.1", Diagnostic: "550 User unknown"}, "2026-04-02 10:00")
			h.event(lifecycle.EventSendBlocked, "foi", "first_chaser not sent, waiting: the SMTP password file is missing", "2026-04-02 11:00", 0)
			h.state(lifecycle.Withdrawn, "sam", "", "2026-04-03 10:00")
		},
		want: []string{
			"Mon 2 Mar 2026 10:04  We sent the request to Alpha NHS Trust (foi@alpha.nhs.uk).",
			"Mon 9 Mar 2026 10:00  Alpha NHS Trust sent a fees notice: the clock is stopped until the fee is paid.",
			"Mon 16 Mar 2026 10:00  You recorded that the fee was paid: the clock runs again (by cheque).",
			"Wed 1 Apr 2026 09:30  foi did not send the first chaser: the authority has answered.",
			"Thu 2 Apr 2026 10:00  Our letter to foi@alpha.nhs.uk could not be delivered (5.1.1 550 User unknown).",
			"Thu 2 Apr 2026 11:00  The first chaser is waiting to go: a problem on our side stopped it (the SMTP password file is missing).",
			"Fri 3 Apr 2026 10:00  sam withdrew the request.",
		},
	}, {
		name: "Scotland: no extension; the appeal drafted",
		law:  "foisa",
		build: func(h *history) {
			h.letter(lifecycle.StepLetter, lifecycle.KindLetter, "2026-03-02 10:00", "2026-03-02 10:04")
			h.reply(store.Verdict{Kind: lifecycle.KindExtension}, "2026-03-20 11:00")
			h.letter(lifecycle.StepComplaint, "", "2026-07-01 12:00", "")
		},
		want: []string{
			"Mon 2 Mar 2026 10:04  We sent the request to Alpha NHS Trust (foi@alpha.nhs.uk).",
			// FOISA s.10(1): 20 working days, St Patrick's Day counted.
			"Fri 20 Mar 2026 11:00  Alpha NHS Trust said it needs more time, but the Scottish Act allows no extension: the response is still due on 30 Mar 2026.",
			"Wed 1 Jul 2026 12:00  foi drafted the appeal to the Scottish Information Commissioner.",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHistory(tc.law)
			tc.build(h)
			var got []string
			for _, e := range Timeline(h.f, calendar.New(), london) {
				got = append(got, e.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Timeline =\n%s\n\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for _, line := range got {
				for _, jargon := range []string{"@foi.test", "queued", "matched by", "looks like acknowledgement", "→", "_"} {
					if strings.Contains(line, jargon) {
						t.Errorf("line %q has tool jargon %q", line, jargon)
					}
				}
			}
		})
	}
}

// TestParseStateChange reads the store's own words for a state change.
func TestParseStateChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		detail   string
		from, to lifecycle.State
		note     string
		ok       bool
	}{
		{"sent → acknowledged: acknowledged", lifecycle.Sent, lifecycle.Acknowledged, "acknowledged", true},
		{"responded → refused", lifecycle.Responded, lifecycle.Refused, "", true},
		{"refused → internal_review_requested: internal review requested: by hand", lifecycle.Refused, lifecycle.ReviewRequested, "internal review requested: by hand", true},
		{"sent → nowhere", "", "", "", false},
		{"something else", "", "", "", false},
	} {
		from, to, note, ok := parseStateChange(tc.detail)
		if from != tc.from || to != tc.to || note != tc.note || ok != tc.ok {
			t.Errorf("parseStateChange(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tc.detail, from, to, note, ok, tc.from, tc.to, tc.note, tc.ok)
		}
		if !tc.ok {
			continue
		}
		// The same change as the store records it now: typed states.
		e := store.Event{Kind: lifecycle.EventState, Detail: tc.detail, From: tc.from, To: tc.to}
		if from, to, note, ok := stateChange(e); from != tc.from || to != tc.to || note != tc.note || !ok {
			t.Errorf("stateChange(%q with typed states) = %q, %q, %q, %v; want %q, %q, %q", tc.detail, from, to, note, ok, tc.from, tc.to, tc.note)
		}
	}
}
