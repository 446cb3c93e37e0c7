// Package lifecycle is the one home of a request's lifecycle (SPEC section
// 3): the states a request can be in, the steps the schedule takes, the kinds
// of message and event, the states of a letter in the outbox, and the rules
// that join them — which states are open, closed or waiting on the
// authority, what a reply of each kind does to a request, and what sending a
// step's letter does.
//
// Every other package speaks in these types; none passes a state, step or
// kind as a bare string. The rules are a transition table (Moves) and small
// predicates, all pure; the package holds no mutable state and is safe for
// concurrent use. It does not know about dates: package deadline computes
// the clocks, package schedule decides what is due.
package lifecycle

import (
	"fmt"
	"strings"
)

// State is where a request stands. Overdue and very overdue are derived from
// dates (package deadline), never stored.
type State string

// The states of a request, in lifecycle order, then the side states.
const (
	Draft                 State = "draft"
	Queued                State = "queued"
	Sent                  State = "sent"
	Acknowledged          State = "acknowledged"
	AwaitingClarification State = "awaiting_clarification" // the clock is stopped until we answer
	Extended              State = "extended"               // public-interest extension (FOIA s.10(3))
	Responded             State = "responded"              // a reply waits for a person to classify it
	Successful            State = "successful"
	PartiallySuccessful   State = "partially_successful"
	Refused               State = "refused"
	NotHeld               State = "not_held"
	ReviewRequested       State = "internal_review_requested"
	ReviewAnswered        State = "internal_review_answered"
	ICOReady              State = "ico_complaint_ready"
	ICOFiled              State = "ico_complaint_filed"
	Closed                State = "closed"
	DeliveryFailed        State = "delivery_failed"
	Withdrawn             State = "withdrawn"
)

// States lists every state in lifecycle order.
var States = []State{
	Draft, Queued, Sent, Acknowledged, AwaitingClarification, Extended, Responded,
	Successful, PartiallySuccessful, Refused, NotHeld, ReviewRequested, ReviewAnswered,
	ICOReady, ICOFiled, Closed, DeliveryFailed, Withdrawn,
}

// ParseState reads a state name, naming the valid ones on error.
func ParseState(s string) (State, error) {
	for _, st := range States {
		if string(st) == s {
			return st, nil
		}
	}
	names := make([]string, len(States))
	for i, st := range States {
		names[i] = string(st)
	}
	return "", fmt.Errorf("unknown state %q; valid states: %s", s, strings.Join(names, ", "))
}

// Phase is how a request's state reads on a board.
type Phase int

// The phases: whether the request has gone, whether the authority owes an
// answer, and whether anything more will happen.
const (
	// PhaseUnsent: not sent yet (draft, queued).
	PhaseUnsent Phase = iota
	// PhaseWaiting: the authority owes an answer (sent, acknowledged,
	// extended, or an internal review asked for).
	PhaseWaiting
	// PhaseOnUs: the authority waits on us (clarification) or a reply waits
	// to be classified or followed up (responded, refused, partially
	// successful, review answered, complaint ready).
	PhaseOnUs
	// PhaseDone: nothing more will happen (successful, not held, complaint
	// filed, closed, withdrawn, delivery failed).
	PhaseDone
)

var phases = map[State]Phase{
	Draft: PhaseUnsent, Queued: PhaseUnsent,
	Sent: PhaseWaiting, Acknowledged: PhaseWaiting, Extended: PhaseWaiting, ReviewRequested: PhaseWaiting,
	AwaitingClarification: PhaseOnUs, Responded: PhaseOnUs, Refused: PhaseOnUs, PartiallySuccessful: PhaseOnUs,
	ReviewAnswered: PhaseOnUs, ICOReady: PhaseOnUs,
	Successful: PhaseDone, NotHeld: PhaseDone, ICOFiled: PhaseDone, Closed: PhaseDone,
	Withdrawn: PhaseDone, DeliveryFailed: PhaseDone,
}

// Phase is the board phase of the state.
func (s State) Phase() Phase { return phases[s] }

// WaitingOnAuthority reports whether the authority owes an answer: the
// states in which a reply is expected and lateness counts.
func (s State) WaitingOnAuthority() bool { return s.Phase() == PhaseWaiting }

// Closed reports whether nothing more will happen to the request by itself:
// replies are still filed under it, but no letter is scheduled. Delivery
// failures are closed until a person corrects the address.
func (s State) Closed() bool { return s.Phase() == PhaseDone }

// Open reports whether a reply may still come and be filed under the request
// by its sender alone (matching rule 6): sent and not closed.
func (s State) Open() bool { return s.Phase() == PhaseWaiting || s.Phase() == PhaseOnUs }

// MayReply reports whether a reply from the authority may still come and
// be filed by its sender alone (matching's weakest rule): the request is
// open, or it bounced (a bounce can be wrong: the letter may have arrived).
func (s State) MayReply() bool { return s.Open() || s == DeliveryFailed }

// Schedulable reports whether the schedule may still plan a letter for the
// request: it has been sent, nothing has closed it, and no complaint is
// already drafted.
func (s State) Schedulable() bool { return s.Open() && s != ICOReady }

// Answered reports whether the authority has given its response (a person
// may have recorded it, from a letter or a call).
func (s State) Answered() bool {
	switch s {
	case Responded, Successful, PartiallySuccessful, Refused, NotHeld:
		return true
	}
	return false
}

// Outcome reports whether the state is a classification a person confirms
// for a substantive response.
func (s State) Outcome() bool {
	switch s {
	case Successful, PartiallySuccessful, Refused, NotHeld:
		return true
	}
	return false
}

// Kind is what a message is: the kinds a received message is classified as,
// and the kinds of the letters we send.
type Kind string

// Kinds of received message.
const (
	KindBounce          Kind = "bounce"          // a delivery failure (or delay) report
	KindAutoReply       Kind = "auto_reply"      // out of office, read receipt, other automatic answer
	KindAcknowledgement Kind = "acknowledgement" // the request was received and logged
	KindClarification   Kind = "clarification"   // the authority asks what we mean (FOIA s.1(3)); also our answer
	KindExtension       Kind = "extension"       // more time for the public interest test (s.10(3))
	KindFeeNotice       Kind = "fee_notice"      // a fee must be paid first (s.9)
	KindSubstantive     Kind = "substantive"     // an answer: information, refusal, not held
	KindUnknown         Kind = "unknown"         // none of the above could be told
	// KindIdentity: the authority asks for the requester's real name, or an
	// individual's, before it will answer. The clock runs on: a request
	// made by an organisation in its own name is valid (FOIA s.8(1)(b); the
	// ICO's guidance "Recognising a request made under the FOIA (section
	// 8)" on requests made by organisations).
	KindIdentity Kind = "identity_challenge"
	// KindRedirect: the address no longer takes mail, or asks us to write
	// to another ("this mailbox is no longer monitored, write to ...").
	KindRedirect Kind = "redirect"
)

// Kinds of letter we send besides the steps' own: the first letter, and a
// review asked for by hand.
const (
	KindLetter Kind = "letter"
	KindReview Kind = "review"
)

// Silent reports whether a received message of this kind is not an answer:
// it does not stop the chasers and is not meaningful contact.
func (k Kind) Silent() bool {
	switch k {
	case KindBounce, KindAutoReply, KindAcknowledgement, KindClarification, KindExtension, KindFeeNotice,
		KindIdentity, KindRedirect:
		return true
	}
	return false
}

// Step is a letter the schedule (or the first send) writes for a request;
// each request has at most one letter per step.
type Step string

// The steps, in the order they can happen.
const (
	StepLetter        Step = "letter" // the request itself
	StepFirstChaser   Step = "first_chaser"
	StepFinalChaser   Step = "final_chaser"
	StepReviewSilence Step = "review_on_silence"
	StepReviewRefusal Step = "review_after_refusal"
	StepComplaint     Step = "ico_complaint"
	// StepManual is a letter written by hand (foi reply); any number may be.
	StepManual Step = ""
)

// ScheduledSteps are the steps the schedule plans, in order.
var ScheduledSteps = []Step{StepFirstChaser, StepFinalChaser, StepReviewSilence, StepReviewRefusal, StepComplaint}

// ParseStep reads a scheduled step's name, naming the valid ones on error.
func ParseStep(s string) (Step, error) {
	for _, st := range ScheduledSteps {
		if string(st) == s {
			return st, nil
		}
	}
	names := make([]string, len(ScheduledSteps))
	for i, st := range ScheduledSteps {
		names[i] = string(st)
	}
	return "", fmt.Errorf("unknown step %q; the steps are %s", s, strings.Join(names, ", "))
}

// Chaser reports whether the step chases a late response.
func (s Step) Chaser() bool { return s == StepFirstChaser || s == StepFinalChaser }

// Review reports whether the step asks for an internal review.
func (s Step) Review() bool { return s == StepReviewSilence || s == StepReviewRefusal }

// Kind is the kind of message the step's letter is.
func (s Step) Kind() Kind { return Kind(s) }

// Mode is what a step does when it is due.
type Mode string

// The modes of a step.
const (
	Auto    Mode = "auto"  // the letter is sent
	Drafted Mode = "draft" // the letter waits for a person's approval
	Off     Mode = "off"   // nothing is written
)

// ParseMode reads a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Auto, Drafted, Off:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q: the mode is auto, draft or off", s)
}

// OutboxState is where a letter stands in the outbox.
type OutboxState string

// The outbox states.
const (
	OutboxDraft      OutboxState = "draft"       // waits for approval
	OutboxCancelled  OutboxState = "cancelled"   // no longer due, or discarded
	OutboxPending    OutboxState = "pending"     // to be sent from next_attempt_at
	OutboxSending    OutboxState = "sending"     // claimed; a crash here leaves it in doubt
	OutboxSent       OutboxState = "sent"        // the server said 250 to DATA
	OutboxTempFailed OutboxState = "temp_failed" // a 4xx or a dropped connection: retried
	OutboxFailed     OutboxState = "failed"      // a 5xx to its own RCPT or DATA: never retried
	// OutboxInDoubt: it may have been delivered (the connection was lost
	// after the data, the reply came too late, a crash while sending). It
	// is never resent by itself: the Sent folder proves it sent, or a
	// person resends it or marks it sent.
	OutboxInDoubt OutboxState = "in_doubt"
)

// Due reports whether a letter in this state is waiting to be sent.
func (s OutboxState) Due() bool { return s == OutboxPending || s == OutboxTempFailed }

// EventKind is what an event of a request's history records.
type EventKind string

// The kinds of event.
const (
	EventCreated       EventKind = "created"
	EventQueued        EventKind = "queued"
	EventDrafted       EventKind = "drafted"
	EventApproved      EventKind = "approved"
	EventDiscarded     EventKind = "discarded"
	EventEdited        EventKind = "edited"
	EventCancelled     EventKind = "cancelled"
	EventSent          EventKind = "sent"
	EventSendDeferred  EventKind = "send_deferred"
	EventSendFailed    EventKind = "send_failed"
	EventSendBlocked   EventKind = "send_blocked" // a fault of ours stopped sending; the letter waits
	EventReply         EventKind = "reply"
	EventClassified    EventKind = "classified"
	EventAuthorityRef  EventKind = "authority_ref"
	EventBounceDelayed EventKind = "bounce_delayed"
	EventRedirect      EventKind = "redirect"
	EventIdentity      EventKind = "identity_challenge" // asked for a real name; the clock runs on (FOIA s.8(1)(b))
	EventFeeNotice     EventKind = "fee_notice"
	EventFeePaid       EventKind = "fee_paid"
	EventState         EventKind = "state"
)

// Move is a state change a received message asks for.
type Move struct {
	To   State
	Note string
}

// waiting are the states in which the authority is still to answer the
// request itself (before any internal review).
var waiting = []State{Queued, Sent, Acknowledged, Extended, AwaitingClarification}

// replyMoves is the transition table for received messages: for each kind,
// the states it applies in and the state it leads to. In any other state the
// request stays where it is, so that a late acknowledgement never undoes an
// answer. Automatic replies and fee notices move nothing (a fee notice stops
// the clock through its dates, not through the state), and neither do
// identity challenges (the clock runs on, FOIA s.8(1)(b)) or redirects.
var replyMoves = map[Kind]struct {
	from []State
	to   State
	note string
}{
	KindBounce:          {append(append([]State{}, waiting...), Responded), DeliveryFailed, "bounced"},
	KindAcknowledgement: {[]State{Queued, Sent}, Acknowledged, "acknowledged"},
	KindClarification:   {[]State{Queued, Sent, Acknowledged, Extended}, AwaitingClarification, "the authority asks for clarification: the clock is stopped until we answer"},
	KindExtension:       {[]State{Queued, Sent, Acknowledged}, Extended, "public-interest extension: the response is due later"},
	KindSubstantive:     {append(append([]State{}, waiting...), ReviewRequested), Responded, "a reply to read and classify (foi mark)"},
	KindUnknown:         {append(append([]State{}, waiting...), ReviewRequested), Responded, "a reply to read and classify (foi mark)"},
}

// OnReply is the state a request in state from moves to when a message of
// kind k is filed under it, if any. A substantive reply during an internal
// review is the review's answer.
func OnReply(k Kind, from State) (Move, bool) {
	m, ok := replyMoves[k]
	if !ok {
		return Move{}, false
	}
	for _, f := range m.from {
		if f == from {
			to := m.to
			if to == Responded && from == ReviewRequested {
				to = ReviewAnswered
			}
			return Move{To: to, Note: m.note}, true
		}
	}
	return Move{}, false
}

// OnSent is the state a request in state from moves to when a letter of this
// step and kind has gone, if any: the first letter makes it sent, a review
// request means waiting for the review, and our clarification restarts the
// clock.
func OnSent(step Step, k Kind, from State) (Move, bool) {
	switch {
	case step == StepLetter && (from == Draft || from == Queued):
		return Move{To: Sent, Note: "sent"}, true
	case step.Review() || (step == StepManual && k == KindReview):
		if from != ReviewRequested {
			return Move{To: ReviewRequested, Note: "internal review requested"}, true
		}
	case k == KindClarification && from == AwaitingClarification:
		return Move{To: Sent, Note: "clarification sent: the clock starts again"}, true
	}
	return Move{}, false
}

// MayGo reports whether a scheduled step's letter may still go to a request
// in state s: chasers and a review on silence only while the authority owes
// the answer and nothing has stopped the clock; a review after a refusal
// only while the refusal stands. Other letters always may.
func MayGo(step Step, s State) bool {
	switch step {
	case StepFirstChaser, StepFinalChaser, StepReviewSilence:
		return s == Sent || s == Acknowledged || s == Extended
	case StepReviewRefusal:
		return s == Refused || s == PartiallySuccessful
	}
	return true
}

// Modes are the modes chosen for the scheduled steps; a step not named
// takes the mode from elsewhere (the campaign's over foi.yaml's).
type Modes map[Step]Mode

// ParseModes reads step=mode pairs ("first_chaser=draft,review_on_silence=off"),
// naming the step or mode at fault. Complaints are never sent by foi, so
// ico_complaint cannot be auto.
func ParseModes(s string) (Modes, error) {
	out := Modes{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, mode, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("schedule %q: write step=mode, e.g. first_chaser=draft", part)
		}
		step, err := ParseStep(name)
		if err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
		m, err := ParseMode(mode)
		if err != nil {
			return nil, fmt.Errorf("schedule: %s=%s: %w", step, mode, err)
		}
		if step == StepComplaint && m == Auto {
			return nil, fmt.Errorf("schedule: ico_complaint cannot be auto: complaints are never sent by foi")
		}
		out[step] = m
	}
	return out, nil
}
