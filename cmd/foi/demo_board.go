package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"foi/demo"
	"foi/lifecycle"
	"foi/report"
)

// The demo's live board in the terminal: the requests with a part to play,
// each with where it stands, the truth of its clock, the chasers sent and
// what happens next, fitted to the terminal's width (issue 14, finding 9).

// terminalSize is the width and height of the terminal w writes to, or
// 80x24 when it is not a terminal (piped) or cannot tell.
func terminalSize(w io.Writer) (width, height int) {
	if f, ok := w.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col >= 40 && ws.Row >= 10 {
			return int(ws.Col), int(ws.Row)
		}
	}
	return 80, 24
}

// demoBoard draws the board at the demo's now: day of days, and what the
// volunteer did last.
func demoBoard(ctx context.Context, q *app, url string, day, days, width, height int, did string) (string, error) {
	cfg, st, err := q.open(ctx)
	if err != nil {
		return "", err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, q)
	if err != nil {
		return "", err
	}
	facts, err := sch.AllFacts(ctx, "")
	if err != nil {
		return "", err
	}
	now := q.now()
	var rows []report.Row
	chased := map[string]int{}
	for _, f := range facts {
		rows = append(rows, report.RowOf(sch, f, now))
		for _, it := range f.Outbox {
			if it.Step.Chaser() && it.State == lifecycle.OutboxSent {
				chased[f.Request.Ref]++
			}
		}
	}
	head := []string{fitWidth(fmt.Sprintf("%s · day %d of %d · dashboard %s", now.Format("Mon 2 Jan 2006 15:04"), day, days, url), width)}
	for _, c := range demoCampaigns(rows) {
		head = append(head, wrapWidth(fmt.Sprintf("%s (%d): %s", c.slug, c.total, c.counted()), width, "", "       ")...)
	}
	cols := boardColumns(width)
	body := []string{cols.line("REF", "AUTHORITY", "STANDING", "CLOCK", "CHASERS", "NEXT")}
	for _, r := range rows {
		if _, ok := demo.Roles[r.Ref]; !ok {
			continue
		}
		n := "-"
		if chased[r.Ref] > 0 {
			n = strconv.Itoa(chased[r.Ref])
		}
		body = append(body, cols.line(r.Ref, shortAuthority(r.Authority), standing(r), compactClock(r.Clock), n, compactNext(r)))
	}
	foot := []string{fitWidth(fmt.Sprintf("(wd: working days. The other %d trusts answer on time. Ctrl-C stops.)", len(rows)-len(body)+1), width)}
	if did != "" {
		foot = append([]string{fitWidth(demoVolunteer+", the volunteer, "+did, width)}, foot...)
	}
	// What does not fit the terminal's height goes first: the blank line,
	// then the volunteer's last action.
	blank := []string{""}
	if len(head)+len(blank)+len(body)+len(foot) > height {
		blank = nil
	}
	if len(head)+len(body)+len(foot) > height && len(foot) > 1 {
		foot = foot[1:]
	}
	var b strings.Builder
	for _, part := range [][]string{head, blank, body, foot} {
		for _, line := range part {
			b.WriteString(line + "\n")
		}
	}
	return b.String(), nil
}

// columns are the widths of the board's columns, fitted to a width.
type columns [6]int

// boardColumns shares width among the columns: the reference, the state
// and the count of chasers are fixed; the authority, the clock and what
// happens next share the rest.
func boardColumns(width int) columns {
	const ref, state, chased = 9, 10, 7
	flex := width - ref - state - chased - 5 // one space between columns
	if flex < 30 {
		flex = 30
	}
	auth := min(flex*27/100, 40)
	next := min(flex*38/100, 40)
	return columns{ref, auth, state, flex - auth - next, chased, next}
}

func (c columns) line(cells ...string) string {
	var b strings.Builder
	for i, s := range cells {
		s = truncate(s, c[i])
		if i == 4 { // the count reads best right-aligned under its heading
			b.WriteString(strings.Repeat(" ", c[i]-len([]rune(s))) + s)
		} else if i == len(cells)-1 {
			b.WriteString(s)
		} else {
			b.WriteString(s + strings.Repeat(" ", c[i]-len([]rune(s))))
		}
		if i < len(cells)-1 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// standing is where a request stands, in a word or two: the confirmed
// outcome once there is one, else the board's phase.
func standing(r report.Row) string {
	switch r.State {
	case lifecycle.Successful:
		return "answered"
	case lifecycle.PartiallySuccessful:
		return "partial"
	case lifecycle.NotHeld:
		return "not held"
	case lifecycle.Refused:
		return "refused"
	case lifecycle.Responded, lifecycle.ReviewAnswered:
		if r.Suggested != nil {
			return "to confirm"
		}
	}
	switch r.Phase {
	case "very overdue":
		return "very late"
	case "clarification":
		return "clarifying"
	}
	return r.Phase
}

// compactClock is the clock's first clause, with "working days"
// shortened (the board's footer says so).
func compactClock(s string) string {
	s, _, _ = strings.Cut(s, "; ")
	s = strings.ReplaceAll(s, "working days", "wd")
	return strings.ReplaceAll(s, "working day", "wd")
}

// compactNext is what happens next, short: what a person must do, or the
// next letter and its day.
func compactNext(r report.Row) string {
	switch {
	case r.State == lifecycle.DeliveryFailed:
		return "fix the address"
	case r.Suggested != nil && (r.State == lifecycle.Responded || r.State == lifecycle.ReviewAnswered):
		if o := standing(report.Row{State: r.Suggested.Outcome}); o != "" {
			return "confirm " + o
		}
		return "confirm: " + r.Suggested.Words
	case r.Next == nil:
		return "-"
	case r.Next.Step == lifecycle.StepComplaint && r.Next.Draft != 0:
		return "file ICO complaint"
	case r.Next.Draft != 0:
		return "approve " + strings.TrimPrefix(stepWords(r.Next.Step), "final ")
	case !r.Next.On.IsZero():
		w := stepWords(r.Next.Step) + " " + r.Next.On.In(londonLoc()).Format("2 Jan")
		if r.Next.Mode == lifecycle.Drafted {
			w += " (draft)"
		}
		return w
	}
	return r.Next.Words
}

func stepWords(s lifecycle.Step) string {
	switch s {
	case lifecycle.StepFirstChaser:
		return "first chaser"
	case lifecycle.StepFinalChaser:
		return "final chaser"
	case lifecycle.StepReviewSilence, lifecycle.StepReviewRefusal:
		return "review"
	case lifecycle.StepComplaint:
		return "ICO complaint"
	case lifecycle.StepLetter:
		return "letter"
	}
	return "letter"
}

// shortAuthority drops the words every trust's name ends with.
func shortAuthority(name string) string {
	for _, suffix := range []string{" NHS Foundation Trust", " Foundation Trust", " NHS Trust", " Trust"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	return name
}

// demoCampaign counts one campaign's requests by where they stand.
type demoCampaign struct {
	slug   string
	total  int
	counts map[string]int
}

// standingOrder is the order the counts are told in.
var standingOrder = []string{"answered", "partial", "not held", "refused", "to confirm", "ICO", "in review",
	"very late", "overdue", "extended", "clarifying", "awaiting", "bounced", "unsent", "withdrawn", "closed"}

// summary is "31 requests: 26 answered, 1 partial, ...".
func (c demoCampaign) summary() string {
	return plural(c.total, "request") + ": " + c.counted()
}

// counted is "26 answered, 1 partial, ...", in standingOrder.
func (c demoCampaign) counted() string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range standingOrder {
		if n := c.counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
			seen[s] = true
		}
	}
	for _, s := range demoKeys(c.counts) {
		if !seen[s] {
			parts = append(parts, fmt.Sprintf("%d %s", c.counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// demoCampaigns are the campaigns of rows, in the order they appear.
func demoCampaigns(rows []report.Row) []demoCampaign {
	var out []demoCampaign
	idx := map[string]int{}
	for _, r := range rows {
		i, ok := idx[r.Campaign]
		if !ok {
			i = len(out)
			idx[r.Campaign] = i
			out = append(out, demoCampaign{slug: r.Campaign, counts: map[string]int{}})
		}
		out[i].total++
		out[i].counts[standing(r)]++
	}
	return out
}

func demoKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fit cuts each line of s to width.
func fitWidth(s string, width int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = truncate(l, width)
	}
	return strings.Join(lines, "\n")
}

// wrapWidth breaks s into lines of at most width, the first starting with
// first and the later ones with indent.
func wrapWidth(s string, width int, first, indent string) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = first + w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = indent + w
		}
	}
	if line != "" {
		lines = append(lines, fitWidth(line, width))
	}
	return lines
}
