package report

import (
	"fmt"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/schedule"
	"foi/store"
)

// ReviewWindow is how long we have to ask for an internal review of an
// answer: the statutory limit, 40 working days from the response (the FOIA
// s.45 code of practice, para 5.4; EIR reg. 11(2); FOISA s.20(5); EISR reg.
// 16(2)), and beside it the time the authority's own letter states in its
// review-rights paragraph ("within two months"), learned by package inbox.
// The earlier of the two is the one to keep to.
type ReviewWindow struct {
	By     calendar.Date `json:"by"`               // the statutory last day
	Stated string        `json:"stated,omitempty"` // as the authority's letter says it
	// StatedBy is the last day by the authority's words, counted from the
	// day its answer came (zero when it states none).
	StatedBy calendar.Date `json:"stated_by,omitzero"`
}

// ReviewWindowOf is the review window of a request that has been answered;
// false when there is none yet (no response recorded).
func ReviewWindowOf(sch *schedule.Scheduler, f schedule.Facts, stated store.StatedReview, hasStated bool) (ReviewWindow, bool) {
	d := deadline.Compute(sch.Cal, f.Input())
	if d.ReviewRequestBy.IsZero() {
		return ReviewWindow{}, false
	}
	w := ReviewWindow{By: d.ReviewRequestBy}
	if hasStated && stated.Count > 0 {
		w.Stated = stated.Within
		from := sch.Cal.Date(stated.At)
		law := calendar.Law(f.Request.Law)
		switch stated.Unit {
		case "working_days":
			w.StatedBy, _ = sch.Cal.AddWorkingDays(law, from, stated.Count)
		case "days":
			w.StatedBy = from.AddDays(stated.Count)
		case "weeks":
			w.StatedBy = from.AddDays(7 * stated.Count)
		case "months":
			t := from.In(time.UTC).AddDate(0, stated.Count, 0)
			w.StatedBy = calendar.DateOf(t)
		}
	}
	return w, true
}

// Text is the window in words, for foi show: "Ask for an internal review by
// Fri 15 May 2026 (40 working days); the authority's letter says within two
// months (by Tue 5 May 2026): keep to the earlier."
func (w ReviewWindow) Text() string {
	s := fmt.Sprintf("Ask for an internal review by %s (40 working days, the statutory limit)", w.By.Format("Mon 2 Jan 2006"))
	if w.Stated == "" {
		return s + "."
	}
	s += fmt.Sprintf("; the authority's letter says within %s", w.Stated)
	if !w.StatedBy.IsZero() {
		s += fmt.Sprintf(" (by %s)", w.StatedBy.Format("Mon 2 Jan 2006"))
		if w.StatedBy.Before(w.By) {
			s += ": keep to the earlier"
		}
	}
	return s + "."
}
