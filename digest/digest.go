// Package digest writes the volunteers' email: a short plain-text message
// saying what arrived and what needs a person, sent to notify.to through
// the campaign's own SMTP session.
//
// Two kinds go out (store.DigestDaily, store.DigestUrgent):
//
//  1. The daily digest, at most once a London day, at or after
//     notify.daily_at: every reply that arrived since the last daily
//     digest, then every request that waits on a person (a reply to
//     confirm, a draft to approve, a clarification to answer, a letter
//     that bounced, cannot go or is held in doubt, mail that could not be
//     filed), then one
//     line per campaign counting its requests by board phase. A day with
//     nothing to say sends nothing.
//  2. An urgent digest, at once, when a reply that cannot wait arrives: a
//     bounce (the request was never delivered, so its clock never started)
//     or an identity challenge (the authority asks for a real name; the
//     clock runs on meanwhile). It lists only those.
//
// Everything the digest says comes from the board (report.Board) and the
// store; this package decides only what goes in which email and when. It
// sends through a Sender (mailer.SMTP is the real one) and records each
// digest in the store (migration 0012) before the next one is planned, so
// a restart never sends the day's digest twice.
//
// A Digest is a value; a Notifier is used by one goroutine.
package digest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"foi/lifecycle"
	"foi/report"
	"foi/schedule"
	"foi/store"
)

// Digest is one email's worth of news.
type Digest struct {
	Kind store.DigestKind
	At   time.Time
	// Since is when the previous digest of this kind went (zero: never).
	Since   time.Time
	Arrived []Item
	Needs   []Item
	// Campaigns is one line per campaign: its requests counted by phase.
	Campaigns []string
	// Through is the highest message row reported.
	Through int64
}

// Item is one line of the digest, with a link into the dashboard when
// web.public_url is set.
type Item struct {
	Ref       string
	Authority string
	Words     string
	Link      string
}

// Empty says the digest has nothing to tell.
func (d Digest) Empty() bool { return len(d.Arrived) == 0 && len(d.Needs) == 0 }

// Urgent says whether a received message cannot wait for the daily digest.
// A bounce: the letter never arrived, so the authority's clock never
// started (SPEC section 5); an identity challenge: the authority questions
// the applicant's name while the clock runs on (FOIA s.8(1)(b) makes a
// request in an organisation's name valid), and a person should answer.
func Urgent(m store.Message) bool {
	return m.Kind == lifecycle.KindBounce || identityChallenge(m)
}

// Links are the dashboard pages a digest points at, under web.public_url.
type Links struct{ Base string }

func (l Links) join(path string) string {
	if l.Base == "" {
		return ""
	}
	return strings.TrimRight(l.Base, "/") + path
}

// Request is a request's thread in the dashboard.
func (l Links) Request(ref string) string { return l.join("/requests/" + ref) }

// Unmatched is the queue of mail to file by hand.
func (l Links) Unmatched() string { return l.join("/unmatched") }

// Today is the page of what needs a person now (the dashboard's front
// page; the routes are listed in web/doc.go).
func (l Links) Today() string { return l.join("/") }

// Draft is a draft's page.
func (l Links) Draft(id int64) string { return l.join(fmt.Sprintf("/drafts/%d", id)) }

// FirstWindow is how far back the first digest looks: a volunteer who
// turns the digest on mid-campaign gets the last day's news, not the
// campaign's whole history (foi status has that).
const FirstWindow = 24 * time.Hour

// Build gathers a digest of the given kind at now: what arrived after the
// message row after (and, if since is set, was received after since), and
// (for the daily digest) what waits on a person.
func Build(ctx context.Context, sch *schedule.Scheduler, kind store.DigestKind, after int64, since, now time.Time, links Links) (Digest, error) {
	st := sch.Store
	d := Digest{Kind: kind, At: now, Since: since, Through: after}
	arrived, err := st.ReceivedAfter(ctx, after)
	if err != nil {
		return d, fmt.Errorf("digest: read new mail: %w", err)
	}
	fresh := arrived[:0:0]
	for _, a := range arrived {
		if a.CreatedAt.After(now) {
			// Received after now: only under --now, looking back; not yet.
			continue
		}
		d.Through = max(d.Through, a.ID)
		if since.IsZero() || a.CreatedAt.After(since) {
			fresh = append(fresh, a)
		}
	}
	for _, a := range fresh {
		if kind == store.DigestUrgent && !Urgent(a.Message) {
			continue
		}
		d.Arrived = append(d.Arrived, arrival(a, links))
	}
	if kind == store.DigestUrgent {
		for _, a := range fresh {
			if Urgent(a.Message) && a.Ref != "" {
				d.Needs = append(d.Needs, Item{Ref: a.Ref, Authority: a.Authority, Words: urgentWhat(a.Message), Link: links.Request(a.Ref)})
			}
		}
		return d, nil
	}
	facts, err := sch.AllFacts(ctx, "")
	if err != nil {
		return d, fmt.Errorf("digest: read the board: %w", err)
	}
	rows := make([]report.Row, len(facts))
	for i, f := range facts {
		r := report.RowOf(sch, f, now)
		rows[i] = r
		if inDoubt(f.Outbox) {
			d.Needs = append(d.Needs, Item{Ref: r.Ref, Authority: r.Authority, Link: links.Request(r.Ref),
				Words: fmt.Sprintf("a letter may or may not have gone (held in doubt): check the mailbox's Sent folder, then foi resend %s or foi mark-sent %s", r.Ref, r.Ref)})
			continue
		}
		if words := needs(r); words != "" {
			link := links.Request(r.Ref)
			if r.Next != nil && r.Next.Draft != 0 && r.Phase != "bounced" && r.Suggested == nil {
				link = links.Draft(r.Next.Draft)
			}
			d.Needs = append(d.Needs, Item{Ref: r.Ref, Authority: r.Authority, Words: words, Link: link})
		}
	}
	unmatched, err := st.Unmatched(ctx)
	if err != nil {
		return d, fmt.Errorf("digest: read unmatched mail: %w", err)
	}
	if n := len(unmatched); n > 0 {
		d.Needs = append(d.Needs, Item{Words: fmt.Sprintf("%s could not be filed to a request: file %s with foi unmatched and foi assign",
			count(n, "reply", "replies"), map[bool]string{true: "it", false: "them"}[n == 1]), Link: links.Unmatched()})
	}
	d.Campaigns = campaignLines(rows)
	return d, nil
}

// arrival is the line for one received message.
func arrival(a store.Arrival, links Links) Item {
	if a.Ref == "" {
		return Item{Words: fmt.Sprintf("not filed: from %s, %q", a.From, oneLine(a.Subject, 70)), Link: links.Unmatched()}
	}
	words := string(a.Kind)
	if s := report.Suggest(a.Message); s != nil && s.Words != "" {
		words = s.Words
	}
	if identityChallenge(a.Message) {
		words = "asks for the applicant's real name"
	}
	return Item{Ref: a.Ref, Authority: a.Authority, Words: words, Link: links.Request(a.Ref)}
}

// urgentWhat says what to do about an urgent message.
func urgentWhat(m store.Message) string {
	if identityChallenge(m) {
		return "the authority asks for the applicant's real name; the clock runs on. Answer it (a request in an organisation's name is valid, FOIA s.8(1)(b))"
	}
	why := ""
	if v := m.Verdict; v != nil && v.Diagnostic != "" {
		why = " (" + oneLine(v.Diagnostic, 120) + ")"
	}
	return "the letter was not delivered" + why + ": correct the address and send again"
}

// inDoubt says whether one of a request's letters is held in doubt
// (mailer's outbox, step 1): only a person can say whether it went.
func inDoubt(items []store.OutboxItem) bool {
	for _, it := range items {
		if it.State == lifecycle.OutboxInDoubt {
			return true
		}
	}
	return false
}

// needs is what a person has to do for a board row, or "".
func needs(r report.Row) string {
	switch {
	case r.Phase == "bounced":
		if r.Problem != "" {
			return r.Clock + " (" + oneLine(r.Problem, 120) + ")"
		}
		return r.Clock
	case r.Suggested != nil:
		return fmt.Sprintf("a reply to confirm: it looks %s (foi mark %s STATE)", r.Suggested.Words, r.Ref)
	case r.Next != nil && r.Next.Draft != 0:
		return r.Next.Words
	case r.State == lifecycle.AwaitingClarification:
		return r.Clock
	case r.Problem != "":
		return "a letter waits: " + oneLine(r.Problem, 160)
	}
	return ""
}

// campaignLines counts each campaign's requests by phase, in the board's
// words: "LXP7: 55 requests: 31 awaiting, 20 answered, 4 overdue".
func campaignLines(rows []report.Row) []string {
	type tally struct {
		n      int
		phases map[string]int
	}
	by := map[string]*tally{}
	var slugs []string
	for _, r := range rows {
		t := by[r.Campaign]
		if t == nil {
			t = &tally{phases: map[string]int{}}
			by[r.Campaign] = t
			slugs = append(slugs, r.Campaign)
		}
		t.n++
		t.phases[r.Phase]++
	}
	sort.Strings(slugs)
	var lines []string
	for _, s := range slugs {
		t := by[s]
		type phase struct {
			name string
			n    int
		}
		var ps []phase
		for p, n := range t.phases {
			ps = append(ps, phase{p, n})
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].n > ps[j].n || ps[i].n == ps[j].n && ps[i].name < ps[j].name })
		parts := make([]string, len(ps))
		for i, p := range ps {
			parts[i] = fmt.Sprintf("%d %s", p.n, p.name)
		}
		lines = append(lines, fmt.Sprintf("%s: %s: %s", s, count(t.n, "request", "requests"), strings.Join(parts, ", ")))
	}
	return lines
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// oneLine is s on one line, at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
