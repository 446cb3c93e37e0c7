package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"foi/config"
	"foi/inbox"
	"foi/lifecycle"
	"foi/report"
	"foi/store"
	"foi/textsafe"
)

// newWatcher builds the mailbox watcher from the configuration.
func newWatcher(ctx context.Context, cfg *config.Config, st *store.Store, a *app) (*inbox.Watcher, error) {
	proc := &inbox.Processor{Store: st, Now: a.now, Log: a.log}
	if cfg.Requester.PlusAddressing {
		secret, err := st.Secret(ctx, "plus-address")
		if err != nil {
			return nil, err
		}
		proc.PlusSecret = secret
	}
	return &inbox.Watcher{Cfg: cfg.IMAP, Dir: cfg.Dir, Proc: proc, Store: st, Log: a.log}, nil
}

func (a *app) cmdSync(ctx context.Context, args []string) error {
	fs := a.flags("sync")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return usagef("sync takes no arguments")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := newWatcher(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	bar := a.newBar()
	w.Progress = func(done, total int) {
		if total >= 100 { // a bar for hundreds, not for the day's few replies
			bar.show(done, total, "messages read and filed")
		}
	}
	stats, err := w.Sync(ctx)
	bar.end()
	if err != nil {
		return fmt.Errorf("sync %s: %w", cfg.IMAP.Folder, err)
	}
	if a.json {
		return a.printJSON(stats)
	}
	fmt.Fprintf(a.stdout, "%s: %d new, %d filed, %d unmatched, %d not ours (left in the mailbox), %d already stored\n",
		cfg.IMAP.Folder, stats.Seen, stats.Filed, stats.Unmatched, stats.Ignored, stats.Duplicate)
	if stats.Unmatched > 0 {
		fmt.Fprintln(a.stdout, "See `foi unmatched` and file them with `foi assign MESSAGE REF`.")
	}
	return nil
}

// threadItem is one line of a request's thread: a message, or a line of
// its history told in words (report.Timeline).
type threadItem struct {
	At          time.Time          `json:"at"`
	Type        string             `json:"type"` // letter, reply, event
	Message     *store.Message     `json:"message,omitempty"`
	Attachments []store.Attachment `json:"attachments,omitempty"`
	Event       *report.Entry      `json:"event,omitempty"`
}

func (a *app) cmdShow(ctx context.Context, args []string) error {
	fs := a.flags("show")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("show REF")
	}
	st, sch, f, err := a.requestFacts(ctx, pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	r, msgs := f.Request, f.Thread
	loc := londonLoc()
	var items []threadItem
	for i := range msgs {
		m := &msgs[i]
		typ := "reply"
		if m.Direction == "out" {
			typ = "letter"
		}
		atts, err := st.Attachments(ctx, m.ID)
		if err != nil {
			return err
		}
		// In the order foi sent or received them: a Date header is only
		// the sender's word.
		at := m.CreatedAt
		items = append(items, threadItem{At: at, Type: typ, Message: m, Attachments: atts})
	}
	timeline := report.Timeline(f, sch.Cal, loc)
	for i := range timeline {
		items = append(items, threadItem{At: timeline[i].At, Type: "event", Event: &timeline[i]})
	}
	sortItems(items)
	if a.json {
		return a.printJSON(map[string]any{"request": r, "thread": items})
	}
	// Everything below came in the mail or was built from it: print it
	// without the control characters a terminal would act on.
	out := textsafe.NewWriter(a.stdout)
	fmt.Fprintf(out, "%s  %s <%s>\nstate: %s", r.Ref, r.Authority.Name, r.ToAddress, r.State)
	if r.AuthorityRef != "" {
		fmt.Fprintf(out, "   their ref: %s", r.AuthorityRef)
	}
	fmt.Fprintln(out)
	lines, err := learned(ctx, st, sch, f) // redirect.go
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	var marked time.Time // the last time a person said what the request's state is
	for _, e := range f.Events {
		if e.Kind == lifecycle.EventState && e.Actor == "user" {
			marked = e.At
		}
	}
	if r.State == lifecycle.Responded || r.State == lifecycle.ReviewAnswered {
		fmt.Fprintf(out, "A reply waits for you to say what it was: foi mark %s successful|partially_successful|refused|not_held\n", r.Ref)
	}
	for _, it := range items {
		when := it.At.In(loc).Format("2006-01-02 15:04")
		switch it.Type {
		case "event":
			fmt.Fprintf(out, "\n%s  · %s\n", when, it.Event.Text)
		default:
			m := it.Message
			arrow := "→ letter"
			if it.Type == "reply" {
				arrow = "← reply"
			}
			fmt.Fprintf(out, "\n%s  %s #%d  %s\n  From: %s\n  Subject: %s\n  Message-ID: <%s>\n", when, arrow, m.ID, m.Kind, m.From, m.Subject, m.MessageID)
			if it.Type == "reply" && !m.Date.IsZero() {
				fmt.Fprintf(out, "  Date: %s\n", m.Date.In(loc).Format("Mon 2 Jan 2006 15:04"))
			}
			if m.MatchRule != "" {
				conf := ""
				if m.LowConf {
					conf = " (low confidence: please check)"
				}
				fmt.Fprintf(out, "  Matched by: %s%s\n", m.MatchRule, conf)
			}
			if m.Flags != "" {
				fmt.Fprintf(out, "  Flags: %s\n", m.Flags)
			}
			if sug := report.Suggest(*m); it.Type == "reply" && sug != nil {
				if m.CreatedAt.After(marked) {
					fmt.Fprintf(out, "  Looks like: %s (foi's reading: confirm it with foi mark)\n", sug.Words)
				} else {
					fmt.Fprintf(out, "  foi read it as: %s\n", sug.Words)
				}
				for _, ev := range sug.Evidence {
					fmt.Fprintf(out, "    because %s\n", ev)
				}
			}
			for _, at := range it.Attachments {
				fmt.Fprintf(out, "  Attachment: %s (%s, %d bytes)\n", at.Name, at.ContentType, at.Size)
			}
			fmt.Fprintf(out, "\n%s\n", indent(truncateLines(m.BodyText, 40)))
		}
	}
	return nil
}

func sortItems(items []threadItem) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].At.Before(items[j-1].At); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

func truncateLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n[… %d more lines]", len(lines)-n)
}

func londonLoc() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}

func (a *app) cmdMark(ctx context.Context, args []string) error {
	fs := a.flags("mark")
	note := fs.String("note", "", "why")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("mark REF STATE [--note TEXT]")
	}
	state, err := lifecycle.ParseState(pos[1])
	if err != nil {
		return usagef("%v", err)
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetState(ctx, pos[0], state, "user", *note, a.now()); err != nil {
		return err
	}
	r, err := st.Request(ctx, pos[0])
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(r)
	}
	fmt.Fprintf(a.stdout, "%s is now %s\n", r.Ref, r.State)
	return nil
}

// cmdPaid records that a fee asked for in a fees notice was paid: the
// clock, stopped since the notice (FOIA s.10(2)), runs again.
func (a *app) cmdPaid(ctx context.Context, args []string) error {
	fs := a.flags("paid")
	note := fs.String("note", "", "how it was paid")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("paid REF [--note T]")
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.Request(ctx, pos[0])
	if err != nil {
		return err
	}
	detail := "fee paid: the clock runs again"
	if *note != "" {
		detail += " (" + *note + ")"
	}
	if err := st.AddEvent(ctx, store.Event{RequestID: r.ID, At: a.now(), Kind: "fee_paid", Actor: "user", Detail: detail}); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: fee recorded as paid on %s\n", r.Ref, a.now().In(londonLoc()).Format("2 January 2006"))
	return nil
}

func (a *app) cmdAssign(ctx context.Context, args []string) error {
	fs := a.flags("assign")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("assign MESSAGE REF (MESSAGE is the number shown by `foi unmatched`)")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil {
		return usagef("assign: %q is not a message number", pos[0])
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.MessageByID(ctx, id)
	if err != nil {
		return err
	}
	if err := st.Assign(ctx, id, pos[1], inbox.StoredEffect(m), a.now()); err != nil {
		return err
	}
	r, err := st.Request(ctx, pos[1])
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"message": id, "ref": r.Ref, "state": r.State})
	}
	fmt.Fprintf(a.stdout, "Message #%d filed under %s (now %s)\n", id, r.Ref, r.State)
	return nil
}

func (a *app) cmdUnmatched(ctx context.Context, args []string) error {
	fs := a.flags("unmatched")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	_, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Unmatched(ctx)
	if err != nil {
		return err
	}
	type row struct {
		ID          int64              `json:"id"`
		From        string             `json:"from"`
		Subject     string             `json:"subject"`
		Date        time.Time          `json:"date,omitzero"`
		Kind        lifecycle.Kind     `json:"kind"`
		Flags       string             `json:"flags,omitempty"`
		Suggestions []store.Suggestion `json:"suggestions"`
	}
	rows := []row{}
	for _, m := range list {
		r := row{ID: m.ID, From: m.From, Subject: m.Subject, Date: m.Date, Kind: m.Kind, Flags: m.Flags, Suggestions: m.Suggested}
		if r.Suggestions == nil {
			r.Suggestions = []store.Suggestion{}
		}
		rows = append(rows, r)
	}
	if a.json {
		return a.printJSON(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.stdout, "No replies waiting to be filed: every reply found its request.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tFROM\tSUBJECT\tKIND\tSUGGESTED")
	for _, r := range rows {
		var sug []string
		for _, s := range r.Suggestions {
			sug = append(sug, s.Ref+" ("+s.Why+")")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.ID, r.From, truncate(r.Subject, 50), r.Kind, strings.Join(sug, "; "))
	}
	return tw.Flush()
}
