package results

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

// EventKind is what a calendar event marks.
type EventKind string

// The kinds of calendar event.
const (
	// EventDue: the authority's answer is due (the end of the 20th working
	// day, or the 40th with an extension).
	EventDue EventKind = "due"
	// EventReviewAskBy: the last day to ask for an internal review of an
	// answer (40 working days, FOIA s.45 code of practice).
	EventReviewAskBy EventKind = "review-ask-by"
	// EventReviewDue: the review's answer is due (20 working days, ICO
	// guidance; FOISA s.21(1)).
	EventReviewDue EventKind = "review-due"
	// EventICOWindow: from the 4th week after the last meaningful contact to
	// the end of the 6th, the time to complain to the Information
	// Commissioner (ICO guidance); for a Scottish request, the last day to
	// apply to the Scottish Information Commissioner (FOISA s.47(4)).
	EventICOWindow EventKind = "ico-window"
	// EventLetter: a letter the schedule will send or draft (a chaser, a
	// review, a complaint), or one waiting in the outbox.
	EventLetter EventKind = "letter"
)

// CalEvent is one event of the calendar: all day (Day, to End exclusive if
// set) or at a moment (At).
type CalEvent struct {
	UID         string
	Kind        EventKind
	Ref         string
	Summary     string
	Description string
	Day, End    calendar.Date
	At          time.Time
	// Alarm is how long before the start to remind (0: none).
	Alarm time.Duration
}

// Events are the calendar of the requests whose facts are given, at now:
// what is due next for each, from the same clock as the board.
func Events(sch *schedule.Scheduler, facts []schedule.Facts, now time.Time) []CalEvent {
	var out []CalEvent
	for _, f := range facts {
		out = append(out, requestEvents(sch, f, now)...)
	}
	return out
}

func requestEvents(sch *schedule.Scheduler, f schedule.Facts, now time.Time) []CalEvent {
	r := f.Request
	if r.SentAt.IsZero() || r.State == lifecycle.DeliveryFailed || r.State == lifecycle.Withdrawn || r.State == lifecycle.Closed {
		return nil
	}
	in := f.Input()
	d := deadline.Compute(sch.Cal, in)
	who := r.Authority.Name
	uid := func(k EventKind) string { return strings.ToLower(r.Ref) + "-" + string(k) + "@foi" }
	var out []CalEvent
	const day = 24 * time.Hour
	if in.Responded == nil && in.ReviewRequested == nil && !d.Due.IsZero() && r.State.WaitingOnAuthority() {
		desc := fmt.Sprintf("%s must answer %s by the end of this day (20 working days", who, r.Ref)
		if in.Extended && !calendar.Law(r.Law).Scottish() {
			desc = fmt.Sprintf("%s must answer %s by the end of this day (40 working days with its public-interest extension", who, r.Ref)
		}
		desc += "). If it does not, foi chases from the next working day."
		out = append(out, CalEvent{UID: uid(EventDue), Kind: EventDue, Ref: r.Ref, Day: d.Due, Alarm: day,
			Summary: fmt.Sprintf("%s due: %s", r.Ref, who), Description: desc})
	}
	switch {
	case in.ReviewRequested != nil && in.ReviewAnswered == nil && !d.ReviewDue.IsZero():
		out = append(out, CalEvent{UID: uid(EventReviewDue), Kind: EventReviewDue, Ref: r.Ref, Day: d.ReviewDue, Alarm: day,
			Summary:     fmt.Sprintf("%s internal review due: %s", r.Ref, who),
			Description: fmt.Sprintf("%s should answer the internal review of %s by this day.", who, r.Ref)})
	case in.ReviewRequested == nil && in.Responded != nil && !d.ReviewRequestBy.IsZero() &&
		(r.State == lifecycle.Refused || r.State == lifecycle.PartiallySuccessful || r.State == lifecycle.NotHeld || r.State == lifecycle.Responded):
		out = append(out, CalEvent{UID: uid(EventReviewAskBy), Kind: EventReviewAskBy, Ref: r.Ref, Day: d.ReviewRequestBy, Alarm: 7 * day,
			Summary:     fmt.Sprintf("%s last day to ask for a review: %s", r.Ref, who),
			Description: fmt.Sprintf("The last day to ask %s for an internal review of its answer to %s.", who, r.Ref)})
	}
	if r.State == lifecycle.ICOReady || r.State == lifecycle.ReviewAnswered {
		switch {
		case !d.SICAppealBy.IsZero():
			out = append(out, CalEvent{UID: uid(EventICOWindow), Kind: EventICOWindow, Ref: r.Ref, Day: d.SICAppealBy, Alarm: 14 * day,
				Summary:     fmt.Sprintf("%s last day to appeal to the Scottish Information Commissioner", r.Ref),
				Description: fmt.Sprintf("Six months from the review of %s by %s (FOISA s.47(4)): build the pack with foi ico-pack %s.", r.Ref, who, r.Ref)})
		case !d.ICOWarnFrom.IsZero():
			out = append(out, CalEvent{UID: uid(EventICOWindow), Kind: EventICOWindow, Ref: r.Ref, Day: d.ICOWarnFrom, End: d.ICOComplainBy.AddDays(1), Alarm: day,
				Summary: fmt.Sprintf("%s ICO complaint window closes %s", r.Ref, d.ICOComplainBy.Format("Mon 2 Jan")),
				Description: fmt.Sprintf("Complain to the Information Commissioner about %s (%s) by %s: six weeks from the last meaningful contact. Build the pack with foi ico-pack %s.",
					r.Ref, who, d.ICOComplainBy.Format("Mon 2 Jan 2006"), r.Ref)})
		}
	}
	if ev, ok := letterEvent(sch, f, now, uid(EventLetter)); ok {
		out = append(out, ev)
	}
	return out
}

// letterEvent is the next letter of a request: one waiting in the outbox,
// or the schedule's next step.
func letterEvent(sch *schedule.Scheduler, f schedule.Facts, now time.Time, uid string) (CalEvent, bool) {
	r := f.Request
	for _, it := range f.Outbox {
		if it.State.Due() {
			return CalEvent{UID: uid, Kind: EventLetter, Ref: r.Ref, At: it.NextAttemptAt, Alarm: 30 * time.Minute,
				Summary:     fmt.Sprintf("%s %s goes", r.Ref, words(string(it.Kind))),
				Description: fmt.Sprintf("foi sends the %s of %s to %s.", words(string(it.Kind)), r.Ref, r.Authority.Name)}, true
		}
	}
	a, ok := sch.Next(f)
	if !ok {
		return CalEvent{}, false
	}
	how := "sends"
	if a.Mode == lifecycle.Drafted {
		how = "drafts, for approval,"
	}
	at := a.On
	if at.Before(now) {
		at = now
	}
	return CalEvent{UID: uid, Kind: EventLetter, Ref: r.Ref, At: at, Alarm: 30 * time.Minute,
		Summary:     fmt.Sprintf("%s %s (%s)", r.Ref, words(string(a.Step)), modeWords(a.Mode)),
		Description: fmt.Sprintf("foi %s the %s of %s to %s.", how, words(string(a.Step)), r.Ref, r.Authority.Name)}, true
}

func words(s string) string { return strings.ReplaceAll(s, "_", " ") }

// WriteICS writes the events as one iCalendar object (RFC 5545): a
// VCALENDAR named name, each event a VEVENT with a VALARM reminder. Lines
// end in CRLF and are folded at 75 octets, text is escaped; all-day events
// are dates, the others UTC times.
func WriteICS(w io.Writer, name string, events []CalEvent, now time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(s string) { fold(bw, s) }
	stamp := now.UTC().Format("20060102T150405Z")
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//foi//Freedom of Information requests//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(name))
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + stamp)
		if e.At.IsZero() {
			end := e.End
			if end.IsZero() {
				end = e.Day.AddDays(1)
			}
			line("DTSTART;VALUE=DATE:" + e.Day.Format("20060102"))
			line("DTEND;VALUE=DATE:" + end.Format("20060102"))
			line("TRANSP:TRANSPARENT")
		} else {
			line("DTSTART:" + e.At.UTC().Format("20060102T150405Z"))
			line("DTEND:" + e.At.Add(30*time.Minute).UTC().Format("20060102T150405Z"))
		}
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION:" + escapeText(e.Description))
		}
		line("CATEGORIES:" + escapeText(string(e.Kind)))
		if e.Alarm > 0 {
			line("BEGIN:VALARM")
			line("ACTION:DISPLAY")
			line("DESCRIPTION:" + escapeText(e.Summary))
			line("TRIGGER:-" + duration(e.Alarm))
			line("END:VALARM")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return bw.Flush()
}

// escapeText escapes a TEXT value (RFC 5545 section 3.3.11).
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// duration writes a positive duration as RFC 5545 dur-value (P1D, PT30M).
func duration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("P%dD", d/(24*time.Hour))
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("PT%dH", d/time.Hour)
	}
	return fmt.Sprintf("PT%dM", d/time.Minute)
}

// fold writes one content line, folded so that no line is longer than 75
// octets (RFC 5545 section 3.1), never inside a UTF-8 character.
func fold(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}

// WriteCalendar reads the requests of a campaign (every campaign if slug
// is "") and writes their calendar: what `foi export --format ics` and the
// dashboard's feed serve.
func WriteCalendar(ctx context.Context, w io.Writer, sch *schedule.Scheduler, slug string, now time.Time) error {
	facts, err := sch.AllFacts(ctx, slug)
	if err != nil {
		return err
	}
	name := "foi: all campaigns"
	if slug != "" {
		name = "foi: " + slug
	}
	return WriteICS(w, name, Events(sch, facts, now), now)
}

// feedSecret is the store secret that signs calendar feed tokens.
const feedSecret = "calendar-feed"

// FeedToken is the secret token of a campaign's calendar feed (slug "" for
// every campaign), for a URL such as /calendar/<token>.ics: an HMAC-SHA-256
// of the slug under a random secret kept in the store, so it needs no table
// and stays the same across restarts. Anyone with the token can read the
// feed; it reveals nothing else.
func FeedToken(ctx context.Context, st *store.Store, slug string) (string, error) {
	key, err := st.Secret(ctx, feedSecret)
	if err != nil {
		return "", fmt.Errorf("calendar feed token: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("calendar:" + strings.ToUpper(slug)))
	return hex.EncodeToString(mac.Sum(nil))[:32], nil
}

// CheckFeedToken reports whether token is the feed token of the campaign
// slug, in constant time.
func CheckFeedToken(ctx context.Context, st *store.Store, slug, token string) (bool, error) {
	want, err := FeedToken(ctx, st, slug)
	if err != nil {
		return false, err
	}
	return hmac.Equal([]byte(want), []byte(token)), nil
}

// FeedFor finds whose feed a token opens: every campaign's ("", true) or
// one campaign's (its slug, true); false for a token that is no feed's
// (the dashboard answers 404).
func FeedFor(ctx context.Context, st *store.Store, token string) (slug string, ok bool, err error) {
	camps, err := st.Campaigns(ctx)
	if err != nil {
		return "", false, err
	}
	slugs := []string{""}
	for _, c := range camps {
		slugs = append(slugs, c.Slug)
	}
	for _, s := range slugs {
		ok, err := CheckFeedToken(ctx, st, s, token)
		if err != nil {
			return "", false, err
		}
		if ok {
			return s, true, nil
		}
	}
	return "", false, nil
}

func modeWords(m lifecycle.Mode) string {
	if m == lifecycle.Drafted {
		return "drafted for approval"
	}
	return "sent automatically"
}

// FeedPath is the dashboard's path of the calendar feed with this token:
// /calendar/<token>.ics.
func FeedPath(token string) string { return "/calendar/" + token + ".ics" }
