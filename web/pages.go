package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"foi/calendar"
	"foi/deadline"
	"foi/lifecycle"
	"foi/mailer"
	"foi/report"
	"foi/results"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// boardRow is a row of report.RowOf with what the filters need from its
// facts.
type boardRow struct {
	report.Row
	Tags []string
	// Outbox is the letter waiting to go, if any (Schedule: hold, cancel).
	Outbox int64
	// Doubt: a letter of the request may or may not have been delivered.
	Doubt bool
	// ICOBy is the last day to complain to the Commissioner (Today only).
	ICOBy calendar.Date
}

// complaintWindow: the row is one a complaint to the Commissioner may
// follow: refused or partly answered, in review, or with a complaint ready.
func complaintWindow(r boardRow) bool {
	return r.Phase == "refused" || r.Phase == "in review" || r.Phase == "ICO" || r.State == lifecycle.ReviewAnswered
}

// rows builds the rows of a campaign ("" for all) from one read of the
// store, as report.Board does, keeping each row's tags.
func (s *Server) rows(ctx context.Context, slug string) ([]boardRow, []schedule.Facts, error) {
	facts, err := s.opt.Scheduler.AllFacts(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	now := s.opt.Now()
	out := make([]boardRow, len(facts))
	for i, f := range facts {
		out[i] = boardRow{Row: report.RowOf(s.opt.Scheduler, f, now), Tags: f.Request.Authority.Tags}
		for _, it := range f.Outbox {
			if it.State.Due() && out[i].Outbox == 0 {
				out[i].Outbox = it.ID
			}
			if it.State == lifecycle.OutboxInDoubt || it.State == lifecycle.OutboxSending {
				out[i].Doubt = true
			}
		}
	}
	return out, facts, nil
}

// needsAction: a person has something to do for the row: confirm what a
// reply was, approve a draft, fix a bounce, answer a clarification, decide
// on a letter in doubt or a letter that cannot go, file a complaint.
func needsAction(r boardRow) bool {
	switch r.Phase {
	case "bounced", "clarification", "ICO":
		return r.State != lifecycle.ICOFiled
	}
	return r.Suggested != nil || (r.Next != nil && r.Next.Draft != 0) || r.Problem != "" || r.Doubt
}

type todayData struct {
	Confirm   []boardRow
	Unmatched []unmatchedItem
	Drafts    []draftItem
	Doubt     []store.OutboxItem
	Bounced   []boardRow
	Windows   []boardRow
	Nothing   bool
}

type unmatchedItem struct {
	store.Message
}

type draftItem struct {
	store.OutboxItem
	Authority string
	Fill      string
}

func (s *Server) today(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	rows, facts, err := s.rows(ctx, "")
	if err != nil {
		return "", "", "", nil, err
	}
	var d todayData
	cal := s.opt.Scheduler.Cal
	today := cal.Date(s.opt.Now())
	for i, row := range rows {
		switch {
		case row.Suggested != nil:
			d.Confirm = append(d.Confirm, row)
		case row.Phase == "bounced":
			d.Bounced = append(d.Bounced, row)
		case complaintWindow(row) && row.State != lifecycle.ICOFiled:
			// The Commissioner's window (deadline.Compute: six weeks from
			// the last meaningful contact) is closing, or a complaint is
			// ready to file.
			dl := deadline.Compute(cal, facts[i].Input())
			if row.Phase == "ICO" || (!dl.ICOWarnFrom.IsZero() && !today.Before(dl.ICOWarnFrom) && !today.After(dl.ICOComplainBy)) {
				row.ICOBy = dl.ICOComplainBy
				d.Windows = append(d.Windows, row)
			}
		}
	}
	sort.SliceStable(d.Confirm, func(i, j int) bool { return d.Confirm[i].LastReply.At.After(d.Confirm[j].LastReply.At) })
	un, err := s.opt.Store.Unmatched(ctx)
	if err != nil {
		return "", "", "", nil, err
	}
	for _, m := range un {
		d.Unmatched = append(d.Unmatched, unmatchedItem{m})
	}
	if d.Drafts, err = s.draftItems(ctx); err != nil {
		return "", "", "", nil, err
	}
	items, err := s.opt.Store.Outbox(ctx, "")
	if err != nil {
		return "", "", "", nil, err
	}
	for _, it := range items {
		if it.State == lifecycle.OutboxInDoubt {
			d.Doubt = append(d.Doubt, it)
		}
	}
	d.Nothing = len(d.Confirm)+len(d.Unmatched)+len(d.Drafts)+len(d.Doubt)+len(d.Bounced)+len(d.Windows) == 0
	return "today", "Today", "today", d, nil
}

func (s *Server) draftItems(ctx context.Context) ([]draftItem, error) {
	list, err := s.opt.Store.Drafts(ctx)
	if err != nil {
		return nil, err
	}
	var out []draftItem
	for _, it := range list {
		d := draftItem{OutboxItem: it}
		if r, err := s.opt.Store.Request(ctx, it.Ref); err == nil {
			d.Authority = r.Authority.Name
		}
		if l, err := mailer.StoredLetter(it); err == nil {
			var marks []string
			for _, h := range templates.Placeholders(l.Body) {
				marks = append(marks, strings.ToLower(h.Mark))
			}
			d.Fill = strings.Join(marks, ", ")
		}
		out = append(out, d)
	}
	return out, nil
}

type campaignsData struct {
	Phases    []struct{ Key, Words string }
	Campaigns []campaignSummary
}

type campaignSummary struct {
	store.Campaign
	Counts map[string]int
	Total  int
	// Done: requests that have their answer, or are over.
	Done int
}

func (s *Server) campaigns(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	list, err := s.opt.Store.Campaigns(ctx)
	if err != nil {
		return "", "", "", nil, err
	}
	rows, err := report.Board(ctx, s.opt.Scheduler, "", s.opt.Now())
	if err != nil {
		return "", "", "", nil, err
	}
	d := campaignsData{Phases: phases}
	at := map[string]int{}
	for i, c := range list {
		d.Campaigns = append(d.Campaigns, campaignSummary{Campaign: c, Counts: map[string]int{}})
		at[c.Slug] = i
	}
	for _, row := range rows {
		i, ok := at[row.Campaign]
		if !ok {
			continue
		}
		c := &d.Campaigns[i]
		c.Counts[row.Phase]++
		c.Total++
		if row.State.Answered() || row.State.Closed() {
			c.Done++
		}
	}
	return "campaigns", "Campaigns", "campaigns", d, nil
}

// boardLine is a row as the board's table shows it, every cell already in
// words (one flat struct keeps 3,000 rows quick to render).
type boardLine struct {
	Ref, Authority, Phase, PhaseWords, State string
	Sent, Due, Clock, Last, Suggested, Next  string
	Draft                                    int64
	Problem                                  string
	Needs                                    bool
}

func lineOf(r boardRow) boardLine {
	l := boardLine{Ref: r.Ref, Authority: r.Authority, Phase: r.Phase, PhaseWords: pillWords(r.Phase, r.State), State: string(r.State),
		Sent: "–", Due: "–", Last: "–", Clock: r.Clock, Problem: r.Problem, Needs: needsAction(r)}
	if !r.SentAt.IsZero() {
		l.Sent = r.SentAt.In(london).Format("2 Jan 2006")
	}
	if !r.Due.IsZero() {
		l.Due = r.Due.Format("2 Jan 2006")
	}
	if !r.LastActivity.IsZero() {
		l.Last = r.LastActivity.In(london).Format("2 Jan 2006")
	}
	if r.Suggested != nil {
		l.Suggested = r.Suggested.Words
	}
	if r.Next != nil {
		l.Next, l.Draft = r.Next.Words, r.Next.Draft
	}
	return l
}

type boardData struct {
	// Feed is the path of the campaign's calendar feed.
	Feed     string
	Campaign store.Campaign
	Rows     []boardLine
	Total    int
	Phases   []struct{ Key, Words string }
	Tags     []string
	States   []lifecycle.State
	Phase    string
	Tag      string
	Needs    bool
	Q        string
	Sort     string
}

func (s *Server) board(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	c, err := s.opt.Store.Campaign(ctx, strings.ToUpper(r.PathValue("slug")))
	if err != nil {
		return "", "", "", nil, err
	}
	rows, _, err := s.rows(ctx, c.Slug)
	if err != nil {
		return "", "", "", nil, err
	}
	q := r.URL.Query()
	d := boardData{Campaign: c, Total: len(rows), Phases: phases, States: markStates, Phase: q.Get("phase"), Tag: q.Get("tag"),
		Needs: q.Get("needs") == "1", Q: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	token, err := results.FeedToken(ctx, s.opt.Store, c.Slug)
	if err != nil {
		return "", "", "", nil, err
	}
	d.Feed = results.FeedPath(token)
	tags := map[string]bool{}
	needle := strings.ToLower(d.Q)
	var shown []boardRow
	for _, row := range rows {
		for _, t := range row.Tags {
			tags[t] = true
		}
		switch {
		case d.Phase != "" && row.Phase != d.Phase:
		case d.Tag != "" && !slices.Contains(row.Tags, d.Tag):
		case d.Needs && !needsAction(row):
		case needle != "" && !strings.Contains(strings.ToLower(row.Ref), needle) && !strings.Contains(strings.ToLower(row.Authority), needle):
		default:
			shown = append(shown, row)
		}
	}
	for t := range tags {
		d.Tags = append(d.Tags, t)
	}
	sort.Strings(d.Tags)
	switch d.Sort {
	case "due":
		sort.SliceStable(shown, func(i, j int) bool {
			a, b := shown[i].Due, shown[j].Due
			if a.IsZero() != b.IsZero() {
				return !a.IsZero()
			}
			return a.Before(b)
		})
	case "late":
		sort.SliceStable(shown, func(i, j int) bool {
			a, b := shown[i].WorkingDaysLeft, shown[j].WorkingDaysLeft
			if (a == nil) != (b == nil) {
				return a != nil
			}
			return a != nil && *a < *b
		})
	default:
		d.Sort = "ref"
	}
	d.Rows = make([]boardLine, len(shown))
	for i, row := range shown {
		d.Rows[i] = lineOf(row)
	}
	return "board", c.Title, "campaigns", d, nil
}

// markStates are the outcomes a person may record from the dashboard.
var markStates = []lifecycle.State{
	lifecycle.Successful, lifecycle.PartiallySuccessful, lifecycle.Refused, lifecycle.NotHeld,
	lifecycle.Acknowledged, lifecycle.Extended, lifecycle.AwaitingClarification,
	lifecycle.ReviewRequested, lifecycle.ReviewAnswered, lifecycle.ICOFiled, lifecycle.Closed, lifecycle.Withdrawn,
}

type scheduleDay struct {
	Date  string
	Words string
	Items []scheduleItem
}

type scheduleItem struct {
	boardRow
	At time.Time
}

// schedulePage is everything foi will send or draft in the next 30 days,
// by day, from each row's next action.
func (s *Server) schedulePage(r *http.Request) (string, string, string, any, error) {
	rows, _, err := s.rows(r.Context(), "")
	if err != nil {
		return "", "", "", nil, err
	}
	now := s.opt.Now()
	until := now.AddDate(0, 0, 30)
	byDay := map[string]*scheduleDay{}
	var days []*scheduleDay
	for _, row := range rows {
		if row.Next == nil || row.Next.On.IsZero() || row.Next.On.After(until) {
			continue
		}
		at := row.Next.On
		if at.Before(now) {
			at = now
		}
		key := at.In(london).Format("2006-01-02")
		d, ok := byDay[key]
		if !ok {
			d = &scheduleDay{Date: key, Words: at.In(london).Format("Monday 2 January")}
			byDay[key] = d
			days = append(days, d)
		}
		d.Items = append(d.Items, scheduleItem{boardRow: row, At: row.Next.On})
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	for _, d := range days {
		sort.SliceStable(d.Items, func(i, j int) bool { return d.Items[i].At.Before(d.Items[j].At) })
	}
	return "schedule", "The next 30 days", "schedule", days, nil
}

func (s *Server) unmatched(r *http.Request) (string, string, string, any, error) {
	list, err := s.opt.Store.Unmatched(r.Context())
	if err != nil {
		return "", "", "", nil, err
	}
	var out []unmatchedItem
	for _, m := range list {
		out = append(out, unmatchedItem{m})
	}
	return "unmatched", "Mail to file", "unmatched", out, nil
}

func (s *Server) drafts(r *http.Request) (string, string, string, any, error) {
	list, err := s.draftItems(r.Context())
	if err != nil {
		return "", "", "", nil, err
	}
	return "drafts", "Letters to approve", "drafts", list, nil
}

type draftData struct {
	Item      store.OutboxItem
	Authority string
	Letter    mailer.Letter
	Holes     []templates.Placeholder
	Grounds   bool
	Complaint bool
	IsDraft   bool
}

func (s *Server) draft(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return "", "", "", nil, err
	}
	it, err := s.opt.Store.OutboxItem(ctx, id)
	if err != nil {
		return "", "", "", nil, err
	}
	l, err := mailer.StoredLetter(it)
	if err != nil {
		return "", "", "", nil, err
	}
	d := draftData{Item: it, Letter: l, Holes: templates.Placeholders(l.Body), Grounds: templates.HasPlaceholder(l.Body, "GROUNDS"),
		Complaint: it.Step == lifecycle.StepComplaint, IsDraft: it.State == lifecycle.OutboxDraft}
	if req, err := s.opt.Store.Request(ctx, it.Ref); err == nil {
		d.Authority = req.Authority.Name
	}
	return "draft", "Letter " + strconv.FormatInt(id, 10) + " for " + it.Ref, "drafts", d, nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badInput("“" + r.PathValue("id") + "” is not a number")
	}
	return id, nil
}
