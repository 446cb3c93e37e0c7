// Package results turns a campaign's requests into what a campaign
// publishes: its questions and the answers volunteers coded for each
// request, one row per request (CSV and JSON), a fair league table
// (Markdown, and one self-contained HTML file), an iCalendar file of the
// dates that matter, and zip files of what came back, to pass on.
//
// It owns the shape of these exports, not the rules of the clock: every
// date, day count and "on time" comes from report.Measure, which reads the
// same schedule.Facts and deadline rules as the board. It reads the store
// once per export (Load) and then works on plain values (Build), so a test
// or a benchmark can build a Table from facts it made. Writing files to a
// person's folders goes through package export. Nothing here holds state;
// every function is safe for concurrent use.
//
// What leaves foi through an export is chosen with care: the HTML league
// table shows authorities, dates, outcomes and coded answers only (no
// reply text, no sender, and any email address in a coded answer is
// removed); the request pack removes the requester's own address and
// signature from the letters and replies it carries.
package results

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"foi/lifecycle"
	"foi/report"
	"foi/schedule"
	"foi/store"
)

// Table is the published view of a campaign (or of every campaign, or of
// one request): its questions and one row per request.
type Table struct {
	// Title names what the table is of: a campaign's title, or "All campaigns".
	Title     string           `json:"title"`
	Campaign  string           `json:"campaign,omitempty"`
	Questions []store.Question `json:"questions"`
	Rows      []Row            `json:"requests"`
	// At is the moment the table was made: "now" for every clock in it.
	At time.Time `json:"at"`
}

// Row is one request's line.
type Row struct {
	Ref          string   `json:"reference"`
	Authority    string   `json:"authority"`
	Tags         []string `json:"tags"`
	Jurisdiction string   `json:"jurisdiction"`
	report.Measures
	AuthorityRef string `json:"authority_reference,omitempty"`
	// LastReplySubject is the subject of the latest reply (not an automatic
	// one or a bounce), as the authority wrote it.
	LastReplySubject string `json:"last_reply_subject,omitempty"`
	Files            int    `json:"files"`
	// Answers are by question number (1-based; a missing one is uncoded).
	Answers map[int]store.Answer `json:"answers"`
}

// Input is what Build needs besides the facts: the campaign's questions,
// the answers coded, and the number of files of each request (by request
// row).
type Input struct {
	Title     string
	Campaign  string
	Questions []store.Question
	Answers   []store.Answer
	Files     map[int64]int
}

// Build makes the table of the requests whose facts are given, at now.
func Build(sch *schedule.Scheduler, facts []schedule.Facts, in Input, now time.Time) *Table {
	t := &Table{Title: in.Title, Campaign: in.Campaign, Questions: in.Questions, At: now, Rows: make([]Row, len(facts))}
	if t.Questions == nil {
		t.Questions = []store.Question{}
	}
	byReq := make(map[int64]map[int]store.Answer)
	for _, a := range in.Answers {
		if byReq[a.RequestID] == nil {
			byReq[a.RequestID] = map[int]store.Answer{}
		}
		byReq[a.RequestID][a.Question] = a
	}
	for _, f := range facts {
		if byReq[f.Request.ID] == nil {
			byReq[f.Request.ID] = map[int]store.Answer{}
		}
	}
	// Each row is a pure function of its facts (report.Measure), so the
	// rows are measured side by side, one share per processor.
	workers := min(runtime.GOMAXPROCS(0), max(1, len(facts)/500))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(facts); i += workers {
				t.Rows[i] = rowOf(sch, facts[i], byReq[facts[i].Request.ID], in.Files, now)
			}
		}()
	}
	wg.Wait()
	return t
}

func rowOf(sch *schedule.Scheduler, f schedule.Facts, ans map[int]store.Answer, files map[int64]int, now time.Time) Row {
	r := f.Request
	row := Row{
		Ref: r.Ref, Authority: r.Authority.Name, Tags: r.Authority.Tags, Jurisdiction: r.Law,
		Measures: report.Measure(sch, f, now), AuthorityRef: r.AuthorityRef, Files: files[r.ID], Answers: ans,
	}
	for _, m := range f.Thread {
		if m.Direction == "in" && m.Kind != lifecycle.KindAutoReply && m.Kind != lifecycle.KindBounce && m.Kind != lifecycle.KindRedirect {
			row.LastReplySubject = m.Subject
		}
	}
	return row
}

// Scope is what an export is of: a campaign (Slug), one request (Ref), or
// every campaign (both empty).
type Scope struct {
	Slug string
	Ref  string
}

// ResolveScope reads the argument of `foi export [SLUG|REF]`: a request's
// reference if one has it, else a campaign's slug; "" is every campaign.
// Neither is an error naming the argument.
func ResolveScope(ctx context.Context, st *store.Store, arg string) (Scope, error) {
	if arg == "" {
		return Scope{}, nil
	}
	if r, err := st.Request(ctx, arg); err == nil {
		return Scope{Slug: r.Campaign, Ref: r.Ref}, nil
	}
	c, err := st.Campaign(ctx, strings.ToUpper(arg))
	if err != nil {
		return Scope{}, fmt.Errorf("%q is neither a campaign nor a request: see foi campaign list and foi status", arg)
	}
	return Scope{Slug: c.Slug}, nil
}

// Load reads what a table of the scope needs, in a fixed number of
// queries (schedule.AllFacts), and builds it at now.
func Load(ctx context.Context, st *store.Store, sch *schedule.Scheduler, sc Scope, now time.Time) (*Table, error) {
	facts, err := sch.AllFacts(ctx, sc.Slug)
	if err != nil {
		return nil, err
	}
	if sc.Ref != "" {
		for _, f := range facts {
			if f.Request.Ref == sc.Ref {
				facts = []schedule.Facts{f}
				break
			}
		}
	}
	in := Input{Title: "All campaigns", Campaign: sc.Slug}
	if sc.Slug != "" {
		c, err := st.Campaign(ctx, sc.Slug)
		if err != nil {
			return nil, err
		}
		in.Title = c.Title
		if in.Questions, err = st.Questions(ctx, sc.Slug); err != nil {
			return nil, err
		}
	}
	if in.Answers, err = st.Answers(ctx, sc.Slug); err != nil {
		return nil, err
	}
	if in.Files, err = st.FileCounts(ctx, sc.Slug); err != nil {
		return nil, err
	}
	return Build(sch, facts, in, now), nil
}
