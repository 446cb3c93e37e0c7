package lifecycle

import "testing"

// TestEveryStateHasAPhase: no state falls through the predicates.
func TestEveryStateHasAPhase(t *testing.T) {
	for _, s := range States {
		if _, ok := phases[s]; !ok {
			t.Errorf("state %s has no phase", s)
		}
		if s.Open() && !s.MayReply() {
			t.Errorf("state %s is open but may not get a reply", s)
		}
		if n := btoi(s.Closed()) + btoi(s.Open()) + btoi(s.Phase() == PhaseUnsent); n != 1 {
			t.Errorf("state %s: closed %v, open %v, unsent %v: want exactly one", s, s.Closed(), s.Open(), s.Phase() == PhaseUnsent)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPredicates(t *testing.T) {
	for _, tc := range []struct {
		s                                      State
		waiting, closed, schedulable, answered bool
	}{
		{Draft, false, false, false, false},
		{Sent, true, false, true, false},
		{Acknowledged, true, false, true, false},
		{Extended, true, false, true, false},
		{AwaitingClarification, false, false, true, false},
		{Responded, false, false, true, true},
		{Refused, false, false, true, true},
		{Successful, false, true, false, true},
		{NotHeld, false, true, false, true},
		{ReviewRequested, true, false, true, false},
		{ICOReady, false, false, false, false},
		{DeliveryFailed, false, true, false, false},
		{Withdrawn, false, true, false, false},
	} {
		got := [4]bool{tc.s.WaitingOnAuthority(), tc.s.Closed(), tc.s.Schedulable(), tc.s.Answered()}
		want := [4]bool{tc.waiting, tc.closed, tc.schedulable, tc.answered}
		if got != want {
			t.Errorf("%s: waiting, closed, schedulable, answered = %v, want %v", tc.s, got, want)
		}
	}
}

// TestOnReply is the transition table for replies, read as the lifecycle:
// a late acknowledgement never undoes an answer, a bounce stops a request,
// an answer during a review is the review's answer.
func TestOnReply(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		from State
		to   State // "" for no move
	}{
		{KindAcknowledgement, Sent, Acknowledged},
		{KindAcknowledgement, Responded, ""},
		// An identity challenge keeps the clock running: nothing moves
		// (FOIA s.8(1)(b)). Nor does a redirect.
		{KindIdentity, Sent, ""},
		{KindIdentity, Acknowledged, ""},
		{KindRedirect, Sent, ""},
		{KindAcknowledgement, Extended, ""},
		{KindClarification, Acknowledged, AwaitingClarification},
		{KindExtension, Acknowledged, Extended},
		{KindExtension, Responded, ""},
		{KindSubstantive, Sent, Responded},
		{KindSubstantive, Extended, Responded},
		{KindSubstantive, AwaitingClarification, Responded},
		{KindSubstantive, ReviewRequested, ReviewAnswered},
		{KindSubstantive, Successful, ""},
		{KindUnknown, Acknowledged, Responded},
		{KindBounce, Sent, DeliveryFailed},
		{KindBounce, Successful, ""},
		{KindAutoReply, Sent, ""},
		{KindFeeNotice, Sent, ""},
	} {
		mv, ok := OnReply(tc.kind, tc.from)
		got := State("")
		if ok {
			got = mv.To
		}
		if got != tc.to {
			t.Errorf("OnReply(%s, %s) = %q, want %q", tc.kind, tc.from, got, tc.to)
		}
	}
}

func TestOnSent(t *testing.T) {
	for _, tc := range []struct {
		step Step
		kind Kind
		from State
		to   State
	}{
		{StepLetter, KindLetter, Queued, Sent},
		{StepLetter, KindLetter, Sent, ""},
		{StepReviewSilence, StepReviewSilence.Kind(), Sent, ReviewRequested},
		{StepReviewRefusal, StepReviewRefusal.Kind(), Refused, ReviewRequested},
		{StepManual, KindReview, Refused, ReviewRequested},
		{StepManual, KindClarification, AwaitingClarification, Sent},
		{StepManual, KindClarification, Sent, ""},
		{StepFirstChaser, StepFirstChaser.Kind(), Sent, ""},
	} {
		mv, ok := OnSent(tc.step, tc.kind, tc.from)
		got := State("")
		if ok {
			got = mv.To
		}
		if got != tc.to {
			t.Errorf("OnSent(%q, %s, %s) = %q, want %q", tc.step, tc.kind, tc.from, got, tc.to)
		}
	}
}

func TestMayGo(t *testing.T) {
	for _, tc := range []struct {
		step Step
		s    State
		want bool
	}{
		{StepFirstChaser, Sent, true},
		{StepFirstChaser, Extended, true},
		{StepFirstChaser, Responded, false},
		{StepFinalChaser, AwaitingClarification, false},
		{StepReviewSilence, DeliveryFailed, false},
		{StepReviewRefusal, Refused, true},
		{StepReviewRefusal, Successful, false},
		{StepManual, Withdrawn, true},
	} {
		if got := MayGo(tc.step, tc.s); got != tc.want {
			t.Errorf("MayGo(%q, %s) = %v, want %v", tc.step, tc.s, got, tc.want)
		}
	}
}

func TestParseModes(t *testing.T) {
	m, err := ParseModes("first_chaser=draft, review_on_silence=off")
	if err != nil || m[StepFirstChaser] != Drafted || m[StepReviewSilence] != Off || len(m) != 2 {
		t.Errorf("ParseModes = %v, %v", m, err)
	}
	for _, bad := range []string{"first_chaser", "second_chaser=auto", "first_chaser=sometimes", "ico_complaint=auto"} {
		if _, err := ParseModes(bad); err == nil {
			t.Errorf("ParseModes(%q): no error", bad)
		}
	}
}
