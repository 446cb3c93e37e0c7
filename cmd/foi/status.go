package main

import (
	"context"
	"errors"
	"fmt"
	"foi/calendar"
	"foi/campaign"
	"foi/deadline"
	"foi/lifecycle"
	"foi/schedule"
	"strings"
	"text/tabwriter"
	"time"
)

// statusRow is one line of `foi status`.
type statusRow struct {
	Ref       string           `json:"ref"`
	Authority string           `json:"authority"`
	State     string           `json:"state"`
	SentAt    time.Time        `json:"sent_at,omitzero"`
	Due       string           `json:"due,omitempty"`
	DaysLeft  *int             `json:"working_days_left,omitempty"`
	LastError string           `json:"last_error,omitempty"`
	LastReply *replyRef        `json:"last_reply,omitempty"`
	Next      *schedule.Action `json:"next,omitempty"`
}

// replyRef is the latest reply of a request, for `foi status`.
type replyRef struct {
	At   time.Time      `json:"at"`
	Kind lifecycle.Kind `json:"kind"`
	From string         `json:"from"`
}

func (a *app) cmdStatus(ctx context.Context, args []string) error {
	fs := a.flags("status")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("status [SLUG]")
	}
	cfg, st, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sch, err := newScheduler(ctx, cfg, st, a)
	if err != nil {
		return err
	}
	slug := ""
	if len(pos) == 1 {
		c, err := st.Campaign(ctx, strings.ToUpper(pos[0]))
		if err != nil {
			return err
		}
		slug = c.Slug
	}
	reqs, err := st.Requests(ctx, slug)
	if err != nil {
		return err
	}
	if slug != "" && len(reqs) == 0 {
		return errors.New("no requests")
	}
	outbox, err := st.Outbox(ctx, slug)
	if err != nil {
		return err
	}
	lastErr := map[string]string{}
	for _, it := range outbox {
		if it.LastError != "" && it.State != lifecycle.OutboxSent {
			lastErr[it.Ref] = it.LastError
		}
	}
	now := a.now()
	rows := make([]statusRow, 0, len(reqs))
	for _, r := range reqs {
		row := statusRow{Ref: r.Ref, Authority: r.Authority.Name, State: string(r.State), SentAt: r.SentAt, LastError: lastErr[r.Ref]}
		f, err := sch.Facts(ctx, r)
		if err != nil {
			return err
		}
		if !r.SentAt.IsZero() {
			law := calendar.Law(r.Law)
			d := deadline.Compute(sch.Cal, f.Input())
			if !d.Due.IsZero() {
				row.Due = d.Due.String()
				left := deadline.DaysLeft(sch.Cal, law, d.Due, now)
				row.DaysLeft = &left
			}
		}
		if act, ok := sch.Next(f); ok {
			row.Next = &act
		}
		thread, err := st.Thread(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, m := range thread {
			if m.Direction == "in" {
				at := m.Date
				if at.IsZero() {
					at = m.CreatedAt
				}
				row.LastReply = &replyRef{At: at, Kind: m.Kind, From: m.From}
			}
		}
		rows = append(rows, row)
	}
	unmatched, err := st.Unmatched(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(rows)
	}
	if len(unmatched) > 0 {
		defer fmt.Fprintf(a.stdout, "\n%d replies could not be filed: see `foi unmatched`.\n", len(unmatched))
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tAUTHORITY\tSTATE\tSENT\tDUE\tLEFT\tLAST REPLY\tNEXT")
	for _, r := range rows {
		sent, left := "-", "-"
		if !r.SentAt.IsZero() {
			sent = r.SentAt.In(campaign.London()).Format("2006-01-02 15:04")
		}
		if r.DaysLeft != nil {
			switch d := *r.DaysLeft; {
			case d < 0:
				left = fmt.Sprintf("%d late", -d)
			default:
				left = fmt.Sprintf("%d", d)
			}
		}
		state := r.State
		if r.LastError != "" {
			state += " (" + truncate(r.LastError, 40) + ")"
		}
		last := "-"
		if r.LastReply != nil {
			last = r.LastReply.At.In(campaign.London()).Format("2006-01-02") + " " + string(r.LastReply.Kind)
		}
		next := "-"
		if r.Next != nil {
			next = fmt.Sprintf("%s (%s) %s", r.Next.Step, r.Next.Mode, r.Next.On.In(campaign.London()).Format("2006-01-02"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, truncate(r.Authority, 34), state, sent, r.Due, left, last, next)
	}
	return tw.Flush()
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
