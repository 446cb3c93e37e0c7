package results

import (
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"foi/lifecycle"
	"foi/report"
)

// Summary is the league table's summary lines and response-time
// distribution.
type Summary struct {
	Requests int `json:"requests"`
	// OnTime, Late, Overdue, InTime and NotDelivered count the requests by
	// report.Timeliness.
	OnTime       int `json:"answered_on_time"`
	Late         int `json:"answered_late"`
	Overdue      int `json:"never_answered"`
	InTime       int `json:"still_in_time"`
	NotDelivered int `json:"not_delivered"`
	// Extended and Clarified count the on-time answers that used a lawful
	// extension or came after a clarification.
	Extended  int `json:"on_time_with_extension"`
	Clarified int `json:"on_time_after_clarification"`
	Refused   int `json:"refused"`
	NotHeld   int `json:"not_held"`
	// ByExemption counts the requests citing each section, most cited first.
	ByExemption []Count `json:"by_exemption"`
	// Within counts the answers within 5, 10, 20 and 40 working days
	// (cumulative); Buckets the same as bars that do not overlap, then
	// "never" (overdue without an answer).
	Within  []Count `json:"within"`
	Buckets []Count `json:"distribution"`
}

// Count is a label and a number.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// limits are the distribution's bounds, in working days.
var limits = []int{5, 10, 20, 40}

// Summarise counts the table's rows.
func Summarise(t *Table) Summary {
	s := Summary{Requests: len(t.Rows)}
	cited := map[string]int{}
	bars := make([]int, len(limits)+1)
	within := make([]int, len(limits))
	for _, r := range t.Rows {
		m := r.Measures
		switch m.Timeliness {
		case report.OnTime:
			s.OnTime++
			if m.Extended && !m.ExtensionTooLate {
				s.Extended++
			}
			if m.Clarified {
				s.Clarified++
			}
		case report.Late:
			s.Late++
		case report.Overdue:
			s.Overdue++
		case report.InTime:
			s.InTime++
		case report.NotDelivered:
			s.NotDelivered++
		}
		switch m.Outcome {
		case lifecycle.Refused, lifecycle.PartiallySuccessful:
			s.Refused++
		case lifecycle.NotHeld:
			s.NotHeld++
		}
		for _, e := range m.Exemptions {
			cited[e]++
		}
		if m.DaysToReply != nil {
			n := *m.DaysToReply
			i := 0
			for i < len(limits) && n > limits[i] {
				i++
			}
			bars[i]++
			for j, l := range limits {
				if n <= l {
					within[j]++
				}
			}
		}
	}
	for e, n := range cited {
		s.ByExemption = append(s.ByExemption, Count{e, n})
	}
	slices.SortFunc(s.ByExemption, func(a, b Count) int { return cmp.Or(b.N-a.N, strings.Compare(a.Label, b.Label)) })
	low := 1
	for i, l := range limits {
		s.Within = append(s.Within, Count{fmt.Sprintf("within %d working days", l), within[i]})
		s.Buckets = append(s.Buckets, Count{fmt.Sprintf("%d–%d", low, l), bars[i]})
		low = l + 1
	}
	s.Buckets[0].Label = "0–5"
	s.Buckets = append(s.Buckets, Count{fmt.Sprintf("over %d", limits[len(limits)-1]), bars[len(limits)]}, Count{"never", s.Overdue})
	return s
}

// Lines are the summary in sentences, as both league tables print them.
func (s Summary) Lines() []string {
	l := []string{
		fmt.Sprintf("%d requests.", s.Requests),
		fmt.Sprintf("Answered on time: %d (of which %d with a lawful extension, %d after a clarification).", s.OnTime, s.Extended, s.Clarified),
		fmt.Sprintf("Answered late: %d.", s.Late),
		fmt.Sprintf("Never answered (past the due date with no answer): %d.", s.Overdue),
		fmt.Sprintf("Still within time: %d.", s.InTime),
		fmt.Sprintf("Not delivered (address bounced, or not sent): %d.", s.NotDelivered),
		fmt.Sprintf("Refused in whole or in part: %d; information not held: %d.", s.Refused, s.NotHeld),
	}
	if len(s.ByExemption) > 0 {
		var parts []string
		for _, c := range s.ByExemption {
			parts = append(parts, fmt.Sprintf("%s: %d", c.Label, c.N))
		}
		l = append(l, "By exemption cited: "+strings.Join(parts, ", ")+".")
	}
	var parts []string
	for _, c := range s.Within {
		parts = append(parts, fmt.Sprintf("%s: %d", c.Label, c.N))
	}
	l = append(l, "First substantive reply "+strings.Join(parts, "; ")+fmt.Sprintf("; never: %d.", s.Overdue))
	return l
}

// Method is the paragraph under every league table: how it was counted.
const Method = `Method. Working days exclude weekends and bank holidays (for English, Welsh and Northern Irish ` +
	`bodies, a bank holiday anywhere in the UK, FOIA s.10(6); for Scottish bodies, Scottish ones). Day 0 is the ` +
	`day the request was delivered; the answer is due by the end of the 20th working day (FOIA s.10(1), FOISA s.10(1), ` +
	`EIR reg. 5(2)). "First reply" counts the working days to the first substantive reply (information, a refusal, ` +
	`or "not held"); acknowledgements, automatic replies and requests for clarification are not answers. When an ` +
	`authority asked what we meant, the clock restarts from our clarification (FOIA s.1(3)). A public-interest ` +
	`extension (FOIA s.10(3), up to 40 working days in all, ICO guidance; EIR reg. 7(1)) counts only if claimed within ` +
	`the first 20 working days; Scotland has none. An answer within the time so allowed is on time, not late. ` +
	`"Completed" counts the working days from delivery to the end of the request: the answer to an internal review ` +
	`if one was asked for, otherwise the first substantive reply. Outcomes marked "?" are foi's reading of the ` +
	`reply, not yet confirmed by a person.`

// outcomeWords is a row's outcome as the league table says it.
func outcomeWords(r Row) string {
	m := r.Measures
	var w string
	switch m.Timeliness {
	case report.NotDelivered:
		if m.Row.State == lifecycle.Withdrawn {
			return "withdrawn"
		}
		if m.Row.State == lifecycle.DeliveryFailed {
			return "not delivered"
		}
		return "not sent"
	case report.Overdue:
		w = "no answer"
	case report.InTime:
		w = "awaiting answer"
		if m.Row.State == lifecycle.AwaitingClarification {
			w = "awaiting our clarification"
		}
	}
	if m.Outcome != "" {
		w = strings.ReplaceAll(string(m.Outcome), "_", " ")
		if !m.OutcomeConfirmed && m.Outcome != report.OutcomeAnswered {
			w += "?"
		}
	}
	if len(m.Exemptions) > 0 {
		w += " (" + strings.Join(m.Exemptions, ", ") + ")"
	}
	if m.ReviewOutcome != "" {
		w += "; on review: " + m.ReviewOutcome
	} else if !m.ReviewAsked.IsZero() {
		w += "; review asked"
	}
	if !m.ICOComplaint.IsZero() {
		w += "; complaint to the Commissioner"
	}
	return w
}

func timelinessWords(r Row) string {
	switch r.Measures.Timeliness {
	case report.OnTime:
		if r.Measures.Extended && !r.Measures.ExtensionTooLate {
			return "on time (extended)"
		}
		return "on time"
	case report.Late:
		return "late"
	case report.Overdue:
		return "overdue"
	case report.InTime:
		return "not yet due"
	}
	return ""
}

func days(p *int) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

// ranked is the table's rows in league order: on time, fastest first; then
// late; still in time; never answered; not delivered.
func ranked(t *Table) []Row {
	rank := map[report.Timeliness]int{report.OnTime: 0, report.Late: 1, report.InTime: 2, report.Overdue: 3, report.NotDelivered: 4}
	rows := slices.Clone(t.Rows)
	slices.SortStableFunc(rows, func(a, b Row) int {
		if c := rank[a.Measures.Timeliness] - rank[b.Measures.Timeliness]; c != 0 {
			return c
		}
		da, db := 1<<30, 1<<30
		if a.Measures.DaysToReply != nil {
			da = *a.Measures.DaysToReply
		}
		if b.Measures.DaysToReply != nil {
			db = *b.Measures.DaysToReply
		}
		return cmp.Or(da-db, strings.Compare(a.Authority, b.Authority))
	})
	return rows
}

// address is an email address, anywhere in a text.
var address = regexp.MustCompile(`[^\s<>()\[\],;:"']+@[^\s<>()\[\],;:"']+`)

// public is text fit to publish: no email address (and no @ left to make
// one), one line.
func public(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = address.ReplaceAllString(s, "[address removed]")
		s = strings.ReplaceAll(s, "@", " at ")
	}
	if strings.ContainsAny(s, "\t\r\n\v\f") || strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}

// leagueRow is one line of a league table, in words fit to publish.
type leagueRow struct {
	Authority, Ref, Outcome, Reply, Timeliness, Complete string
	Late                                                 bool
	Answers                                              []string
}

func leagueRows(t *Table) []leagueRow {
	var out []leagueRow
	for _, r := range ranked(t) {
		lr := leagueRow{Authority: public(r.Authority), Ref: public(r.Ref), Outcome: public(outcomeWords(r)),
			Reply: days(r.Measures.DaysToReply), Timeliness: timelinessWords(r), Complete: days(r.Measures.DaysToComplete),
			Late: r.Measures.Timeliness == report.Late || r.Measures.Timeliness == report.Overdue}
		for _, q := range t.Questions {
			a, ok := r.Answers[q.Seq]
			w := ""
			if ok {
				w = public(Words(a))
			}
			lr.Answers = append(lr.Answers, w)
		}
		out = append(out, lr)
	}
	return out
}

// mdCell escapes a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer(`\`, `\\`, `|`, `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// WriteMarkdown writes the league table as Markdown: a title, the summary
// lines, the table (authority, reference, outcome, working days to the
// first reply, on time, working days to completion, one column per
// question), the questions, the distribution and the method.
func WriteMarkdown(w io.Writer, t *Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdCell(public(t.Title)))
	fmt.Fprintf(&b, "As of %s.\n\n", t.At.Format("2 January 2006"))
	s := Summarise(t)
	for _, l := range s.Lines() {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	b.WriteString("\n| Authority | Reference | Outcome | First reply (working days) | On time | Completed (working days) |")
	sep := "|---|---|---|--:|---|--:|"
	for _, q := range t.Questions {
		fmt.Fprintf(&b, " Q%d |", q.Seq)
		sep += "---|"
	}
	b.WriteString("\n" + sep + "\n")
	for _, r := range leagueRows(t) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |", mdCell(r.Authority), mdCell(r.Ref), mdCell(r.Outcome), r.Reply, r.Timeliness, r.Complete)
		for _, a := range r.Answers {
			fmt.Fprintf(&b, " %s |", mdCell(a))
		}
		b.WriteString("\n")
	}
	if len(t.Questions) > 0 {
		b.WriteString("\nQuestions:\n\n")
		for _, q := range t.Questions {
			fmt.Fprintf(&b, "%d. %s\n", q.Seq, mdCell(public(q.Text)))
		}
	}
	b.WriteString("\nFirst substantive reply, in working days:\n\n| Within | Requests |\n|---|--:|\n")
	for _, c := range s.Buckets {
		fmt.Fprintf(&b, "| %s | %d |\n", c.Label, c.N)
	}
	fmt.Fprintf(&b, "\n%s\n", Method)
	_, err := io.WriteString(w, b.String())
	return err
}
