package report

import (
	"strings"
	"testing"
	"time"

	"foi/calendar"
	"foi/config"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

func testScheduler(t testing.TB) *schedule.Scheduler {
	t.Helper()
	pol, err := schedule.PolicyFrom(config.Default().Schedule)
	if err != nil {
		t.Fatal(err)
	}
	return &schedule.Scheduler{Cal: calendar.New(), Policy: pol}
}

type in struct {
	kind    lifecycle.Kind
	at      time.Time
	verdict *store.Verdict
}

type out struct {
	step lifecycle.Step
	kind lifecycle.Kind
	at   time.Time
	st   lifecycle.OutboxState
}

func facts(state lifecycle.State, law string, delivered time.Time, replies []in, letters []out) schedule.Facts {
	f := schedule.Facts{
		Request:  store.Request{Ref: "LXP7-001", Campaign: "LXP7", State: state, Law: law, SentAt: delivered, UpdatedAt: delivered, Authority: store.Authority{Name: "Alpha NHS Trust"}},
		Campaign: store.Campaign{Slug: "LXP7"},
	}
	for i, r := range replies {
		f.Thread = append(f.Thread, store.Message{ID: int64(i + 1), Direction: "in", Kind: r.kind, CreatedAt: r.at, Date: r.at, Verdict: r.verdict})
	}
	for i, l := range letters {
		if l.st == "" {
			l.st = lifecycle.OutboxSent
		}
		if l.kind == "" {
			l.kind = l.step.Kind()
		}
		f.Outbox = append(f.Outbox, store.OutboxItem{ID: int64(i + 1), Step: l.step, Kind: l.kind, State: l.st, SentAt: l.at})
	}
	return f
}

// TestRowClock (St Patrick's Day, 17 Mar, and Easter are not working days
// under FOIA s.10(6)): every row says the truth in words (finding 5), and a reply
// that is not confirmed shows what it looks like, with its evidence
// (finding 6).
func TestRowClock(t *testing.T) {
	sch := testScheduler(t)
	loc := sch.Cal.Location()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, loc) }
	march2 := at(2026, 3, 2) // due Tue 31 Mar 2026
	s12 := &store.Verdict{Kind: lifecycle.KindSubstantive, Outcome: lifecycle.Refused, Sections: []string{"s.12"}, Evidence: []string{`refusal: "exceed the appropriate limit"`}}
	for _, tc := range []struct {
		name      string
		f         schedule.Facts
		now       time.Time
		phase     string
		clock     string
		left      *int
		suggested string
		next      string
	}{
		{name: "waiting", f: facts(lifecycle.Sent, "foia", march2, nil, nil), now: at(2026, 3, 23),
			phase: "awaiting", clock: "due in 6 working days", left: ptr(6), next: "first chaser (sent automatically) Wed 1 Apr"},
		{name: "due today", f: facts(lifecycle.Acknowledged, "foia", march2, nil, nil), now: at(2026, 3, 31),
			phase: "awaiting", clock: "due today", left: ptr(0)},
		{name: "late", f: facts(lifecycle.Sent, "foia", march2, nil, nil), now: at(2026, 4, 3),
			phase: "overdue", clock: "2 working days late", left: ptr(-2)},
		{name: "answered in week one is not late", f: facts(lifecycle.Responded, "foia", march2, []in{{lifecycle.KindSubstantive, at(2026, 3, 6), nil}}, nil), now: at(2026, 5, 1),
			phase: "answered", clock: "answered in 4 working days"},
		{name: "answered late", f: facts(lifecycle.Successful, "foia", march2, []in{{lifecycle.KindSubstantive, at(2026, 4, 2), nil}}, nil), now: at(2026, 5, 1),
			phase: "answered", clock: "answered 2 working days late"},
		{name: "a bounce is not late", f: facts(lifecycle.DeliveryFailed, "foia", march2, []in{{lifecycle.KindBounce, at(2026, 3, 2), nil}}, nil), now: at(2026, 5, 1),
			phase: "bounced", clock: "not delivered: correct the address and send again"},
		{name: "a refusal shows its suggestion until confirmed", f: facts(lifecycle.Responded, "foia", march2, []in{{lifecycle.KindSubstantive, at(2026, 3, 10), s12}}, nil), now: at(2026, 3, 11),
			phase: "answered", clock: "answered in 6 working days", suggested: "refused, cites s.12"},
		{name: "confirmed refusal: the ICO window from week four", f: facts(lifecycle.Refused, "foia", march2, []in{{lifecycle.KindSubstantive, at(2026, 3, 10), s12}},
			[]out{{step: lifecycle.StepReviewRefusal, st: lifecycle.OutboxDraft}}), now: at(2026, 4, 10),
			phase: "refused", clock: "answered in 6 working days; ICO window closes in 11 days (Tue 21 Apr)", next: "internal review request drafted: waiting for approval (foi drafts show 1)"},
		{name: "review asked", f: facts(lifecycle.ReviewRequested, "foia", march2, []in{{lifecycle.KindSubstantive, at(2026, 3, 10), s12}},
			[]out{{step: lifecycle.StepReviewRefusal, at: at(2026, 3, 12)}}), now: at(2026, 4, 2),
			phase: "in review", clock: "review due Tue 14 Apr (6 left)"},
		{name: "a refusal upheld on review is still refused", f: facts(lifecycle.Refused, "foia", march2, []in{{lifecycle.KindSubstantive, at(2026, 3, 10), s12}, {lifecycle.KindSubstantive, at(2026, 3, 24), s12}},
			[]out{{step: lifecycle.StepReviewRefusal, at: at(2026, 3, 12)}}), now: at(2026, 4, 2),
			phase: "refused", clock: "review answered in 7 working days"}, // 17 Mar is not a working day
		{name: "extended", f: facts(lifecycle.Extended, "foia", march2, []in{{lifecycle.KindExtension, at(2026, 3, 20), nil}}, nil), now: at(2026, 4, 2),
			phase: "extended", clock: "due in 18 working days (extended)", left: ptr(18)},
		{name: "clarification", f: facts(lifecycle.AwaitingClarification, "foia", march2, []in{{lifecycle.KindClarification, at(2026, 3, 5), nil}}, nil), now: at(2026, 4, 2),
			phase: "clarification", clock: "clock stopped: the authority asked for clarification; answer with foi reply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := RowOf(sch, tc.f, tc.now)
			if row.Phase != tc.phase || row.Clock != tc.clock {
				t.Errorf("phase, clock = %q, %q; want %q, %q", row.Phase, row.Clock, tc.phase, tc.clock)
			}
			switch {
			case tc.left == nil && row.WorkingDaysLeft != nil:
				t.Errorf("working days left = %d, want none", *row.WorkingDaysLeft)
			case tc.left != nil && (row.WorkingDaysLeft == nil || *row.WorkingDaysLeft != *tc.left):
				t.Errorf("working days left = %v, want %d", row.WorkingDaysLeft, *tc.left)
			}
			got := ""
			if row.Suggested != nil {
				got = row.Suggested.Words
				if len(row.Suggested.Evidence) == 0 {
					t.Errorf("suggestion %q has no evidence", got)
				}
			}
			if got != tc.suggested {
				t.Errorf("suggested = %q, want %q", got, tc.suggested)
			}
			if tc.next != "" && (row.Next == nil || !strings.HasPrefix(row.Next.Words, tc.next)) {
				t.Errorf("next = %+v, want %q", row.Next, tc.next)
			}
		})
	}
}

func ptr(n int) *int { return &n }
