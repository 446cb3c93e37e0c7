package results

import (
	"bytes"
	"context"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"foi/calendar"
)

// TestICSParses writes the fixture's calendar and reads it back with a
// real iCalendar parser (arran4/golang-ical): the events expected, on the
// right dates, each with an alarm.
func TestICSParses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, sch := newFixture(t, 12)
	var b bytes.Buffer
	if err := WriteCalendar(ctx, &b, sch, "LXP7N", fixtureNow); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets long (RFC 5545 3.1 folds at 75): %q", i+1, len(line), line)
		}
		if strings.Contains(line, "\n") {
			t.Errorf("line %d ends in a bare LF", i+1)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the calendar does not parse: %v\n%s", err, data)
	}
	got := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		got[e.Id()] = e
		if len(e.Alarms()) != 1 {
			t.Errorf("%s has %d alarms, want 1", e.Id(), len(e.Alarms()))
		}
		if e.GetProperty(ics.ComponentPropertySummary) == nil {
			t.Errorf("%s has no summary", e.Id())
		}
	}
	allDay := []struct{ uid, start, end string }{
		{"lxp7n-005-due@foi", "2026-03-31", "2026-04-01"},           // silent: due Tue 31 Mar
		{"lxp7n-009-review-due@foi", "2026-05-01", "2026-05-02"},    // review asked Wed 1 Apr: 20 working days
		{"lxp7n-001-review-ask-by@foi", "2026-05-07", "2026-05-08"}, // answered Fri 6 Mar: 40 working days (4 May a bank holiday)
		{"lxp7n-004-ico-window@foi", "2026-05-13", "2026-05-28"},    // review answered Wed 15 Apr: weeks 4 to 6
	}
	for _, w := range allDay {
		e, ok := got[w.uid]
		if !ok {
			t.Errorf("no event %s among %d", w.uid, len(got))
			continue
		}
		start, err := e.GetAllDayStartAt()
		if err != nil {
			t.Errorf("%s: %v", w.uid, err)
			continue
		}
		end, err := e.GetAllDayEndAt()
		if err != nil {
			t.Errorf("%s end: %v", w.uid, err)
			continue
		}
		if s, en := start.Format("2006-01-02"), end.Format("2006-01-02"); s != w.start || en != w.end {
			t.Errorf("%s from %s to %s, want %s to %s", w.uid, s, en, w.start, w.end)
		}
	}
	if e, ok := got["lxp7n-005-letter@foi"]; !ok {
		t.Errorf("no scheduled letter for the silent LXP7N-005")
	} else if at, err := e.GetStartAt(); err != nil || at.Before(fixtureNow.Add(-1)) {
		t.Errorf("LXP7N-005's next letter at %v (%v), want from now on", at, err)
	}
	for uid := range got {
		if strings.HasPrefix(uid, "lxp7n-006-") {
			t.Errorf("the bounced LXP7N-006 has an event %s", uid)
		}
	}
	if _, ok := got["lxp7n-002-due@foi"]; ok {
		t.Errorf("the answered LXP7N-002 still has a due date")
	}
}

func TestICSText(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	long := strings.Repeat("Trust, with; a \\ long name é ", 8)
	if err := WriteICS(&b, "foi: X", []CalEvent{{UID: "x@foi", Kind: EventDue, Summary: long, Description: "line one\nline two", Day: mustDate(t, "2026-03-31"), Alarm: 86400e9}}, fixtureNow); err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(&b)
	if err != nil {
		t.Fatal(err)
	}
	ev := cal.Events()
	if len(ev) != 1 {
		t.Fatalf("%d events", len(ev))
	}
	// The parser unfolds the lines and unescapes the text.
	if got := ev[0].GetProperty(ics.ComponentPropertySummary).Value; got != long {
		t.Errorf("summary %q, want %q", got, long)
	}
	if got := ev[0].GetProperty(ics.ComponentPropertyDescription).Value; got != "line one\nline two" {
		t.Errorf("description %q", got)
	}
	if tr := ev[0].Alarms()[0].GetProperty(ics.ComponentPropertyTrigger).Value; tr != "-P1D" {
		t.Errorf("trigger %q, want -P1D", tr)
	}
}

func TestFeedToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newFixture(t, 9)
	tok, err := FeedToken(ctx, st, "LXP7N")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := FeedToken(ctx, st, "lxp7n")
	all, _ := FeedToken(ctx, st, "")
	if tok != again || tok == all || len(tok) != 32 {
		t.Errorf("tokens %q, %q, %q", tok, again, all)
	}
	for _, c := range []struct {
		token, slug string
		ok          bool
	}{{tok, "LXP7N", true}, {all, "", true}, {tok[:31] + "x", "", false}, {"", "", false}} {
		slug, ok, err := FeedFor(ctx, st, c.token)
		if err != nil || ok != c.ok || slug != c.slug {
			t.Errorf("FeedFor(%q) = %q, %v, %v, want %q, %v", c.token, slug, ok, err, c.slug, c.ok)
		}
	}
}

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
