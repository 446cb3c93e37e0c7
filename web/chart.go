package web

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"foi/report"
)

// chart draws a campaign's replies over time as SVG, server-side: one bar
// per week for the first answers that came that week, a line for the
// total so far, and the on-time rate. A first answer counts as on time
// when it came by the due date the board shows for its request.
func (s *Server) chart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := s.opt.Store.Campaign(ctx, strings.ToUpper(r.PathValue("slug")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	facts, err := s.opt.Scheduler.AllFacts(ctx, c.Slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.opt.Now()
	cal := s.opt.Scheduler.Cal
	var start time.Time
	var answers []time.Time
	onTime, answered, sent := 0, 0, 0
	for _, f := range facts {
		row := report.RowOf(s.opt.Scheduler, f, now)
		if row.SentAt.IsZero() {
			continue
		}
		sent++
		if start.IsZero() || row.SentAt.Before(start) {
			start = row.SentAt
		}
		in := f.Input()
		if in.Responded == nil {
			continue
		}
		answered++
		answers = append(answers, *in.Responded)
		if !row.Due.IsZero() && !cal.Date(*in.Responded).After(row.Due) {
			onTime++
		}
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Write([]byte(chartSVG(c.Title, start, now, answers, sent, answered, onTime)))
}

// chartSVG draws the chart; it is a pure function of its numbers.
func chartSVG(title string, start, now time.Time, answers []time.Time, sent, answered, onTime int) string {
	const W, H, left, top, bottom = 720, 270, 48, 56, 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		W, H, W, H, html.EscapeString("Replies over time: "+title))
	// Presentation attributes, not a <style>: the page's CSP allows no inline style.
	b.WriteString(`<g font-family="sans-serif" font-size="13" fill="#222">`)
	rate := "no answers yet"
	if answered > 0 {
		rate = fmt.Sprintf("%d of %d answers on time (%d%%)", onTime, answered, onTime*100/answered)
	}
	fmt.Fprintf(&b, `<text x="%d" y="22">%s · %d of %d requests answered · %s</text>`, left, "Replies by week", answered, sent, html.EscapeString(rate))
	if start.IsZero() || !now.After(start) {
		b.WriteString(`<text x="48" y="120">Nothing sent yet.</text></g></svg>`)
		return b.String()
	}
	weeks := int(now.Sub(start).Hours()/(24*7)) + 1
	if weeks > 104 {
		weeks = 104
	}
	per := make([]int, weeks)
	for _, a := range answers {
		i := int(a.Sub(start).Hours() / (24 * 7))
		if i >= 0 && i < weeks {
			per[i]++
		}
	}
	maxBar := 1
	for _, n := range per {
		maxBar = max(maxBar, n)
	}
	plotW, plotH := float64(W-left-16), float64(H-top-bottom)
	bw := plotW / float64(weeks)
	fmt.Fprintf(&b, `<line stroke="#999" x1="%d" y1="%d" x2="%d" y2="%d"/>`, left, H-bottom, W-16, H-bottom)
	var pts []string
	total := 0
	for i, n := range per {
		x := float64(left) + float64(i)*bw
		h := plotH * float64(n) / float64(maxBar)
		fmt.Fprintf(&b, `<rect fill="#7aa6d8" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>week %d: %d</title></rect>`,
			x+1, float64(H-bottom)-h, max(bw-2, 1), h, i+1, n)
		total += n
		if sent > 0 {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+bw/2, float64(H-bottom)-plotH*float64(total)/float64(sent)))
		}
	}
	if len(pts) > 0 {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="#1d4f91" stroke-width="2.5" points="%s"><title>answered so far</title></polyline>`, strings.Join(pts, " "))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, left, H-14, start.In(london).Format("2 Jan 2006"))
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, W-16, H-14, now.In(london).Format("2 Jan 2006"))
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">bars: answers that week · line: share answered so far</text>`, W-16, top-12)
	b.WriteString(`</g></svg>`)
	return b.String()
}
