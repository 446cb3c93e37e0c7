package report

import (
	"fmt"
	"strings"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

// Entry is one line of a request's history, in plain English.
type Entry struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
	// Message is the store's row of the message the line is about (0 for
	// none): a letter sent or a reply filed.
	Message int64 `json:"message,omitempty"`
}

// EntryLayout is how an entry's moment is written.
const EntryLayout = "Mon 2 Jan 2006 15:04"

// dayLayout is how a date is written inside a sentence.
const dayLayout = "2 Jan 2006"

// String is the entry as one line: "Mon 2 Mar 2026 10:04  We sent ...".
func (e Entry) String() string { return e.At.Format(EntryLayout) + "  " + e.Text }

// Timeline is the history of a request as people tell it: what we sent,
// what the authority answered and what it looked like, what a person
// decided, what foi drafted or held back, with the dates the law counts
// from. It is built from the events, with the thread and the outbox for
// the details; the bookkeeping (queued letters, Message-IDs, the evidence
// of a classification, the state changes a reply or a letter explains
// already) is left out. Times are shown in loc. The calendar gives the due
// dates in force at each moment ("the response was due on ..."); with a nil
// calendar they are left out.
func Timeline(f schedule.Facts, cal *calendar.Calendar, loc *time.Location) []Entry {
	if loc == nil {
		loc = time.UTC
	}
	t := newTeller(f, cal)
	var out []Entry
	for _, e := range f.Events {
		text := t.tell(e)
		if text == "" {
			continue
		}
		out = append(out, Entry{At: e.At.In(loc), Text: text, Message: e.MessageID})
	}
	return out
}

// teller writes the sentences of one request's timeline.
type teller struct {
	f   schedule.Facts
	cal *calendar.Calendar
	// msgs are the thread by row; letters the outbox entries by message row.
	msgs    map[int64]store.Message
	letters map[int64]store.OutboxItem
	// refFrom marks the replies from which the authority's reference was
	// learned.
	refFrom map[int64]bool
}

func newTeller(f schedule.Facts, cal *calendar.Calendar) *teller {
	t := &teller{f: f, cal: cal, msgs: map[int64]store.Message{}, letters: map[int64]store.OutboxItem{}, refFrom: map[int64]bool{}}
	for _, m := range f.Thread {
		t.msgs[m.ID] = m
	}
	for _, it := range f.Outbox {
		t.letters[it.MessageRowID] = it
	}
	for _, e := range f.Events {
		if e.Kind == lifecycle.EventAuthorityRef && e.MessageID != 0 {
			t.refFrom[e.MessageID] = true
		}
	}
	return t
}

func (t *teller) authority() string {
	if n := t.f.Request.Authority.Name; n != "" {
		return n
	}
	return t.f.Request.ToAddress
}

func (t *teller) law() calendar.Law { return calendar.Law(t.f.Request.Law) }

// commissioner names who hears the complaint.
func (t *teller) commissioner() string {
	if t.law().Scottish() {
		return "the Scottish Information Commissioner"
	}
	return "the Information Commissioner"
}

// tell is the sentence for one event, or "" for bookkeeping.
func (t *teller) tell(e store.Event) string {
	switch e.Kind {
	case lifecycle.EventCreated:
		if slug := t.f.Campaign.Slug; slug != "" {
			return fmt.Sprintf("The request was written (campaign %s).", slug)
		}
		return "The request was written."
	case lifecycle.EventQueued, lifecycle.EventSendDeferred, lifecycle.EventClassified,
		lifecycle.EventBounceDelayed, lifecycle.EventFeeNotice, lifecycle.EventAuthorityRef:
		// Told with the letter or the reply they belong to, or retried.
		return ""
	case lifecycle.EventDrafted:
		it := t.letters[e.MessageID]
		switch it.Step {
		case lifecycle.StepComplaint:
			if t.law().Scottish() {
				return "foi drafted the appeal to the Scottish Information Commissioner."
			}
			return "foi drafted the complaint to the Information Commissioner."
		case lifecycle.StepReviewRefusal:
			return "foi drafted a request for an internal review of the refusal, for you to give the grounds and approve."
		}
		return fmt.Sprintf("foi drafted %s for you to approve.", withArticle(letterWords(it.Step, it.Kind)))
	case lifecycle.EventApproved, lifecycle.EventDiscarded, lifecycle.EventEdited:
		// The letter by its message, else the first word of the detail
		// ("first_chaser approved", "ico_complaint draft 7 edited").
		step, kind := lifecycle.StepManual, lifecycle.Kind("")
		if it, ok := t.letters[e.MessageID]; ok && e.MessageID != 0 {
			step, kind = it.Step, it.Kind
		} else if w := strings.Fields(e.Detail); len(w) > 1 && !strings.HasPrefix(e.Detail, " ") {
			step, kind = lifecycle.Step(w[0]), lifecycle.Kind(w[0])
		}
		what := letterWords(step, kind)
		switch e.Kind {
		case lifecycle.EventApproved:
			return fmt.Sprintf("%s approved the %s.", actor(e.Actor), what)
		case lifecycle.EventDiscarded:
			return fmt.Sprintf("%s discarded the draft %s.", actor(e.Actor), what)
		}
		return fmt.Sprintf("%s edited the draft %s.", actor(e.Actor), what)
	case lifecycle.EventCancelled:
		step, why, _ := strings.Cut(e.Detail, " not sent: ")
		s := lifecycle.Step(step)
		return fmt.Sprintf("foi did not send the %s: %s.", letterWords(s, s.Kind()), strings.TrimSuffix(why, "."))
	case lifecycle.EventSent:
		return t.sent(e)
	case lifecycle.EventSendFailed:
		return fmt.Sprintf("Our letter could not be sent: the mail server refused it (%s).", e.Detail)
	case lifecycle.EventSendBlocked:
		// "<kind> not sent, waiting: <reason>"
		what, why, ok := strings.Cut(e.Detail, " not sent, waiting: ")
		if !ok {
			return sentence("A letter is waiting to go: " + e.Detail)
		}
		k := lifecycle.Kind(what)
		return fmt.Sprintf("The %s is waiting to go: a problem on our side stopped it (%s).", letterWords(lifecycle.Step(k), k), strings.TrimSuffix(why, "."))
	case lifecycle.EventReply:
		return t.reply(e)
	case lifecycle.EventRedirect:
		if m, ok := t.msgs[e.MessageID]; ok && m.Verdict != nil && len(m.Verdict.RedirectTo) > 0 {
			return "" // told with the automatic reply
		}
		return sentence(e.Detail)
	case lifecycle.EventFeePaid:
		text := actor(e.Actor) + " recorded that the fee was paid: the clock runs again"
		if _, note, ok := strings.Cut(e.Detail, " ("); ok {
			text += " (" + note
		}
		return text + "."
	case lifecycle.EventState:
		return t.state(e)
	}
	if e.Detail == "" {
		return sentence(string(e.Kind))
	}
	return sentence(string(e.Kind) + ": " + e.Detail)
}

// sent tells a letter that went.
func (t *teller) sent(e store.Event) string {
	m := t.msgs[e.MessageID]
	it, ok := t.letters[e.MessageID]
	step, kind := it.Step, it.Kind
	if !ok {
		step, kind = lifecycle.StepManual, m.Kind
	}
	to := m.To
	if to == "" {
		to = t.f.Request.ToAddress
	}
	at := t.at(e.At)
	switch {
	case step == lifecycle.StepLetter:
		return fmt.Sprintf("We sent the request to %s (%s).", t.authority(), to)
	case step.Chaser():
		what := "a first chaser"
		if step == lifecycle.StepFinalChaser {
			what = "a final chaser"
		}
		if due := at.Due; !due.IsZero() {
			return fmt.Sprintf("We sent %s: the response was due on %s.", what, due.Format(dayLayout))
		}
		return fmt.Sprintf("We sent %s.", what)
	case step.Review() || kind == lifecycle.KindReview:
		why := ""
		switch step {
		case lifecycle.StepReviewSilence:
			why = ", as no response had come"
		case lifecycle.StepReviewRefusal:
			why = " of the refusal"
		}
		noun, asked := reviewWords(t.law())
		text := fmt.Sprintf("We %s %s%s", asked, withArticle(noun), why)
		if due := at.ReviewDue; !due.IsZero() {
			text += ": the authority should answer by " + due.Format(dayLayout)
		}
		return text + "."
	case kind == lifecycle.KindClarification:
		return "We sent the clarification the authority asked for: the clock started again."
	}
	if m.Subject != "" {
		return fmt.Sprintf("We sent a letter to %s: %q.", to, m.Subject)
	}
	return fmt.Sprintf("We sent a letter to %s.", to)
}

// reply tells a message filed under the request, with what it looks like.
func (t *teller) reply(e store.Event) string {
	m, ok := t.msgs[e.MessageID]
	if !ok {
		return "A reply was filed."
	}
	who := t.authority()
	ref := ""
	if t.refFrom[m.ID] && t.f.Request.AuthorityRef != "" {
		ref = fmt.Sprintf(" (their reference %s)", t.f.Request.AuthorityRef)
	}
	v := m.Verdict
	if v == nil {
		v = &store.Verdict{}
	}
	var text string
	switch m.Kind {
	case lifecycle.KindBounce:
		to := t.f.Request.ToAddress
		if len(v.FailedRecipients) > 0 {
			to = joinAnd(v.FailedRecipients)
		}
		diag := strings.TrimSpace(v.Status + " " + v.Diagnostic)
		if v.Temporary {
			text = fmt.Sprintf("Delivery of our letter to %s is delayed; the mail system keeps trying", to)
		} else {
			text = fmt.Sprintf("Our letter to %s could not be delivered", to)
		}
		if diag != "" {
			text += " (" + diag + ")"
		}
		text += "."
	case lifecycle.KindAutoReply:
		text = "An automatic reply came back"
		if m.From != "" {
			text += " from " + m.From
		}
		if len(v.RedirectTo) > 0 {
			text += "; it asks us to write to " + joinAnd(v.RedirectTo) + " instead: please check the address"
		}
		text += "."
	case lifecycle.KindIdentity:
		// FOIA s.8(1)(b): a request in an organisation's own name is
		// valid, so the challenge stops nothing.
		text = fmt.Sprintf("%s asked for a real name or a named individual before answering%s: the clock keeps running, "+
			"as a request made by an organisation in its own name is valid (FOIA s.8(1)(b)); the identity letter answers it.", who, ref)
	case lifecycle.KindRedirect:
		text = "The address no longer takes our mail"
		if len(v.RedirectTo) > 0 {
			text += "; it asks us to write to " + joinAnd(v.RedirectTo) + " instead (foi redirect applies it)"
		}
		text += "."
	case lifecycle.KindAcknowledgement:
		text = fmt.Sprintf("%s acknowledged the request%s.", who, ref)
	case lifecycle.KindClarification:
		text = fmt.Sprintf("%s asked us to clarify the request%s: the clock is stopped until we answer.", who, ref)
	case lifecycle.KindExtension:
		text = t.extension(who+ref, t.at(e.At))
	case lifecycle.KindFeeNotice:
		text = fmt.Sprintf("%s sent a fees notice%s: the clock is stopped until the fee is paid.", who, ref)
	default:
		reading, told := readVerdict(v, t.inReview(e.At))
		if t.inReview(e.At) {
			noun, _ := reviewWords(t.law())
			text = fmt.Sprintf("%s answered the %s%s: %s", who, noun, ref, reading)
		} else {
			text = fmt.Sprintf("%s replied%s: %s", who, ref, reading)
		}
		switch {
		case !told:
		case t.confirmedAfter(e.At):
			text += " (suggested)"
		default:
			text += " (suggested; not yet confirmed)"
		}
		text += "."
	}
	if m.LowConf {
		text += " It was filed here by its sender alone: please check that it belongs to this request."
	}
	return text
}

// extension tells a notice that the authority takes more time.
func (t *teller) extension(who string, at deadline.Result) string {
	var text string
	switch t.law() {
	case calendar.FOISA:
		// FOISA has no extension for the public interest (SPEC section 6).
		text = who + " said it needs more time, but the Scottish Act allows no extension"
		if !at.Due.IsZero() {
			text += fmt.Sprintf(": the response is still due on %s", at.Due.Format(dayLayout))
		}
		return text + "."
	case calendar.EIR, calendar.EISR:
		text = who + " said it needs more time because the request is complex and voluminous (regulation 7(1))"
	default:
		text = who + " said it needs more time to consider the public interest (section 10(3))"
	}
	if !at.Due.IsZero() {
		text += fmt.Sprintf(": the response is now due on %s", at.Due.Format(dayLayout))
	}
	return text + "."
}

// readVerdict says what a substantive reply looks like, and whether that
// is a reading (told) rather than a plain "read it".
func readVerdict(v *store.Verdict, review bool) (string, bool) {
	cites := ""
	if len(v.Sections) > 0 {
		cites = " citing " + joinAnd(v.Sections)
	}
	switch v.Outcome {
	case lifecycle.Refused:
		if review {
			return "it looks like the refusal was upheld" + cites, true
		}
		return "it looks like a refusal" + cites, true
	case lifecycle.PartiallySuccessful:
		if review {
			return "it looks like some of the information was released and the rest still withheld" + cites, true
		}
		return "it looks like a partial answer, with some of the information withheld" + cites, true
	case lifecycle.NotHeld:
		return "it looks like the authority says it does not hold the information" + cites, true
	case lifecycle.Successful:
		if review {
			return "it looks like the information was released", true
		}
		return "it looks like the information was given", true
	}
	if cites != "" {
		return "it cites " + joinAnd(v.Sections) + "; read it to tell what it decides", true
	}
	return "read it to tell what it says", false
}

// state tells a change of state made by a person, or one foi made that no
// letter or reply explains already.
func (t *teller) state(e store.Event) string {
	_, to, note, ok := stateChange(e)
	if !ok {
		return sentence(e.Detail)
	}
	if e.Actor == "foi" {
		switch to {
		case lifecycle.Sent, lifecycle.Acknowledged, lifecycle.AwaitingClarification, lifecycle.Extended,
			lifecycle.Responded, lifecycle.ReviewRequested, lifecycle.ReviewAnswered, lifecycle.DeliveryFailed,
			lifecycle.ICOReady:
			return "" // the letter, the reply or the draft beside it says it
		}
		text := "The request is now " + strings.ReplaceAll(humanState(to), "_", " ")
		if note != "" {
			text += ": " + note
		}
		return sentence(text)
	}
	who := actor(e.Actor)
	var text string
	switch to {
	case lifecycle.Successful:
		text = who + " marked the request answered in full"
	case lifecycle.PartiallySuccessful:
		text = who + " marked the request partly answered"
	case lifecycle.Refused:
		text = who + " marked the request refused"
	case lifecycle.NotHeld:
		text = who + " marked the request as not held: the authority does not hold the information"
	case lifecycle.ReviewRequested:
		text = who + " recorded that an internal review was asked for"
	case lifecycle.ReviewAnswered:
		text = who + " recorded that the internal review was answered"
	case lifecycle.ICOReady:
		text = who + " marked the complaint to " + t.commissioner() + " as ready"
	case lifecycle.ICOFiled:
		text = who + " recorded that the complaint was filed with " + t.commissioner()
	case lifecycle.Closed:
		text = who + " closed the request"
	case lifecycle.Withdrawn:
		text = who + " withdrew the request"
	default:
		text = who + " set the request back to " + strings.ReplaceAll(humanState(to), "_", " ")
	}
	if note != "" {
		text += ": " + strings.TrimSuffix(note, ".")
	}
	return text + "."
}

// at is the statutory dates as they stood at moment t, counting what had
// happened by then (a letter or reply at t included).
func (t *teller) at(when time.Time) deadline.Result {
	if t.cal == nil {
		return deadline.Result{}
	}
	return deadline.Compute(t.cal, asOf(t.f, when).Input())
}

// inReview reports whether an internal review had been asked for before
// the moment: a reply then is the review's answer.
func (t *teller) inReview(when time.Time) bool {
	for _, it := range t.f.Outbox {
		if it.State == lifecycle.OutboxSent && (it.Step.Review() || it.Kind == lifecycle.KindReview) && it.SentAt.Before(when) {
			return true
		}
	}
	return false
}

// confirmedAfter reports whether a person set the request's state after
// the moment (confirming, or correcting, what a reply looked like).
func (t *teller) confirmedAfter(when time.Time) bool {
	for _, e := range t.f.Events {
		if e.Kind == lifecycle.EventState && e.Actor != "foi" && !e.At.Before(when) {
			return true
		}
	}
	return false
}

// asOf is the facts as they stood at a moment: the messages filed, the
// letters sent and the events recorded by then, and the state the request
// was in.
func asOf(f schedule.Facts, when time.Time) schedule.Facts {
	g := schedule.Facts{Request: f.Request, Campaign: f.Campaign}
	if g.Request.SentAt.After(when) {
		g.Request.SentAt = time.Time{}
	}
	g.Request.State, g.Request.UpdatedAt = lifecycle.Sent, g.Request.SentAt
	for _, e := range f.Events {
		if e.At.After(when) {
			continue
		}
		g.Events = append(g.Events, e)
		if e.Kind == lifecycle.EventState {
			if _, to, _, ok := stateChange(e); ok {
				g.Request.State, g.Request.UpdatedAt = to, e.At
			}
		}
	}
	for _, m := range f.Thread {
		if !m.CreatedAt.After(when) {
			g.Thread = append(g.Thread, m)
		}
	}
	for _, it := range f.Outbox {
		if it.State == lifecycle.OutboxSent && !it.SentAt.After(when) {
			g.Outbox = append(g.Outbox, it)
		}
	}
	return g
}

// stateChange is what a state event records: the states it joins (typed,
// since schema 4) and the note after them in its detail.
func stateChange(e store.Event) (from, to lifecycle.State, note string, ok bool) {
	if e.To == "" {
		// Recorded before the store kept the states apart.
		return parseStateChange(e.Detail)
	}
	note = strings.TrimPrefix(e.Detail, fmt.Sprintf("%s → %s", e.From, e.To))
	return e.From, e.To, strings.TrimPrefix(note, ": "), true
}

// parseStateChange reads a state event's detail as the store wrote it
// before schema 4: "from → to" or "from → to: note".
func parseStateChange(detail string) (from, to lifecycle.State, note string, ok bool) {
	head, note, _ := strings.Cut(detail, ": ")
	a, b, found := strings.Cut(head, " → ")
	if !found {
		return "", "", "", false
	}
	from, err1 := lifecycle.ParseState(strings.TrimSpace(a))
	to, err2 := lifecycle.ParseState(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return "", "", "", false
	}
	return from, to, note, true
}

// reviewWords are the words for an internal review under law: FOISA
// s.20 has the requester "require" a "review".
func reviewWords(law calendar.Law) (noun, asked string) {
	if law.Scottish() {
		return "review", "required"
	}
	return "internal review", "asked for"
}

// letterWords names one of our letters.
func letterWords(step lifecycle.Step, kind lifecycle.Kind) string {
	switch {
	case step == lifecycle.StepLetter || (step == lifecycle.StepManual && kind == lifecycle.KindLetter):
		return "request"
	case step == lifecycle.StepFirstChaser:
		return "first chaser"
	case step == lifecycle.StepFinalChaser:
		return "final chaser"
	case step.Review() || kind == lifecycle.KindReview:
		return "internal review request"
	case step == lifecycle.StepComplaint:
		return "complaint to the Commissioner"
	case kind == lifecycle.KindClarification:
		return "clarification"
	}
	return "letter"
}

// withArticle puts "a" or "an" before a noun phrase.
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// actor names who did something: "You" for the user of the command line,
// a volunteer by name, foi itself.
func actor(a string) string {
	switch a {
	case "", "user":
		return "You"
	}
	return a
}

// sentence makes a phrase into a sentence: a capital and a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
