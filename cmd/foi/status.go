package main

import (
	"context"
	"fmt"
	"foi/campaign"
	"foi/report"
	"strings"
	"text/tabwriter"
)

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
	rows, err := report.Board(ctx, sch, slug, a.now())
	if err != nil {
		return err
	}
	if slug != "" && len(rows) == 0 {
		return fmt.Errorf("campaign %s has no requests", slug)
	}
	unmatched, err := st.Unmatched(ctx)
	if err != nil {
		return err
	}
	if a.json {
		if rows == nil {
			rows = []report.Row{}
		}
		return a.printJSON(rows)
	}
	if len(unmatched) > 0 {
		defer fmt.Fprintf(a.stdout, "\n%s could not be filed: see `foi unmatched`.\n", count(len(unmatched), "reply", "replies"))
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.stdout, "No requests yet: create a campaign with `foi campaign new`.")
		return nil
	}
	loc := campaign.London()
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tAUTHORITY\tSTATE\tSENT\tDUE\tCLOCK\tLAST REPLY\tNEXT")
	for _, r := range rows {
		sent, due := "-", "-"
		if !r.SentAt.IsZero() {
			sent = r.SentAt.In(loc).Format("2006-01-02")
		}
		if !r.Due.IsZero() {
			due = r.Due.String()
		}
		state := string(r.State)
		if r.Problem != "" {
			state += " (" + truncate(r.Problem, 60) + ")"
		}
		last := "-"
		if r.LastReply != nil {
			last = r.LastReply.At.In(loc).Format("2006-01-02") + " " + string(r.LastReply.Kind)
			if r.Suggested != nil {
				last += ": looks " + r.Suggested.Words + " (confirm with foi mark)"
			}
		}
		next := "-"
		if r.Next != nil {
			next = r.Next.Words
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, truncate(r.Authority, 34), state, sent, due, r.Clock, last, next)
	}
	return tw.Flush()
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
